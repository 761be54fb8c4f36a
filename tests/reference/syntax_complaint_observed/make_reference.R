# lavaan reference values: ACSI with the complaint an observed 0/1 variable (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_complaint_observed/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# sem() defaults (ML, expected information, no mean structure); cc1 is an endogenous observed
# variable (outcome of CS, predictor of CL), so fixed.x does not apply to it.
main <- fit_case(here, options = list(estimator = "ML"))
write_provenance(here, list(main))
