"""What WeasyPrint may fetch while it makes the PDF: ``data:`` URLs and perfkit's own template files.

Imported only when a PDF is made: importing WeasyPrint loads Pango, which the HTML path does
not need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher

__all__ = ["ASSETS", "AssetsOnlyFetcher", "RefusedURL"]

#: The only folder whose files the PDF may use: the package's templates.
ASSETS = Path(__file__).resolve().parent / "templates"


class RefusedURL(OSError):
    """A URL the PDF export does not fetch: a published appendix depends on nothing outside it."""


class AssetsOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for the appendix: ``data:`` URLs and files under :data:`ASSETS` only.

    Any other URL (``http:``, ``https:``, ``ftp:``, any other local file, a link out of the
    templates folder) raises :class:`RefusedURL`, which WeasyPrint logs and skips, as it does
    a missing image; the URL is recorded in :attr:`refused`. Redirects are not followed.

    Examples
    --------
    >>> fetcher = AssetsOnlyFetcher()
    >>> fetcher.fetch("data:text/plain,ok").read()
    b'ok'
    >>> fetcher.fetch("file:///etc/hostname")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.publish.pdf_fetcher.RefusedURL: perfkit does not fetch file:///etc/hostname: a published appendix ...
    >>> fetcher.refused
    ['file:///etc/hostname']
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            target = Path(url2pathname(parts.path)).resolve()  # links resolved: no way out of ASSETS
            if target.is_relative_to(ASSETS) and target.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise RefusedURL(f"perfkit does not fetch {url}: a published appendix must be self-contained.")
