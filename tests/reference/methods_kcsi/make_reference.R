# KCSI (KMAC top-2-box index) with its linearised interval, computed in R independently of acsi.
# Usage (from the repository root):  Rscript tests/reference/methods_kcsi/make_reference.R
# Reads data.csv next to this script (python make_data.py writes it); writes expected.csv
# (analysis,name,value; 17 significant digits) and provenance.txt.  Needs: survey 4.1.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()
d <- read.csv(file.path(here, "data.csv"))
out <- list()
put <- function(analysis, name, value) {
  value <- as.numeric(value)
  nm <- if (length(value) > 1) paste0(name, ".", seq_along(value)) else name
  out[[length(out) + 1]] <<- data.frame(analysis = analysis, name = nm, value = sprintf("%.17g", value))
}
qs <- c("overall", "product", "service", "image", "repurchase")
for (q in qs) d[[paste0("I_", q)]] <- ifelse(is.na(d[[q]]), NA, as.numeric(d[[q]] >= 6))
# every respondent answered at least one question, so the design keeps all rows; each item's
# share is its mean over its own answers: svymean per item with na.rm, combined through the
# influence functions, i.e. svycontrast on a svymean of the indicators with the missing ones
# entered as the item's mean ... done exactly by the ratio form below.
# KCSI = 100 * sum_q c_q * p_q, p_q = sum(w I_q) / sum(w [answered q]); its linearisation is
# that of a sum of ratios: svyratio of each indicator over its answered flag, then svycontrast.
for (q in qs) { d[[paste0("A_", q)]] <- as.numeric(!is.na(d[[q]])); d[[paste0("I_", q)]][is.na(d[[q]])] <- 0 }
cases <- list(default = list(w = c(0.3, 0.5, 0.2), aw = c(1, 1, 1)),
              kmac2002 = list(w = c(0.4, 0.4, 0.2), aw = c(3, 2, 1)))
for (design in c("unweighted", "weighted")) {
  des <- if (design == "weighted") svydesign(ids = ~1, weights = ~weight, data = d) else svydesign(ids = ~1, weights = ~1, data = d)
  r <- svyratio(as.formula(paste("~", paste0("I_", qs, collapse = "+"))),
                as.formula(paste("~", paste0("A_", qs, collapse = "+"))), des, covmat = TRUE)
  est <- diag(matrix(coef(r), length(qs), length(qs)))
  V <- vcov(r)
  keep <- seq(1, length(qs)^2, by = length(qs) + 1)  # the own-ratio pairs I_q / A_q
  p <- est; Vp <- V[keep, keep]
  put("kcsi", paste0(design, ".shares"), 100 * p)
  for (nm in names(cases)) {
    cw <- cases[[nm]]
    g <- 100 * c(cw$w[1], cw$w[2] * cw$aw / sum(cw$aw), cw$w[3])
    k <- sum(g * p); se <- sqrt(as.numeric(t(g) %*% Vp %*% g))
    tq <- qt(0.975, degf(des))
    put("kcsi", paste0(design, ".", nm, ".estimate"), k)
    put("kcsi", paste0(design, ".", nm, ".se"), se)
    put("kcsi", paste0(design, ".", nm, ".ci"), k + c(-1, 1) * tq * se)
  }
}
res <- do.call(rbind, out)
write.csv(res, file.path(here, "expected.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))), file.path(here, "provenance.txt"))
