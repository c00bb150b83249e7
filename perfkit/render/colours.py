"""Colour contrast as WCAG 2 defines it, to check the palette the appendices use."""

from __future__ import annotations

__all__ = ["contrast_ratio", "relative_luminance"]


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour such as ``#1E6B34``."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white).

    >>> round(contrast_ratio("#767676", "#FFFFFF"), 2)
    4.54
    """
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
