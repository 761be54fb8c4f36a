# lavaan reference values: labelled equality constraints and an explicit a == b (see README.md).
# Usage (from the repository root):  Rscript tests/reference/syntax_equality/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

main <- fit_case(here, options = list(estimator = "ML"))
# Exact-moment twin: the population covariance of a truth that satisfies the constraints, so
# lavaan must return exact_truth.csv with chisq 0 on 84 df.
exact <- fit_case(here, prefix = "exact_", options = list(estimator = "ML"),
                  data_file = "exact_data.csv", truth_file = "exact_truth.csv")

# The same model without the three constraints, and lavaan's likelihood-ratio test of them
# (3 df): stored as the variant "unconstrained" and the extra table lrt.csv.
free_model <- gsub("(lam|l2|l3|b)\\*", "", read_model(here))
free_model <- sub("\nl2 == l3", "", free_model, fixed = TRUE)
writeLines(free_model, file.path(here, "unconstrained_model.lav"))
free <- fit_case(here, prefix = "unconstrained_", options = list(estimator = "ML"),
                 model_file = "unconstrained_model.lav")
lrt <- lavTestLRT(free$fit, main$fit)
lrt_df <- data.frame(model = c("unconstrained", "constrained"), df = lrt$Df, aic = lrt$AIC,
                     bic = lrt$BIC, chisq = lrt$Chisq, chisq_diff = lrt[["Chisq diff"]],
                     df_diff = lrt[["Df diff"]], pvalue = lrt[["Pr(>Chisq)"]])
write_table(lrt_df, here, "lrt.csv")
truth <- read.csv(file.path(here, "exact_truth.csv"))
pe <- parameterEstimates(exact$fit)
key <- function(d) paste(d$lhs, d$op, d$rhs)
dev <- max(abs(pe$est[match(key(truth), key(pe))] - truth$value))
write_provenance(here, list(main, exact, free), extra = c(
  "lrt.csv: lavTestLRT(unconstrained, constrained) (method = \"default\": standard chi-square difference)",
  paste0("exact: max |est - truth| = ", format(dev, digits = 3), " over ", nrow(truth),
         " parameters; chisq = ", format(fitMeasures(exact$fit, "chisq"), digits = 3))))
