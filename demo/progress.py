"""A progress bar for one seeding step, on the command's output.

On a terminal: one line redrawn in place (``\\r``) as the percentage moves, erased when the step is
done so that the runner's summary line takes its place. Otherwise (a log, a pipe, a test's
StringIO): a line at every tenth of the way once the step has taken a few seconds, so a long run
shows it is alive without flooding the log of a short one.
"""

import time
from typing import Any

BAR_WIDTH = 30
QUIET_SECONDS = 3.0  # no lines (off a terminal) for a step that is done sooner


class Progress:
    def __init__(self, out: Any, label: str, total: int) -> None:
        self.out, self.label, self.total = out, label, total
        self.done = 0
        isatty = getattr(out, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.shown = -1  # the last percentage (terminal) or tenth (otherwise) shown
        self.started = time.perf_counter()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.total <= 0:
            return
        percent = min(100, self.done * 100 // self.total)
        if self.tty:
            if percent != self.shown:
                self.shown = percent
                filled = BAR_WIDTH * percent // 100
                bar = "#" * filled + "." * (BAR_WIDTH - filled)
                self._write(f"\r  {self.label:<12} [{bar}] {percent:3d}% ({self.done:,}/{self.total:,})", end="")
        elif percent // 10 > self.shown and percent < 100:
            self.shown = percent // 10
            elapsed = time.perf_counter() - self.started
            if self.shown and elapsed >= QUIET_SECONDS:
                self._write(f"  {self.label:<12} {percent:3d}% ({self.done:,}/{self.total:,}, {elapsed:.0f} s)")

    def close(self) -> None:
        """Erase the bar (terminal); the caller prints the step's summary next."""
        if self.tty and self.shown >= 0:
            self._write("\r" + " " * (BAR_WIDTH + len(self.label) + 40) + "\r", end="")

    def _write(self, text: str, *, end: str = "\n") -> None:
        try:  # Django's OutputWrapper takes ``ending``; a plain stream adds nothing itself
            self.out.write(text, ending=end)
        except TypeError:
            self.out.write(text + end)
        flush = getattr(self.out, "flush", None)
        if flush:
            flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
