# Shared R harness for the lavaan reference cases in tests/reference/<case>/.
#
# Every case script starts with the three lines
#
#   args <- commandArgs(trailingOnly = FALSE)
#   here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
#   source(file.path(here, "..", "_harness.R"))
#
# and then calls `fit_case()` once per fit and `write_provenance()` once at the end. The layout
# written here is the one tests/reference/cases.py (load_case) reads; README.md in this folder
# describes it. Numbers are written with 17 significant digits (every double round-trips), NA
# marks undefined values (z and p of fixed parameters, SEs of R-squares, ...).
#
# Needs only lavaan (0.6-14 for the stored fixtures) and base R.
suppressPackageStartupMessages(library(lavaan))

# ------------------------------------------------------------------------------------ writing
fmt_num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

# Write a data frame as CSV: numeric columns with 17 significant digits, character columns
# quoted only where a value needs it (a comma or a quote, e.g. an expression with a function
# call), so plain tables stay byte-identical to the fixtures written before this harness.
write_table <- function(df, dir, name) {
  out <- df
  for (j in seq_along(out)) {
    if (is.logical(out[[j]])) out[[j]] <- as.integer(out[[j]])
    if (is.numeric(out[[j]])) out[[j]] <- fmt_num(out[[j]])
  }
  needs_quote <- which(vapply(out, function(col) {
    is.character(col) && any(grepl("[,\"]", col))
  }, logical(1)))
  write.csv(out, file.path(dir, name), row.names = FALSE,
            quote = if (length(needs_quote)) needs_quote else FALSE)
}

# Minimal JSON writer for the flat option lists of a lavaan call (no jsonlite on the machine).
# Scalars stay scalars; vectors of length != 1 and the keys in `array_keys` become arrays.
json_value <- function(x, force_array = FALSE) {
  if (is.list(x)) return(json_object(x))
  if (is.null(x)) return("null")
  if (length(x) == 0) return("[]")
  enc <- if (is.logical(x)) {
    ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else if (is.numeric(x)) {
    ifelse(is.na(x), "null", ifelse(x == round(x) & abs(x) < 1e15,
                                    sprintf("%.0f", x), sprintf("%.17g", x)))
  } else {
    x <- as.character(x)
    x <- gsub("\\\\", "\\\\\\\\", x)
    x <- gsub("\"", "\\\\\"", x)
    x <- gsub("\n", "\\\\n", x)
    paste0("\"", x, "\"")
  }
  if (length(x) == 1 && !force_array) enc else paste0("[", paste(enc, collapse = ", "), "]")
}
array_keys <- c("group.equal", "group.partial", "group_labels", "ov_names", "lv_names")
json_object <- function(lst, indent = "  ") {
  if (length(lst) == 0) return("{}")
  keys <- names(lst)
  items <- vapply(seq_along(lst), function(i) {
    v <- lst[[i]]
    val <- if (is.list(v)) gsub("\n", paste0("\n", indent), json_object(v, indent))
           else json_value(v, keys[i] %in% array_keys)
    paste0(indent, "\"", keys[i], "\": ", val)
  }, character(1))
  paste0("{\n", paste(items, collapse = ",\n"), "\n}")
}

# ------------------------------------------------------------------------------------ reading
read_model <- function(dir, file = "model.lav") {
  paste(readLines(file.path(dir, file)), collapse = "\n")
}
read_data <- function(dir, file = "data.csv") {
  read.csv(file.path(dir, file), check.names = FALSE)
}

# ------------------------------------------------------------------------------------ tables
# parameterEstimates(fit, standardized = TRUE, rsquare = TRUE) in the common column layout:
# lhs,op,rhs,group,label,est,se,z,pvalue,ci_lower,ci_upper,std_lv,std_all,std_nox.
# The user's own constraints (==, <, >) are kept (remove.eq = FALSE, remove.ineq = FALSE: est is
# lhs - rhs at the solution, se 0); the `.pN. == .pM.` rows lavaan generates for shared labels
# are not (remove.system.eq, lavaan's default; they are in partable.csv with user = 2).
# Single-group fits get group 1 (0 for :=, ==, <, > rows, as lavaan numbers them in multigroup
# fits) and label "" where lavaan prints no label column.
estimates_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE,
                           remove.eq = FALSE, remove.ineq = FALSE, remove.system.eq = TRUE)
  if (!"group" %in% names(pe)) {
    pe$group <- ifelse(pe$op %in% c(":=", "==", "<", ">"), 0L, 1L)
  }
  if (!"label" %in% names(pe)) pe$label <- ""
  cols <- c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
            "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")
  out <- pe[, intersect(cols, names(pe))]
  names(out) <- gsub(".", "_", names(out), fixed = TRUE)
  out
}

# fitMeasures(fit): every measure lavaan computes for this fit (scaled and robust ones when the
# test statistic is scaled), names with "." replaced by "_", one row.
fit_measures_table <- function(fit) {
  fm <- fitMeasures(fit)
  fm_df <- as.data.frame(as.list(unclass(fm)))
  names(fm_df) <- gsub(".", "_", names(fm), fixed = TRUE)
  fm_df
}

# lavInspect(fit, "sampstat"): covariance (denominator N; weighted with sampling.weights;
# the EM estimate with missing = "ml") and, when there is a mean structure, the means.
# One group: leading column `item`; several: leading columns `group` (label) and `item`.
sample_stats_tables <- function(fit) {
  ss <- lavInspect(fit, "sampstat")
  labels <- lavInspect(fit, "group.label")
  if (lavInspect(fit, "ngroups") == 1) ss <- list(ss)
  covs <- list()
  means <- list()
  for (g in seq_along(ss)) {
    S <- unclass(ss[[g]]$cov)
    cov_df <- data.frame(item = rownames(S), S, check.names = FALSE, row.names = NULL)
    mean_df <- if (!is.null(ss[[g]]$mean)) {
      data.frame(item = names(ss[[g]]$mean), mean = unclass(ss[[g]]$mean), row.names = NULL)
    }
    if (length(ss) > 1) {
      cov_df <- cbind(group = labels[g], cov_df)
      if (!is.null(mean_df)) mean_df <- cbind(group = labels[g], mean_df)
    }
    covs[[g]] <- cov_df
    means[[g]] <- mean_df
  }
  list(cov = do.call(rbind, covs),
       mean = if (length(Filter(Negate(is.null), means))) do.call(rbind, means))
}

# lavInspect(fit, "vcov"): the covariance matrix of the free parameters (the one behind `se`:
# robust sandwich for MLR / weighted data), rows in the order of parTable()$free, leading
# columns `free` (1..npar) and `name` (lavaan's row name: label or "lhs op rhs").
vcov_table <- function(fit) {
  V <- unclass(lavInspect(fit, "vcov"))
  out <- data.frame(free = seq_len(nrow(V)), name = rownames(V), V,
                    check.names = FALSE, row.names = NULL)
  out
}

# The options lavaan resolved for this fit ("default" replaced by what was used).
resolved_options <- function(fit) {
  o <- lavInspect(fit, "options")
  keys <- c("estimator", "likelihood", "se", "test", "information", "h1.information",
            "observed.information", "missing", "fixed.x", "conditional.x", "meanstructure",
            "int.ov.free", "int.lv.free", "std.lv", "auto.fix.first", "auto.fix.single",
            "auto.var", "auto.cov.lv.x", "auto.cov.y", "sampling.weights.normalization",
            "optim.method", "group.equal", "group.partial", "bounds", "ridge")
  keys <- intersect(keys, names(o))
  res <- o[keys]
  for (k in c("group.equal", "group.partial")) res[[k]] <- setdiff(res[[k]], "")
  res$ngroups <- lavInspect(fit, "ngroups")
  res$group_labels <- setdiff(lavInspect(fit, "group.label"), "")
  res$nobs <- lavInspect(fit, "nobs")
  res$ov_names <- lavNames(fit, "ov")
  res$lv_names <- lavNames(fit, "lv")
  res$converged <- lavInspect(fit, "converged")
  res$iterations <- lavInspect(fit, "iterations")
  res
}

call_text <- function(fun, options, model_file, data_file) {
  opts <- if (length(options)) {
    paste0(", ", paste(names(options), vapply(options, deparse_option, character(1)),
                       sep = " = ", collapse = ", "))
  } else ""
  sprintf("lavaan::%s(readLines(\"%s\"), data = read.csv(\"%s\")%s)", fun, model_file, data_file, opts)
}
deparse_option <- function(x) paste(deparse(x, width.cutoff = 500L), collapse = "")

# ------------------------------------------------------------------------------------ one fit
# Fit `fun` (sem or cfa) with `options` (a named list of lavaan arguments, exactly as passed)
# to data_file with model_file in `dir`, check convergence, and write the common layout with
# file prefix `prefix` ("" for the case's main fit, "name_" for a variant):
#   <prefix>options.json      the call: function, model, data, options; what lavaan resolved
#   <prefix>estimates.csv     parameterEstimates(standardized = TRUE, rsquare = TRUE)
#   <prefix>partable.csv      parTable(fit)
#   <prefix>fit_measures.csv  fitMeasures(fit)
#   <prefix>sample_cov.csv    lavInspect(fit, "sampstat")$cov (+ <prefix>sample_mean.csv)
#   <prefix>vcov.csv          lavInspect(fit, "vcov") (unless vcov = FALSE)
# `truth_file` names the CSV (lhs,op,rhs,value[,group]) of the true parameters when the data
# are exact moments of a known population: recorded in options.json ("truth"), so that tests
# know which fits must reproduce it.
# Returns a list(fit, provenance = character lines for provenance.txt).
fit_case <- function(dir, prefix = "", fun = "sem", options = list(),
                     model_file = "model.lav", data_file = "data.csv",
                     vcov = TRUE, data = NULL, truth_file = NULL) {
  model <- read_model(dir, model_file)
  if (is.null(data)) data <- read_data(dir, data_file)
  if (!fun %in% c("sem", "cfa", "lavaan")) stop("unknown lavaan function ", fun)
  warnings_seen <- character()
  fit <- withCallingHandlers(
    do.call(fun, c(list(model = model, data = data), options)),  # by name: lavaan reads its call
    warning = function(w) {  # recorded in provenance.txt, shown once, not repeated by R
      warnings_seen <<- c(warnings_seen, conditionMessage(w))
      message("lavaan warning (", prefix, "fit): ", conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  if (!lavInspect(fit, "converged")) stop(prefix, "fit did not converge")

  write_table(estimates_table(fit), dir, paste0(prefix, "estimates.csv"))
  write_table(parTable(fit), dir, paste0(prefix, "partable.csv"))
  write_table(fit_measures_table(fit), dir, paste0(prefix, "fit_measures.csv"))
  ss <- sample_stats_tables(fit)
  write_table(ss$cov, dir, paste0(prefix, "sample_cov.csv"))
  if (!is.null(ss$mean)) write_table(ss$mean, dir, paste0(prefix, "sample_mean.csv"))
  if (vcov) write_table(vcov_table(fit), dir, paste0(prefix, "vcov.csv"))

  record <- list("function" = fun, model = model_file, data = data_file, options = options,
                 lavaan = resolved_options(fit))
  if (!is.null(truth_file)) record$truth <- truth_file
  writeLines(json_object(record), file.path(dir, paste0(prefix, "options.json")))

  call <- call_text(fun, options, model_file, data_file)
  ro <- record$lavaan
  prov <- c(
    paste0("fit", if (nzchar(prefix)) paste0(" ", sub("_$", "", prefix)), ": ", call),
    paste0("  lavaan chose: estimator = ", ro$estimator, "; se = ", ro$se,
           "; test = ", paste(ro$test, collapse = "/"),
           "; information = ", paste(ro$information, collapse = "/"),
           "; h1.information = ", paste(ro$h1.information, collapse = "/"),
           "; observed.information = ", paste(ro$observed.information, collapse = "/"),
           "; missing = ", ro$missing, "; fixed.x = ", ro$fixed.x,
           "; meanstructure = ", ro$meanstructure, "; std.lv = ", ro$std.lv),
    paste0("  converged in ", ro$iterations, " iterations (", ro$optim.method, ")"),
    if (length(warnings_seen)) paste0("  lavaan warning: ", gsub("\n", " ", warnings_seen))
  )
  list(fit = fit, provenance = prov)
}

# provenance.txt: versions, then every fit's call and lavaan's resolved options, then `extra`
# lines (free text the case adds: what it checked, tests it ran in R).
write_provenance <- function(dir, fits, extra = character()) {
  lines <- c(
    paste0("R: ", R.version.string),
    paste0("lavaan: ", as.character(packageVersion("lavaan"))),
    unlist(lapply(fits, function(x) x$provenance)),
    extra,
    paste0("generated: ", format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z", tz = "UTC"))
  )
  writeLines(lines, file.path(dir, "provenance.txt"))
}

# Factor scores (regression and Bartlett), as the original ML cases store them.
write_factor_scores <- function(fit, dir) {
  write_table(as.data.frame(unclass(lavPredict(fit, method = "regression"))), dir,
              "factor_scores.csv")
  write_table(as.data.frame(unclass(lavPredict(fit, method = "Bartlett"))), dir,
              "factor_scores_bartlett.csv")
}

# ------------------------------------------------------------------------------------ tests
# lavTestLRT of nested fits (each a fit_case() result) as a table, in lavaan's order (by df):
# model, df, aic, bic, chisq, chisq_diff, df_diff, pvalue (plus scaling_factor for scaled tests).
lrt_table <- function(fits, names, ...) {
  lrt <- do.call(lavTestLRT, c(unname(lapply(fits, function(f) f$fit)), list(...)))
  out <- data.frame(model = names[order(sapply(fits, function(f) fitMeasures(f$fit, "df")))],
                    df = lrt$Df, aic = lrt$AIC, bic = lrt$BIC, chisq = lrt$Chisq,
                    chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                    pvalue = lrt[["Pr(>Chisq)"]], row.names = NULL)
  if (!is.null(attr(lrt, "scale"))) out$scaling_factor <- c(NA, attr(lrt, "scale")[-1])
  out
}

# lavTestScore(fit): list(uni, total). `uni` names each released equality constraint by the
# parameter it ties (lhs op rhs of the first plabel) and the two groups; kind is the
# group.equal family of that parameter.
score_tables <- function(fit) {
  score <- lavTestScore(fit)
  pt <- parTable(fit)
  row_of <- function(pl) pt[pt$plabel == pl, ]
  param <- vapply(score$uni$lhs, function(pl) with(row_of(pl), paste(lhs, op, rhs)), character(1))
  kind <- vapply(score$uni$lhs, function(pl) {
    r <- row_of(pl)
    if (r$op == "=~") "loadings" else if (r$op == "~1") "intercepts" else if (r$op == "~") "regressions"
    else if (r$lhs %in% lavNames(fit, "lv")) "lv.variances" else "residuals"
  }, character(1))
  uni <- data.frame(constraint = paste(score$uni$lhs, score$uni$op, score$uni$rhs),
                    parameter = param,
                    group_a = vapply(score$uni$lhs, function(pl) row_of(pl)$group, numeric(1)),
                    group_b = vapply(score$uni$rhs, function(pl) row_of(pl)$group, numeric(1)),
                    kind = kind, x2 = score$uni$X2, df = score$uni$df, pvalue = score$uni$p.value,
                    row.names = NULL)
  list(uni = uni, total = data.frame(x2 = score$test$X2, df = score$test$df,
                                     pvalue = score$test$p.value))
}

# lavTestWald(fit, constraints) as a one-row table.
wald_table <- function(fit, constraints) {
  w <- lavTestWald(fit, constraints = constraints)
  data.frame(constraint = constraints, stat = w$stat, df = w$df, pvalue = w$p.value)
}

# Implied latent means per group (lavInspect(fit, "mean.lv")) with delta-method SEs from
# lavaan's vcov: the Jacobian of lavaan's own computeEETA by central differences.
latent_means_table <- function(fit) {
  get_par <- lavaan:::lav_model_get_parameters
  set_par <- lavaan:::lav_model_set_parameters
  x0 <- get_par(fit@Model)
  means_at <- function(x) {
    unlist(lapply(lavaan:::computeEETA(set_par(fit@Model, x), lavsamplestats = fit@SampleStats),
                  as.numeric))
  }
  J <- sapply(seq_along(x0), function(j) {
    h <- 1e-6 * max(1, abs(x0[j])); up <- x0; dn <- x0
    up[j] <- up[j] + h; dn[j] <- dn[j] - h
    (means_at(up) - means_at(dn)) / (2 * h)
  })
  est <- means_at(x0)
  stopifnot(max(abs(est - unlist(lapply(lavInspect(fit, "mean.lv"), as.numeric)))) < 1e-10)
  se <- sqrt(pmax(diag(J %*% lavInspect(fit, "vcov") %*% t(J)), 0))
  lv <- lavNames(fit, "lv")
  labels <- lavInspect(fit, "group.label")
  data.frame(group = rep(seq_along(labels), each = length(lv)),
             group_label = rep(labels, each = length(lv)), latent = rep(lv, length(labels)),
             mean = est, se = ifelse(se < 1e-12, 0, se))
}

# ------------------------------------------------------------------------------------ cases
# A robust fit (`options`, e.g. estimator = "MLR") as the main fit and plain ML on the same data
# as the variant `ml`, with provenance lines comparing estimates, SEs and the test statistics.
robust_and_ml_case <- function(dir, options) {
  main <- fit_case(dir, options = options)
  ml <- fit_case(dir, prefix = "ml_", options = list(estimator = "ML"))
  pe_r <- parameterEstimates(main$fit)
  pe_m <- parameterEstimates(ml$fit)
  free <- pe_r$se > 0
  ratio <- pe_r$se[free] / pe_m$se[free]
  fm <- fitMeasures(main$fit, c("chisq", "chisq.scaled", "chisq.scaling.factor"))
  label <- paste(unlist(options), collapse = " ")
  write_provenance(dir, list(main, ml), extra = c(
    paste0("max |est(", label, ") - est(ML)| = ", format(max(abs(pe_r$est - pe_m$est)), digits = 3)),
    paste0("SE ratio ", label, " / ML: median ", format(median(ratio), digits = 4), ", range ",
           paste(format(range(ratio), digits = 4), collapse = " - ")),
    paste0("chisq = ", fmt_num(fm[["chisq"]]), "; chisq.scaled = ", fmt_num(fm[["chisq.scaled"]]),
           "; scaling factor = ", fmt_num(fm[["chisq.scaling.factor"]]))))
}
