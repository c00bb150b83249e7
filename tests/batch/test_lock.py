"""One run at a time per output folder: the second is refused (or waits), a dead run never blocks."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from perfkit.batch.lock import LOCK_NAME, output_lock
from perfkit.errors import OutputFolderError


def test_a_second_holder_is_refused_with_the_first_ones_process(tmp_path):
    with output_lock(tmp_path):
        with pytest.raises(OutputFolderError) as caught:
            with output_lock(tmp_path):
                pytest.fail("two runs held the lock at once")
    message = str(caught.value)
    assert message.startswith(f"Another perfkit run is publishing into {tmp_path}: process {os.getpid()} on ")
    assert "Nothing was run, so that run's results are safe." in message and "--wait" in message
    assert not caught.value.usage  # refused, not invalid: exit 1
    assert (tmp_path / LOCK_NAME).read_bytes() == b""  # released, and the description cleared


def test_wait_starts_when_the_other_run_ends(tmp_path):
    released = threading.Event()
    holding = threading.Event()

    def other_run():
        with output_lock(tmp_path):
            holding.set()
            time.sleep(1.0)
            released.set()

    thread = threading.Thread(target=other_run)
    thread.start()
    holding.wait(10)
    messages = []
    with output_lock(tmp_path, wait=True, on_wait=messages.append):
        assert released.is_set()
    thread.join()
    assert len(messages) == 1 and messages[0].startswith(f"Waiting for another perfkit run publishing into {tmp_path}")


def test_a_killed_run_does_not_hold_the_lock(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from perfkit.batch.lock import output_lock
        with output_lock(Path(sys.argv[1])):
            print("holding", flush=True)
            time.sleep(300)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    with pytest.raises(OutputFolderError, match=f"process {proc.pid} on "):
        with output_lock(tmp_path):
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with output_lock(tmp_path):  # no stale lock: the kernel released it with the process
        pass


def test_a_forked_worker_does_not_keep_the_lock_after_its_parent_lets_go(tmp_path):
    started, ready = os.pipe()
    with output_lock(tmp_path):
        child = os.fork()
        if child == 0:  # a worker forked while the lock is held, still alive after the parent released it
            os.write(ready, b"x")  # it has started: the at-fork hook has closed its copy of the lock
            time.sleep(3)
            os._exit(0)
        assert os.read(started, 1) == b"x"
    try:
        with output_lock(tmp_path):
            pass
    finally:
        os.waitpid(child, 0)


def test_a_symbolic_link_at_the_lock_file_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("must stay as it is")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(victim)
    with pytest.raises(OutputFolderError) as caught:
        with output_lock(out):
            pass
    assert "is not a folder, or is a symbolic link, which perfkit does not follow" in str(caught.value)
    assert caught.value.usage
    assert victim.read_text() == "must stay as it is"


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(OutputFolderError, match="is not a folder") as caught:
        with output_lock(tmp_path / "out"):
            pass
    assert caught.value.usage and (tmp_path / "out").read_text() == "a file"
