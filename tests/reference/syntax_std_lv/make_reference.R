# lavaan reference values: the ACSI model with std.lv = TRUE (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_std_lv/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# std.lv = TRUE: every latent (residual) variance fixed to 1, every loading free.
main <- fit_case(here, options = list(estimator = "ML", std.lv = TRUE))
# The same data with lavaan's default marker scaling: the same fit (chisq, df), other scale.
marker <- fit_case(here, prefix = "marker_", options = list(estimator = "ML"))
same <- abs(fitMeasures(main$fit, "chisq") - fitMeasures(marker$fit, "chisq"))
write_provenance(here, list(main, marker), extra = paste0(
  "|chisq(std.lv) - chisq(marker)| = ", format(same, digits = 3)))
