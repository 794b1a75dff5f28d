"""HTML report of a run directory: ``write_report(run_dir, out=None) -> Path`` (``genbench report``)."""

from .html import write_report

__all__ = ["write_report"]
