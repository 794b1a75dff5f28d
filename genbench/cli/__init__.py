"""The `genbench` command: parses, prints, and calls the Python API (no logic of its own).

One typer app (`common`); the commands register on it from `runs` (make and score runs) and `data`
(datasets, validity).
"""

from .common import app, parse_kv  # noqa: F401  (the entry point and the API other code uses)
from . import runs  # noqa: F401,E402  (importing it registers its commands: ls … report)
from . import data  # noqa: F401,E402  (then export, validate, calibrate-judge, import)


def main() -> None:
    app()
