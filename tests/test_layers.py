"""The import layers of DESIGN.md hold (the contracts in pyproject.toml), and the check can fail: a layers
contract written upside down (checkers below vision) is broken by the real imports."""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def _lint(config: Path) -> int:
    cwd = os.getcwd()
    os.chdir(ROOT)  # import-linter finds the package from the working directory
    try:
        return lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)


def test_the_layers_hold():
    assert _lint(ROOT / "pyproject.toml") == 0


def test_an_upside_down_layer_is_caught(tmp_path):
    bad = tmp_path / "upside_down.ini"
    bad.write_text("[importlinter]\nroot_package = genbench\n\n"
                   "[importlinter:contract:upside-down]\nname = vision above checkers\ntype = layers\n"
                   "layers =\n    genbench.vision\n    genbench.checkers\n")
    assert _lint(bad) == 1
