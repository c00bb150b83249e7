"""Names the docstring examples in perfkit/ use, so every example runs in `make test`."""

import pytest

import perfkit  # noqa: F401 - imported before pytest collects perfkit/*.py, so each module is loaded once
from tests.support import FIXTURES, ROOT


@pytest.fixture(autouse=True, scope="session")
def _doctest_names(doctest_namespace):
    import perfkit as pk

    doctest_namespace["pk"] = pk
    doctest_namespace["tiny_dir"] = FIXTURES / "tiny"
    doctest_namespace["tiny"] = pk.load_register(FIXTURES / "tiny")
    doctest_namespace["demo_dir"] = ROOT / "data" / "demo"


@pytest.fixture(autouse=True)
def _survey_name(request, doctest_namespace):
    # The demo survey takes a second to weight: loaded only for the examples that use it.
    if (
        isinstance(request.node, pytest.DoctestItem)
        and "srv" in request.node.dtest.docstring
        and "srv" not in doctest_namespace
    ):
        import perfkit as pk

        doctest_namespace["srv"] = pk.prepare_survey(ROOT / "data" / "demo")
