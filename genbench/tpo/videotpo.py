"""VideoTPO: test-time prompt optimisation around any diffusers video pipeline.

Each round renders ``width`` candidates (same prompt, different seeds); a critic model sees them and
(1) writes each candidate's strengths and weaknesses, (2) turns that into edit directions, (3)
rewrites the prompt. After ``depth`` rounds a video is returned with the full trace.

Two modes:
- ``faithful``: as published in TiViBench — width 2, 3 rounds (2 prompt updates); the critic sees the
  current prompt, a one-line task definition and the first and last frame of each candidate; nothing
  selects the final video (the last round's first candidate is returned, as in the paper).
- ``genbench``: fixes its gaps — the critic sees K frames across the whole video at a usable size
  plus the task's rule; width and depth are free; the returned video is *selected* among all
  candidates, by the task's programmatic checker when one is given, else by a VLM judge; the
  selector used is recorded.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from .pipecall import Compute, PipelineCaller

MAX_PROMPT_TOKENS = 300


@dataclass
class Score:
    score: float
    passed: bool
    detail: dict = field(default_factory=dict)


class Selector:
    """Scores a candidate video; ``name`` is recorded in the trace."""

    name = "none"

    def __call__(self, video: np.ndarray) -> Score:
        raise NotImplementedError


class CheckerSelector(Selector):
    """The task's programmatic checker: score = its partial credit, passed = its verdict."""

    def __init__(self, family, item, fit=None, fps: float | None = None):
        from .. import geometry

        self.family, self.item = family, item
        self.fit, self.fps = fit, fps or family.default_fps
        self._geometry = geometry
        self.name = f"checker:{family.checker_name}"

    def __call__(self, video: np.ndarray) -> Score:
        h, w = video.shape[1:3]
        fit = self.fit or self._geometry.make_fit("letterbox", *self.item.canvas_size, w, h)
        v = self.family.check(self.item, iter(video), fit, self.fps)
        return Score(float(v.score) + (1.0 if v.passed else 0.0), bool(v.passed),
                     {"failure": v.failure, "status": v.status})


class VLMSelector(Selector):
    """A VLM rates how well a candidate solves the task (0–10) from frames across the video."""

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


def sample_frames(video: np.ndarray, k: int, long_side: int = 512) -> list[np.ndarray]:
    idx = np.linspace(0, len(video) - 1, max(1, min(k, len(video)))).round().astype(int)
    return [_shrink(video[i], long_side) for i in idx]


def _shrink(img: np.ndarray, long_side: int) -> np.ndarray:
    s = long_side / max(img.shape[:2])
    if s >= 1:
        return img
    return cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)


def clip_tokens(text: str, limit: int = MAX_PROMPT_TOKENS) -> str:
    """At most ``limit`` whitespace tokens (a model-independent stand-in for the paper's 300 tokens)."""
    words = text.split()
    return " ".join(words[:limit])


@dataclass
class Candidate:
    round: int
    index: int
    seed: int
    prompt: str
    video: np.ndarray = field(repr=False)
    score: Score | None = None

    def to_json(self) -> dict:
        return {"round": self.round, "index": self.index, "seed": self.seed,
                "score": None if self.score is None else {"score": round(self.score.score, 4),
                                                          "passed": self.score.passed, **self.score.detail},
                "frames": int(len(self.video)), "size": [int(self.video.shape[2]), int(self.video.shape[1])]}


@dataclass
class Result:
    video: np.ndarray = field(repr=False)
    selected: Candidate
    candidates: list[Candidate]
    trace: dict
    compute: Compute


def _score(selector: Selector, cands: list[Candidate], compute: Compute) -> None:
    t0 = time.perf_counter()
    for c in cands:
        c.score = selector(c.video)
    compute.selector_seconds += time.perf_counter() - t0


class VideoTPO:
    """``VideoTPO(pipe, critic=backend)(prompt=…, image=…, **pipe_kwargs)`` → Result."""

    def __init__(self, pipe, critic, *, mode: str = "genbench", width: int | None = None, depth: int | None = None,
                 task_definition: str = "", selector: Selector | None = None, critic_frames: int = 8,
                 seed: int = 0, critic_max_tokens: int = 600):
        if mode not in ("faithful", "genbench"):
            raise ValueError(f"unknown VideoTPO mode {mode!r}; use 'faithful' or 'genbench'")
        self.mode = mode
        self.width = width or 2
        self.depth = depth or 3  # rounds of generation (depth − 1 prompt updates)
        if mode == "faithful" and (self.width, self.depth) != (2, 3):
            raise ValueError("faithful mode is the published setting: width 2, 3 rounds")
        self.critic, self.task = critic, task_definition
        self.selector = selector
        self.critic_frames = critic_frames
        self.seed = int(seed)
        self.critic_max_tokens = critic_max_tokens
        self.caller = PipelineCaller(pipe)

    # -- critic calls --------------------------------------------------------------------------------
    def _ask(self, parts: list, compute: Compute) -> str:
        t0 = time.perf_counter()
        reply = self.critic.complete([{"role": "user", "content": parts}], max_tokens=self.critic_max_tokens)
        compute.critic_seconds += time.perf_counter() - t0
        compute.critic_calls += 1
        compute.critic_tokens += reply.usage.prompt_tokens + reply.usage.completion_tokens
        return (reply.text or "").strip()

    def _frames_for_critic(self, video: np.ndarray) -> list[tuple[str, np.ndarray]]:
        if self.mode == "faithful":
            return [("first frame", video[0]), ("last frame", video[-1])]
        frames = sample_frames(video, self.critic_frames)
        idx = np.linspace(0, len(video) - 1, len(frames)).round().astype(int)
        return [(f"frame {i} of {len(video)}", f) for i, f in zip(idx, frames)]

    def _update(self, prompt: str, cands: list[Candidate], compute: Compute) -> dict:
        from ..judges.backends import image_part, text_part

        parts = [text_part(f"Task definition: {self.task}\nCurrent prompt: {prompt}\n"
                           f"Below are {len(cands)} videos generated from this prompt.")]
        for c in cands:
            parts.append(text_part(f"Candidate {chr(65 + c.index)}:"))
            for label, img in self._frames_for_critic(c.video):
                parts += [text_part(label), image_part(img)]
        parts.append(text_part("CRITIQUE: for each candidate, list its strengths and weaknesses with respect to "
                               "the task definition."))
        critique = self._ask(parts, compute)
        directions = self._ask([text_part(
            f"Task definition: {self.task}\nCurrent prompt: {prompt}\nCritique of the videos it produced:\n"
            f"{critique}\n\nEDIT DIRECTIONS: give concrete directions for editing the prompt so the next videos "
            "keep the strengths and fix the weaknesses. A short bullet list.")], compute)
        rewritten = self._ask([text_part(
            f"Current prompt: {prompt}\nEdit directions:\n{directions}\n\nREWRITE: rewrite the prompt following "
            f"the directions, in at most {MAX_PROMPT_TOKENS} tokens. Reply with the new prompt only.")], compute)
        new = clip_tokens(rewritten) or prompt
        return {"critique": critique, "directions": directions, "next_prompt": new}

    # -- the loop -----------------------------------------------------------------------------------------
    def __call__(self, prompt: str, image=None, **pipe_kwargs) -> Result:
        self.caller.check_kwargs(pipe_kwargs)
        compute = self.caller.compute = Compute()
        t0 = time.perf_counter()
        rounds, everyone = [], []
        current = prompt
        for r in range(self.depth):
            seeds = [self.seed * 1000 + r * self.width + k for k in range(self.width)]
            videos = self.caller.generate(current, seeds, image=image, **pipe_kwargs)
            cands = [Candidate(r, k, s, current, v) for k, (s, v) in enumerate(zip(seeds, videos))]
            if self.selector is not None:
                _score(self.selector, cands, compute)
            everyone += cands
            entry = {"round": r, "prompt": current, "candidates": [c.to_json() for c in cands]}
            if r < self.depth - 1:
                entry.update(self._update(current, cands, compute))
                current = entry["next_prompt"]
            rounds.append(entry)
        if self.mode == "faithful" or self.selector is None:
            chosen = next(c for c in everyone if c.round == self.depth - 1 and c.index == 0)
            how = "none: the last round's first candidate (as published)" if self.mode == "faithful" else \
                "none: no selector given, the last round's first candidate"
        else:
            chosen = max(everyone, key=lambda c: (c.score.score, -c.round, -c.index))
            how = self.selector.name
        compute.wall_seconds = time.perf_counter() - t0
        trace = {"mode": self.mode, "width": self.width, "depth": self.depth, "task_definition": self.task,
                 "rounds": rounds, "selected": {"round": chosen.round, "candidate": chosen.index,
                                                "seed": chosen.seed, "selector": how},
                 "compute": compute.to_json()}
        return Result(chosen.video, chosen, everyone, trace, compute)


class BestOfN:
    """N seeds, one prompt, the best by the selector: the compute-matched baseline of VideoTPO."""

    def __init__(self, pipe, n: int, selector: Selector, seed: int = 0):
        self.n, self.selector, self.seed = int(n), selector, int(seed)
        self.caller = PipelineCaller(pipe)

    def __call__(self, prompt: str, image=None, **pipe_kwargs) -> Result:
        compute = self.caller.compute = Compute()
        t0 = time.perf_counter()
        seeds = [self.seed * 1000 + k for k in range(self.n)]
        videos = self.caller.generate(prompt, seeds, image=image, **pipe_kwargs)
        cands = [Candidate(0, k, s, prompt, v) for k, (s, v) in enumerate(zip(seeds, videos))]
        _score(self.selector, cands, compute)
        chosen = max(cands, key=lambda c: (c.score.score, -c.index))
        compute.wall_seconds = time.perf_counter() - t0
        trace = {"mode": "best-of-n", "n": self.n, "candidates": [c.to_json() for c in cands],
                 "selected": {"candidate": chosen.index, "seed": chosen.seed, "selector": self.selector.name},
                 "compute": compute.to_json()}
        return Result(chosen.video, chosen, cands, trace, compute)
