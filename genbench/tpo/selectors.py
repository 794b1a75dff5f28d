"""Who picks the final video of a test-time search, and whether a user could have done it.

- **deployable**: reads only what a user has at test time — the video, the prompt and the first
  frame the model was given. A VLM judge (``VLMSelector``), a verifier that rebuilds the task from
  the video's own first frame (``FirstFrameVerifier``), a reward model, any plain callable.
- **oracle**: the task's programmatic checker (``CheckerSelector``), which knows the solution. It
  gives an upper bound, is opt-in, and everything it selects is labelled ``oracle-selected``.

A selector is anything callable as ``selector(video) -> Score | float | bool`` on a (F, H, W, 3)
uint8 video; ``as_selector`` wraps plain callables (recorded as deployable unless they carry
``kind = "oracle"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

DEPLOYABLE, ORACLE = "deployable", "oracle"
ORACLE_LABEL = "oracle-selected"


@dataclass
class Score:
    score: float
    passed: bool | None = None  # the selector's own yes/no, if it has one (never the reported success)
    detail: dict = field(default_factory=dict)


def as_score(x) -> Score:
    if isinstance(x, Score):
        return x
    if isinstance(x, (bool, np.bool_)):
        return Score(float(x), bool(x))
    return Score(float(x))


class Selector:
    """Scores a candidate video; ``name`` and ``kind`` are recorded in the trace."""

    name = "none"
    kind = DEPLOYABLE

    def __call__(self, video: np.ndarray) -> Score:
        raise NotImplementedError


class _Callable(Selector):
    def __init__(self, fn: Callable):
        self.fn = fn
        self.name = getattr(fn, "name", getattr(fn, "__name__", type(fn).__name__))
        self.kind = getattr(fn, "kind", DEPLOYABLE)

    def __call__(self, video):
        return as_score(self.fn(video))


def as_selector(obj) -> Selector | None:
    if obj is None or isinstance(obj, Selector):
        return obj
    if not callable(obj):
        raise TypeError(f"a selector is callable as selector(video) -> score; got {type(obj).__name__}")
    return _Callable(obj)


class CheckerSelector(Selector):
    """ORACLE: the task's programmatic checker (it knows the solution). Score = partial credit + 1 if
    passed."""

    kind = ORACLE

    def __init__(self, family, item, fit=None, fps: float | None = None):
        from .. import geometry

        self.family, self.item = family, item
        self.fit, self.fps = fit, fps or family.default_fps
        self._geometry = geometry
        self.name = f"checker:{family.checker_name}"

    def __call__(self, video: np.ndarray) -> Score:
        h, w = video.shape[1:3]
        fit = self.fit or self._geometry.make_fit("letterbox", *self.item.canvas_size, w, h)
        if (fit.frame_w, fit.frame_h) != (w, h):  # a low-resolution preview of the same frame
            fit = self._geometry.rescale(fit, w, h)
        v = self.family.check(self.item, iter(video), fit, self.fps)
        return Score(float(v.score) + (1.0 if v.passed else 0.0), bool(v.passed),
                     {"failure": v.failure, "status": v.status})


class VLMSelector(Selector):
    """DEPLOYABLE: a VLM rates how well a candidate solves the task (0–10) from frames across the video."""

    def __init__(self, backend, task_definition: str, frames: int = 6):
        self.backend, self.task, self.k = backend, task_definition, frames
        self.name = f"vlm:{backend.model_id}"

    def __call__(self, video: np.ndarray) -> Score:
        from ..judges.backends import image_part, text_part

        parts = [text_part(f"Task: {self.task}\nThese frames are sampled in order across one video. "
                           "Rate from 0 to 10 how correctly the video carries out the task, following "
                           "its rules at every step. Reply with the number only.")]
        parts += [image_part(f) for f in sample_frames(video, self.k)]
        reply = self.backend.complete([{"role": "user", "content": parts}], max_tokens=8)
        m = re.search(r"\d+(\.\d+)?", reply.text or "")
        score = min(10.0, float(m.group())) if m else 0.0
        return Score(score / 10.0, score >= 8.0, {"raw": reply.text})


class FirstFrameVerifier(Selector):
    """DEPLOYABLE: a verifier that rebuilds the task from the video's *own first frame* (no item
    state) and checks the rest of the video against it.

    ``verify(video, prompt)`` returns a Verdict-like object (``passed``, ``score``, ``failure``) or a
    number. The maze layout reader of the issue "Checkers that hold on what models really make"
    (``genbench.checkers``) plugs in here; ``maze_self_verifier()`` builds one when it is installed.
    """

    def __init__(self, verify: Callable, prompt: str = "", name: str = "first-frame-verifier"):
        self.verify, self.prompt, self.name = verify, prompt, name

    def __call__(self, video: np.ndarray) -> Score:
        v = self.verify(video, self.prompt)
        if hasattr(v, "passed"):
            ok = bool(v.passed) and getattr(v, "status", "ok") == "ok"
            return Score(float(getattr(v, "score", 0.0) or 0.0) + (1.0 if ok else 0.0), ok,
                         {"failure": getattr(v, "failure", None)})
        return as_score(v)


def maze_self_verifier(prompt: str = "") -> FirstFrameVerifier:
    """The first-frame maze self-verifier, from the layout reader of ``genbench.checkers``."""
    try:
        from ..checkers import verify_from_first_frame  # noqa: F401  (issue 22's layout reader)
    except ImportError as e:
        raise ValueError("--tpo-selector self-verify needs the maze layout reader "
                         "(genbench.checkers.verify_from_first_frame), which this build does not have yet; "
                         "use --tpo-selector vlm --critic openai:MODEL, or --tpo-selector oracle "
                         "(an upper bound, labelled oracle-selected)") from e
    return FirstFrameVerifier(verify_from_first_frame, prompt, name="self-verify:first-frame")


def sample_frames(video: np.ndarray, k: int, long_side: int = 512) -> list[np.ndarray]:
    idx = np.linspace(0, len(video) - 1, max(1, min(k, len(video)))).round().astype(int)
    return [_shrink(video[i], long_side) for i in idx]


def _shrink(img: np.ndarray, long_side: int) -> np.ndarray:
    s = long_side / max(img.shape[:2])
    if s >= 1:
        return img
    return cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
