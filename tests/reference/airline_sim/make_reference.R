# lavaan reference values for the shipped airline model (see README.md).
# Usage (from the repository root):  Rscript tests/reference/airline_sim/make_reference.R
# Reads data.csv and model.lav next to this script; writes the common layout of
# tests/reference/_harness.R there (no vcov.csv: 111 free parameters, about 270 KB that no test reads).
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

main <- fit_case(here, options = list(estimator = "ML"), vcov = FALSE)
write_provenance(here, list(main))
