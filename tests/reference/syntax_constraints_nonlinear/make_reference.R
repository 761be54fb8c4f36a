# lavaan reference values: a nonlinear == constraint and an active > inequality (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_constraints_nonlinear/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

# With constraints lavaan switches the optimizer to nlminb.constr (augmented Lagrangian).
main <- fit_case(here, options = list(estimator = "ML"))
# The same model without `e > 0` (the nonlinear equality kept): shows the inequality is active
# (unconstrained e < 0) and gives the df / chi-square lavaan reports when only == remains.
eq_model <- sub("\ne > 0", "", read_model(here), fixed = TRUE)
eq_model <- sub(" + start(0.1)*CE", "", eq_model, fixed = TRUE)
writeLines(eq_model, file.path(here, "equality_only_model.lav"))
eq <- fit_case(here, prefix = "equality_only_", options = list(estimator = "ML"),
               model_file = "equality_only_model.lav")
pe_eq <- parameterEstimates(eq$fit)
pe <- parameterEstimates(main$fit)
# Independent check of lavaan's augmented-Lagrangian solution: profile the chi-square over a
# (PV ~ PQ) with e fixed at 0 (the active bound) and the then linear constraint b == a*c, which
# lavaan solves by reparametrization; minimize over a with optimize().
profile_fit <- function(alpha) {
  m <- sub("e*CE", "0*CE", eq_model, fixed = TRUE)
  m <- sub("a*PQ", paste0(sprintf("%.17g", alpha), "*PQ"), m, fixed = TRUE)
  m <- sub("b == a*c", paste0("b == ", sprintf("%.17g", alpha), "*c"), m, fixed = TRUE)
  sem(m, data = read_data(here))
}
opt <- optimize(function(a) fitMeasures(profile_fit(a), "chisq"), c(0.55, 0.65), tol = 1e-10)
pe_prof <- parameterEstimates(profile_fit(opt$minimum))
key <- function(x) paste(x$lhs, x$op, x$rhs)
rows <- pe_prof$op %in% c("=~", "~", "~~")
prof_dev <- max(abs(pe_prof$est[rows] - pe$est[match(key(pe_prof), key(pe))][rows]))
write_provenance(here, list(main, eq), extra = c(
  paste0("profile check: min over a of chisq(a | e = 0, b = a c) = ", fmt_num(opt$objective),
         " at a = ", fmt_num(opt$minimum), "; max |est - main est| = ", format(prof_dev, digits = 3)),
  paste0("equality_only: CS ~ CE (e) = ", fmt_num(pe_eq$est[pe_eq$label == "e"]),
         " < 0, so e > 0 is active in the main fit (e = ", fmt_num(pe$est[pe$label == "e"]),
         ", se = ", fmt_num(pe$se[pe$label == "e"]), ")")))
