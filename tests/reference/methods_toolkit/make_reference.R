# Reference values for the toolkit analyses and intervals, computed in R independently of acsi.
# Usage (from the repository root):  Rscript tests/reference/methods_toolkit/make_reference.R
# Reads survey.csv and servqual.csv next to this script (python make_data.py writes them);
# writes expected.csv (analysis,name,value; 17 significant digits) and smoke.csv (ca's table).
# Needs: stats, survey 4.1, sandwich 3.0, psych 2.2, GPArotation 2022.10, ca 0.71.
suppressPackageStartupMessages({library(survey); library(sandwich); library(psych); library(GPArotation); library(ca)})
args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()
d <- read.csv(file.path(here, "survey.csv"))
sq <- read.csv(file.path(here, "servqual.csv"))
out <- list()
put <- function(analysis, name, value) {
  value <- as.numeric(value)
  nm <- if (length(value) > 1) paste0(name, ".", seq_along(value)) else name
  out[[length(out) + 1]] <<- data.frame(analysis = analysis, name = nm, value = sprintf("%.17g", value))
}
lvl <- 0.95
z <- qnorm(0.975)

## ---- intervals ---------------------------------------------------------------------------
des <- svydesign(ids = ~1, weights = ~weight, data = d)
wil <- function(p, n) { # Wilson by its formula (weighted: Kish n_eff)
  c((p + z^2/(2*n) - z*sqrt(p*(1-p)/n + z^2/(4*n^2))) / (1 + z^2/n),
    (p + z^2/(2*n) + z*sqrt(p*(1-p)/n + z^2/(4*n^2))) / (1 + z^2/n))
}
top2 <- as.numeric(d$csat5 >= 4)
put("csat", "unweighted.estimate", mean(top2))
put("csat", "unweighted.ci", prop.test(sum(top2), length(top2), correct = FALSE)$conf.int)
neff <- sum(d$weight)^2 / sum(d$weight^2)
pw <- sum(d$weight * top2) / sum(d$weight)
put("csat", "weighted.estimate", pw); put("csat", "weighted.ci", wil(pw, neff)); put("csat", "neff", neff)
put("repurchase", "unweighted.ci", prop.test(sum(d$repurchased), nrow(d), correct = FALSE)$conf.int)
put("repurchase", "counts_45_60.ci", prop.test(45, 60, correct = FALSE)$conf.int)
# NPS: multinomial variance by hand; weighted: svymean's linearisation without n/(n-1)
r <- d$recommend[!is.na(d$recommend)]
pp <- mean(r >= 9); pd_ <- mean(r <= 6); n_r <- length(r)
nps <- 100 * (pp - pd_); se <- 100 * sqrt((pp + pd_ - (pp - pd_)^2) / n_r)
put("nps", "unweighted.estimate", nps); put("nps", "unweighted.se", se); put("nps", "unweighted.ci", nps + c(-1, 1) * z * se)
dr <- subset(d, !is.na(recommend)); dr$y <- ifelse(dr$recommend >= 9, 100, ifelse(dr$recommend <= 6, -100, 0))
desr <- svydesign(ids = ~1, weights = ~weight, data = dr)
m <- svymean(~y, desr); sew <- as.numeric(SE(m)) * sqrt((nrow(dr) - 1) / nrow(dr))
put("nps", "weighted.estimate", coef(m)); put("nps", "weighted.se", sew); put("nps", "weighted.ci", coef(m) + c(-1, 1) * z * sew)
# CES: t.test; weighted: svymean with t on degf
put("ces", "unweighted.ci", t.test(d$effort, conf.level = lvl)$conf.int)
m <- svymean(~effort, des)
put("ces", "weighted.estimate", coef(m)); put("ces", "weighted.se", SE(m)); put("ces", "weighted.ci", confint(m, df = degf(des)))
put("ces", "weighted.sd", sqrt(coef(svyvar(~effort, des))))
# survey-table score of sat_price (codes 5..1 -> 100..20)
pts <- c(`5` = 100, `4` = 80, `3` = 60, `2` = 40, `1` = 20)
d$pts_price <- pts[as.character(d$sat_price)]
put("survey_table", "unweighted.ci", t.test(d$pts_price)$conf.int)
des <- svydesign(ids = ~1, weights = ~weight, data = d)
m <- svymean(~pts_price, des); put("survey_table", "weighted.estimate", coef(m)); put("survey_table", "weighted.ci", confint(m, df = degf(des)))
# graded-answer CSI: importance imp_* and satisfaction sat_* with the same points
for (it in c("price", "speed", "staff")) { d[[paste0("I_", it)]] <- pts[as.character(d[[paste0("imp_", it)]])]; d[[paste0("P_", it)]] <- pts[as.character(d[[paste0("sat_", it)]])] }
for (w in c("unweighted", "weighted")) {
  dz <- if (w == "weighted") svydesign(ids = ~1, weights = ~weight, data = d) else svydesign(ids = ~1, weights = ~1, data = d)
  m <- svymean(~I_price + I_speed + I_staff + P_price + P_speed + P_staff, dz)
  cs <- svycontrast(m, quote((I_price * P_price + I_speed * P_speed + I_staff * P_staff) / (100 * (I_price + I_speed + I_staff))))
  put("overall_csi", paste0(w, ".estimate"), coef(cs)); put("overall_csi", paste0(w, ".se"), SE(cs))
  put("overall_csi", paste0(w, ".ci"), coef(cs) + c(-1, 1) * qt(0.975, degf(dz)) * SE(cs))
}
# describe_items with weights: mean, sd, median, quartiles (school rule), interval
for (it in c("price", "overall")) {
  f <- as.formula(paste0("~", it))
  m <- svymean(f, des)
  q <- svyquantile(f, des, quantiles = c(0.25, 0.5, 0.75), qrule = "school", ci = FALSE)
  put("describe", paste0(it, ".mean"), coef(m)); put("describe", paste0(it, ".ci"), confint(m, df = degf(des)))
  put("describe", paste0(it, ".sd"), sqrt(coef(svyvar(f, des))))
  put("describe", paste0(it, ".quartiles"), as.numeric(q[[1]]))
}
# SERVQUAL: gaps, dimensions {x: s1-s3, y: s4-s6}, weights x 0.4 / y 0.6, ratio; zones; SERVPERF
for (w in c("unweighted", "weighted")) {
  sz <- if (w == "weighted") svydesign(ids = ~1, weights = ~weight, data = sq) else svydesign(ids = ~1, weights = ~1, data = sq)
  for (i in 1:6) { sq[[paste0("g", i)]] <- sq[[paste0("p_s", i)]] - sq[[paste0("e_s", i)]]
                   sq[[paste0("msa", i)]] <- sq[[paste0("p_s", i)]] - sq[[paste0("a_s", i)]]
                   sq[[paste0("mss", i)]] <- sq[[paste0("p_s", i)]] - sq[[paste0("d_s", i)]] }
  sq$psum <- rowSums(sq[paste0("p_s", 1:6)]); sq$esum <- rowSums(sq[paste0("e_s", 1:6)])
  sz <- update(sz, g1 = sq$g1, g2 = sq$g2, g3 = sq$g3, g4 = sq$g4, g5 = sq$g5, g6 = sq$g6,
               msa1 = sq$msa1, msa2 = sq$msa2, msa3 = sq$msa3, msa4 = sq$msa4, msa5 = sq$msa5, msa6 = sq$msa6,
               mss1 = sq$mss1, mss2 = sq$mss2, mss3 = sq$mss3, mss4 = sq$mss4, mss5 = sq$mss5, mss6 = sq$mss6,
               psum = sq$psum, esum = sq$esum)
  df_ <- degf(sz); tq <- qt(0.975, df_)
  g <- svymean(~g1 + g2 + g3 + g4 + g5 + g6, sz)
  put("servqual", paste0(w, ".item_gap"), coef(g)); put("servqual", paste0(w, ".item_gap_se"), SE(g))
  cx <- svycontrast(g, list(x = c(1, 1, 1, 0, 0, 0) / 3, y = c(0, 0, 0, 1, 1, 1) / 3,
                            unweighted = rep(1, 6) / 6, weighted = c(.4, .4, .4, .6, .6, .6) / 3))
  put("servqual", paste0(w, ".contrasts"), coef(cx)); put("servqual", paste0(w, ".contrasts_se"), SE(cx))
  put("servqual", paste0(w, ".contrasts_lower"), coef(cx) - tq * SE(cx))
  rt <- svyratio(~psum, ~esum, sz)
  put("servqual", paste0(w, ".ratio"), coef(rt)); put("servqual", paste0(w, ".ratio_se"), SE(rt))
  a <- svymean(~msa1 + msa2 + msa3 + msa4 + msa5 + msa6, sz); b <- svymean(~mss1 + mss2 + mss3 + mss4 + mss5 + mss6, sz)
  put("zones", paste0(w, ".msa"), coef(a)); put("zones", paste0(w, ".msa_se"), SE(a))
  put("zones", paste0(w, ".mss"), coef(b)); put("zones", paste0(w, ".mss_se"), SE(b))
  dx <- svycontrast(a, list(x = c(1, 1, 1, 0, 0, 0) / 3, y = c(0, 0, 0, 1, 1, 1) / 3))
  put("zones", paste0(w, ".dim_msa"), coef(dx)); put("zones", paste0(w, ".dim_msa_se"), SE(dx))
  pm <- svymean(~p_s1 + p_s2 + p_s3 + p_s4 + p_s5 + p_s6, sz)
  px <- svycontrast(pm, list(x = c(1, 1, 1, 0, 0, 0) / 3, y = c(0, 0, 0, 1, 1, 1) / 3,
                             unweighted = rep(1, 6) / 6, weighted = c(.4, .4, .4, .6, .6, .6) / 3))
  put("servperf", paste0(w, ".items"), coef(pm)); put("servperf", paste0(w, ".items_se"), SE(pm))
  put("servperf", paste0(w, ".contrasts"), coef(px)); put("servperf", paste0(w, ".contrasts_se"), SE(px))
}

## ---- derived importance -----------------------------------------------------------------
attrs <- c("price", "speed", "staff", "clean", "choice", "comfort")
dd <- d[complete.cases(d[c("overall", attrs)]), ]
put("drivers", "n", nrow(dd))
for (w in c("unweighted", "weighted")) {
  fit <- if (w == "weighted") lm(overall ~ price + speed + staff + clean + choice + comfort, dd, weights = weight) else
    lm(overall ~ price + speed + staff + clean + choice + comfort, dd)
  put("drivers", paste0(w, ".coef"), coef(fit))
  put("drivers", paste0(w, ".se_hc3"), sqrt(diag(vcovHC(fit, type = "HC3"))))
  put("drivers", paste0(w, ".se_hc1"), sqrt(diag(vcovHC(fit, type = "HC1"))))
  put("drivers", paste0(w, ".se_const"), sqrt(diag(vcov(fit))))
  put("drivers", paste0(w, ".r2"), summary(fit)$r.squared); put("drivers", paste0(w, ".adj_r2"), summary(fit)$adj.r.squared)
  put("drivers", paste0(w, ".f"), summary(fit)$fstatistic[1])
  ww <- if (w == "weighted") dd$weight else rep(1, nrow(dd))
  vif <- sapply(attrs, function(a) { aux <- lm(reformulate(setdiff(attrs, a), a), dd, weights = ww); 1 / (1 - summary(aux)$r.squared) })
  put("drivers", paste0(w, ".vif"), vif)
  C <- cov.wt(dd[c("overall", attrs)], wt = ww, cor = TRUE)$cor
  # Johnson (2000) relative weights
  e <- eigen(C[attrs, attrs], symmetric = TRUE)
  L <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  beta <- solve(L, C[attrs, "overall"])
  put("drivers", paste0(w, ".relative_weights"), (L^2) %*% (beta^2))
  # Shapley / LMG: mean over all 720 orders of the R2 increments, R2 from weighted lm fits
  r2 <- new.env()
  R2 <- function(s) { key <- paste(sort(s), collapse = "+"); if (!length(s)) return(0)
    if (is.null(r2[[key]])) r2[[key]] <- summary(lm(reformulate(s, "overall"), dd, weights = ww))$r.squared; r2[[key]] }
  perms <- function(v) if (length(v) <= 1) list(v) else do.call(c, lapply(seq_along(v), function(i) lapply(perms(v[-i]), function(p) c(v[i], p))))
  phi <- setNames(rep(0, 6), attrs); P <- perms(attrs)
  for (o in P) for (k in seq_along(o)) phi[o[k]] <- phi[o[k]] + R2(o[1:k]) - R2(o[seq_len(k - 1)])
  put("drivers", paste0(w, ".shapley"), phi / length(P))
}

## ---- PCA and EFA -------------------------------------------------------------------------
X <- dd[attrs]
pc <- prcomp(X, scale. = TRUE)
put("pca", "eigenvalues", pc$sdev^2)
put("pca", "rotation", pc$rotation[, 1:2])        # column-major: PC1 then PC2
put("pca", "scores_first5", pc$x[1:5, 1:2])
Rm <- cor(X)
fa_ml <- factanal(covmat = Rm, factors = 2, n.obs = nrow(X), rotation = "none",
                  control = list(nstart = 1, opt = list(factr = 1, pgtol = 0, maxit = 10000)))
put("efa_ml", "uniquenesses", fa_ml$uniquenesses)
put("efa_ml", "statistic", fa_ml$STATISTIC); put("efa_ml", "dof", fa_ml$dof); put("efa_ml", "pvalue", fa_ml$PVAL)
L0 <- unclass(fa_ml$loadings)
vm <- varimax(L0, normalize = TRUE, eps = 1e-14)
put("efa_ml", "varimax", unclass(vm$loadings))
promax_hp <- function(x, m = 4) { # stats::promax with a converged varimax (eps 1e-14)
  xx <- varimax(x, normalize = TRUE, eps = 1e-14); x <- unclass(xx$loadings)
  Q <- x * abs(x)^(m - 1); U <- lm.fit(x, Q)$coefficients
  d <- diag(solve(t(U) %*% U)); U <- U %*% diag(sqrt(d)); z <- x %*% U; U <- xx$rotmat %*% U
  list(loadings = z, phi = solve(U) %*% t(solve(U))) }
pm <- promax_hp(L0); put("efa_ml", "promax", pm$loadings); put("efa_ml", "promax_phi", pm$phi)
ob <- GPArotation::oblimin(L0, normalize = TRUE, eps = 1e-8, maxit = 20000)
put("efa_ml", "oblimin", ob$loadings); put("efa_ml", "oblimin_phi", ob$Phi)
fa_pa <- psych::fa(Rm, nfactors = 2, n.obs = nrow(X), fm = "pa", rotate = "none", SMC = TRUE, min.err = 1e-14, max.iter = 10000)
put("efa_pa", "communalities", fa_pa$communality)
Lp <- unclass(fa_pa$loadings)
put("efa_pa", "varimax", unclass(varimax(Lp, normalize = TRUE, eps = 1e-14)$loadings))
k <- psych::KMO(Rm); put("adequacy", "kmo", k$MSA); put("adequacy", "kmo_items", k$MSAi)
b <- psych::cortest.bartlett(Rm, n = nrow(X)); put("adequacy", "bartlett_chi2", b$chisq); put("adequacy", "bartlett_df", b$df)

## ---- clustering ----------------------------------------------------------------------------
h <- hclust(as.dist(1 - cor(X)), method = "average")
put("cluster_items", "heights", h$height); put("cluster_items", "cut2", cutree(h, 2)); put("cluster_items", "cut3", cutree(h, 3))
hc <- hclust(as.dist(1 - cor(X)), method = "complete"); put("cluster_items", "complete_heights", hc$height)
Z <- scale(X)
km <- kmeans(Z, centers = Z[c(1, 2, 3), ], algorithm = "Lloyd", iter.max = 1000)
put("kmeans", "cluster", km$cluster); put("kmeans", "tot_withinss", km$tot.withinss); put("kmeans", "totss", km$totss)

## ---- correspondence analysis (Greenacre's smoking data, shipped with ca) -----------------------
data("smoke", package = "ca")
write.csv(smoke, file.path(here, "smoke.csv"))
cs <- ca(smoke)
put("ca", "sv", cs$sv); put("ca", "rowcoord", cs$rowcoord); put("ca", "colcoord", cs$colcoord)
put("ca", "rowmass", cs$rowmass); put("ca", "rowinertia", cs$rowinertia); put("ca", "colinertia", cs$colinertia)
put("ca", "chisq", chisq.test(smoke)$statistic)

## ---- correlations ----------------------------------------------------------------------------
vars <- c("price", "speed", "choice", "recommend")
for (meth in c("pearson", "spearman", "kendall")) {
  pv <- c(); est <- c(); lo <- c(); hi <- c()
  for (i in 1:3) for (j in (i + 1):4) {
    tt <- suppressWarnings(cor.test(d[[vars[i]]], d[[vars[j]]], method = meth, exact = FALSE))
    pv <- c(pv, tt$p.value); est <- c(est, tt$estimate)
    if (meth == "pearson") { lo <- c(lo, tt$conf.int[1]); hi <- c(hi, tt$conf.int[2]) }
  }
  put("correlation", paste0(meth, ".estimate"), est); put("correlation", paste0(meth, ".pvalue"), pv)
  put("correlation", paste0(meth, ".holm"), p.adjust(pv, "holm")); put("correlation", paste0(meth, ".BH"), p.adjust(pv, "BH"))
  if (meth == "pearson") { put("correlation", "pearson.lower", lo); put("correlation", "pearson.upper", hi) }
}

res <- do.call(rbind, out)
write.csv(res, file.path(here, "expected.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey")), paste("sandwich", packageVersion("sandwich")),
             paste("psych", packageVersion("psych")), paste("GPArotation", packageVersion("GPArotation")),
             paste("ca", packageVersion("ca"))), file.path(here, "provenance.txt"))
cat(nrow(res), "values written\n")
