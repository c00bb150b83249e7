"""The Jupyter kernels perfkit starts: private sockets, their own log, and Ctrl-C passed on to them."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

__all__ = [
    "KERNEL_NAME",
    "KERNEL_SETUP",
    "RUNNING_KERNELS",
    "STOP",
    "interrupt_running_kernels",
    "kernel_manager_class",
    "log_tail",
]

#: The kernel every notebook names, and the one ``make lab`` registers. The runner does not need it
#: installed: it starts this interpreter's own kernel under that name (see :func:`kernel_manager_class`).
KERNEL_NAME = "perfkit"

#: Run in every kernel perfkit starts: a council's own figures and tables get alt text and captions.
KERNEL_SETUP = "--IPKernelApp.exec_lines=import perfkit.display; perfkit.display.install()"

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
