# lavaan reference values: := indirect and total effects with delta-method SEs (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_defined_effects/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

main <- fit_case(here, options = list(estimator = "ML"))
fit <- main$fit

# Check lavaan's delta method by hand: SE(g) = sqrt(J V J') with J the numerical Jacobian of the
# definitions with respect to the free parameters (lavaan uses the same, lav_func_jacobian_complex)
# and V = lavInspect(fit, "vcov").
V <- lavInspect(fit, "vcov")
x <- coef(fit)
defs <- function(p) {
  with(as.list(p), c(a1 * b1, b1 + c1 * c2, a1 + a2 * a3, (a1 + a2 * a3) * (b1 + c1 * c2)))
}
J <- t(sapply(seq_along(x), function(j) {
  h <- 1e-6 * max(1, abs(x[j])); up <- x; dn <- x
  up[j] <- up[j] + h; dn[j] <- dn[j] - h
  (defs(up) - defs(dn)) / (2 * h)
}))
se_hand <- sqrt(diag(t(J) %*% V %*% J))
pe <- parameterEstimates(fit)
se_lav <- pe$se[pe$op == ":="]
write_provenance(here, list(main), extra = paste0(
  "delta method by hand (central differences, vcov): max |se - lavaan se| over the 4 := rows = ",
  format(max(abs(se_hand - se_lav)), digits = 3)))
