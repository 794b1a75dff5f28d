"""A progress bar for long commands, or nothing when it is turned off (--quiet, tests)."""

from __future__ import annotations


class Bar:
    """``with Bar(True, "judging", total) as bar: … bar.advance()``; ``total`` may be None (count and
    elapsed time only) and set later with :meth:`restart`."""

    def __init__(self, enabled: bool, description: str, total: int | None = None):
        self._progress = None
        self._task = None
        if enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
            self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> "Bar":
        if self._progress:
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress:
            self._progress.stop()

    def advance(self, n: int = 1) -> None:
        if self._progress:
            self._progress.advance(self._task, n)

    def restart(self, description: str, total: int | None) -> None:
        """The next phase: a new description and total, the count back to zero."""
        if self._progress:
            self._progress.reset(self._task, total=total, description=description)
