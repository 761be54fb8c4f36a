# The cSEM call whose printed output is stored in csem_readme_values.csv.
#
# The numbers were transcribed from the README of cSEM (FloSchuberth/cSEM, README.md at commit
# 00019bbf24b044c4df590fde9634db9430f953e8, "Example" section; cSEM 0.6.x), which is generated
# by running this code (README.Rmd).  cSEM is not installable on the project's machines (CRAN is
# not reachable), so the script is kept for provenance and to regenerate the values elsewhere:
#
#   Rscript tests/reference/pls_csem_satisfaction/make_reference.R
#
# cSEM defaults: PLS-PM weights, path weighting, composites ("<~") in mode B, common factors
# ("=~") disattenuated by PLSc, tolerance 1e-5 (diff_absolute).
library(cSEM)
model <- "
# Structural model
EXPE ~ IMAG
QUAL ~ EXPE
VAL  ~ EXPE + QUAL
SAT  ~ IMAG + EXPE + QUAL + VAL
LOY  ~ IMAG + SAT

# Composite model
IMAG <~ imag1 + imag2 + imag3
EXPE <~ expe1 + expe2 + expe3
QUAL <~ qual1 + qual2 + qual3 + qual4 + qual5
VAL  <~ val1  + val2  + val3

# Reflective measurement model
SAT  =~ sat1  + sat2  + sat3  + sat4
LOY  =~ loy1  + loy2  + loy3  + loy4
"
res <- csem(.data = satisfaction, .model = model)
summarize(res)   # paths, loadings, weights, total and indirect effects
assess(res)      # AVE, R2, R2_adj, alpha, rho_C, rho_A, SRMR, dL, dG, dML, chi-square, NFI, VIF, f2, HTMT
# satisfaction.csv: write.csv(satisfaction, "satisfaction.csv")  (also plspm's `satisfaction`)
