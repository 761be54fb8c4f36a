# Regenerate the lavaan FIML reference values for this case.
# Usage (from the repository root):  Rscript tests/reference/acsi_sim_missing/make_reference.R
# Reads data.csv (empty cells = NA) and model.lav next to this script; overwrites the CSVs there.
suppressPackageStartupMessages(library(lavaan))

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
case_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

fmt_num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_table <- function(df, name) {
  out <- df
  for (j in seq_along(out)) if (is.numeric(out[[j]])) out[[j]] <- fmt_num(out[[j]])
  write.csv(out, file.path(case_dir, name), row.names = FALSE, quote = FALSE)
}

model <- paste(readLines(file.path(case_dir, "model.lav")), collapse = "\n")
data <- read.csv(file.path(case_dir, "data.csv"), check.names = FALSE)
fit <- lavaan::sem(model, data = data, missing = "ml")
stopifnot(lavInspect(fit, "converged"))
opt <- lavInspect(fit, "options")

pe <- parameterEstimates(fit, standardized = TRUE)
est <- pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all")]
names(est) <- c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all")
write_table(est, "estimates.csv")

fm_names <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
              "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
              "logl", "unrestricted.logl", "aic", "bic")
fm <- fitMeasures(fit, fm_names)
fm_df <- as.data.frame(as.list(unclass(fm)))
names(fm_df) <- gsub(".", "_", fm_names, fixed = TRUE)
write_table(fm_df, "fit_measures.csv")

h1 <- lavInspect(fit, "sampstat")
S <- unclass(h1$cov)
write_table(data.frame(item = rownames(S), S, check.names = FALSE, row.names = NULL), "sample_cov.csv")
write_table(data.frame(item = names(h1$mean), mean = unclass(h1$mean)), "sample_mean.csv")

all_fm <- fitMeasures(fit)
writeLines(c(
  paste0("R: ", R.version.string),
  paste0("lavaan: ", as.character(packageVersion("lavaan"))),
  "call: lavaan::sem(model, data = data, missing = \"ml\") (all other options default)",
  paste0("options: information = ", paste(opt$information, collapse = "/"),
         "; se = ", opt$se, "; h1.information = ", paste(opt$h1.information, collapse = "/"),
         "; observed.information = ", paste(opt$observed.information, collapse = "/")),
  paste0("srmr variants: srmr = ", fmt_num(all_fm[["srmr"]]),
         "; srmr_bentler = ", fmt_num(all_fm[["srmr_bentler"]]),
         "; srmr_bentler_nomean = ", fmt_num(all_fm[["srmr_bentler_nomean"]])),
  paste0("generated: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z", tz = "UTC"))
), file.path(case_dir, "provenance.txt"))
