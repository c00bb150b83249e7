# Reference values from R's survey package for tests/survey/test_design_reference.py (survey designs, DESIGN §5 v2).
#
# Run from the repository root (needs r-base-core and r-cran-survey):
#     Rscript tests/reference/survey_design_reference.R
# Step 1 exports public data shipped with the survey package (data(api): California Academic
# Performance Index schools, a stratified sample `apistrat` and a one-stage cluster sample of school
# districts `apiclus1`) as responses.csv of the waves in tests/fixtures/survey_design/, and
# population.csv from the population file `apipop`. The survey.toml of each wave is written by hand.
# Step 2 reads those CSVs back (so R and perfkit use the same numbers) and writes, beside this script,
#     survey_design_reference.csv          estimates for every case x question x group
#     survey_design_reference_weights.csv  final weights (mean 1) of the raked case
# CI does not run R: the CSVs are committed and the Python tests compare against them.

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
data(api)

here <- "tests/reference"
fixtures <- "tests/fixtures/survey_design"

# --- step 1: fixtures from public data ---------------------------------------------------------
yes_no <- function(x) as.character(x)
export <- function(d, folder) {
  dir.create(file.path(fixtures, folder), showWarnings = FALSE, recursive = TRUE)
  write.csv(d, file.path(fixtures, folder, "responses.csv"), row.names = FALSE)
}
meals_band <- function(meals) ifelse(meals < 50, "Under half", "Half or more")  # pupils on free meals
strat <- data.frame(snum = apistrat$snum, stype = as.character(apistrat$stype),
                    meals_band = meals_band(apistrat$meals),
                    yr_rnd = yes_no(apistrat$yr.rnd), awards = yes_no(apistrat$awards),
                    sch_wide = yes_no(apistrat$sch.wide), comp_imp = yes_no(apistrat$comp.imp),
                    both = yes_no(apistrat$both), pw = apistrat$pw, fpc = apistrat$fpc)
export(strat, "stratified_fpc")
clus <- data.frame(snum = apiclus1$snum, dnum = apiclus1$dnum,
                   # a stratification of the districts made up for the test: clusters nest in it
                   region = ifelse(apiclus1$dnum < 450, "North", "South"),
                   stype = as.character(apiclus1$stype), yr_rnd = yes_no(apiclus1$yr.rnd),
                   awards = yes_no(apiclus1$awards), sch_wide = yes_no(apiclus1$sch.wide),
                   comp_imp = yes_no(apiclus1$comp.imp), both = yes_no(apiclus1$both),
                   pw = apiclus1$pw, fpc = apiclus1$fpc)
export(clus, "cluster")
export(clus, "stratified_cluster")
export(clus, "raked_cluster")
export(strat, "raked")
population <- function(variables, folder) {
  pop <- do.call(rbind, lapply(names(variables), function(v)
    data.frame(variable = v, as.data.frame(table(category = variables[[v]])))))
  names(pop) <- c("variable", "category", "share")
  write.csv(pop, file.path(fixtures, folder, "population.csv"), row.names = FALSE, quote = FALSE)
}
population(list(stype = apipop$stype, awards = apipop$awards), "raked_cluster")
population(list(awards = apipop$awards, meals_band = meals_band(apipop$meals)), "raked")

# --- step 2: reference values --------------------------------------------------------------------
read <- function(folder) read.csv(file.path(fixtures, folder, "responses.csv"), colClasses = "character",
                                  na.strings = character(0))
num <- function(d, cols) { for (c in cols) d[[c]] <- as.numeric(d[[c]]); d }
api_questions <- list(sch_wide = list(pos = "Yes", excl = character(0)),   # as the fixtures' survey.toml
                      comp_imp = list(pos = "Yes", excl = character(0)),
                      both = list(pos = "Yes", excl = character(0)))
api_breakdowns <- c("stype", "yr_rnd", "awards")
fmt <- function(x) unname(ifelse(is.na(x), "", sprintf("%.17g", as.vector(x))))

estimates <- function(case, design, d, flat = NULL, raked = NULL, questions = api_questions,
                      breakdowns = api_breakdowns) {
  # design: the design whose variance is published; flat: ids = ~1 with the same strata and weights
  # (for design_effect_clustering); raked: the rake() design (se_raked)
  rows <- list()
  n <- nrow(d)
  for (q in names(questions)) {
    in_base <- !(d[[q]] %in% c(questions[[q]]$excl, ""))
    positive <- as.numeric(d[[q]] %in% questions[[q]]$pos & in_base)
    deff <- NA
    upd <- function(des, in_group) if (is.null(des)) NULL else
      update(des, positive = positive, in_base = in_base, in_group = in_group)
    for (bd in c("All", breakdowns)) {
      groups <- if (bd == "All") "All" else sort(unique(d[[bd]][d[[bd]] != ""]))
      for (g in groups) {
        in_group <- if (bd == "All") rep(TRUE, n) else d[[bd]] == g
        des <- upd(design, in_group)
        sub <- subset(des, in_base & in_group)
        m <- svymean(~positive, sub)
        ci <- attr(svyciprop(~positive, sub, method = "logit", level = 0.95), "ci")
        p_rest <- df_rest <- se_raked <- deff <- NA
        if (bd != "All") {
          tt <- svyttest(positive ~ in_group, subset(des, in_base))
          p_rest <- tt$p.value; df_rest <- tt$parameter
        } else if (!is.null(flat)) {
          nofpc <- upd(flat$clustered, in_group)
          deff <- SE(svymean(~positive, subset(nofpc, in_base)))^2 /
            SE(svymean(~positive, subset(upd(flat$flat, in_group), in_base)))^2
        }
        if (!is.null(raked)) se_raked <- 100 * SE(svymean(~positive, subset(upd(raked, in_group), in_base & in_group)))
        rows[[length(rows) + 1]] <- data.frame(
          case = case, question = q, breakdown = bd, group = g, n = sum(in_base & in_group),
          pct = fmt(100 * coef(m)), se = fmt(100 * SE(m)), ci_low = fmt(100 * ci[1]), ci_high = fmt(100 * ci[2]),
          df = degf(sub), p_vs_rest = fmt(p_rest), df_vs_rest = fmt(df_rest), se_raked = fmt(se_raked),
          design_effect_clustering = fmt(deff))
      }
    }
  }
  do.call(rbind, rows)
}

out <- list()
# 1. stratified, with fpc (population size per stratum), the agency's weights as delivered
d <- num(read("stratified_fpc"), c("pw", "fpc"))
d$w <- d$pw / mean(d$pw)
out[[1]] <- estimates("stratified_fpc", svydesign(ids = ~1, strata = ~stype, fpc = ~fpc, weights = ~w, data = d), d)

# 2. one-stage cluster sample of districts, with fpc
d <- num(read("cluster"), c("pw", "fpc"))
d$w <- d$pw / mean(d$pw)
flat <- list(clustered = svydesign(ids = ~dnum, weights = ~w, data = d), flat = svydesign(ids = ~1, weights = ~w, data = d))
out[[2]] <- estimates("cluster", svydesign(ids = ~dnum, fpc = ~fpc, weights = ~w, data = d), d, flat)

# 3. stratified cluster sample (no fpc)
d <- num(read("stratified_cluster"), c("pw", "fpc"))
d$w <- d$pw / mean(d$pw)
stratified_cluster <- svydesign(ids = ~dnum, strata = ~region, weights = ~w, data = d)
flat <- list(clustered = stratified_cluster, flat = svydesign(ids = ~1, strata = ~region, weights = ~w, data = d))
out[[3]] <- estimates("stratified_cluster", stratified_cluster, d, flat)

# 4. design weights, then raking: variance = "fixed" (final weights treated as fixed) and
#    variance = "raked" (as rake()'s design). (a) the stratified sample with fpc, whose weights differ
#    by stratum, raked to awards and free-meals band; (b) the cluster sample raked to school type and awards
raking <- function(folder, start, margins) {
  d <- start$variables
  pop <- read.csv(file.path(fixtures, folder, "population.csv"), colClasses = c("character", "character", "numeric"))
  margin <- function(v) { p <- pop[pop$variable == v, ]; out <- data.frame(p$category, p$share); names(out) <- c(v, "Freq"); out }
  rake(start, lapply(margins, function(v) as.formula(paste0("~", v))), lapply(margins, margin),
       control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
}
d <- num(read("raked"), c("pw", "fpc"))
raked <- raking("raked", svydesign(ids = ~1, strata = ~stype, fpc = ~fpc, weights = ~pw, data = d), c("awards", "meals_band"))
d$w <- weights(raked) / mean(weights(raked))
weights_out <- data.frame(case = "raked", snum = d$snum, weight = sprintf("%.17g", d$w))
fixed <- svydesign(ids = ~1, strata = ~stype, fpc = ~fpc, weights = ~w, data = d)
out[[4]] <- estimates("raked_fixed", fixed, d, NULL, raked)
out[[5]] <- estimates("raked_raked", raked, d, NULL, raked)

d <- num(read("raked_cluster"), c("pw", "fpc"))
raked <- raking("raked_cluster", svydesign(ids = ~dnum, fpc = ~fpc, weights = ~pw, data = d), c("stype", "awards"))
d$w <- weights(raked) / mean(weights(raked))
weights_out <- rbind(weights_out, data.frame(case = "raked_cluster", snum = d$snum, weight = sprintf("%.17g", d$w)))
write.csv(weights_out, file.path(here, "survey_design_reference_weights.csv"), row.names = FALSE, quote = FALSE)
fixed <- svydesign(ids = ~dnum, fpc = ~fpc, weights = ~w, data = d)
flat <- list(clustered = svydesign(ids = ~dnum, weights = ~w, data = d), flat = svydesign(ids = ~1, weights = ~w, data = d))
out[[6]] <- estimates("raked_cluster_fixed", fixed, d, flat, raked)
out[[7]] <- estimates("raked_cluster_raked", raked, d, flat, raked)

# 5. the demo wave (data/demo/survey/2024), stratified by ward (interviews drawn ward by ward), raked to
#    age band, sex and ward from equal starting weights; variance "fixed" and "raked". This R has no
#    package to read .sav, so it reads tests/fixtures/survey_design/demo_responses.csv, the .sav's value
#    labels exported by tests/reference/export_demo_responses.py (pyreadstat, as perfkit reads it).
d <- read.csv(file.path(fixtures, "demo_responses.csv"), colClasses = "character", na.strings = character(0),
              check.names = FALSE)
pop <- read.csv("data/demo/survey/2024/population.csv", colClasses = c("character", "character", "numeric"))
demo_margin <- function(v) { p <- pop[pop$variable == v, ]; out <- data.frame(p$category, p$share * nrow(d)); names(out) <- c(v, "Freq"); out }
demo_weight_by <- c("age_band", "sex", "ward")
raked <- rake(suppressWarnings(svydesign(ids = ~1, strata = ~ward, data = d)),
              lapply(demo_weight_by, function(v) as.formula(paste0("~", v))), lapply(demo_weight_by, demo_margin),
              control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
d$w <- weights(raked) / mean(weights(raked))
demo_questions <- list(
  satisfied_council = list(pos = c("Very satisfied", "Fairly satisfied"), excl = c("Don't know")),
  value_for_money   = list(pos = c("Strongly agree", "Tend to agree"), excl = c("Don't know")),
  satisfied_area    = list(pos = c("Very satisfied", "Fairly satisfied"), excl = c("Don't know")),
  safe_after_dark   = list(pos = c("Very safe", "Fairly safe"), excl = c("Don't know")),
  informed          = list(pos = c("Very well informed", "Fairly well informed"), excl = c("Don't know"))
)
demo_breakdowns <- c("age_band", "sex", "ward", "disability", "ethnicity")
fixed <- svydesign(ids = ~1, strata = ~ward, weights = ~w, data = d)
out[[8]] <- estimates("demo_strata_fixed", fixed, d, NULL, raked, demo_questions, demo_breakdowns)
out[[9]] <- estimates("demo_strata_raked", raked, d, NULL, raked, demo_questions, demo_breakdowns)

out <- do.call(rbind, out)
write.csv(out, file.path(here, "survey_design_reference.csv"), row.names = FALSE)
cat(sprintf("R %s, survey %s: %d rows\n", getRversion(), packageVersion("survey"), nrow(out)))
