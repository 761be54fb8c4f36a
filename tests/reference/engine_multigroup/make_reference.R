# lavaan reference values: a two-group model with a loading and a path equal across groups by
# shared labels (lavaan adds .pI. == .pJ. rows); group = "segment" gives a mean structure.
# Usage (from the repository root):  Rscript tests/reference/engine_multigroup/make_reference.R
# data.csv is tests/reference/acsi_sim/data.csv with a column segment (alternate rows).
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))
fit <- fit_case(here, options = list(estimator = "ML", group = "segment"))
write_provenance(here, list(fit))
