"""The Jupyter kernels perfkit starts: private sockets, their own log, started ahead, and Ctrl-C passed on to them.

Starting a kernel (a new Python, ipykernel, then pandas, matplotlib and perfkit) takes about a
second, most of a small notebook's time. So a kernel is started *before* its job needs it, while
the data is validated or the previous notebook runs and exports (:func:`prestart`), and the
imports every appendix needs are made as it starts (:data:`KERNEL_SETUP`), before it reads any
data. Each kernel still serves exactly one job and is then shut down: no state passes from one
job to the next, as with a kernel started for the job.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from pathlib import Path

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
    "log_tail",
    "prestart",
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

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            RUNNING_KERNELS.discard(getattr(self.provisioner, "pid", None))
            await super()._async_cleanup_resources(restart=restart)

    return LocalKernelManager


class Kernel:
    """One kernel, launched (perhaps before its job starts) for one job, then shut down.

    Launching does not wait for the kernel to be ready: the notebook client waits for that when
    the job starts. A launch that fails is kept and raised when the job takes the kernel, so it
    fails that job, as a kernel that does not start always has.
    """

    def __init__(self, cwd: Path):
        from jupyter_core.utils import run_sync

        self.cwd = cwd
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

    def close(self) -> None:
        """Stop the kernel's clients, shut it down at once and remove its sockets; safe to call twice."""
        if self._sockets is None:
            return
        from jupyter_core.utils import run_sync

        try:
            for client in self.manager.clients:
                client.stop_channels()
            self.manager.clients.clear()
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


def expect(cwds: list[Path]) -> None:
    """Say which jobs this process will run, in order (by their notebooks' folders); the first's kernel starts now.

    Each :func:`take_kernel` then launches the kernel of the job after, so it starts while the
    notebook before it runs and exports.
    """
    _UPCOMING[:] = cwds
    if _UPCOMING:
        prestart(_UPCOMING.pop(0))  # perhaps launched already, while the data was validated


def prestart(cwd: Path) -> None:
    """Launch a kernel for a job that will probably run in ``cwd`` next, unless one is already waiting there."""
    if not _own_spares().get(cwd):
        _launch(cwd)


def take_kernel(cwd: Path) -> Kernel:
    """The kernel launched ahead for ``cwd``, or one launched now; the caller closes it after its one job."""
    waiting = _own_spares().get(cwd)
    kernel = waiting.pop(0) if waiting else Kernel(cwd)
    if _UPCOMING:
        _launch(_UPCOMING.pop(0))
    return kernel


def discard_spares() -> None:
    """Shut down the kernels launched ahead that no job took (the end of a run, a Ctrl-C)."""
    _UPCOMING.clear()
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
    for pid in list(RUNNING_KERNELS):
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            RUNNING_KERNELS.discard(pid)


def log_tail(path: Path, lines: int = 5) -> str:
    """The last lines of a kernel's log, on one line, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])
