"""Publish a built job: its files and its manifest entry go into the quarter's folder in one atomic swap.

Only the process holding the output folder's lock publishes (:mod:`perfkit.batch.lock`), one
job at a time, so the quarter's folder is always rebuilt from its latest version. What a job
publishes replaces only what that job made: the files of other jobs and any file someone else
put in the folder are carried over. A job that succeeds also removes what it made before and no
longer makes (a PDF when only HTML was asked for this time) and its copy in ``failed/``, since
neither would match the new files; a job that fails publishes only its executed notebook (and a
traceback, for a fault in perfkit) in ``failed/``, and its earlier good files stay, still listed
in the manifest.
"""

from __future__ import annotations

import errno

from .jobs import JobResult
from .lock import unusable_folder
from .manifest import MANIFEST, file_record, job_entry, last_success, manifest_bytes, read_manifest
from .swap import current_folder, remove, replace_folder

__all__ = ["publish"]


def _failed_names(name: str) -> tuple[str, str]:
    return f"failed/{name}.ipynb", f"failed/{name}.traceback.txt"


def publish(result: JobResult) -> JobResult:
    """Move a built job's files into its quarter's folder, with the quarter's manifest, atomically.

    Skipped, interrupted and not-run jobs, and jobs that found the output folder unusable,
    publish nothing. The job's staging folder is removed in every case.

    Returns
    -------
    JobResult
        The same result, its ``outputs`` now the published paths; or, when publishing failed
        (a full disk, a folder that refuses files), failed with the reason.
    """
    job = result.job
    try:
        if result.skipped or result.interrupted or result.not_run or result.fatal:
            return result
        folder = job.folder
        entries = dict(read_manifest(current_folder(job.out_dir, folder.name)).jobs)
        good = last_success(entries.get(job.name))
        failed_notebook, failed_traceback = _failed_names(job.name)
        files = {}
        if result.ok:
            files = {path.name: path for path in result.outputs}
            made_before = set(good["outputs"]) if good else set()
            drop = (made_before - set(files)) | {failed_notebook, failed_traceback}
            entry = job_entry(result, {name: file_record(path) for name, path in files.items()})
        else:
            if result.failed_copy is not None:
                files[failed_notebook] = result.failed_copy
            if result.traceback and result.staging is not None:
                trace = result.staging / f"{job.name}.traceback.txt"
                trace.write_text(result.traceback, encoding="utf-8")
                files[failed_traceback] = trace
            drop = {failed_notebook, failed_traceback} - set(files)  # an older failure's copy would mislead
            kept = {n: m for n, m in (good or {}).get("outputs", {}).items() if (folder / n).is_file()}
            entry = job_entry(result, kept, good, failed_notebook if failed_notebook in files else "")
        entries[job.name] = entry
        document = manifest_bytes(job.quarter, entries, job.data_dir, job.sources)
        replace_folder(folder, files, drop=drop, write={MANIFEST: document})
        if result.ok:
            result.outputs = [folder / name for name in files]
        else:
            if failed_notebook in files:
                result.error += f" The executed notebook, with the error, is kept at {folder / failed_notebook}."
        return result
    except NotADirectoryError as exc:
        result.outputs = []
        result.error = (
            f"{job.folder} is not a folder but a file or a symbolic link ({exc.strerror}). perfkit replaces a "
            "quarter's folder as a whole and never writes through a link, so nothing was published for "
            f"{job.label}. Move it out of the way and run again."
        )
        return result
    except OSError as exc:
        problem = unusable_folder(job.out_dir, exc, f"publishing {job.label}")
        result.outputs = []
        result.error = str(problem)
        result.fatal = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)
        return result
    finally:
        if result.staging is not None:
            remove(result.staging)
            result.staging = None
