# lavaan reference values for the simulated ACSI survey and its exact-fit twin (see README.md).
# Usage (from the repository root):  Rscript tests/reference/acsi_sim/make_reference.R
# Reads data.csv and model.lav next to this script; writes the common layout of
# tests/reference/_harness.R there (exact_* for exact_data.csv), plus the factor scores of data.csv.
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# All defaults: likelihood "normal" (sample covariance with denominator N), information
# "expected", se "standard", no meanstructure, 95% Wald intervals.
main <- fit_case(here, options = list(estimator = "ML"))
write_factor_scores(main$fit, here)
# Exact-data check: the sample covariance of exact_data.csv equals the population covariance
# implied by exact_truth.csv, so lavaan must return the true parameters (files prefixed exact_).
exact <- fit_case(here, prefix = "exact_", options = list(estimator = "ML"),
                  data_file = "exact_data.csv", truth_file = "exact_truth.csv")
write_provenance(here, list(main, exact))
