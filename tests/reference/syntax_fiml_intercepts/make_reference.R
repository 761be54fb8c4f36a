# lavaan reference values: user intercepts (~ 1) with FIML, missing = "ml" (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_fiml_intercepts/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# missing = "ml" implies meanstructure = TRUE, information = "observed" (lavaan 0.6-14).
main <- fit_case(here, options = list(estimator = "ML", missing = "ml"))
fm <- fitMeasures(main$fit)
write_provenance(here, list(main), extra = c(
  paste0("srmr variants: srmr = ", fmt_num(fm[["srmr"]]), "; srmr_bentler = ",
         fmt_num(fm[["srmr_bentler"]]), "; srmr_bentler_nomean = ", fmt_num(fm[["srmr_bentler_nomean"]])),
  paste0("missing patterns: ", nrow(lavInspect(main$fit, "patterns")),
         "; coverage of cl1 = ", fmt_num(lavInspect(main$fit, "coverage")["cl1", "cl1"]))))
