"""environment.yml must list what pyproject.toml asks for, with the same lower bounds."""

import re
import tomllib

from tests.support import ROOT


def _requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {re.split(r"[<>=\[]", r)[0].lower(): r for r in reqs}


def test_every_dependency_has_a_lower_bound():
    assert all(">=" in r for r in _requirements().values())


def test_environment_yml_matches_pyproject():
    conda = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"\s+- ([a-z0-9_.-]+)(>=[0-9.]+)?(\s+#.*)?$", line)
        if m and m.group(1) not in ("pip", "python", "conda-forge"):
            conda[m.group(1)] = m.group(2)
    assert set(conda) == set(_requirements())
    for name, req in _requirements().items():
        assert conda[name] == ">=" + req.split(">=", 1)[1], name
