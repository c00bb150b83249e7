"""The characters a cell is stripped of, written out in perfkit.data.sources: whitespace, BOM, zero-width space."""

import sys

from perfkit.data.sources import _STRIP


def test_the_written_out_list_is_every_whitespace_character_and_the_bom_and_zero_width_space():
    whitespace = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert set(_STRIP) == whitespace | {"\ufeff", "\u200b"}
    assert len(_STRIP) == len(set(_STRIP))
    assert "\u00a0 12\u2003\ufeff".strip(_STRIP) == "12"  # a no-break space, an em space and a BOM around a figure
