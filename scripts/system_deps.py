"""Check for the system packages pip cannot install, and install them when this machine allows it.

    python3 scripts/system_deps.py [--install auto|never] [--apt-get CMD] PACKAGE...

PACKAGE is a Debian/Ubuntu package name. WeasyPrint, which writes the PDF, needs Pango and
HarfBuzz, and the appendix CSS uses the DejaVu fonts; the accessibility tests open the
appendices in Debian's Chromium; the service-returns tests save a return with LibreOffice Calc.
`make report` and `make test` run this first.

Exit status 0 when every package is there (or was just installed). Otherwise it stops at
once, status 1, and prints the one command that installs what is missing:

* on Debian or Ubuntu as root (a container, a CI machine) it runs
  ``apt-get update`` and ``apt-get install --no-install-recommends`` itself (``--install never``
  turns that off);
* as another user it prints the ``sudo apt-get install`` command to run;
* without dpkg (macOS, other Linux) it checks for the libraries, fonts and browser themselves
  and names what is missing.

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

#: What each package provides, checked directly where there is no dpkg to ask.
_PROVIDES = {
    "libpango-1.0-0": ("the Pango library (WeasyPrint)", lambda: ctypes.util.find_library("pango-1.0")),
    "libpangoft2-1.0-0": ("the PangoFT2 library (WeasyPrint)", lambda: ctypes.util.find_library("pangoft2-1.0")),
    "libharfbuzz0b": ("the HarfBuzz library (WeasyPrint)", lambda: ctypes.util.find_library("harfbuzz")),
    "fonts-dejavu-core": ("the DejaVu fonts", lambda: _has_font("DejaVu Sans")),
    "chromium": ("Chromium at /usr/bin/chromium (accessibility tests)", lambda: Path("/usr/bin/chromium").exists()),
    "libreoffice-calc-nogui": ("LibreOffice Calc, as soffice (service-returns tests)", lambda: shutil.which("soffice")),
}


def _has_font(family: str) -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, family], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def _dpkg_installed(package: str, dpkg_query: str) -> bool:
    proc = subprocess.run([dpkg_query, "-W", "-f=${Status}", package], capture_output=True, text=True, check=False)
    return proc.returncode == 0 and proc.stdout.strip().endswith("install ok installed")


def missing_packages(packages: list[str], dpkg_query: str | None) -> list[str]:
    """The packages not installed: asked of dpkg when there is one, else checked directly."""
    if dpkg_query:
        return [p for p in packages if not _dpkg_installed(p, dpkg_query)]
    return [p for p in packages if p not in _PROVIDES or not _PROVIDES[p][1]()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="+", metavar="PACKAGE")
    parser.add_argument(
        "--install",
        choices=("auto", "never"),
        default=os.environ.get("PERFKIT_SYSTEM_INSTALL", "auto"),
        help="auto: install with apt-get when root; never: only check (default: auto)",
    )
    parser.add_argument("--apt-get", default="apt-get", help="the apt-get command (default: apt-get)")
    parser.add_argument("--dpkg-query", default="dpkg-query", help="the dpkg-query command (default: dpkg-query)")
    args = parser.parse_args(argv)

    dpkg_query = shutil.which(args.dpkg_query)
    missing = missing_packages(args.packages, dpkg_query)
    if not missing:
        return 0
    names = " ".join(missing)
    if not dpkg_query:
        what = "; ".join(_PROVIDES[p][0] if p in _PROVIDES else p for p in missing)
        print(
            f"perfkit needs {what}, which pip cannot install. Install them with your system's package "
            "manager (on macOS: brew install pango; Chromium from https://www.chromium.org; LibreOffice from "
            "https://www.libreoffice.org) and run make again.",
            file=sys.stderr,
        )
        return 1
    apt_get = shutil.which(args.apt_get)
    if args.install == "auto" and apt_get and os.geteuid() == 0:
        print(f"Installing the system packages perfkit needs: {names}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        ok = (
            subprocess.run([apt_get, "update", "-qq"], env=env, check=False).returncode == 0
            and subprocess.run(
                [apt_get, "install", "-y", "-qq", "--no-install-recommends", *missing], env=env, check=False
            ).returncode
            == 0
        )
        if ok and not missing_packages(missing, dpkg_query):
            return 0
        print(
            f"apt-get could not install {names}. Check the network and the package sources, then run:\n"
            f"    apt-get update && apt-get install -y --no-install-recommends {names}",
            file=sys.stderr,
        )
        return 1
    sudo = "" if os.geteuid() == 0 else "sudo "
    print(
        f"perfkit needs these system packages, which pip cannot install: {names}\n"
        f"Install them with this one command, then run make again:\n"
        f"    {sudo}apt-get install -y --no-install-recommends {shlex.join(missing)}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
