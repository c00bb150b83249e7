from pathlib import Path

import pytest

from tests.support import FIXTURES, ROOT  # noqa: F401 - shared with the test modules


@pytest.fixture
def tiny_dir() -> Path:
    """A hand-made register whose every status and direction is worked out in the tests."""
    return FIXTURES / "tiny"
