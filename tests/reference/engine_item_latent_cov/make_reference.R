# lavaan reference values: an indicator covarying with a latent (cs1 ~~ CL).
# Usage (from the repository root):  Rscript tests/reference/engine_item_latent_cov/make_reference.R
# data.csv is tests/reference/acsi_sim/data.csv (copied).
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))
fit <- fit_case(here, options = list(estimator = "ML"))
write_provenance(here, list(fit))
