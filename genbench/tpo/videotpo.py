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
  candidates by a selector (selectors.py: deployable by default, the checker only as a labelled
  oracle); the selector used is recorded.

Both are drop-in wrappers: ``VideoTPO(pipe, critic=…)(prompt=…, image=…, generator=…, **pipe_kwargs)``
is called like the pipeline and returns the pipeline's own output (``.frames`` in the asked
``output_type``, one video per prompt × ``num_videos_per_prompt``), with ``.trace`` (one JSON-able
trace per video) and ``.results`` (candidates, selection, compute). With one round of one candidate
(or ``BestOfN(n=1)``) the video is exactly ``pipe(**same_kwargs)``. The critic may be a chat backend
(the three-stage VLM loop) or a plain callable ``critic(prompt, videos) -> next prompt``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .pipecall import Compute, PipelineCaller, Slot
from .selectors import ORACLE, ORACLE_LABEL, Score, Selector, as_selector, sample_frames

MAX_PROMPT_TOKENS = 300


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
    video: np.ndarray = field(repr=False)  # (F, H, W, 3) uint8, what selectors and critics see
    frames: Any = field(default=None, repr=False)  # as the pipeline returned it; kept for the chosen one only
    score: Score | None = None

    def to_json(self) -> dict:
        return {"round": self.round, "index": self.index, "seed": self.seed,
                "score": None if self.score is None else {"score": round(self.score.score, 4),
                                                          "passed": self.score.passed, **self.score.detail},
                "frames": int(len(self.video)), "size": [int(self.video.shape[2]), int(self.video.shape[1])]}


@dataclass
class Result:
    """One returned video's search: every candidate, the chosen one, the trace and the compute."""

    selected: Candidate
    candidates: list[Candidate]
    trace: dict
    compute: Compute

    @property
    def video(self) -> np.ndarray:
        return self.selected.video


def selector_label(selector: Selector | None) -> str:
    if selector is None:
        return "none"
    return f"{selector.name} ({ORACLE_LABEL})" if selector.kind == ORACLE else selector.name


class _Search:
    """The drop-in call shared by VideoTPO and BestOfN: split the user's call into the videos it
    asks for, search each, and return them in the pipeline's own output object."""

    def __init__(self, pipe, selector, seed: int, batch: int | None):
        self.caller = PipelineCaller(pipe)
        self.selector = as_selector(selector)
        self.seed = int(seed)
        self.batch = batch  # candidates per pipeline call (memory); None: a whole round at once

    def __call__(self, prompt=None, **kwargs):
        slots = self.caller.slots({"prompt": prompt, **kwargs}, self.seed)
        results = [self._search(slot) for slot in slots]
        out = self.caller.assemble([r.selected.frames for r in results])
        out.trace = [r.trace for r in results]
        out.results = results
        return out

    def _render(self, slot: Slot, prompt: str, rnd: int, index0: int, count: int) -> list[Candidate]:
        step = self.batch or count
        cands = []
        for start in range(index0, index0 + count, step):
            for k, (frames, video, seed) in enumerate(self.caller.render(slot, prompt, start, min(step, index0 + count - start))):
                cands.append(Candidate(rnd, start - index0 + k, seed, prompt, video, frames))
        if self.selector is not None:
            t0 = time.perf_counter()
            for c in cands:
                c.score = self.selector(c.video)
            self.caller.compute.selector_seconds += time.perf_counter() - t0
        return cands

    def _choose(self, everyone: list[Candidate], faithful: bool = False) -> Candidate:
        if faithful or self.selector is None:  # the latest round's first candidate
            return max(everyone, key=lambda c: (c.round, -c.index))
        # ties go to the latest round: a selector that cannot tell them apart keeps the critic's work
        return max(everyone, key=lambda c: (c.score.score, c.round, -c.index))

    @staticmethod
    def _keep_only(chosen: Candidate, everyone: list[Candidate]) -> None:
        for c in everyone:  # decoded float videos are large: keep the pipeline's frames of the best one only
            if c is not chosen:
                c.frames = None

    def _search(self, slot: Slot) -> Result:
        raise NotImplementedError


class VideoTPO(_Search):
    """``VideoTPO(pipe, critic=backend_or_callable)(prompt=…, image=…, **pipe_kwargs)`` → pipeline output."""

    def __init__(self, pipe, critic=None, *, mode: str = "genbench", width: int | None = None,
                 depth: int | None = None, task_definition: str = "", selector=None, critic_frames: int = 8,
                 seed: int = 0, critic_max_tokens: int = 600, batch: int | None = None):
        if mode not in ("faithful", "genbench"):
            raise ValueError(f"unknown VideoTPO mode {mode!r}; use 'faithful' or 'genbench'")
        super().__init__(pipe, selector, seed, batch)
        self.mode = mode
        self.width = width or 2
        self.depth = depth or 3  # rounds of generation (depth − 1 prompt updates)
        if mode == "faithful" and (self.width, self.depth) != (2, 3):
            raise ValueError("faithful mode is the published setting: width 2, 3 rounds")
        if critic is None and self.depth > 1:
            raise ValueError("VideoTPO with more than one round needs a critic: a chat backend or "
                             "critic(prompt, videos) -> next prompt")
        if critic is not None and not (hasattr(critic, "complete") or callable(critic)):
            raise TypeError("a critic is a chat backend (.complete) or a callable critic(prompt, videos) -> str")
        self.critic, self.task = critic, task_definition
        self.critic_frames = critic_frames
        self.critic_max_tokens = critic_max_tokens

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
        if not hasattr(self.critic, "complete"):  # a plain callable rewrites the prompt in one step
            t0 = time.perf_counter()
            new = self.critic(prompt, [c.video for c in cands])
            compute.critic_seconds += time.perf_counter() - t0
            compute.critic_calls += 1
            return {"critique": None, "directions": None, "next_prompt": clip_tokens(str(new or "")) or prompt}
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
    def _search(self, slot: Slot) -> Result:
        compute = self.caller.compute = Compute()
        t0 = time.perf_counter()
        rounds, everyone = [], []
        current = slot.prompt
        faithful = self.mode == "faithful"
        for r in range(self.depth):
            cands = self._render(slot, current, r, r * self.width, self.width)
            everyone += cands
            self._keep_only(self._choose(everyone, faithful), everyone)
            entry = {"round": r, "prompt": current, "candidates": [c.to_json() for c in cands]}
            if r < self.depth - 1:
                entry.update(self._update(current, cands, compute))
                current = entry["next_prompt"]
            rounds.append(entry)
        chosen = self._choose(everyone, faithful)
        if faithful:
            how = "none: the last round's first candidate (as published)"
        elif self.selector is None:
            how = "none: no selector given, the last round's first candidate"
        else:
            how = selector_label(self.selector)
        compute.wall_seconds = time.perf_counter() - t0
        trace = {"mode": self.mode, "width": self.width, "depth": self.depth, "task_definition": self.task,
                 "rounds": rounds, "selected": {"round": chosen.round, "candidate": chosen.index,
                                                "seed": chosen.seed, "selector": how,
                                                "oracle_selected": bool(self.selector and self.selector.kind == ORACLE
                                                                        and not faithful)},
                 "compute": compute.to_json()}
        return Result(chosen, everyone, trace, compute)


class BestOfN(_Search):
    """N seeds, one prompt, the best by the selector: the compute-matched baseline of VideoTPO."""

    def __init__(self, pipe, n: int, selector, seed: int = 0, batch: int | None = None):
        if selector is None:
            raise ValueError("best-of-N needs a selector: a deployable one (a VLM judge, a first-frame "
                             "verifier, any callable video -> score) or the task's checker as a labelled oracle")
        super().__init__(pipe, selector, seed, batch)
        self.n = int(n)

    def _search(self, slot: Slot) -> Result:
        compute = self.caller.compute = Compute()
        t0 = time.perf_counter()
        cands = self._render(slot, slot.prompt, 0, 0, self.n)
        chosen = self._choose(cands)
        self._keep_only(chosen, cands)
        compute.wall_seconds = time.perf_counter() - t0
        trace = {"mode": "best-of-n", "n": self.n, "candidates": [c.to_json() for c in cands],
                 "selected": {"candidate": chosen.index, "seed": chosen.seed,
                              "selector": selector_label(self.selector),
                              "oracle_selected": self.selector.kind == ORACLE},
                 "compute": compute.to_json()}
        return Result(chosen, cands, trace, compute)
