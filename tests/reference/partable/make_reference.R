# Regenerate lavaan's parameter tables for the acsi.spec.partable tests.
# Usage (from the repository root):  Rscript tests/reference/partable/make_reference.R
#
# cases.tsv lists one case per line: case name, model file (lavaan syntax, next to this
# script), and lavaan options "name=value; name=value" passed to sem() (values TRUE/FALSE,
# numbers, or comma-separated character vectors). A case that changes one of sem()'s fixed
# auto.* / int.* options is fitted with lavaan() and sem()'s other defaults. A `group=LABELS` option (comma-separated
# labels) makes a multigroup model: the data get a column `grp` with those labels in that order.
#
# For each case it writes <case>.csv: parTable(sem(model, data, ..., do.fit = FALSE)) columns
# id, lhs, op, rhs, user, block, group, free, ustart, exo, label, plabel, plus the LISREL
# matrix cell of every row (mat, row, col; 1-based, 0 when the row has no cell) from lavaan's
# own representation (lavaan:::lav_lisrel), and <case>_layout.csv: the row names (ov) and
# column names (lv, phantom latents included) of lavInspect(fit, "free")$lambda per group.
# The script checks, for every free parameter, that lavInspect(fit, "free") holds its number
# in exactly that cell (and nowhere else), so mat/row/col agree with lavaan's public output.
#
# The parameter table does not depend on the data values (do.fit = FALSE: nothing is
# estimated), so the data are standard-normal draws with the model's observed-variable names.
suppressPackageStartupMessages(library(lavaan))

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
case_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

fmt_num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_table <- function(df, name) {
  out <- df
  for (j in seq_along(out)) if (is.double(out[[j]])) out[[j]] <- fmt_num(out[[j]])
  write.csv(out, file.path(case_dir, name), row.names = FALSE, quote = TRUE, na = "NA")
}

parse_options <- function(txt) {
  opts <- list()
  if (is.na(txt) || !nzchar(trimws(txt))) return(opts)
  for (part in strsplit(txt, ";", fixed = TRUE)[[1]]) {
    part <- trimws(part)
    if (!nzchar(part)) next
    kv <- strsplit(part, "=", fixed = TRUE)[[1]]
    key <- trimws(kv[1]); val <- trimws(paste(kv[-1], collapse = "="))
    if (val %in% c("TRUE", "FALSE")) {
      opts[[key]] <- as.logical(val)
    } else if (!is.na(suppressWarnings(as.numeric(val)))) {
      opts[[key]] <- as.numeric(val)
    } else {
      opts[[key]] <- trimws(strsplit(val, ",", fixed = TRUE)[[1]])
    }
  }
  opts
}

sem_defaults <- list(int.ov.free = TRUE, int.lv.free = FALSE, auto.fix.first = TRUE,
                     auto.fix.single = TRUE, auto.var = TRUE, auto.cov.lv.x = TRUE,
                     auto.cov.y = TRUE, auto.th = TRUE, auto.delta = TRUE, auto.efa = TRUE)

cases <- read.delim(file.path(case_dir, "cases.tsv"), header = TRUE, sep = "\t",
                    colClasses = "character", comment.char = "#", na.strings = character(0))

for (k in seq_len(nrow(cases))) {
  case <- cases$case[k]
  model <- paste(readLines(file.path(case_dir, cases$model[k])), collapse = "\n")
  opts <- parse_options(cases$options[k])
  groups <- opts$group
  opts$group <- NULL
  ov <- lavNames(lavaanify(model, auto = TRUE, ngroups = max(1L, length(groups))), "ov")
  set.seed(20261125 + k)
  n <- 50 * max(1, length(groups))
  data <- as.data.frame(matrix(rnorm(n * length(ov)), n, length(ov)))
  names(data) <- ov
  call_args <- c(list(model = model, data = data, do.fit = FALSE), opts)
  if (!is.null(groups)) {
    data$grp <- rep(groups, length.out = n)
    call_args$data <- data
    call_args$group <- "grp"
  }
  # sem() forces its auto.* / int.* defaults; a case that changes one of them calls
  # lavaan() with sem()'s defaults and that change (what sem() would do if it let you)
  changed <- intersect(names(opts), names(sem_defaults))
  if (length(changed) > 0L) {
    call_args <- modifyList(c(sem_defaults, list(model.type = "sem")), call_args)
    fit <- do.call("lavaan", call_args)
  } else {
    fit <- do.call("sem", call_args)
  }
  pt <- parTable(fit)
  rep <- lavaan:::lav_lisrel(pt)
  free_mats <- lavInspect(fit, "free")
  if (lavInspect(fit, "ngroups") == 1L) free_mats <- list(free_mats)
  # every free parameter sits in its cell of lavInspect(fit, "free") and nowhere else
  for (i in which(pt$free > 0L)) {
    m <- free_mats[[pt$group[i]]][[rep$mat[i]]]
    hits <- which(m == pt$free[i], arr.ind = TRUE)
    cells <- unique(t(apply(hits, 1, sort)))
    stopifnot(nrow(cells) == 1L, all(sort(c(rep$row[i], rep$col[i])) == cells[1, ]))
  }
  out <- data.frame(id = pt$id, lhs = pt$lhs, op = pt$op, rhs = pt$rhs, user = pt$user,
                    block = pt$block, group = pt$group, free = pt$free, ustart = pt$ustart,
                    exo = pt$exo, label = pt$label, plabel = pt$plabel,
                    mat = rep$mat, row = rep$row, col = rep$col, stringsAsFactors = FALSE)
  write_table(out, paste0(case, ".csv"))
  layout <- do.call(rbind, lapply(seq_along(free_mats), function(g) {
    lam <- free_mats[[g]]$lambda
    rbind(data.frame(group = g, dim = "ov", index = seq_len(nrow(lam)), name = rownames(lam)),
          data.frame(group = g, dim = "lv", index = seq_len(ncol(lam)), name = colnames(lam)))
  }))
  write_table(layout, paste0(case, "_layout.csv"))
  cat(sprintf("%-28s %4d rows, npar %3d\n", case, nrow(pt), max(pt$free)))
}

writeLines(c(
  paste0("R: ", R.version.string),
  paste0("lavaan: ", as.character(packageVersion("lavaan"))),
  "call: parTable(lavaan::sem(model, data, <options of cases.tsv>, do.fit = FALSE)); mat/row/col from lavaan:::lav_lisrel(parTable(fit)), checked against lavInspect(fit, \"free\")",
  paste0("generated: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z", tz = "UTC"))
), file.path(case_dir, "provenance.txt"))
