"""Charts as they print (issue 14, item 4): target and tolerance band, legend, contrast, font sizes, SVG.

Every number here is worked out by hand from the fixture or from the definitions:
WCAG 2 relative luminance for contrast, the A4 text column (210 mm less two 16 mm
margins) for the printed width, matplotlib's dash scaling for the legend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from xml.etree import ElementTree

import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import perfkit as pk
from perfkit.render.charts import MIN_FONT_PT, WIDTH, Chart, status_chart, tolerance_band, trend_chart
from perfkit.render.colours import contrast_ratio
from perfkit.report import prepare
from perfkit.survey.charts import estimates_chart, profile_chart
from tests.support import FIXTURES, ROOT

TEXT_COLUMN_IN = (210 - 2 * 16) / 25.4  # A4 less perfkit.css's 16 mm side margins: 7.01 in


def _history(reg, code, first="2023/24 Q3", last="2024/25 Q2"):
    hist = pk.assess_history(reg, pk.quarter_range(first, last), codes=[code])
    return hist.sort_values("period_index").reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny():
    return pk.load_register(ROOT / "tests" / "fixtures" / "tiny")


@pytest.fixture(scope="module")
def a1_chart(tiny):
    # A1: % within 15 days, higher is better, target 95.0, tolerance 5% (4.75): 80.0 in Q1, 84.3 in Q2
    m = tiny.metrics.loc["A1"]
    hist = _history(tiny, "A1", "2024/25 Q1")
    return trend_chart(m["title"], hist, m["unit"], m["decimals"], "A1"), hist


#: The demo council's words for the groups ([labels] green, amber, red), as its tables head their columns.
DEMO_WORDS = {
    "on_track": "On target",
    "within_tolerance": "Close to target",
    "exception": "Off target",
    "other": "Other",
    "trend": "Trend",
}


@pytest.fixture(scope="module")
def demo_charts():
    """Every kind of chart the two appendices draw, from the demo council's data."""
    reg = pk.load_register(ROOT / "data" / "demo")
    rep = prepare(reg, "2024/25 Q2")
    charts = {"status": status_chart(rep.status_counts(), "status")}
    # the v2 headline's chart: the demo's targets and indicators by group as their figures rate them (worked
    # out in tests/test_plan_appendix_demo.py), in the council's words, with the grey "Other" of the tables
    charts["groups"] = status_chart(
        pd.DataFrame(
            {"on_track": [5, 7, 5, 6], "within_tolerance": [1, 1, 2, 0], "exception": [0, 2, 2, 0]}
            | {"other": [0, 2, 0, 0], "trend": [1, 2, 2, 2]},
            index=["Work", "Public services", "Live well", "Environment"],
        ),
        "groups",
        DEMO_WORDS,
    )
    for code in ("SRV.01", "LIV.02", "LIV.03"):
        m = reg.metrics.loc[code]
        hist = _history(reg, code, "2022/23 Q3")
        charts[code] = trend_chart(m["title"], hist, m["unit"], m["decimals"], code)
    groups = pd.DataFrame(
        {
            "breakdown_name": ["Age band"] * 4 + ["Sex"] * 2 + ["Ward"] * 6,
            "group": ["16-34", "35-54", "55-74", "75+", "Female", "Male", *(f"Ward {i}" for i in range(6))],
            "pct": [38.0, 47.0, 54.0, 57.0, 48.0, 48.0, 44.0, 49.0, 42.0, 47.0, 55.0, 51.0],
            "ci_low": [29.0, 41.0, 49.0, 50.0, 43.0, 42.0, 34.0, 41.0, 34.0, 39.0, 46.0, 42.0],
            "ci_high": [47.0, 53.0, 59.0, 64.0, 53.0, 53.0, 54.0, 57.0, 50.0, 56.0, 64.0, 60.0],
            "suppressed": [False] * 12,
        }
    )
    groups["label"] = groups["breakdown_name"] + ": " + groups["group"]
    charts["by group"] = estimates_chart(
        groups, "satisfaction by group", "g", label_col="label", facet="breakdown_name"
    )
    charts["key findings"] = estimates_chart(groups.head(5), "key findings", "k", label_col="label")
    profile = pd.DataFrame(
        {
            "variable": ["age"] * 2,
            "category": ["16-34", "35+"],
            "sample_pct": [40.0, 60.0],
            "population_pct": [50.0, 50.0],
            "weighted_pct": [50.0, 50.0],
            "suppressed": [False, False],
        }
    )
    charts["profile"] = profile_chart(profile, "age", "p")
    for chart in charts.values():
        chart.figure.draw_without_rendering()
    return charts


# --- the exception chart: target, legend, tolerance band -------------------------------------


def test_the_target_line_has_room_above_it_and_is_not_clipped(a1_chart):
    chart, _ = a1_chart
    ax = chart.figure.axes[0]
    chart.figure.draw_without_rendering()
    target = next(ln for ln in ax.get_lines() if ln.get_linestyle() not in ("-", "None"))
    # the target, 95.0, is the highest thing drawn: the axis must go above it
    assert max(target.get_ydata()) == 95.0
    assert ax.get_ylim()[1] > 95.0
    line, axes = target.get_window_extent(), ax.get_window_extent()
    assert axes.y1 - line.y1 > 5, "the target line touches the top edge of the axes"
    # and the value written over the last point is inside the axes too
    label = next(t for t in ax.texts if t.get_text() == "84.3%")
    assert label.get_window_extent().y1 <= axes.y1


def test_the_legend_shows_the_target_dashed_with_room_for_two_dashes(a1_chart):
    chart, _ = a1_chart
    legend = chart.figure.legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    handle = legend.legend_handles[texts.index("Target")]
    plotted = next(ln for ln in chart.figure.axes[0].get_lines() if ln.get_linestyle() not in ("-", "None"))
    assert handle.get_linestyle() == plotted.get_linestyle() == "--"  # dashed in the chart and in the legend
    assert handle.get_marker() in (None, "None", "")  # no marker drawn over the dashes (it made them look solid)
    # matplotlib scales a dash pattern by the line width: (4 + 2.5) x 1.4 = 9.1 pt per dash and gap
    _offset, dashes = handle._dash_pattern
    period = sum(dashes)
    assert period == pytest.approx((4 + 2.5) * 1.4)
    length = legend.handlelength * legend.prop.get_size_in_points()  # 3.2 x 8.5 = 27.2 pt
    assert length == pytest.approx(27.2)
    assert length / period >= 2


def test_the_tolerance_band_is_drawn_hatched_and_named_in_the_legend(a1_chart):
    chart, _ = a1_chart
    ax = chart.figure.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    band = bands[0]
    ys = band.get_paths()[0].vertices[:, 1]
    # 5% of 95 is 4.75: within tolerance runs down from 95.0 to 90.25
    assert (ys.min(), ys.max()) == pytest.approx((90.25, 95.0))
    assert band.get_hatch()  # a pattern, not colour alone
    labels = [t.get_text() for t in chart.figure.legends[0].get_texts()]
    assert "Tolerance band" in labels
    assert chart.alt.endswith(
        "The shaded band is the tolerance: a figure below 95.0% down to 90.3% is within tolerance."
    )


def test_the_band_lies_above_the_target_when_lower_is_better_and_leaves_out_a_green_band():
    hist = pd.DataFrame(
        {
            "target": [20.0, 80.0, 95.0, float("nan")],
            "polarity": ["lower", "higher", "higher", "higher"],
            "tolerance_width": [2.0, 8.0, float("nan"), 5.0],
            # v2 "5%/10%" of 80: green within 4 (down to 76), amber within 8 (down to 72)
            "green_width": [float("nan"), 4.0, float("nan"), float("nan")],
        }
    )
    band = tolerance_band(hist)
    assert band.iloc[0].tolist() == [20.0, 22.0]
    assert band.iloc[1].tolist() == [72.0, 76.0]
    assert band.iloc[2:].isna().all().all()  # no tolerance, or no target: no band


def test_a_history_without_tolerance_columns_draws_no_band(tiny):
    # QuarterReport.history columns as report.py selected them before the band existed
    hist = _history(tiny, "A1", "2024/25 Q1")[["period", "value", "target", "status"]]
    chart = trend_chart("A1", hist, "percent", 1, "A1")
    assert not [c for c in chart.figure.axes[0].collections if isinstance(c, PolyCollection)]
    assert "tolerance" not in chart.alt


# --- contrast ----------------------------------------------------------------------------------


def _filled(ax):
    """The filled shapes of an axes that text could sit on, with their fill colours."""
    shapes = [(p, p.get_facecolor()) for p in ax.patches if isinstance(p, Rectangle) and p.get_fill()]
    for c in ax.collections:
        if isinstance(c, PolyCollection) and len(c.get_facecolor()):
            shapes.append((c, c.get_facecolor()[0]))
    return [(s, to_hex(colour)) for s, colour in shapes if to_hex(colour) != "#ffffff"]


def _text_and_background(chart: Chart):
    """Each visible text of a chart with the colour behind it: its label box's, else the white page.

    A text without a box must not sit on any filled shape (bar, band): then it is on white.
    """
    fig = chart.figure
    pairs = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.figure is None:
            continue
        box = t.get_bbox_patch()
        if box is not None:
            pairs.append((t, to_hex(t.get_color()), to_hex(box.get_facecolor())))
            continue
        extent = t.get_window_extent()
        for ax in fig.axes:
            for shape, colour in _filled(ax):
                assert not extent.overlaps(shape.get_window_extent()), (
                    f"{t.get_text()!r} is printed on a {colour} shape without a label box"
                )
        pairs.append((t, to_hex(t.get_color()), "#ffffff"))
    return pairs


@pytest.mark.parametrize(
    "name", ["status", "groups", "SRV.01", "LIV.02", "LIV.03", "by group", "key findings", "profile"]
)
def test_every_text_has_4_5_to_1_contrast_with_what_is_behind_it(demo_charts, name):
    pairs = _text_and_background(demo_charts[name])
    assert pairs
    for t, fg, bg in pairs:
        assert contrast_ratio(fg, bg) >= 4.5, f"{t.get_text()!r}: {fg} on {bg}"


def test_the_counts_on_the_status_chart_sit_on_white_labels_over_their_segments(demo_charts):
    chart = demo_charts["status"]
    ax = chart.figure.axes[0]
    counts = [t for t in ax.texts if t.get_text().isdigit()]
    # demo 2024/25 Q2, the table of objectives by status: work 5 on target, 1 not due, 1 trend; services
    # 7, 1 within tolerance, 2 exceptions, 1 no target, 1 no data, 2 trend; live well 5, 2 within
    # tolerance, 1 exception, 2 trend; environment 7, 1 not due, 2 trend: 3 + 6 + 4 + 3 = 16 segments
    assert len(counts) == 16
    hatched = [s for s, _ in _filled(ax) if isinstance(s, Rectangle) and s.get_hatch()]
    on_hatching = 0
    for t in counts:
        assert to_hex(t.get_color()) == "#1b1f23" and to_hex(t.get_bbox_patch().get_facecolor()) == "#ffffff"
        if any(t.get_window_extent().overlaps(s.get_window_extent()) for s in hatched):
            on_hatching += 1
    # hatched: within tolerance (2 segments), exception (2), no target (1), no data (1), trend (4)
    assert on_hatching == 10
    # #1B1F23 on white, by hand: channels 27, 31, 35 linearise to 0.010963, 0.013699, 0.016810, so
    # L = 0.2126 x 0.010963 + 0.7152 x 0.013699 + 0.0722 x 0.016810 = 0.013342 and the ratio is
    # (1 + 0.05) / (0.013342 + 0.05) = 16.58
    assert contrast_ratio("#1B1F23", "#FFFFFF") == pytest.approx(16.58, abs=0.01)


def test_every_segment_has_an_outline_with_3_to_1_contrast_against_white(demo_charts):
    ax = demo_charts["status"].figure.axes[0]
    outlines = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]
    assert len(outlines) == 4 * 7  # every objective x every status the quarter has (zero-width ones too)
    for p in outlines:
        assert p.get_linewidth() > 0
        assert contrast_ratio(to_hex(p.get_edgecolor()), "#FFFFFF") >= 3  # WCAG 1.4.11, non-text contrast


def test_the_group_chart_names_each_group_by_symbol_and_the_councils_word(demo_charts):
    chart = demo_charts["groups"]
    (legend,) = chart.figure.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "✔ On target",
        "▲ Close to target",
        "✖ Off target",
        "● Other",
        "↗ Trend",
    ]
    assert chart.alt == (
        "Bar chart of the 40 metrics by status for each objective. Work: 5 on target, 1 close to target, 1 trend; "
        "Public services: 7 on target, 1 close to target, 2 off target, 2 other, 2 trend; "
        "Live well: 5 on target, 2 close to target, 2 off target, 2 trend; Environment: 6 on target, 2 trend."
    )
    # every group has its own fill and hatching: none is told from another by colour alone
    ax = chart.figure.axes[0]
    styles = {
        (to_hex(p.get_facecolor()), p.get_hatch()) for p in ax.patches if isinstance(p, Rectangle) and p.get_fill()
    }
    assert len(styles) == 5 and len({hatch for _, hatch in styles}) == 5


def test_the_v1_chart_keeps_the_v1_words():
    v1 = prepare(pk.load_register(FIXTURES / "demo_v1"), "2024/25 Q2")
    chart = status_chart(v1.status_counts(), "v1")
    (legend,) = chart.figure.legends
    words = [t.get_text() for t in legend.get_texts()]
    assert "▲ Within tolerance" in words and "✖ Exception" in words and "● Other" not in words
    assert "1 within tolerance" in chart.alt


def test_a_segment_too_narrow_for_its_count_is_left_unlabelled_but_counted_in_the_alt_text():
    counts = pd.DataFrame(
        {"green": [196, 60], "amber": [2, 0], "red": [2, 40]}, index=["Big objective", "Small objective"]
    )
    chart = status_chart(counts, "c")
    shown = sorted(t.get_text() for t in chart.figure.axes[0].texts)
    # the 2s beside 196 are 2/200 of the axis (about 3 pt), narrower than a label; 60 and 40 fit
    assert shown == ["196", "40", "60"]
    assert "Big objective: 196 on target, 2 within tolerance, 2 exception" in chart.alt


# --- printed size ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["status", "groups", "SRV.01", "LIV.02", "LIV.03", "by group", "key findings", "profile"]
)
def test_charts_print_unscaled_and_no_text_is_under_8_pt(demo_charts, name):
    chart = demo_charts[name]
    width_in, height_in = chart.figure.get_size_inches()
    assert width_in == WIDTH <= TEXT_COLUMN_IN  # shown at its natural size on the A4 page: scale 1
    assert height_in < (297 - 40) / 25.4  # and fits the page's height, so nothing shrinks it
    sizes = [t.get_fontsize() for t in chart.figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert min(sizes) >= MIN_FONT_PT == 8.0
    # the SVG says the same: its width in points is the printed width
    root = ElementTree.fromstring(chart.svg.encode())
    assert root.get("width") == f"{WIDTH * 72:g}pt"


def test_every_legend_fits_inside_its_figure(demo_charts):
    for name, chart in demo_charts.items():
        for legend in chart.figure.legends:
            box, page = legend.get_window_extent(), chart.figure.bbox
            assert page.x0 <= box.x0 and box.x1 <= page.x1, name


# --- SVG: embedded with its alt text, the same bytes on every run ----------------------------------


def test_the_html_embeds_the_svg_in_an_img_with_its_alt_text(a1_chart):
    chart, _ = a1_chart
    html = chart.to_html()
    assert html.startswith('<figure class="chart"><img src="data:image/svg+xml;charset=utf-8,%3C?xml')
    assert f'alt="{chart.alt}"' in html
    src = html.split('src="', 1)[1].split('"', 1)[0]
    assert not set(src) & set('"<>&#\n')  # nothing in the URI that HTML or the URL parser would act on
    from urllib.parse import unquote

    assert unquote(src.split(",", 1)[1]) == chart.svg
    # text stays text (not glyph outlines), so the PDF has real, tagged text
    assert "<text" in chart.svg and "DejaVu Sans" in chart.svg


_SVG_DIGESTS = """
import hashlib, pandas as pd, perfkit as pk
from perfkit.render.charts import status_chart, trend_chart
from perfkit.survey.charts import estimates_chart
reg = pk.load_register("data/demo")
from perfkit.report import prepare
rep = prepare(reg, "2024/25 Q2")
h = pk.assess_history(reg, pk.quarter_range("2023/24 Q3", "2024/25 Q2"), codes=["SRV.01"])
g = pd.DataFrame({"b": ["A", "A", "B"], "group": ["x", "y", "z"], "pct": [40.0, 50.0, 60.0],
                  "ci_low": [30.0, 41.0, 52.0], "ci_high": [50.0, 59.0, 68.0], "suppressed": [False] * 3})
for c in (status_chart(rep.status_counts(), "s"), trend_chart("t", h, "percent", 1, "t"),
          estimates_chart(g, "e", "e", facet="b")):
    print(hashlib.sha256(c.svg.encode()).hexdigest())
"""


def test_the_svg_is_byte_identical_between_two_runs():
    def digests(seed):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-c", _SVG_DIGESTS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    first, second = digests("1"), digests("2")
    assert len(first) == 3 and first == second


def test_the_svg_has_no_date_and_the_same_chart_twice_is_the_same_svg(a1_chart, tiny):
    chart, hist = a1_chart
    assert "<dc:date>" not in chart.svg and "<dc:date" not in chart.svg
    m = tiny.metrics.loc["A1"]
    assert trend_chart(m["title"], hist, m["unit"], m["decimals"], "A1").svg == chart.svg


def test_a_chart_still_gives_a_png_for_those_who_want_a_picture(a1_chart):
    chart, _ = a1_chart
    assert chart.png.startswith(b"\x89PNG")
    assert repr(chart).startswith("Chart('Line chart of % of complaints answered within 15 working days")


def test_scatter_markers_keep_their_status_shapes(a1_chart):
    chart, _ = a1_chart
    marks = [c for c in chart.figure.axes[0].collections if isinstance(c, PathCollection)]
    assert len(marks) == 1  # both quarters are exceptions: one set of X markers
    assert chart.figure.legends[0].get_texts()[-1].get_text() == "✖ Exception"


def test_the_interval_charts_say_only_what_the_data_says(demo_charts):
    def words(chart):
        return {t.get_text() for t in chart.figure.findobj(Text) if t.get_visible() and t.get_text().strip()}

    # small multiples: a panel title per breakdown, its groups, the scale, the legend, the estimates
    by_group = words(demo_charts["by group"])
    assert {"Age band", "Sex", "Ward", "16-34", "Female", "Ward 5", "% positive", "Estimate"} <= by_group
    assert {"38%", "57%", "51%", "100"} <= by_group
    # one chart, no panels: no title at all, only the rows' labels
    key = words(demo_charts["key findings"])
    assert "Age band: 16-34" in key and "Age band" not in key and "Sex" not in key
    assert not [w for w in key | by_group if "=" in w or "object at" in w]


def test_an_interval_chart_with_every_group_withheld_says_so():
    rows = pd.DataFrame(
        {"group": ["A", "B"], "pct": [float("nan")] * 2, "ci_low": [float("nan")] * 2, "ci_high": [float("nan")] * 2}
    ).assign(suppressed=True, breakdown_name="Sex")
    chart = estimates_chart(rows, "trust by group", "t", facet="breakdown_name")
    assert [t.get_text() for t in chart.figure.axes[0].texts] == ["Not shown: too few people answered."]
    assert chart.alt.endswith("2 groups are not shown because too few people answered.")
    assert "<text" in chart.svg
