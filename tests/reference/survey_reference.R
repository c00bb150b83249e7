# Reference values from R's survey package for tests/test_survey_reference.py.
#
# Run from the repository root (needs r-base-core and r-cran-survey, e.g. from Debian):
#     Rscript tests/reference/survey_reference.R
# It reads tests/fixtures/survey_ref/wave/ and writes, beside this script,
#     survey_reference_weights.csv    raked weights (mean 1) from survey::rake()
#     survey_reference.csv            estimates for every question x group
# CI does not run R: the CSVs are committed and the Python tests compare against them.

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")

here <- "tests/reference"
fixture <- "tests/fixtures/survey_ref/wave"
d <- read.csv(file.path(fixture, "responses.csv"), colClasses = "character", na.strings = character(0),
              check.names = FALSE)
pop <- read.csv(file.path(fixture, "population.csv"), colClasses = c("character", "character", "numeric"))
n <- nrow(d)

# The questions of tests/fixtures/survey_ref/wave/survey.toml (the Python test checks they agree).
questions <- list(
  satisfied_council = list(pos = c("Very satisfied", "Fairly satisfied"), excl = c("Don't know")),
  value_for_money   = list(pos = c("Strongly agree", "Tend to agree"), excl = c("Don't know")),
  satisfied_area    = list(pos = c("Very satisfied", "Fairly satisfied"), excl = c("Don't know")),
  safe_after_dark   = list(pos = c("Very safe", "Fairly safe"), excl = c("Don't know")),
  informed          = list(pos = c("Very well informed", "Fairly well informed"), excl = c("Don't know"))
)
weight_by <- c("age_band", "sex", "ward")
breakdowns <- c("age_band", "sex", "ward", "disability", "ethnicity")

# --- raking: rake() to population totals (shares x n) ---------------------------------------
d0 <- suppressWarnings(svydesign(ids = ~1, data = d))  # equal starting weights
margins <- lapply(weight_by, function(v) {
  p <- pop[pop$variable == v, ]
  out <- data.frame(p$category, p$share * n)
  names(out) <- c(v, "Freq")
  out
})
raked <- rake(d0, lapply(weight_by, function(v) as.formula(paste0("~", v))), margins,
              control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
w <- weights(raked)
w <- w / mean(w)
write.csv(data.frame(respondent_id = d$respondent_id, weight = sprintf("%.17g", w)),
          file.path(here, "survey_reference_weights.csv"), row.names = FALSE, quote = FALSE)

# --- estimates on svydesign(ids = ~1, weights = ~w) -------------------------------------------
d$w <- w
design <- svydesign(ids = ~1, weights = ~w, data = d)
fmt <- function(x) unname(ifelse(is.na(x), "", sprintf("%.17g", as.vector(x))))
rows <- list()
for (q in names(questions)) {
  a <- d[[q]]
  in_base <- !(a %in% c(questions[[q]]$excl, ""))
  positive <- as.numeric(a %in% questions[[q]]$pos & in_base)
  for (bd in c("All", breakdowns)) {
    groups <- if (bd == "All") "All" else sort(unique(d[[bd]][d[[bd]] != ""]))
    for (g in groups) {
      in_group <- if (bd == "All") rep(TRUE, n) else d[[bd]] == g
      des <- update(design, positive = positive, in_base = in_base, in_group = in_group)
      des_raked <- update(raked, positive = positive, in_base = in_base, in_group = in_group)
      ng <- sum(in_base & in_group)
      pct <- se <- lo <- hi <- p_rest <- se_raked <- NA
      if (ng >= 2) {
        sub <- subset(des, in_base & in_group)
        m <- svymean(~positive, sub)
        ci <- attr(svyciprop(~positive, sub, method = "logit", level = 0.95), "ci")
        pct <- 100 * coef(m); se <- 100 * SE(m); lo <- 100 * ci[1]; hi <- 100 * ci[2]
        se_raked <- 100 * SE(svymean(~positive, subset(des_raked, in_base & in_group)))
        if (bd != "All" && ng < sum(in_base)) {
          p_rest <- svyttest(positive ~ in_group, subset(des, in_base))$p.value
        }
      }
      rows[[length(rows) + 1]] <- data.frame(
        question = q, breakdown = bd, group = g, n = ng, pct = fmt(pct), se = fmt(se),
        ci_low = fmt(lo), ci_high = fmt(hi), p_vs_rest = fmt(p_rest), se_raked = fmt(se_raked))
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "survey_reference.csv"), row.names = FALSE)
cat(sprintf("R %s, survey %s: %d rows\n", getRversion(), packageVersion("survey"), nrow(out)))
