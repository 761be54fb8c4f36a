# lavaan reference values for the CCSI model with a single complaints item (see README.md).
# Usage (from the repository root):  Rscript tests/reference/ccsi_single/make_reference.R
# Reads data.csv and model.lav next to this script; writes the common layout of
# tests/reference/_harness.R there, plus the factor scores.
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# All defaults: likelihood "normal" (sample covariance with denominator N), information
# "expected", se "standard", no meanstructure, 95% Wald intervals.
main <- fit_case(here, options = list(estimator = "ML"))
write_factor_scores(main$fit, here)
write_provenance(here, list(main))
