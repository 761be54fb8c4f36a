# Regenerate the lavaan reference values for this case.
# Usage (from the repository root):  Rscript tests/reference/airline_sim/make_reference.R
# Reads data.csv and model.lav next to this script and overwrites the output CSVs there.
suppressPackageStartupMessages(library(lavaan))

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
case_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

# Full double precision: 17 significant digits round-trip every double exactly.
fmt_num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_table <- function(df, name) {
  out <- df
  for (j in seq_along(out)) if (is.numeric(out[[j]])) out[[j]] <- fmt_num(out[[j]])
  write.csv(out, file.path(case_dir, name), row.names = FALSE, quote = FALSE)
}

fit_case <- function(data_file, prefix = "") {
  model <- paste(readLines(file.path(case_dir, "model.lav")), collapse = "\n")
  data <- read.csv(file.path(case_dir, data_file), check.names = FALSE)
  # All defaults: likelihood "normal" (sample covariance with denominator N),
  # information "expected", se "standard", no meanstructure, 95% Wald intervals.
  fit <- lavaan::sem(model, data = data, estimator = "ML")
  stopifnot(lavInspect(fit, "converged"))

  pe <- parameterEstimates(fit, standardized = TRUE)
  est <- pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue",
                "ci.lower", "ci.upper", "std.all")]
  names(est) <- c("lhs", "op", "rhs", "est", "se", "z", "pvalue",
                  "ci_lower", "ci_upper", "std_all")
  write_table(est, paste0(prefix, "estimates.csv"))

  fm_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq",
                "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl", "aic", "bic")
  fm <- fitMeasures(fit, fm_names)
  fm_df <- as.data.frame(as.list(unclass(fm)))
  names(fm_df) <- gsub(".", "_", fm_names, fixed = TRUE)
  write_table(fm_df, paste0(prefix, "fit_measures.csv"))

  S <- unclass(lavInspect(fit, "sampstat")$cov)
  cov_df <- data.frame(item = rownames(S), S, check.names = FALSE, row.names = NULL)
  write_table(cov_df, paste0(prefix, "sample_cov.csv"))

  invisible(fit)
}

fit <- fit_case("data.csv")

writeLines(c(
  paste0("R: ", R.version.string),
  paste0("lavaan: ", as.character(packageVersion("lavaan"))),
  paste0("call: lavaan::sem(model, data = data, estimator = \"ML\") (all other options default)"),
  paste0("generated: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z", tz = "UTC"))
), file.path(case_dir, "provenance.txt"))
