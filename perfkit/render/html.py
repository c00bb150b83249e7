"""HTML that Jupyter displays as HTML: what every appendix section returns."""

from __future__ import annotations

__all__ = ["Html"]


class Html(str):
    """A string of HTML that Jupyter displays as HTML.

    Examples
    --------
    >>> Html("<p>On target</p>")._repr_html_()
    '<p>On target</p>'
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def __add__(self, other: str) -> Html:
        return Html(str(self) + str(other))
