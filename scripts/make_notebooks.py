"""Write perfkit's notebooks in notebooks/ from this one readable definition, without outputs.

This script is the one way perfkit's notebooks are written: change a notebook here, then run
``python scripts/make_notebooks.py``. Each notebook is written exactly as git commits it (the
nbstripout filter in .gitattributes: no outputs, no execution counts, cells numbered from 0) and
with the metadata JupyterLab writes for the project's kernel, so opening one in JupyterLab does
not mark it changed.

``--strip`` (``make strip``) rewrites only the notebooks whose cells are still this script's,
which clears their outputs and undoes metadata a JupyterLab save changed; a notebook whose cells
were edited is left alone and named, so no work is lost. ``--metadata`` (``make lab``) only sets
the kernel and language metadata, to this Python's, keeping cells and outputs. Notebooks of your
own in notebooks/ or notebooks/scratch/ are never touched.
"""

import argparse
import platform
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: The project's kernel, which `make lab` registers; perfkit's runner starts the same interpreter under
#: this name, so runs do not depend on a kernel called python3.
KERNEL = {"display_name": "Python 3 (perfkit)", "language": "python", "name": "perfkit"}
#: What ipykernel reports and JupyterLab saves. The version is this interpreter's (the project's venv,
#: which the perfkit kernel runs), so the notebooks open unchanged; git's filter strips it on commit
#: (filter.nbstripout.extrakeys), so a different Python never shows up as a change.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}


def params(source: str):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def notebook(cells: list, title: str) -> nbformat.NotebookNode:
    # Cell ids 0, 1, ... are what nbstripout commits; random ones would differ at every run.
    for number, cell in enumerate(cells):
        cell.id = str(number)
    return new_notebook(
        cells=cells, metadata={"kernelspec": KERNEL, "language_info": LANGUAGE_INFO, "perfkit": {"title": title}}
    )


QUARTER_PARAMETERS = (
    "# Parameters: papermill replaces these for each quarter's run.\n"
    'quarter = None  # e.g. "2024-25-Q2"; None means the latest quarter with data\n'
    'data_dir = "data/demo"  # the council\'s data folder'
)


def appendix(setup: str, module: str, title: str, sections: list[tuple[str, str, str, str]]) -> nbformat.NotebookNode:
    """An appendix notebook: parameters, one call to prepare, then per section a heading and a cell that
    binds the rows the section shows (to filter or sort in JupyterLab) and renders them. A section
    whose heading is "" writes its own headings (the plan's objectives, the council's name for a tier)."""
    cells = [params(QUARTER_PARAMETERS), new_code_cell(setup)]
    for heading, name, rows, function in sections:
        source = (
            f"{module}.{function}(rep)"
            if not rows
            else (f"{name} = rep.{rows}()  # filter or sort here\n{module}.{function}(rep, {name})")
        )
        # a section without a heading here writes its own (an objective's name, the council's word for a tier)
        cells += ([new_markdown_cell(f"## {heading}")] if heading else []) + [new_code_cell(source)]
    return notebook(cells, title)


def quarterly() -> nbformat.NotebookNode:
    setup = (
        "import perfkit as pk\nfrom perfkit import report\n\n"
        "rep = pk.prepare(data_dir, quarter)\nreport.introduction(rep)"
    )
    return appendix(
        setup,
        "report",
        "Quarterly performance report",
        [
            ("Headline", "counted", "counted", "headline"),
            ("Summary", "metrics", "assessment", "narrative"),
            ("Exceptions in detail", "exceptions", "exceptions", "exceptions"),
            ("", "actions", "actions_due", "actions_followed_up"),
            ("Key achievements", "achieved", "achievements", "key_achievements"),
            ("Challenges", "challenges", "challenges", "key_challenges"),
            ("", "plan", "plan", "plan_by_objective"),
            ("", "service", "service_indicators", "service_indicators"),
            ("", "outturns", "final_outturns", "final_outturns"),
            ("Data notes", "notes", "data_notes", "data_notes"),
        ],
    )


OBJECTIVE_PARAMETERS = (
    QUARTER_PARAMETERS + "\nobjective = None  # the objective's name (any case) or slug; None: the plan's first"
)


def objective_update() -> nbformat.NotebookNode:
    """One objective's update for scrutiny, in the shape of seed 000 (North East Derbyshire)."""
    setup = (
        "import perfkit as pk\nfrom perfkit import objective as obj\n\n"
        "rep = obj.prepare_objective(data_dir, quarter, objective)\nobj.introduction(rep)"
    )
    nb = appendix(
        setup,
        "obj",
        "Council Plan objective update",
        [
            ("Summary", "rows", "rows", "summary"),
            ("Strategies and tactics", "", "", "plan_structure"),
            ("Key achievements", "achieved", "achievements", "key_achievements"),
            ("Challenges", "challenges", "challenges", "key_challenges"),
            ("", "actions", "actions_due", "actions_followed_up"),
            ("Targeted metrics", "targeted", "targeted", "targeted_metrics"),
            ("Metrics for trend monitoring", "trend", "trend", "trend_metrics"),
            ("Milestones", "milestones", "milestones", "milestones"),
            ("", "outturns", "final_outturns", "final_outturns"),
        ],
    )
    nb.cells[0].source = OBJECTIVE_PARAMETERS
    return nb


def survey() -> nbformat.NotebookNode:
    setup = (
        "import perfkit as pk\nfrom perfkit import survey_report as survey\n\n"
        "rep = pk.prepare_survey(data_dir, quarter)\nsurvey.introduction(rep)"
    )
    return appendix(
        setup,
        "survey",
        "Residents' survey and demographic insight",
        [
            ("Summary", "", "", "narrative"),
            ("Key findings", "findings", "key_findings", "key_findings"),
            ("Results by group", "groups", "by_group", "by_group"),
            ("Change since the previous survey", "changes", "changes", "change"),
            ("Who responded", "profile", "sample_profile", "who_responded"),
            ("How the results are weighted", "", "", "weighting"),
            ("Notes on method", "", "", "method_notes"),
        ],
    )


def explore() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Explore one metric\n\n"
            "Set `code` to a metric's code (any case) and run all cells: its definition, every quarter's figure, "
            "target, status and commentary, and a chart. `history` is an ordinary pandas DataFrame to filter and plot."
        ),
        params('code = "SRV.01"  # the metric to explore\ndata_dir = "data/demo"'),
        new_code_cell("import perfkit as pk\n\npk.metric_profile(data_dir, code)"),
        new_code_cell(
            "register = pk.load_register(data_dir)\n"
            "history = pk.report.metric_history(register, code)  # one row per quarter, as printed\n"
            "history"
        ),
    ]
    return notebook(cells, "Metric profile")


def _cells(*parts) -> list:
    """Cells from text (a code cell, its indentation removed) or a markdown cell made with ``md``."""
    return [new_code_cell(textwrap.dedent(p).strip()) if isinstance(p, str) else p for p in parts]


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(textwrap.dedent(text).strip())


def explore_register() -> nbformat.NotebookNode:
    """The whole register over the last quarters: statuses, targets, exceptions, milestones, completeness."""
    cells = _cells(
        md("""
        # Explore the register

        The last quarters of the whole register at a glance: how the statuses move, each metric against its
        target, the exceptions that persist, the milestones, and who sends figures late. Every table is an
        ordinary pandas DataFrame to filter; every chart is drawn with seaborn and shown with `pk.figure`, which
        gives it alternative text written from the data. Change the parameters and run all cells.
        """),
        params(QUARTER_PARAMETERS + "\nlast = 8  # quarters of history, this one included"),
        """
        import matplotlib.pyplot as plt
        import pandas as pd
        import seaborn as sns
        from IPython.display import Markdown, display

        import perfkit as pk

        sns.set_theme(style="whitegrid", font_scale=0.9)
        rep = pk.prepare(data_dir, quarter)
        history = rep.history(last=last)  # the assessment of each quarter, stacked: one row per metric and quarter
        tiers = dict(rep.table.attrs["tiers"])  # the council's names for its plan and service tiers
        history["tier_name"] = history["tier"].map(tiers).fillna(history["tier"])
        history["objective_short"] = history["objective"].str.slice(0, 32)
        quarters = history.drop_duplicates("period_index")["period"].tolist()
        now = rep.quarter.label
        # each status word in the colour of its class (in shades where words share one), in the reports' order
        words = history.drop_duplicates("status_label").set_index("status_label")["status"]
        order = sorted(words.index, key=lambda w: list(pk.ALL_STATUSES).index(words[w]))
        shared = pd.Series(order).groupby([pk.ALL_STATUSES[words[w]].colour for w in order], sort=False)
        colours = {w: c for base, ws in shared for w, c in zip(ws, sns.dark_palette(base, len(ws) + 1, reverse=True))}
        rep
        """,
        md("""
        ## Status mix by objective over the quarters

        Metrics by the status word shown, quarter by quarter, for each objective, with plan targets and service
        indicators apart.
        """),
        """
        mix = history.pivot_table(
            index=["tier_name", "objective", "period"], columns="status_label", values="code", aggfunc="count",
            fill_value=0,
        )
        mix  # one row per tier, objective and quarter; one column per status word
        """,
        """
        counts = history.groupby(["tier_name", "objective_short", "period_index", "status_label"]).size()
        counts = counts.rename("metrics").reset_index()
        g = sns.displot(
            counts, x="period_index", weights="metrics", hue="status_label", hue_order=order, palette=colours,
            multiple="stack", discrete=True, shrink=0.8, row="objective_short", col="tier_name", height=2.2, aspect=3,
        )
        g.set_titles("{row_name} – {col_name}").set_axis_labels("", "Metrics")
        g.set(xticks=sorted(history["period_index"].unique()), xticklabels=quarters)
        g.tick_params(axis="x", labelrotation=45)
        latest = history[history["period"] == now]["status_label"].value_counts()
        pk.figure(
            g,
            alt=f"Stacked bars of metrics by status for each quarter from {quarters[0]} to {now}, one panel per "
            f"objective and tier ({', '.join(history['tier_name'].unique())}). In {now}: "
            + ", ".join(f"{n} {s.lower()}" for s, n in latest.items()) + ".",
            caption="Status mix by objective over the quarters",
        )
        """,
        md("""
        ## Each metric's history against its target

        One small chart per targeted metric: its value each quarter and its target (dashed). Set `codes` to look
        at fewer.
        """),
        """
        codes = None  # e.g. ["ENV.01", "WRK.02"]; None shows every metric with a target
        targeted = history[history["kind"] == "target"]
        if codes:
            targeted = targeted[targeted["code"].isin([rep.register.code(c) for c in codes])]
        g = sns.relplot(
            targeted, x="period_index", y="value", col="code", col_wrap=5, kind="line", marker="o",
            height=1.8, aspect=1.3, facet_kws={"sharey": False},
        )
        g.map_dataframe(sns.lineplot, x="period_index", y="target", color="black", linestyle="--")
        g.set_titles("{col_name}").set_axis_labels("", "")
        g.set(xticks=[history["period_index"].min(), rep.quarter.index], xticklabels=[quarters[0], now])
        g.tick_params(axis="x", labelrotation=45)
        current = targeted[targeted["period"] == now]
        red = current.loc[current["exception"], "code"].tolist()
        pk.figure(
            g,
            alt=f"Small multiples of the {targeted['code'].nunique()} targeted metrics, each one's value by quarter "
            f"from {quarters[0]} to {now} with its target as a dashed line. In {now}, "
            f"{(current['group'] == 'on_track').sum()} are on track and {len(red)} at exception"
            + (f": {', '.join(red)}." if red else "."),
            caption="Each metric's history against its target",
        )
        """,
        md("""
        ## Exceptions that persist

        Every metric at exception in any of these quarters: how often, and how many quarters in a row up to
        this one.
        """),
        """
        flags = history.pivot_table(
            index=["code", "title"], columns="period", values="exception", aggfunc="any", fill_value=False
        )
        flags = flags.reindex(columns=quarters, fill_value=False)
        flags = flags[flags.any(axis=1)]
        persistent = flags.assign(
            quarters_at_exception=flags.sum(axis=1),
            in_a_row_now=flags.iloc[:, ::-1].cummin(axis=1).sum(axis=1),  # quarters in a row, up to this one
        ).sort_values(["in_a_row_now", "quarters_at_exception"], ascending=False)
        persistent[["quarters_at_exception", "in_a_row_now"]]
        """,
        """
        if persistent.empty:
            display(Markdown(f"No metric was at exception from {quarters[0]} to {now}."))
        else:
            top = persistent.head(20)[quarters]
            fig, ax = plt.subplots(figsize=(1 + 0.9 * len(quarters), 0.9 + 0.35 * len(top)))
            sns.heatmap(
                top.astype(int), cmap=["#F2F2F2", "#B0182B"], vmin=0, vmax=1, cbar=False, linewidths=1,
                annot=top.replace({True: "X", False: ""}), fmt="", ax=ax,
            )
            ax.set(xlabel="", ylabel="", yticklabels=[code for code, _ in top.index])
            still = persistent[persistent["in_a_row_now"] >= 2]["in_a_row_now"]
            display(pk.figure(
                fig,
                alt=f"Grid of the {len(top)} metrics at exception most often, quarter by quarter from "
                f"{quarters[0]} to {now}; an X marks an exception. At exception in {now} and the quarter before: "
                + (", ".join(f"{code} ({n} quarters in a row)" for (code, _), n in still.items()) or "none") + ".",
                caption="Exceptions that persist",
            ))
        """,
        md("""
        ## Milestones by progress and how late

        This quarter's milestones: their status, progress (% complete) and how far past their due date (the
        revised date where one was given).
        """),
        """
        milestones = rep.table[rep.table["kind"] == "milestone"].copy()
        if milestones.empty:
            display(Markdown(
                f"There are no milestones in {now}: no metric of this register has the kind `milestone` (contract "
                "v2: `kind` = `milestone` in metrics.csv, with a `due` date, and `progress` in actuals.csv)."
            ))
        else:
            LATE = ["no due date", "not past due", "up to 3 months late", "3 to 12 months late", "over a year late"]
            days = (pd.Timestamp(rep.quarter.end) - pd.to_datetime(milestones["due_in_force"])).dt.days
            milestones["days_past_due"] = days.where(milestones["past_due"])
            late = pd.cut(days, [0, 91, 365, float("inf")], labels=LATE[2:]).astype(str)
            milestones["how_late"] = late.where(milestones["past_due"], LATE[1])
            milestones["how_late"] = milestones["how_late"].where(milestones["due_in_force"].notna(), LATE[0])
            bands = pd.cut(milestones["progress"], [-1, 24, 49, 74, 99, 100],
                           labels=["0-24%", "25-49%", "50-74%", "75-99%", "100%"])
            milestones["progress_band"] = bands.cat.add_categories("no figure").fillna("no figure")
            columns = ["code", "title", "status_label", "progress", "due_in_force", "past_due", "days_past_due"]
            display(milestones[columns].sort_values("days_past_due", ascending=False))
        """,
        """
        if not milestones.empty:
            ax = sns.histplot(
                milestones, y="progress_band", hue="how_late", hue_order=LATE, multiple="stack", discrete=True,
                shrink=0.8,
            )
            ax.set(xlabel="Milestones", ylabel="Progress")
            ax.xaxis.get_major_locator().set_params(integer=True)
            late = milestones[milestones["past_due"]]
            display(pk.figure(
                ax,
                alt=f"Bar chart of the {len(milestones)} milestones of {now} by progress and how late they are. "
                + ", ".join(f"{n} {b}" for b, n in milestones["progress_band"].value_counts().items() if n) + ". "
                + ("Past due: " + ", ".join(f"{r.code} ({r.days_past_due:.0f} days)" for r in late.itertuples())
                   if len(late) else "None is past due") + ".",
                caption="Milestones by progress and how late",
            ))
        """,
        md("""
        ## Data completeness by service and quarter

        The share of the metrics due each quarter that had a figure when the report was made: who sends figures
        late, or not at all. `rep.data_notes()` lists this quarter's.
        """),
        """
        due = history[history["status"] != "not_due"]
        missing = due["status"].isin(["no_data", "no_update"])
        completeness = 100 * (1 - missing.groupby([due["service"], due["period"]]).mean())
        completeness = completeness.unstack().reindex(columns=quarters)
        completeness.round(0)  # % of the metrics due with a figure (or a milestone's update)
        """,
        """
        fig, ax = plt.subplots(figsize=(1.5 + 0.9 * len(quarters), 0.9 + 0.32 * len(completeness)))
        sns.heatmap(completeness, vmin=0, vmax=100, cmap="Blues_r", annot=True, fmt=".0f", cbar=False, ax=ax)
        ax.set(xlabel="", ylabel="")  # the darker, the more figures missing; blank: no metric due
        ax.tick_params(axis="x", labelrotation=45)
        short = completeness[now][completeness[now] < 100].sort_values().head(3)
        pk.figure(
            fig,
            alt=f"Grid of the % of due metrics with a figure, by service (rows) and quarter (columns) from "
            f"{quarters[0]} to {now}. {int((completeness == 100).all(axis=1).sum())} of {len(completeness)} "
            f"services sent every figure in every quarter. In {now}: "
            + (", ".join(f"{s} {v:.0f}%" for s, v in short.items()) if len(short) else "every service complete") + ".",
            caption="Data completeness by service and quarter",
        )
        """,
        """rep.data_notes()[["code", "title", "service", "status_label", "commentary"]]""",
    )
    return notebook(cells, "Explore the register")


def explore_survey() -> nbformat.NotebookNode:
    """The survey wave a quarter reports: estimates by group, differences, change, weights, suppression."""
    cells = _cells(
        md("""
        # Explore the residents' survey

        The wave a quarter reports, weighted: a question by group with 95% confidence intervals, which groups
        differ from the rest, what changed since the previous wave, how hard the weights work, and what
        suppression withholds. Only estimates are shown, never a respondent's answers. Charts are drawn with
        seaborn and shown with `pk.figure`, which gives each alternative text written from the data.
        """),
        params(QUARTER_PARAMETERS + "\nquestion = None  # a question's key or label; None means the first"),
        """
        import matplotlib.pyplot as plt
        import pandas as pd
        import seaborn as sns
        from IPython.display import Markdown, display

        import perfkit as pk

        sns.set_theme(style="whitegrid", font_scale=0.9)
        srv = pk.prepare_survey(data_dir, quarter)
        if srv is None:
            raise pk.UsageError(f"No survey wave in {data_dir} had ended fieldwork by then: choose a later quarter.")
        wave = srv.current.wave
        first = srv.key_findings()["question"].iloc[0]
        asked = srv.estimate(question or first).iloc[0]  # the question, found by its key or label in any case
        key, label = asked["question"], asked["label"]
        srv
        """,
        md("""
        ## Weighted estimates by group

        The question's weighted % for each group, with its 95% confidence interval; groups with too few
        respondents are suppressed (their `n` is kept).
        """),
        """
        rows = srv.by_group().query("question == @key")
        shown = rows[~rows["suppressed"]]
        rows[["breakdown", "group", "n", "pct", "ci_low", "ci_high", "suppressed", "significant_vs_rest"]].round(1)
        """,
        """
        def interval(data, **kwargs):
            error = [data["pct"] - data["ci_low"], data["ci_high"] - data["pct"]]
            plt.errorbar(data["pct"], data["group"], xerr=error, fmt="o", color="#1B1F23", capsize=3)


        overall = asked["pct"]
        g = sns.FacetGrid(shown, col="breakdown", col_wrap=3, sharey=False, height=2.4, aspect=1.5)
        g.map_dataframe(interval)
        g.refline(x=overall, linestyle="--", color="#3A6FB5")
        g.set_titles("{col_name}").set_axis_labels("% (95% confidence interval)", "")
        high, low = shown.loc[shown["pct"].idxmax()], shown.loc[shown["pct"].idxmin()]
        pk.figure(
            g,
            alt=f"Dot plot of '{label}': the weighted % of each group with its 95% confidence interval, one panel "
            f"per breakdown; the dashed line is all respondents, {overall:.1f}%. Highest: {high['group']} "
            f"{high['pct']:.1f}%; lowest: {low['group']} {low['pct']:.1f}%. "
            f"{len(rows) - len(shown)} groups are suppressed and not shown.",
            caption=f"{label}, by group",
        )
        """,
        md("""
        ## Groups against the rest

        How far each group is from all respondents, and whether it differs significantly from the rest of the
        respondents (a t test on the weighted design).
        """),
        """
        vs = shown.assign(difference=shown["pct"] - shown["overall_pct"])
        vs["name"] = vs["breakdown"] + ": " + vs["group"] + vs["significant_vs_rest"].map({True: " *", False: ""})
        vs["against the rest"] = vs["significant_vs_rest"].map({True: "significant", False: "not significant"})
        ax = sns.barplot(
            vs, x="difference", y="name", hue="against the rest", hue_order=["significant", "not significant"],
            palette=["#B0182B", "#B9BEC3"], dodge=False,
        )
        ax.set(xlabel="Points above or below all respondents (* significantly different from the rest)", ylabel="")
        ax.figure.set_size_inches(8, 0.8 + 0.28 * len(vs))
        sig = vs[vs["significant_vs_rest"]]
        pk.figure(
            ax,
            alt=f"Bar chart of '{label}': each group's % minus all respondents', starred where the group differs "
            "significantly from the rest. Significant: "
            + (", ".join(f"{r.name[:-2]} {r.pct:.1f}% ({r.difference:+.1f})" for r in sig.itertuples()) or "none")
            + ".",
            caption="Groups against the rest",
        )
        """,
        md("""
        ## Change between waves

        Each question for all respondents in this wave and the one before.
        """),
        """
        findings = srv.key_findings()
        if srv.previous is None:
            display(Markdown(f"{wave.title} is the first wave: there is no earlier one to compare with."))
        else:
            before, after = srv.previous.wave.title, wave.title
            long = findings.rename(columns={"previous_pct": before, "pct": after}).melt(
                id_vars=["label"], value_vars=[before, after], var_name="wave", value_name="percent"
            )
            ax = sns.pointplot(
                long, x="percent", y="label", hue="wave", markers=["o", "s"], linestyles="none", dodge=0.3,
                palette=["#8C939A", "#1B1F23"],
            )
            ax.set(xlabel="% of respondents (weighted)", ylabel="")
            display(findings[["label", "previous_pct", "pct", "change", "significant_vs_previous"]].round(1))
            display(pk.figure(
                ax,
                alt=f"Dot plot of each question in {before} (circles) and {after} (squares). "
                + "; ".join(
                    f"{r.label}: {r.previous_pct:.1f}% to {r.pct:.1f}%"
                    + (" (significant)" if r.significant_vs_previous else "")
                    for r in findings.itertuples()
                ) + ".",
                caption=f"Change from {before} to {after}",
            ))
        """,
        md("""
        ## Weight diagnostics

        How far the weights move the sample towards the population, and what that costs in precision: the
        design effect and the effective sample size.
        """),
        """
        diagnostics = srv.current.diagnostics()
        pd.Series({k: v for k, v in diagnostics.items() if not isinstance(v, dict)}, name=wave.title).to_frame()
        """,
        """
        # one weight per respondent: summarised in the chart, never listed
        w = pd.Series(srv.current.weighting.weights, name="weight")
        ax = sns.histplot(w, bins=30)
        ax.axvline(1, color="#1B1F23", linestyle="--")
        ax.set(xlabel="Final weight (1 = counts as one respondent)", ylabel="Respondents")
        pk.figure(
            ax,
            alt=f"Histogram of the {len(w):,} final weights, from {w.min():.2f} to {w.max():.2f} with median "
            f"{w.median():.2f}. The design effect of the weighting is {diagnostics['design_effect']:.2f}: the "
            f"sample is worth {diagnostics['n_effective']:,.0f} unweighted respondents.",
            caption="Distribution of the weights",
        )
        """,
        """
        # the design effect of clustering for each question, and each group's effective sample size
        display(pd.Series(diagnostics["design_effect_clustering"], name="design effect of clustering").to_frame())
        effective = diagnostics["n_effective_by_group"]
        pd.DataFrame(
            [(b, g, n) for b, groups in effective.items() for g, n in groups.items()],
            columns=["breakdown", "group", "effective n"],
        ).round(0)
        """,
        md("""
        ## What suppression hides

        The results withheld because too few answered, and who they are about.
        """),
        """
        hidden = srv.estimates[srv.estimates["suppressed"]]
        if hidden.empty:
            display(Markdown(f"Nothing is suppressed: every group has {wave.min_cell} or more in each base."))
        else:
            summary = hidden.groupby(["breakdown", "group"]).agg(
                questions=("question", "nunique"), smallest_n=("n", "min"), largest_n=("n", "max")
            )
            display(summary)
            cells = srv.estimates[srv.estimates["breakdown"].isin(hidden["breakdown"])]
            index = ["breakdown", "group"]
            grid = cells.pivot_table(index=index, columns="question", values="suppressed", aggfunc="any")
            n = cells.pivot_table(index=index, columns="question", values="n", aggfunc="sum").astype(int).astype(str)
            fig, ax = plt.subplots(figsize=(1.5 + 1.3 * grid.shape[1], 0.8 + 0.32 * len(grid)))
            sns.heatmap(
                grid.astype(int), cmap=["#F2F2F2", "#8C939A"], vmin=0, vmax=1, cbar=False, linewidths=1,
                annot=n.where(~grid, "[c] n=" + n), fmt="", ax=ax,
            )
            ax.set(xlabel="", ylabel="", yticklabels=[f"{b}: {g}" for b, g in grid.index])
            display(pk.figure(
                fig,
                alt="Grid of respondents in the base by group and question, for the breakdowns with suppressed "
                f"results; [c] marks the {len(hidden)} results withheld because fewer than {wave.min_cell} "
                "answered: "
                + ", ".join(f"{b}: {g} ({q} questions, n {lo} to {hi})" for (b, g), (q, lo, hi) in summary.iterrows())
                + ".",
                caption="What suppression hides",
            ))
        """,
    )
    return notebook(cells, "Explore the residents' survey")


#: perfkit's own notebooks: the only ones in notebooks/ that the tests check and `make strip` rewrites.
BUILDERS = {
    "quarterly_performance": quarterly,
    "survey_demographics": survey,
    "objective_update": objective_update,
    "explore_metric": explore,
}
BUILDERS |= {"explore_register": explore_register, "explore_survey": explore_survey}


def cells_of(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What a notebook's author wrote: each cell's type, source and tags (not outputs, ids or metadata)."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--strip", action="store_true", help="rewrite only the notebooks whose cells are unchanged; name the others"
    )
    mode.add_argument(
        "--metadata", action="store_true", help="only set the kernel and language metadata; keep cells and outputs"
    )
    args = parser.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    edited = []
    for name, build in BUILDERS.items():
        nb, path = build(), NOTEBOOKS / f"{name}.ipynb"
        nbformat.validate(nb)
        if (args.strip or args.metadata) and path.exists():
            on_disk = nbformat.read(path, as_version=4)
            if args.metadata:
                fresh = {key: nb.metadata[key] for key in ("kernelspec", "language_info")}
                if any(on_disk.metadata.get(key) != value for key, value in fresh.items()):
                    on_disk.metadata.update(fresh)
                    nbformat.write(on_disk, path)
                continue
            if cells_of(on_disk) != cells_of(nb):
                edited.append(path.name)
                continue
        nbformat.write(nb, path)
        if args.strip:
            print(f"notebooks/{path.name}: as scripts/make_notebooks.py writes it")
    for name in edited:
        print(
            f"notebooks/{name} was left as it is: its cells differ from scripts/make_notebooks.py. "
            f"Make the change in the script and run it, or save your version under notebooks/scratch/ "
            f"and restore perfkit's with `git checkout notebooks/{name}`.",
            file=sys.stderr,
        )
    return 1 if edited else 0


if __name__ == "__main__":
    sys.exit(main())
