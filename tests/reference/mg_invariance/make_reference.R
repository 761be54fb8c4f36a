# lavaan reference values: two-group ACSI, the invariance sequence, score, Wald and LR tests.
# Usage (from the repository root):  Rscript tests/reference/mg_invariance/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))

base <- list(estimator = "ML", group = "segment")
level <- function(prefix, equal, partial = NULL, model_file = "model.lav") {
  opts <- base
  if (length(equal)) opts$group.equal <- equal
  if (length(partial)) opts$group.partial <- partial
  fit_case(here, prefix = prefix, options = opts, model_file = model_file)
}
configural <- level("", character())
metric <- level("metric_", "loadings")
scalar <- level("scalar_", c("loadings", "intercepts"))
strict <- level("strict_", c("loadings", "intercepts", "residuals"))
partial <- level("partial_scalar_", c("loadings", "intercepts"), partial = "pv2~1")
writeLines(c(read_model(here), "b1 == b2"), file.path(here, "metric_equal_path_model.lav"))
equal_path <- level("metric_equal_path_", "loadings", model_file = "metric_equal_path_model.lav")

# Likelihood-ratio (chi-square difference) tests between levels, as semTools users run them.
lrt_table <- function(fits, names) {
  lrt <- do.call(lavTestLRT, unname(lapply(fits, function(f) f$fit)))
  data.frame(model = names[order(sapply(fits, function(f) fitMeasures(f$fit, "df")))],
             df = lrt$Df, aic = lrt$AIC, bic = lrt$BIC, chisq = lrt$Chisq,
             chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
             pvalue = lrt[["Pr(>Chisq)"]], row.names = NULL)
}
write_table(lrt_table(list(configural, metric, scalar, strict),
                      c("configural", "metric", "scalar", "strict")), here, "lrt.csv")
write_table(lrt_table(list(metric, partial, scalar), c("metric", "partial_scalar", "scalar")),
            here, "lrt_partial.csv")
write_table(lrt_table(list(metric, equal_path), c("metric", "metric_equal_path")), here,
            "lrt_path.csv")

# Score tests (lavTestScore) of every equality constraint of the scalar model: releasing one
# constraint at a time; the plabels are translated into the parameters they tie.
score <- lavTestScore(scalar$fit)
pt <- parTable(scalar$fit)
param <- function(pl) {
  r <- pt[pt$plabel == pl, ]
  paste(r$lhs, r$op, r$rhs)
}
uni <- score$uni
write_table(data.frame(
  constraint = paste(uni$lhs, uni$op, uni$rhs),
  parameter = vapply(uni$lhs, param, character(1)),
  group_a = vapply(uni$lhs, function(pl) pt$group[pt$plabel == pl], numeric(1)),
  group_b = vapply(uni$rhs, function(pl) pt$group[pt$plabel == pl], numeric(1)),
  kind = ifelse(grepl("=~", vapply(uni$lhs, param, character(1))), "loadings", "intercepts"),
  x2 = uni$X2, df = uni$df, pvalue = uni$p.value), here, "scalar_score_uni.csv")
write_table(data.frame(x2 = score$test$X2, df = score$test$df, pvalue = score$test$p.value),
            here, "scalar_score_total.csv")

# Wald test of b1 == b2 (the PV -> CS path equal in both groups) in the metric model.
wald <- lavTestWald(metric$fit, constraints = "b1 == b2")
write_table(data.frame(constraint = "b1 == b2", stat = wald$stat, df = wald$df,
                       pvalue = wald$p.value, se = wald$se), here, "metric_wald.csv")

# Implied latent means per group (lavInspect "mean.lv") with delta-method SEs computed here
# from lavaan's own model functions and vcov (central differences).
latent_means <- function(f) {
  fit <- f$fit
  x0 <- lav_model_get_parameters(fit@Model)
  means_at <- function(x) {
    m <- lav_model_set_parameters(fit@Model, x)
    unlist(lapply(lavaan:::computeEETA(m, lavsamplestats = fit@SampleStats), as.numeric))
  }
  J <- sapply(seq_along(x0), function(j) {
    h <- 1e-6 * max(1, abs(x0[j])); up <- x0; dn <- x0
    up[j] <- up[j] + h; dn[j] <- dn[j] - h
    (means_at(up) - means_at(dn)) / (2 * h)
  })
  V <- lavInspect(fit, "vcov")
  lv <- lavNames(fit, "lv")
  labels <- lavInspect(fit, "group.label")
  est <- means_at(x0)
  se <- sqrt(pmax(diag(J %*% V %*% t(J)), 0))
  stopifnot(max(abs(est - unlist(lapply(lavInspect(fit, "mean.lv"), as.numeric)))) < 1e-10)
  data.frame(group = rep(seq_along(labels), each = length(lv)),
             group_label = rep(labels, each = length(lv)), latent = rep(lv, length(labels)),
             mean = est, se = ifelse(se < 1e-12, 0, se))
}
lav_model_get_parameters <- lavaan:::lav_model_get_parameters
lav_model_set_parameters <- lavaan:::lav_model_set_parameters
write_table(latent_means(scalar), here, "scalar_latent_means.csv")
write_table(latent_means(partial), here, "partial_scalar_latent_means.csv")

write_provenance(here, list(configural, metric, scalar, strict, partial, equal_path), extra = c(
  "lrt.csv: lavTestLRT(configural, metric, scalar, strict); lrt_partial.csv: lavTestLRT(metric, partial_scalar, scalar); lrt_path.csv: lavTestLRT(metric, metric_equal_path)",
  "scalar_score_uni.csv / scalar_score_total.csv: lavTestScore(scalar) (univariate and total score tests of releasing each equality constraint)",
  "metric_wald.csv: lavTestWald(metric, constraints = \"b1 == b2\")",
  "*_latent_means.csv: lavInspect(fit, \"mean.lv\") with delta-method SEs from lavaan's vcov (central differences over lavaan:::computeEETA)"))
