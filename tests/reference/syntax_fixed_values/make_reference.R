# lavaan reference values: fixed values, NA* (freed marker), start() (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_fixed_values/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

main <- fit_case(here, options = list(estimator = "ML"))
# start(0.95) changes only where the optimizer starts: the same fit without it must agree.
no_start <- sem(sub("start(0.95)*", "", read_model(here), fixed = TRUE), data = read_data(here))
dev <- max(abs(coef(no_start) - coef(main$fit)))
write_provenance(here, list(main), extra = paste0(
  "without start(0.95): max |est difference| = ", format(dev, digits = 3),
  " (same optimum; only the start differs)"))
