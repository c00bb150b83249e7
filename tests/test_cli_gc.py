"""The perfkit command freezes what its imports made for the garbage collector; a caller of main() is left alone."""

import gc
import subprocess
import sys

from perfkit.cli import main
from tests.support import FIXTURES


def test_the_command_freezes_its_imports(tmp_path):
    script = (
        "import gc, sys\n"
        "from perfkit.cli import main\n"
        f"sys.argv = ['perfkit', 'validate', '--data', {str(FIXTURES / 'tiny')!r}, '--format', 'plain']\n"
        "before = gc.get_freeze_count()\n"
        "code = main()\n"
        "print(before, gc.get_freeze_count() > before, code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "0 True 0"  # nothing frozen before; frozen by the command; valid


def test_a_caller_of_main_keeps_its_collector_as_it_was(capsys):
    before = gc.get_freeze_count()
    assert main(["validate", "--data", str(FIXTURES / "tiny"), "--format", "plain"]) == 0
    assert gc.get_freeze_count() == before
    assert "the data is valid" in capsys.readouterr().out
