"""A quarter's folder is replaced in one atomic step: killed at any step, it is the old folder or the new one."""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from perfkit.batch import swap
from perfkit.batch.swap import (
    KILL_AT_ENV,
    NO_EXCHANGE_ENV,
    PREVIOUS_PREFIX,
    current_folder,
    recover,
    replace_folder,
)

OLD = {
    "report.html": b"old report",
    "report.pdf": b"old pdf",
    "notes.txt": b"a colleague's notes, not made by perfkit",
    "failed/report.ipynb": b"an old failed copy",
    "council/extra.csv": b"a council's own file in a subfolder",
    "manifest.json": b'{"version": "old"}',
}
NEW = {
    "report.html": b"new report",
    "report.ipynb": b"new notebook",
    "notes.txt": OLD["notes.txt"],
    "council/extra.csv": OLD["council/extra.csv"],
    "manifest.json": b'{"version": "new"}',
}
DROP = ["report.pdf", "failed/report.ipynb"]


def tree(folder):
    """Every file under a folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def make_old(out):
    folder = out / "2024-25-Q2"
    for rel, data in OLD.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def make_new_files(out):
    build = out / ".staging-1-build"
    build.mkdir()
    (build / "report.html").write_bytes(NEW["report.html"])
    (build / "report.ipynb").write_bytes(NEW["report.ipynb"])
    return {"report.html": build / "report.html", "report.ipynb": build / "report.ipynb"}


def test_the_new_folder_keeps_other_files_as_the_same_files_and_drops_what_is_replaced(tmp_path):
    folder = make_old(tmp_path)
    notes_inode = (folder / "notes.txt").stat().st_ino
    os.chmod(folder, 0o750)
    replace_folder(folder, make_new_files(tmp_path), drop=DROP, write={"manifest.json": NEW["manifest.json"]})
    assert tree(folder) == NEW
    # kept files are hard links of the originals: untouched, not copies
    assert (folder / "notes.txt").stat().st_ino == notes_inode
    # the folder keeps its permissions (a staging folder made by mkdtemp would be private)
    assert (folder.stat().st_mode & 0o777) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == [".staging-1-build", "2024-25-Q2"]  # no staging of its own
    assert not list((tmp_path / ".staging-1-build").iterdir())  # the new files were moved, not copied


def test_a_first_publish_makes_the_folder(tmp_path):
    files = make_new_files(tmp_path)
    replace_folder(tmp_path / "2024-25-Q2", files, write={"manifest.json": b"{}"})
    assert tree(tmp_path / "2024-25-Q2") == {
        "report.html": NEW["report.html"],
        "report.ipynb": NEW["report.ipynb"],
        "manifest.json": b"{}",
    }


def test_a_link_or_a_file_at_the_folder_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "precious.txt").write_text("keep")
    (tmp_path / "2024-25-Q2").symlink_to(target)
    with pytest.raises(NotADirectoryError):
        replace_folder(tmp_path / "2024-25-Q2", make_new_files(tmp_path), write={"manifest.json": b"{}"})
    assert (tmp_path / "2024-25-Q2").is_symlink() and tree(target) == {"precious.txt": b"keep"}


def test_a_file_added_to_the_old_folder_during_the_publish_is_moved_across(tmp_path, monkeypatch):
    folder = make_old(tmp_path)
    real = swap.checkpoint

    def someone_writes(name):
        if name == "synced":  # after the new folder was built from the old one, before the swap
            (folder / "added-meanwhile.txt").write_text("late")
        real(name)

    monkeypatch.setattr(swap, "checkpoint", someone_writes)
    replace_folder(folder, make_new_files(tmp_path), drop=DROP, write={"manifest.json": NEW["manifest.json"]})
    assert tree(folder) == {**NEW, "added-meanwhile.txt": b"late"}


def test_the_two_rename_fallback_gives_the_same_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(NO_EXCHANGE_ENV, "1")
    folder = make_old(tmp_path)
    replace_folder(folder, make_new_files(tmp_path), drop=DROP, write={"manifest.json": NEW["manifest.json"]})
    assert tree(folder) == NEW
    assert not list(tmp_path.glob(f"{PREVIOUS_PREFIX}*"))


def test_recover_puts_back_a_folder_left_aside_and_removes_staging(tmp_path):
    folder = make_old(tmp_path)
    aside = tmp_path / f"{PREVIOUS_PREFIX}2024-25-Q2"
    folder.rename(aside)  # as a kill between the two renames leaves it
    (tmp_path / ".staging-99-2024-25-Q2-publish-abc").mkdir()
    assert current_folder(tmp_path, "2024-25-Q2") == aside  # readers meanwhile read the complete old folder
    recover(tmp_path)
    assert tree(folder) == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-25-Q2"]


# --- killed at every step ------------------------------------------------------------------

PUBLISHER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from perfkit.batch.swap import replace_folder
    out = Path(sys.argv[1])
    files = {"report.html": out / ".staging-1-build" / "report.html",
             "report.ipynb": out / ".staging-1-build" / "report.ipynb"}
    replace_folder(out / "2024-25-Q2", files, drop=json.loads(sys.argv[2]),
                   write={"manifest.json": json.loads(sys.argv[3]).encode()})
    """
)


def publish_killed_at(out, kill_at, env_extra=None):
    env = {**os.environ, KILL_AT_ENV: str(kill_at), **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(out), json.dumps(DROP), json.dumps(NEW["manifest.json"].decode())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
    return proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("mode", ["exchange", "two renames"])
def test_a_publish_killed_at_any_step_leaves_the_old_folder_or_the_new_one(tmp_path, mode):
    extra = {NO_EXCHANGE_ENV: "1"} if mode == "two renames" else {}
    outcomes = []
    step = 0
    while True:
        step += 1
        out = tmp_path / f"run{step}"
        out.mkdir()
        make_old(out)
        make_new_files(out)
        killed = publish_killed_at(out, step, extra)
        # at the moment of the kill, readers find a complete folder: the old set or the new one
        seen = tree(current_folder(out, "2024-25-Q2"))
        assert seen in (OLD, NEW), f"killed at step {step}: {sorted(seen)}"
        # and once the next run has recovered, so does everyone, with nothing left over
        recover(out)
        assert tree(out / "2024-25-Q2") in (OLD, NEW)
        assert sorted(p.name for p in out.iterdir()) == ["2024-25-Q2"]
        outcomes.append("old" if tree(out / "2024-25-Q2") == OLD else "new")
        if not killed:
            break
    # 6 files carried over or moved in, and every step of the swap: each one was a kill point
    assert step > 10
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=("old", "new").index), "once new, a later kill never brings the old back"


def test_a_publish_killed_at_random_moments_leaves_the_old_folder_or_the_new_one(tmp_path):
    """SIGKILL from outside at random moments, while a folder of 40 files is republished again and again.

    Each publish writes generation *n* into the 20 even-numbered files and the manifest; the
    odd-numbered files are carried over. Whenever the kill lands, every even file and the manifest
    must be of one generation, and every odd file still there.
    """
    out = tmp_path / "out"
    folder = out / "2024-25-Q2"
    folder.mkdir(parents=True)
    kept = {f"f{i:03}.txt": f"kept {i}".encode() for i in range(1, 40, 2)}
    for name, data in kept.items():
        (folder / name).write_bytes(data)
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from perfkit.batch.swap import make_staging, replace_folder
        out = Path(sys.argv[1])
        n = 0
        while True:
            n += 1
            build = make_staging(out, "build")
            files = {}
            for i in range(0, 40, 2):
                (build / f"f{i:03}.txt").write_text(f"generation {n}")
                files[f"f{i:03}.txt"] = build / f"f{i:03}.txt"
            replace_folder(out / "2024-25-Q2", files, write={"manifest.json": json.dumps({"generation": n}).encode()})
            print(n, flush=True)
        """
    )
    rng = random.Random(20261126)
    generations = []
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "1"  # one publish done: the kill lands in a later one
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        seen = tree(current_folder(out, "2024-25-Q2"))
        recover(out)
        assert tree(folder) == seen
        generation = json.loads(seen.pop("manifest.json"))["generation"]
        assert {k: v for k, v in seen.items() if k in kept} == kept
        assert {v for k, v in seen.items() if k not in kept} == {f"generation {generation}".encode()}
        assert len(seen) == 40
        assert sorted(p.name for p in out.iterdir()) == ["2024-25-Q2"]
        generations.append(generation)
    assert max(generations) > 1
