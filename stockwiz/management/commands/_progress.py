"""A one-line progress bar for long commands, shown only on a terminal.

Commands print their results on stdout; the bar goes to stderr and only
when stderr is a terminal, so logs and pipes stay clean.
"""

import sys
import time

BAR_WIDTH = 30
# Redraw at most this often: drawing costs more than the work between draws.
REDRAW_SECONDS = 0.1


class Progress:
    """``with Progress(total, "importing") as bar: bar.advance(n)``."""

    def __init__(self, total, label, *, stream=None, show=True):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        isatty = getattr(self.stream, "isatty", None)
        self.visible = show and isatty is not None and isatty()
        self._drawn_at = 0.0

    def __enter__(self):
        self._draw()
        return self

    def __exit__(self, exc_type, exc, traceback):
        if self.visible:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, count=1):
        self.done += count
        self._draw()

    def _draw(self, *, force=False):
        if not self.visible:
            return
        now = time.monotonic()
        if not force and now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {share:4.0%} {self.done}/{self.total}"
        )
        self.stream.flush()
