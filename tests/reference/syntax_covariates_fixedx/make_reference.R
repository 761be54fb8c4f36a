# lavaan reference values: ACSI with the covariates age and income -> CS, fixed.x both ways.
# Usage (from the repository root):  Rscript tests/reference/syntax_covariates_fixedx/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# fixed.x = TRUE (sem()'s default for ML): the variances and covariance of age and income are
# fixed at their sample values (rows with exo = 1) and are not counted in npar or df.
fixed <- fit_case(here, options = list(estimator = "ML", fixed.x = TRUE))
# fixed.x = FALSE: they are free parameters; lavaan's estimates equal the sample moments.
free <- fit_case(here, prefix = "free_x_", options = list(estimator = "ML", fixed.x = FALSE))
write_provenance(here, list(fixed, free))
