# lavaan reference values: estimator = "MLR" on skewed 1-10 answers (see README.md).
# Usage (from the repository root):  Rscript tests/reference/robust_mlr/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# MLR: ML estimates, Huber-White sandwich SEs, Yuan-Bentler (Mplus variant) scaled test;
# variant ml: plain ML on the same data (the same estimates, normal-theory SEs and test).
robust_and_ml_case(here, list(estimator = "MLR"))
