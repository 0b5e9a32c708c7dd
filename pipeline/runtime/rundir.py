"""The run directory: made (or checked to be a run) before anything is written, and locked so one
process writes it at a time; a lock left by a dead process is taken over."""
from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import NotARunDirectory, RunLocked
from . import parts


def prepare_run_directory(run_dir: Path, force: bool, created: dict[str, str]) -> None:
    """Make `run_dir` a run (with `created` in its marker), unless it is a folder of something else."""
    marker = run_dir / parts.RUN_MARKER
    if run_dir.exists() and not marker.exists() and any(run_dir.iterdir()) and not force:
        raise NotARunDirectory(str(run_dir))
    run_dir.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        parts.write_json_atomic(created, marker)


def remove_partial_files(run_dir: Path) -> None:
    """Temporary files a killed run was writing; they were never renamed into place."""
    for temporary in run_dir.glob("**/.*.tmp"):
        temporary.unlink(missing_ok=True)


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """One writer per run directory; a lock left by a dead process is taken over."""
    lock = run_dir / "_lock"
    holder = f"pid {os.getpid()} on {socket.gethostname()}"
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            previous = lock.read_text(encoding="utf-8", errors="replace").strip()
            if _holder_alive(previous):
                raise RunLocked(str(run_dir), previous) from None
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(holder)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _holder_alive(holder: str) -> bool:
    fields = holder.split()
    if len(fields) < 4 or fields[3] != socket.gethostname():
        return True  # another machine's lock: we cannot tell, so respect it
    try:
        os.kill(int(fields[1]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
