# lavaan bootstrap references for the acsi_sim case (see README.md).
# Usage (from the repository root):  Rscript tests/reference/bootstrap_acsi_sim/make_reference.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
source(file.path(here, "..", "_harness.R"))
case <- file.path(here, "..", "acsi_sim")

model <- read_model(case)
data <- read_data(case)

# 1. The same resamples as Python (indices.csv.gz): one refit per replicate with lavaan's
#    Gauss-Newton optimizer and a tight step tolerance (1e-12), so that lavaan's own stopping
#    error (about 6e-6 with the default nlminb; nlminb with rel.tol < 1e-10 reports false
#    convergence) does not dominate the comparison.
idx <- as.matrix(read.csv(gzfile(file.path(here, "indices.csv.gz"))))
full <- sem(model, data = data, estimator = "ML")
pt <- parameterTable(full)
free <- pt[pt$free > 0, ]
labels <- paste(free$lhs, free$op, free$rhs)
rows <- list()
for (b in seq_len(nrow(idx))) {
  fb <- sem(model, data = data[idx[b, ], ], estimator = "ML", start = full,
            optim.method = "GN", optim.gn.tol.x = 1e-12, optim.gn.iter.max = 2000L)
  est <- parameterTable(fb)$est[pt$free > 0]
  rows[[b]] <- c(replicate = b, converged = as.numeric(lavInspect(fb, "converged")), est)
}
fixed <- as.data.frame(do.call(rbind, rows))
names(fixed) <- c("replicate", "converged", labels)
write_table(fixed, here, "fixed_replicates.csv")

# 2. lavaan's own nonparametric bootstrap (its RNG), B = 2000, default optimizer settings.
B <- 2000L
set.seed(20261125)
fit <- sem(model, data = data, estimator = "ML", se = "bootstrap", bootstrap = B)
boot <- lavInspect(fit, "boot")
pe_perc <- parameterEstimates(fit, boot.ci.type = "perc", level = 0.95)
pe_bca <- parameterEstimates(fit, boot.ci.type = "bca.simple", level = 0.95)
keep <- pe_perc$op %in% c("=~", "~", "~~") & !(pe_perc$op == "=~" & pe_perc$se == 0)
out <- data.frame(lhs = pe_perc$lhs, op = pe_perc$op, rhs = pe_perc$rhs, est = pe_perc$est,
                  se_boot = pe_perc$se, perc_lower = pe_perc$ci.lower, perc_upper = pe_perc$ci.upper,
                  bca_simple_lower = pe_bca$ci.lower, bca_simple_upper = pe_bca$ci.upper)[keep, ]
write_table(out, here, "lavaan_bootstrap.csv")
n_ok <- nrow(boot)
err <- attr(boot, "error.idx")
writeLines(c(
  paste0("R: ", R.version.string),
  paste0("lavaan: ", as.character(packageVersion("lavaan"))),
  "fixed resamples: sem(model, data[idx, ], start = full fit, optim.method = 'GN', optim.gn.tol.x = 1e-12)",
  paste0("lavaan bootstrap: set.seed(20261125); sem(model, data, se = 'bootstrap', bootstrap = ", B, ")"),
  paste0("lavaan bootstrap replicates used: ", n_ok, "; failed: ", length(err)),
  paste0("generated: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z", tz = "UTC"))
), file.path(here, "provenance.txt"))
