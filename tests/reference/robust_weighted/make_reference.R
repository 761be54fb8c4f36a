# lavaan reference values: weighted ML (sampling.weights) on a two-stratum sample (see README.md).
# Usage (from the repository root):  Rscript tests/reference/robust_weighted/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# lavaan's defaults for weighted data: estimator ML with robust (sandwich) SEs and the
# Yuan-Bentler (Mplus) scaled test; options.json records what lavaan resolved.
main <- fit_case(here, options = list(sampling.weights = "w"))
# The same data unweighted (what acsi returned before issue 13), for the size of the change.
unweighted <- fit_case(here, prefix = "unweighted_", options = list(estimator = "ML"))
# Weighted with normal-theory SEs and test: isolates the weighting from the robust corrections.
standard <- fit_case(here, prefix = "weighted_standard_",
                     options = list(sampling.weights = "w", se = "standard", test = "standard"))

pe_w <- parameterEstimates(main$fit)
pe_u <- parameterEstimates(unweighted$fit)
pe_s <- parameterEstimates(standard$fit)
free <- pe_w$se > 0
reg <- pe_w$op == "~"
fm <- fitMeasures(main$fit, c("chisq", "chisq.scaled", "chisq.scaling.factor"))
write_provenance(here, list(main, unweighted, standard), extra = c(
  paste0("weighted vs unweighted: max |path difference| = ", format(max(abs(pe_w$est - pe_u$est)[reg]), digits = 3),
         "; max |est difference| = ", format(max(abs(pe_w$est - pe_u$est)), digits = 3)),
  paste0("robust vs standard SEs (both weighted): median ratio = ",
         format(median(pe_w$se[free] / pe_s$se[free]), digits = 4),
         "; range ", paste(format(range(pe_w$se[free] / pe_s$se[free]), digits = 4), collapse = " - ")),
  paste0("max |weighted standard est - weighted robust est| = ", format(max(abs(pe_w$est - pe_s$est)), digits = 3)),
  paste0("chisq = ", fmt_num(fm[["chisq"]]), "; chisq.scaled = ", fmt_num(fm[["chisq.scaled"]]),
         "; scaling factor = ", fmt_num(fm[["chisq.scaling.factor"]]))))
