"""The Jupyter kernels perfkit starts: private sockets, their own log, started ahead, and Ctrl-C passed on to them.

Starting a kernel (a new Python, ipykernel, then pandas, matplotlib and perfkit) takes about a
second, most of a small notebook's time. So a kernel is started *before* its job needs it, while
the data is validated or the previous notebook runs and exports (:func:`prestart`), and the
imports every appendix needs are made as it starts (:data:`KERNEL_SETUP`), before it reads any
data. A kernel serves one job and is then shut down, with one exception: the objective updates of
one quarter (the same notebook run for the same quarter with other parameters, DESIGN.md §6) run
one after the other in one kernel, reset between them (:func:`release_kernel`), which saves a
kernel's start and the appendix's imports for each update after the first. Nothing passes
between quarters, or to any other notebook: a kernel is kept only for the next job of its own
group, and only after a job that succeeded.
"""

from __future__ import annotations

import functools
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty

__all__ = [
    "KERNEL_NAME",
    "KERNEL_SETUP",
    "RUNNING_KERNELS",
    "STOP",
    "Kernel",
    "discard_spares",
    "expect",
    "interrupt_running_kernels",
    "kernel_manager_class",
    "kill_running_kernels",
    "log_tail",
    "prestart",
    "ready_client_class",
    "release_kernel",
    "take_kernel",
]

#: The kernel every notebook names, and the one ``make lab`` registers. The runner does not need it
#: installed: it starts this interpreter's own kernel under that name (see :func:`kernel_manager_class`).
KERNEL_NAME = "perfkit"

#: Run in every kernel perfkit starts, before it reads anything: a council's own figures and tables
#: get alt text and captions, and the modules every appendix imports (pandas, matplotlib, perfkit's
#: sections) are loaded while the kernel starts, which is off the run's critical path when it is
#: started ahead. Importing a module reads no data, so the kernel is still a fresh one.
KERNEL_SETUP = (
    "--IPKernelApp.exec_lines=import perfkit.display; perfkit.display.install(); "
    "import perfkit.report, perfkit.survey.report"
)

#: Run, silently, in a kept kernel between two jobs of its group: the figures left open are closed, and
#: the user's namespace, the cells' outputs and the execution count are set back to a new session's,
#: so the next notebook's cells are numbered from 1 and see none of the last one's variables. The
#: modules already imported stay, which is what sharing the kernel is for.
RESET_CODE = (
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "get_ipython().reset(new_session=True)\n"
)

#: Seconds a kept kernel may take to reset before it is shut down and the next job gets a fresh one.
RESET_WAIT = 60

#: Process ids of the kernels this process has started and not yet shut down.
RUNNING_KERNELS: set[int] = set()

#: Set by Ctrl-C: no further cell starts in this process. A Ctrl-C that lands while a kernel is
#: still starting, between two cells, or before a job's kernel exists, has no running cell to stop;
#: without this the job would go on to run its notebook to the end.
STOP = threading.Event()


def kernel_manager_class(socket_dir: Path):
    """A kernel manager that starts this interpreter's kernel and talks to it over private Unix sockets.

    The kernel is always ``sys.executable -m ipykernel_launcher``: a run does not depend on which
    kernels happen to be installed (a shared JupyterLab's ``python3`` may not have perfkit), and
    the notebooks can name the project's kernel for JupyterLab. Local IPC needs no TCP ports (so
    parallel jobs cannot race for one) and nothing is exposed on the network, which also silences
    ipykernel's warning about unencrypted TCP. The kernel's own log (not the notebook's output,
    which travels over the sockets) goes to ``kernel.log`` there, rather than to the user's terminal.
    """
    import sys

    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    spec = KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python 3 (perfkit)",
        language="python",
        name=KERNEL_NAME,
    )

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("client_factory", ready_client_class())
            super().__init__(transport="ipc", ip=str(socket_dir / "kernel"), **kwargs)
            self.clients = []  # the clients a notebook client made, stopped when the kernel is closed

        def client(self, **kwargs):
            client = super().client(**kwargs)
            self.clients.append(client)
            return client

        @property
        def kernel_spec(self):
            return spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", open(socket_dir / "kernel.log", "ab"))
            await super()._async_launch_kernel(kernel_cmd, **kw)
            pid = getattr(self.provisioner, "pid", None)
            if pid:
                RUNNING_KERNELS.add(pid)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # a kernel killed at the end of its job is gone within a few milliseconds; jupyter_client
            # looks every 0.1 s, which between two jobs of one process is 0.1 s of nothing
            await super()._async_wait(pollinterval=min(pollinterval, 0.01))

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            RUNNING_KERNELS.discard(getattr(self.provisioner, "pid", None))
            await super()._async_cleanup_resources(restart=restart)

    return LocalKernelManager


#: Seconds the first kernel_info request waits for its status on IOPub before it is asked again; doubled each time.
READY_POLL = 0.02


@functools.cache
def ready_client_class():
    """The kernel client the notebooks use: ready as soon as it is shown to receive what the kernel publishes.

    jupyter_client's client, once the kernel has answered a ``kernel_info`` request, waits until
    its IOPub channel has been silent for 0.2 s, every time, and waits 0.2 s more whenever the
    kernel's first messages were published before the channel was connected: a quarter of a
    second of each job spent waiting for nothing, even when the kernel was started ahead and has
    long been ready. This one is ready once the kernel's ``idle`` status for one of its own
    ``kernel_info`` requests has arrived on IOPub: that message was published after the request
    came, so everything the kernel publishes from then on reaches the client, which is what the
    wait is for. It asks again, after 0.02 s, then 0.04 s and so on, until that happens. Messages
    still to come for the earlier requests are harmless: a notebook client takes only the
    messages that answer its own requests.
    """
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            asked: set[str] = set()
            answered = False
            wait = READY_POLL
            while True:
                asked.add(self.kernel_info())
                if not answered:
                    try:
                        reply = await self.shell_channel.get_msg(timeout=1)
                    except Empty:
                        reply = None
                    if reply is not None and reply["msg_type"] == "kernel_info_reply":
                        self._handle_kernel_info_reply(reply)
                        answered = True
                if answered:
                    if await self._idle_for(asked, wait):
                        return
                    wait = min(2 * wait, 1.0)
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

        async def _idle_for(self, asked: set[str], wait: float) -> bool:
            """Whether the kernel's ``idle`` status for one of ``asked`` arrives on IOPub within ``wait`` seconds."""
            until = time.monotonic() + wait
            while True:
                try:
                    msg = await self.iopub_channel.get_msg(timeout=max(0.0, until - time.monotonic()))
                except Empty:
                    return False
                if (
                    msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") in asked
                ):
                    return True

    return ReadyClient


class Kernel:
    """One kernel, launched (perhaps before its job starts) for one job, or one group of jobs, then shut down.

    Launching does not wait for the kernel to be ready: the notebook client waits for that when
    the job starts. A launch that fails is kept and raised when the job takes the kernel, so it
    fails that job, as a kernel that does not start always has. ``group`` is the
    :attr:`~perfkit.batch.jobs.Job.kernel_group` of the jobs it serves, set when a job takes it;
    ``jobs`` counts them.
    """

    def __init__(self, cwd: Path):
        from jupyter_core.utils import run_sync

        self.cwd = cwd
        self.group: tuple | None = None
        self.jobs = 0
        self.pid = os.getpid()  # a kernel belongs to the process that launched it, not to a forked child
        # Unix socket paths are limited to about 100 characters, so not inside a deep output folder.
        self._sockets: tempfile.TemporaryDirectory | None = tempfile.TemporaryDirectory(prefix="perfkit-")
        self.socket_dir = Path(self._sockets.name)
        self.manager = kernel_manager_class(self.socket_dir)(kernel_name=KERNEL_NAME)
        self.error: BaseException | None = None
        try:
            run_sync(self.manager.start_kernel)(extra_arguments=[KERNEL_SETUP], cwd=str(cwd))
        except Exception as exc:  # raised in the job that takes this kernel
            self.error = exc

    @property
    def process_id(self) -> int | None:
        """The kernel's own process id (the tests use it to tell kernels apart)."""
        return getattr(self.manager.provisioner, "pid", None)

    def reset(self) -> bool:
        """Set the kernel back to a new session (:data:`RESET_CODE`); whether it answered that it did.

        Uses the client the last notebook ran with, then stops every client, so the next notebook
        makes its own. A kernel that died, is still busy (a cell that timed out) or fails to reset
        is not kept.
        """
        from jupyter_core.utils import run_sync

        try:
            if not self.manager.clients or not run_sync(self.manager.is_alive)():
                return False
            reply = run_sync(self.manager.clients[-1].execute_interactive)(
                RESET_CODE, silent=True, store_history=False, allow_stdin=False, timeout=RESET_WAIT
            )
            return reply["content"]["status"] == "ok"
        except Exception:  # a kernel that does not answer as it should is shut down, not reused
            return False
        finally:
            self.stop_clients()

    def stop_clients(self) -> None:
        """Stop the clients the notebooks made; the kernel runs on."""
        for client in self.manager.clients:
            client.stop_channels()
        self.manager.clients.clear()

    def close(self) -> None:
        """Stop the kernel's clients, shut it down at once and remove its sockets; safe to call twice."""
        if self._sockets is None:
            return
        from jupyter_core.utils import run_sync

        try:
            self.stop_clients()
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        except Exception:  # a kernel already gone, say: its sockets go all the same
            pass
        finally:
            self._sockets.cleanup()
            self._sockets = None


#: Kernels launched ahead of their jobs in this process, by the folder they run in.
_SPARES: dict[Path, list[Kernel]] = {}

#: The folders of the jobs this process will run next, in order, once the spares are taken (see :func:`expect`).
_UPCOMING: list[Path] = []

#: The kernel kept after a job for the next job of its group (at most one, in this process).
_KEPT: list[Kernel] = []


def _take_kept(cwd: Path, group: tuple | None) -> Kernel | None:
    """The kernel kept for ``group``, if the job is of that group; any other kept kernel is shut down."""
    kept = [k for k in _KEPT if k.pid == os.getpid()]  # never a parent's, in a forked worker
    _KEPT.clear()
    found = None
    for kernel in kept:
        if found is None and group is not None and kernel.group == group and kernel.cwd == cwd:
            found = kernel
        else:
            kernel.close()
    return found


def _own_spares() -> dict[Path, list[Kernel]]:
    """This process's spares: a worker forked from a process with spares must not use (or stop) its parent's."""
    for cwd, kernels in list(_SPARES.items()):
        kernels[:] = [k for k in kernels if k.pid == os.getpid()]
        if not kernels:
            del _SPARES[cwd]
    return _SPARES


def _launch(cwd: Path) -> None:
    if not STOP.is_set():  # after Ctrl-C no kernel is started
        _own_spares().setdefault(cwd, []).append(Kernel(cwd))


def expect(jobs: list[tuple[Path, tuple | None]]) -> None:
    """Say which jobs this process will run, in order (folders and kernel groups); the first's kernel starts now.

    Each :func:`take_kernel` that needs a new kernel then launches the kernel of the next job
    that will need one, so it starts while the notebook before it runs and exports. A job of
    the same group as the job before it will take that job's kernel (:func:`release_kernel`):
    a quarterly appendix, two objective updates of one quarter and a survey appendix need three.
    """
    cwds = [cwd for i, (cwd, group) in enumerate(jobs) if group is None or i == 0 or jobs[i - 1][1] != group]
    _UPCOMING[:] = cwds
    if _UPCOMING:
        prestart(_UPCOMING.pop(0))  # perhaps launched already, while the data was validated


def prestart(cwd: Path) -> None:
    """Launch a kernel for a job that will probably run in ``cwd`` next, unless one is already waiting there."""
    if not _own_spares().get(cwd):
        _launch(cwd)


def take_kernel(cwd: Path, group: tuple | None = None) -> Kernel:
    """The kernel for a job in ``cwd``: the one kept for its ``group``, or one launched ahead, or one launched now.

    The caller hands it back with :func:`release_kernel` after the job.
    """
    kernel = _take_kept(cwd, group)
    if kernel is None:
        waiting = _own_spares().get(cwd)
        kernel = waiting.pop(0) if waiting else Kernel(cwd)
        if _UPCOMING:
            _launch(_UPCOMING.pop(0))
    kernel.group = group
    kernel.jobs += 1
    return kernel


def release_kernel(kernel: Kernel, keep: bool) -> None:
    """After a job: keep its kernel, reset, for the next job of its group (``keep``), or shut it down.

    A kernel is kept only when ``keep`` (the job succeeded and the caller will run the next job
    in this process), it has a group, no Ctrl-C came, and it resets cleanly (:meth:`Kernel.reset`);
    otherwise it is shut down, and the next job of the group gets a fresh kernel.
    """
    if keep and kernel.group is not None and not STOP.is_set() and kernel.reset():
        for other in _KEPT:
            other.close()
        _KEPT[:] = [kernel]
    else:
        kernel.close()


def discard_spares() -> None:
    """Shut down the kernels launched ahead that no job took, and one kept for a group (end of a run, Ctrl-C)."""
    _UPCOMING.clear()
    _take_kept(Path(), None)  # a group no job has: the kept kernel is shut down
    spares = _own_spares()
    while spares:
        for kernel in spares.popitem()[1]:
            kernel.close()


def interrupt_running_kernels() -> None:
    """Send Ctrl-C to the kernels this process started, and let no further cell start (:data:`STOP`).

    jupyter_client starts each kernel in a session of its own, so a Ctrl-C typed
    in the terminal does not reach it; perfkit passes it on, and the cell under
    way stops as it would in JupyterLab.
    """
    STOP.set()
    _signal_running_kernels(signal.SIGINT)


def kill_running_kernels() -> None:
    """Kill every kernel this process started, at once: nothing is left to read their results.

    For a pool worker whose parent has gone (killed outright, say by the out-of-memory killer);
    an orderly end shuts kernels down with :meth:`Kernel.close` instead.
    """
    _signal_running_kernels(signal.SIGKILL)
    RUNNING_KERNELS.clear()


def _signal_running_kernels(signum: int) -> None:
    """Send ``signum`` to every kernel this process started; one already gone is forgotten."""
    for pid in list(RUNNING_KERNELS):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            RUNNING_KERNELS.discard(pid)


def log_tail(path: Path, lines: int = 5) -> str:
    """The last lines of a kernel's log, on one line, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])
