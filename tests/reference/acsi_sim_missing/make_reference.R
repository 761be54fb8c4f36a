# lavaan FIML reference values (missing = "ml") for the ACSI survey with holes (see README.md).
# Usage (from the repository root):  Rscript tests/reference/acsi_sim_missing/make_reference.R
# Reads data.csv (empty cells = NA) and model.lav next to this script; writes the common layout
# of tests/reference/_harness.R there (sample_cov.csv / sample_mean.csv: lavaan's EM moments).
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

main <- fit_case(here, options = list(missing = "ml"))
fm <- fitMeasures(main$fit)
write_provenance(here, list(main), extra = paste0(
  "srmr variants: srmr = ", fmt_num(fm[["srmr"]]),
  "; srmr_bentler = ", fmt_num(fm[["srmr_bentler"]]),
  "; srmr_bentler_nomean = ", fmt_num(fm[["srmr_bentler_nomean"]])))
