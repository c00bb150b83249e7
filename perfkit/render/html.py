"""HTML that Jupyter displays as HTML: what every appendix section returns."""

from __future__ import annotations

__all__ = ["Html"]

#: How much of the HTML its plain-text form shows.
_REPR_HEAD = 70


class Html(str):
    """A string of HTML that Jupyter displays as HTML.

    Examples
    --------
    >>> Html("<p>On target</p>")._repr_html_()
    '<p>On target</p>'

    Its plain-text form, which a notebook saves beside the HTML, is a short summary: the
    whole HTML a second time would double the saved notebook, and the time to write it.

    >>> Html("<p>On target</p>")
    Html(16 characters: '<p>On target</p>')
    >>> Html("<table>" + "<tr><td>1</td></tr>" * 100 + "</table>")  # 7 + 100 × 19 + 8; the first 70 shown
    Html(1,915 characters: '<table><tr><td>1</td></tr><tr><td>1</td></tr><tr><td>1</td></tr><tr><t…')
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        head = str(self) if len(self) <= _REPR_HEAD else str(self)[:_REPR_HEAD] + "…"
        return f"Html({len(self):,} characters: {head!r})"

    def __add__(self, other: str) -> Html:
        return Html(str(self) + str(other))
