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
write_table(lrt_table(list(configural, metric, scalar, strict),
                      c("configural", "metric", "scalar", "strict")), here, "lrt.csv")
write_table(lrt_table(list(metric, partial, scalar), c("metric", "partial_scalar", "scalar")),
            here, "lrt_partial.csv")
write_table(lrt_table(list(metric, equal_path), c("metric", "metric_equal_path")), here,
            "lrt_path.csv")

# Score tests of every equality constraint of the scalar model (releasing one at a time), the
# Wald test of b1 == b2 in the metric model, and the implied latent means.
score <- score_tables(scalar$fit)
write_table(score$uni, here, "scalar_score_uni.csv")
write_table(score$total, here, "scalar_score_total.csv")
write_table(wald_table(metric$fit, "b1 == b2"), here, "metric_wald.csv")
write_table(latent_means_table(scalar$fit), here, "scalar_latent_means.csv")
write_table(latent_means_table(partial$fit), here, "partial_scalar_latent_means.csv")

write_provenance(here, list(configural, metric, scalar, strict, partial, equal_path), extra = c(
  "lrt.csv: lavTestLRT(configural, metric, scalar, strict); lrt_partial.csv: lavTestLRT(metric, partial_scalar, scalar); lrt_path.csv: lavTestLRT(metric, metric_equal_path)",
  "scalar_score_uni.csv / scalar_score_total.csv: lavTestScore(scalar) (univariate and total score tests of releasing each equality constraint)",
  "metric_wald.csv: lavTestWald(metric, constraints = \"b1 == b2\")",
  "*_latent_means.csv: lavInspect(fit, \"mean.lv\") with delta-method SEs from lavaan's vcov (central differences over lavaan:::computeEETA)"))
