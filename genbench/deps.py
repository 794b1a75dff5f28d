"""Optional dependencies: import one where it is needed, or say which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingDependency(ImportError):
    """An optional package is not installed; the message names the pip command that installs it."""


def require(module: str, purpose: str, extra: str) -> ModuleType:
    """Import ``module`` (e.g. "openai") for ``purpose`` or raise MissingDependency naming
    ``pip install "genbench[extra]"``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module.split(".")[0]:  # the package is there but broken: its own error says more
            raise
        raise MissingDependency(f"{purpose} needs the {module!r} package, which is not installed: "
                                f'pip install "genbench[{extra}]"') from None
