"""Packaging: environment.yml lists what pyproject.toml asks for, with the same lower bounds; the
version has a changelog entry; git strips notebooks and ignores the scratch folder."""

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


def test_environment_yml_asks_for_the_python_pyproject_requires():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"  - python{requires}" in (ROOT / "environment.yml").read_text().splitlines()


def test_the_version_has_a_changelog_entry():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    headings = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert version in headings, f"CHANGELOG.md has no '## [{version}]' heading: say what changed in {version}"
    # newest first, under [Unreleased]
    assert headings[:2] == ["Unreleased", version]


def test_notebooks_are_stripped_by_git_as_they_are_staged():
    attributes = (ROOT / ".gitattributes").read_text().splitlines()
    assert "*.ipynb filter=nbstripout" in attributes
    assert "nbstripout" in _requirements()


def test_scratch_notebooks_are_ignored_but_its_readme_is_not():
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    assert "notebooks/scratch/*" in ignore and "!notebooks/scratch/README.md" in ignore
    assert (ROOT / "notebooks" / "scratch" / "README.md").is_file()
