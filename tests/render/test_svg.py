"""Charts' SVG without matplotlib's bare groups: the same elements, in the same order, with the same styles."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pandas as pd

from perfkit.render.charts import _renumber_ids, house_style, render_svg
from perfkit.render.svg import unwrap_bare_groups
from perfkit.survey.charts import estimates_chart

G = "{http://www.w3.org/2000/svg}g"


def _chart():
    rows = pd.DataFrame(
        {
            "b": ["Age band", "Age band", "Sex"],
            "group": ["16-34", "35+", "Female"],
            "pct": [40.0, 50.0, 60.0],
            "ci_low": [30.0, 41.0, 52.0],
            "ci_high": [50.0, 59.0, 68.0],
            "suppressed": [False] * 3,
        }
    )
    return estimates_chart(rows, "e", "e", facet="b")


def _matplotlib_svg(fig) -> str:
    buf = io.StringIO()
    with house_style():
        fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None, "Creator": None})
    return _renumber_ids(buf.getvalue())


def test_only_groups_that_carry_nothing_but_a_name_are_removed():
    chart = _chart()
    before = ElementTree.fromstring(_matplotlib_svg(chart.figure).encode())
    after = ElementTree.fromstring(chart.svg.encode())

    def drawn(root):  # every element but the groups, with what it says and where it sits in order
        return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in root.iter() if e.tag != G]

    assert drawn(after) == drawn(before)
    bare = [g for g in before.iter(G) if set(g.attrib) <= {"id"}]
    kept = [g.attrib for g in before.iter(G) if not set(g.attrib) <= {"id"}]
    assert [g.attrib for g in after.iter(G)] == kept  # clip paths and the like stay, in order
    assert len(bare) > len(list(before.iter())) / 2  # most of what matplotlib wrote was bare groups
    # a kept group holds what it held: the clip path still applies to the same marks
    for g_before, g_after in zip([g for g in before.iter(G) if g.attrib in kept], after.iter(G), strict=True):
        assert drawn(g_after) == drawn(g_before)


def test_an_svg_not_laid_out_one_tag_a_line_is_left_as_it_is():
    one_line = '<svg><g id="a"><path d="M 0 0"/></g></svg>'
    assert unwrap_bare_groups(one_line) == one_line
    unbalanced = '<svg>\n <g id="a">\n  <path d="M 0 0"/>\n</svg>\n'
    assert unwrap_bare_groups(unbalanced) == unbalanced
    empty = '<svg>\n <g id="a">\n  <g clip-path="url(#p1)"/>\n </g>\n</svg>\n'
    assert unwrap_bare_groups(empty) == '<svg>\n  <g clip-path="url(#p1)"/>\n</svg>\n'


def test_a_chart_is_the_same_svg_after_its_layout_engine_is_put_back():
    chart = _chart()
    engine = chart.figure.get_layout_engine()
    first = render_svg(chart.figure)
    assert chart.figure.get_layout_engine() is engine and chart.figure.dpi == 100
    assert render_svg(chart.figure) == first
