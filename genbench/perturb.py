"""How a family describes its labelled test videos: a `Perturbation` turns an item into a `Clip`.

The core of the perturbation API, below the task families (which declare their own must-pass and
must-fail cases with it) and `genbench.validate` (which runs them all). See validate's docstring for
the contract.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from . import geometry
from .schema import Fit, TaskItem

PASS = "pass"
SKIP = "skip"
NOT_APPLICABLE = "n/a"

BUDGET: contextvars.ContextVar[int | None] = contextvars.ContextVar("genbench_validate_budget", default=None)


@dataclass
class Clip:
    """A synthetic video: frames in the model frame, the fit the checker is told, encoding quality."""

    frames: Iterable[np.ndarray]
    fps: float
    fit: Fit
    crf: int = 18
    preset: str = "veryfast"  # x264 speed: validation encodes many clips; crf40 keeps "medium"


@dataclass
class Perturbation:
    name: str
    expect: str  # PASS, or the failure code the checker must report
    make: Callable[..., Clip | None]  # make(family, item, rng) -> Clip, or None: not applicable
    description: str = ""
    budget_ok: bool = True  # the clip may be built within validate's frame budget

    @property
    def must_pass(self) -> bool:
        return self.expect == PASS


def solution(family, item: TaskItem, solution_index: int = 0) -> list[np.ndarray]:
    """The ground-truth frames, spread over the run's frame budget when one is set and shorter.

    Rendered once per item and budget: the generic perturbations all start from them, so the suite
    would otherwise redraw the same frames a dozen times per item. Read-only, so no perturbation can
    spoil the next one's input.
    """
    budget = BUDGET.get()
    if budget:
        budget = max(budget, family.min_frames(item) or 0)
    item_key = (family.name, item.content_hash, solution_index)
    if _FRAMES.get("item") != item_key:
        _FRAMES.clear()
        _FRAMES["item"] = item_key
    if "natural" not in _FRAMES:
        _FRAMES["natural"] = _frozen(family.solution_frames(item, solution_index))
    natural = _FRAMES["natural"]
    if not budget or len(natural) <= budget:
        return natural
    if budget not in _FRAMES:
        _FRAMES[budget] = _frozen(family.solution_frames(item, solution_index, num_frames=budget))
    return _FRAMES[budget]


def _frozen(frames: Iterable[np.ndarray]) -> list[np.ndarray]:
    out = []
    for f in frames:
        f = np.asarray(f)
        f.setflags(write=False)
        out.append(f)
    return out


_FRAMES: dict = {}  # the current item's rendered ground truth: "natural" and per frame budget


def canvas_clip(family, item: TaskItem, frames: Iterable[np.ndarray], fps: float | None = None, crf: int = 18) -> Clip:
    """A clip at the task's native canvas size."""
    return Clip(frames, fps or family.default_fps, geometry.identity(*item.canvas_size), crf)


def oracle(family, item: TaskItem) -> list[np.ndarray]:
    return solution(family, item)


# --- generic perturbations -------------------------------------------------------------------------
