# lavaan reference values: weighted FIML, sampling.weights with missing = "ml" (see README.md).
# Usage (from the repository root):  Rscript tests/reference/robust_weighted_fiml/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# lavaan 0.6-14 accepts sampling.weights together with missing = "ml" (weighted casewise
# likelihood); its defaults are the robust (sandwich) SEs and the Yuan-Bentler scaled test.
main <- fit_case(here, options = list(sampling.weights = "w", missing = "ml"))
unweighted <- fit_case(here, prefix = "unweighted_", options = list(missing = "ml"))
fm <- fitMeasures(main$fit)
write_provenance(here, list(main, unweighted), extra = c(
  paste0("chisq = ", fmt_num(fm[["chisq"]]), "; chisq.scaled = ", fmt_num(fm[["chisq.scaled"]]),
         "; scaling factor = ", fmt_num(fm[["chisq.scaling.factor"]])),
  paste0("srmr = ", fmt_num(fm[["srmr"]]), "; srmr_bentler_nomean = ", fmt_num(fm[["srmr_bentler_nomean"]]))))
