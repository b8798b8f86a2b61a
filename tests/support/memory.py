"""Peak resident memory of this process and of its children, read from /proc (Linux).

``getrusage``'s ``ru_maxrss`` is no good here: a process started by fork and exec (or vfork)
inherits the high-water mark of the process that started it, so a crawler child started by a
100 MB parent "peaks" at 100 MB, and a bench started by pytest at pytest's size. ``VmHWM`` in
``/proc/PID/status`` is the peak of the process's own memory since its exec.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident memory of a process since its exec, in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children() -> set[int]:
    """The pids of this process's children (of every one of its threads)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended
    return pids


class ChildPeaks:
    """The peak RSS of each child of this process while the block runs, sampled every ``interval`` s.

    Each child's figure is its last sample: ``VmHWM`` only grows after the exec, and a sample taken
    before it (a vfork child still shares its parent's memory) is overwritten by the later ones.
    """

    def __init__(self, interval: float = 0.05, exclude: set[int] | None = None) -> None:
        self.peaks: dict[int, float] = {}
        self._interval = interval
        self._exclude = exclude or set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @property
    def largest(self) -> float:
        """The largest child's peak, in MB (0 without children)."""
        return max(self.peaks.values(), default=0.0)

    def _watch(self) -> None:
        while not self._done.wait(self._interval):
            for pid in _children() - self._exclude:
                if peak := peak_rss_mb(pid):
                    self.peaks[pid] = peak

    def __enter__(self) -> ChildPeaks:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()
