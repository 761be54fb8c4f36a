# lavaan reference values: three-group ACSI (north/south/west), the invariance sequence, score
# tests (univariate, total, cumulative, and releasing one parameter in all groups), partial
# scalar invariance, latent means, and the Wald test of one path equal in three groups.
# Usage (from the repository root):  Rscript tests/reference/mg_three_groups/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

base <- list(estimator = "ML", group = "region")
level <- function(prefix, equal, partial = NULL) {
  opts <- base
  if (length(equal)) opts$group.equal <- equal
  if (length(partial)) opts$group.partial <- partial
  fit_case(here, prefix = prefix, options = opts)
}
configural <- level("", character())
metric <- level("metric_", "loadings")
scalar <- level("scalar_", c("loadings", "intercepts"))
partial <- level("partial_scalar_", c("loadings", "intercepts"), partial = "cs3~1")

write_table(lrt_table(list(configural, metric, scalar), c("configural", "metric", "scalar")), here, "lrt.csv")
write_table(lrt_table(list(metric, partial, scalar), c("metric", "partial_scalar", "scalar")), here,
            "lrt_partial.csv")

score <- score_tables(scalar$fit)
write_table(score$uni, here, "scalar_score_uni.csv")
write_table(score$total, here, "scalar_score_total.csv")
cum <- lavTestScore(scalar$fit, cumulative = TRUE)$cumulative
write_table(data.frame(constraint = paste(cum$lhs, cum$op, cum$rhs), x2 = cum$X2, df = cum$df,
                       pvalue = cum$p.value, row.names = NULL), here, "scalar_score_cumulative.csv")
# releasing the intercept of cs3 in every group at once: its two constraints (2 df)
pt <- parTable(scalar$fit)
eq <- pt[pt$op == "==", ]
cs3 <- pt$plabel[pt$lhs == "cs3" & pt$op == "~1" & pt$group == 1]
rel <- which(eq$lhs == cs3)
rs <- lavTestScore(scalar$fit, release = rel, univariate = FALSE)$test
write_table(data.frame(parameter = "cs3 ~1", release = paste(rel, collapse = " "), x2 = rs$X2, df = rs$df,
                       pvalue = rs$p.value), here, "scalar_score_release_cs3.csv")
write_table(wald_table(metric$fit, "c1 == c2; c1 == c3"), here, "metric_wald.csv")
write_table(latent_means_table(scalar$fit), here, "scalar_latent_means.csv")
write_table(latent_means_table(partial$fit), here, "partial_scalar_latent_means.csv")

write_provenance(here, list(configural, metric, scalar, partial), extra = c(
  "lrt.csv: lavTestLRT(configural, metric, scalar); lrt_partial.csv: lavTestLRT(metric, partial_scalar, scalar)",
  "scalar_score_uni.csv / scalar_score_total.csv / scalar_score_cumulative.csv: lavTestScore(scalar, cumulative = TRUE)",
  "scalar_score_release_cs3.csv: lavTestScore(scalar, release = <the two == rows of cs3's intercept>)",
  "metric_wald.csv: lavTestWald(metric, constraints = \"c1 == c2; c1 == c3\")",
  "*_latent_means.csv: lavInspect(fit, \"mean.lv\") with delta-method SEs from lavaan's vcov (central differences over lavaan:::computeEETA)"))
