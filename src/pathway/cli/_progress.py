"""Progress on standard error for the commands that take more than a moment.

One mechanism for every long command (``simulate``, ``report``, ``diff``, ``conform``,
``export``)::

    with command_progress(args.quiet) as progress:
        progress.stage("simulating 5,000 cases")
        simulate(..., progress=progress.update)     # a bar: done of total
        progress.stage("measuring 5,000 cases")     # a spinner: no total known
        report = analyse(...)
    write_output(...)                                # after the display is gone

It is shown only when standard error is a terminal, ``--quiet`` was not given and the
``CI`` environment variable is unset: in a pipe, a file or CI nothing at all is written,
and standard output is never touched. The display is drawn with rich (in the ``sim`` and
``report`` extras) and removed when the work is done; on a terminal without rich it is
one plain percentage line. rich is imported only here, only when shown, so the core
commands (``validate``, ``show``, ``schema``) never load it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress", "command_progress", "progress_wanted"]


def progress_wanted(quiet: bool) -> bool:
    """Whether to show progress: stderr is a terminal, not ``--quiet``, not under CI."""
    if quiet or os.environ.get("CI"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


class Progress:
    """The progress display of one command: a stage at a time, each with a description,
    and a bar when the stage says how far it has got (:meth:`update`)."""

    def __init__(self, shown: bool) -> None:
        self._shown = shown
        self._bar: Any = None
        self._task: Any = None
        self._description = ""
        self._last = -1

    @property
    def shown(self) -> bool:
        """Whether anything is drawn (stderr is a terminal and not ``--quiet``)."""
        return self._shown

    def stage(self, description: str) -> None:
        """Start the next stage of the work: its description, and no total yet."""
        self._description = description
        self._last = -1
        if self._shown and self._bar is None and self._task is None:
            self._bar, self._task = _rich_bar(description)  # drawn from the first stage on
        elif self._bar is not None:
            self._bar.reset(self._task, total=None, description=description)
        if self._bar is None and self._shown:
            self._plain(description)

    def update(self, done: int, total: int) -> None:
        """The current stage has done ``done`` of ``total`` (the simulator's callback)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
            return
        percent = 100 * done // max(total, 1)
        if self._shown and percent != self._last:
            self._last = percent
            self._plain(f"{self._description}: {percent}%")

    def close(self) -> None:
        """Remove the display (the command's output follows on a clean line)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self._shown:
            self._plain("")
        self._shown = False

    def _plain(self, text: str) -> None:
        """One plain status line, redrawn in place (no rich)."""
        width = max(len(self._description) + 6, 40)
        sys.stderr.write(f"\r{text[:width]:<{width}}\r" if text else f"\r{' ' * width}\r")
        sys.stderr.flush()


def _rich_bar(description: str) -> tuple[Any, Any]:
    """A started rich progress display on stderr and its one task; ``(None, False)``
    when rich is not installed (plain lines then)."""
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress
    except ImportError:
        return None, False
    bar = RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    return bar, bar.add_task(description, total=None)


@contextmanager
def command_progress(quiet: bool = False) -> Iterator[Progress]:
    """A :class:`Progress` for one command, removed when the block ends (even on error)."""
    progress = Progress(progress_wanted(quiet))
    try:
        yield progress
    finally:
        progress.close()
