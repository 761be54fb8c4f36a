# lavaan reference values: two groups with identical exact moments (see README.md).
# Usage (from the repository root):  Rscript tests/reference/mg_exact/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

base <- list(estimator = "ML", group = "year")
level <- function(prefix, equal) {
  opts <- base
  if (length(equal)) opts$group.equal <- equal
  fit_case(here, prefix = prefix, options = opts, truth_file = "truth.csv")
}
configural <- level("", character())
metric <- level("metric_", "loadings")
scalar <- level("scalar_", c("loadings", "intercepts"))
strict <- level("strict_", c("loadings", "intercepts", "residuals"))
all_equal <- level("all_equal_", c("loadings", "intercepts", "residuals", "regressions",
                                  "lv.variances", "means"))

# Every invariance statistic must be 0 (up to lavaan's optimizer precision).
write_table(lrt_table(list(configural, metric, scalar, strict, all_equal),
                      c("configural", "metric", "scalar", "strict", "all_equal")), here, "lrt.csv")
score <- score_tables(scalar$fit)
write_table(score$uni, here, "scalar_score_uni.csv")
write_table(score$total, here, "scalar_score_total.csv")
write_table(wald_table(metric$fit, "b1 == b2"), here, "metric_wald.csv")
write_table(latent_means_table(scalar$fit), here, "scalar_latent_means.csv")

truth <- read.csv(file.path(here, "truth.csv"), na.strings = "NA")
truth$rhs[is.na(truth$rhs)] <- ""
dev <- sapply(list(configural, metric, scalar, strict, all_equal), function(f) {
  pe <- parameterEstimates(f$fit)
  key <- function(d) paste(d$group, d$lhs, d$op, d$rhs)
  max(abs(pe$est[match(key(truth), key(pe))] - truth$value))
})
chisq <- sapply(list(configural, metric, scalar, strict, all_equal),
                function(f) fitMeasures(f$fit, "chisq"))
write_provenance(here, list(configural, metric, scalar, strict, all_equal), extra = c(
  paste0("max |est - truth| (configural, metric, scalar, strict, all_equal): ",
         paste(format(dev, digits = 3), collapse = ", ")),
  paste0("chisq: ", paste(format(chisq, digits = 3), collapse = ", ")),
  paste0("largest score statistic (scalar): ", format(max(score$uni$x2), digits = 3),
         "; Wald b1 == b2 (metric): ", format(wald_table(metric$fit, "b1 == b2")$stat, digits = 3))))
