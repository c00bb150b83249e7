from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def tiny_dir() -> Path:
    """A hand-made register whose every status and direction is worked out in the tests."""
    return FIXTURES / "tiny"
