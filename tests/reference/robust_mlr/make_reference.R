# lavaan reference values: estimator = "MLR" on skewed 1-10 answers (see README.md).
# Usage (from the repository root):  Rscript tests/reference/robust_mlr/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# MLR: ML estimates, Huber-White sandwich SEs, Yuan-Bentler (Mplus variant) scaled test.
main <- fit_case(here, options = list(estimator = "MLR"))
# Plain ML on the same data: the same estimates, normal-theory SEs and test.
ml <- fit_case(here, prefix = "ml_", options = list(estimator = "ML"))
pe_r <- parameterEstimates(main$fit)
pe_m <- parameterEstimates(ml$fit)
free <- pe_r$se > 0
fm <- fitMeasures(main$fit, c("chisq", "chisq.scaled", "chisq.scaling.factor"))
write_provenance(here, list(main, ml), extra = c(
  paste0("max |est(MLR) - est(ML)| = ", format(max(abs(pe_r$est - pe_m$est)), digits = 3)),
  paste0("SE ratio MLR / ML: median ", format(median(pe_r$se[free] / pe_m$se[free]), digits = 4),
         ", range ", paste(format(range(pe_r$se[free] / pe_m$se[free]), digits = 4), collapse = " - ")),
  paste0("chisq = ", fmt_num(fm[["chisq"]]), "; chisq.scaled = ", fmt_num(fm[["chisq.scaled"]]),
         "; scaling factor = ", fmt_num(fm[["chisq.scaling.factor"]]))))
