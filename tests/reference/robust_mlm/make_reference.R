# lavaan reference values: estimator = "MLM" on skewed 1-10 answers (see README.md).
# Usage (from the repository root):  Rscript tests/reference/robust_mlm/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# MLM: ML estimates, robust SEs from the expected information (robust.sem), Satorra-Bentler test;
# variant ml: plain ML on the same data (the same estimates, normal-theory SEs and test).
robust_and_ml_case(here, list(estimator = "MLM"))
