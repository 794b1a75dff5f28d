"""Checker validity: synthesise labelled videos from each task's own solution and judge them.

A perturbation turns an item into a clip (frames in some model frame, its fps, the geometry the
checker is told, and the encoder quality) and says what the checker must decide: "pass", or the
failure code it must report.

How a family gets covered (the whole contract):

* Nothing to do for the GENERIC perturbations below (re-encoding, letterbox / stretch, frame rates,
  holds, noise, blur, colour, zoom / shift, ghosting, and the static / cut / backwards controls):
  they are built from ``solution_frames`` / ``final_frame`` and run on every registered family ×
  skin × difficulty (hard skins included).
* Re-label or turn off a generic one with a class attribute::

      perturbation_expectations = {"cut_to_final": "WRONG_ANSWER", "backwards": "skip"}

* Add the family's own must-fail (and must-pass) cases in one method::

      def perturbations(self):
          from genbench.perturb import Perturbation, canvas_clip, solution
          def stop_short(fam, item, rng):
              path = item.state["solutions"][0][:-1]
              return canvas_clip(fam, item, fam.frames_at(item, path))
          return [Perturbation("stop_short", "GOAL_NOT_REACHED", stop_short, "one move short")]

  ``make(family, item, rng)`` returns a ``Clip`` (``canvas_clip`` for the task's own canvas), or
  None when the case does not exist for this item (e.g. a maze without a dead end): it is counted
  as not applicable, never as a pass. A family's perturbation with a generic name replaces it.
* ``solution(family, item)`` gives the ground-truth frames within the run's frame budget
  (``validate(max_frames=...)``, used by CI to keep clips short; never below the family's
  ``min_frames(item)``); set ``budget_ok=False`` on a perturbation whose meaning depends on the
  natural pace (frame-rate changes, motion blur).

``tests/test_validate.py`` resolves the registry at test time, so a new family is validated by CI
the moment it is registered.

    genbench validate --tasks maze --n 2 --out runs/validate
"""

from __future__ import annotations

import fnmatch
import json
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import cv2
import numpy as np

from . import geometry
from .registry import resolve_tasks, task_family
from .schema import TaskItem
from .seeding import item_rng
from .perturb import (BUDGET, NOT_APPLICABLE, PASS, SKIP, Clip, Perturbation, canvas_clip,  # noqa: F401
                      oracle, solution)
from .video import resample_indices, write_video

def _fitted(family, item, size, mode) -> Clip:
    fit = geometry.make_fit(mode, *item.canvas_size, *size)
    pad = geometry.border_colour(item.first_frame)
    return Clip((geometry.apply(fit, f, pad) for f in solution(family, item)), family.default_fps, fit)


def _fps(family, item, fps) -> Clip:
    frames = oracle(family, item)
    idx = resample_indices(len(frames), family.default_fps, fps)
    return canvas_clip(family, item, [frames[i] for i in idx], fps)


def _map(family, item, fn) -> Clip:
    return canvas_clip(family, item, (fn(f) for f in solution(family, item)))


def _noise(rng, sigma):
    def f(img):
        return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)
    return f


def _colour(img, gain=(1.08, 0.95, 1.04), bias=(12, -8, 6), contrast=0.9):
    x = img.astype(np.float32)
    x = (x - 128) * contrast + 128
    return np.clip(x * np.array(gain) + np.array(bias), 0, 255).astype(np.uint8)


def _zoom_shift(img, zoom=1.02, dx=0.012, dy=-0.01):
    """A small global zoom and shift, as generative models drift (≤ 3% of the frame)."""
    h, w = img.shape[:2]
    m = np.array([[zoom, 0, (1 - zoom) * w / 2 + dx * w], [0, zoom, (1 - zoom) * h / 2 + dy * h]], np.float32)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def shipped_canvases() -> list[tuple[int, int, int, float]]:
    """(width, height, frames, fps) of every real model preset we ship, plus LTX's 768×512 at 121
    frames: the ground truth must pass at each, as the oracle generator renders it for that model."""
    from .generators.presets import PRESETS

    out = {(p.width, p.height, p.num_frames, float(p.fps)) for p in PRESETS.values() if p.repo}
    out.add((768, 512, 121, 24.0))
    return sorted(out)


def _preset(family, item, w: int, h: int, n: int, fps: float) -> Clip | None:
    """The ground truth as the oracle generator makes it for one model: its frame count and fps,
    letterboxed into its canvas. Not applicable where the model has fewer frames than the item's
    solution needs (``min_frames``: a 30-move maze in CogVideoX's 49 frames jumps cells)."""
    if n < (family.min_frames(item) or 0):
        return None
    fit = geometry.make_fit("letterbox", *item.canvas_size, w, h)
    pad = geometry.border_colour(item.first_frame)
    frames = family.solution_frames(item, fps=fps, num_frames=n)
    return Clip((geometry.apply(fit, f, pad) for f in frames), fps, fit)


def camera_motion(frames: Iterable[np.ndarray], rng, zoom: float = 0.0, pan: tuple[float, float] = (0.0, 0.0),
                  shake_px: float = 0.0) -> list[np.ndarray]:
    """A camera that drifts over the clip, as video models do: the zoom and the pan grow linearly
    from nothing on the first frame to ``zoom`` (fraction, ±) and ``pan`` (fraction of the frame)
    on the last, with a random shake of up to ``shake_px`` pixels on every frame but the first."""
    frames = list(frames)
    n = max(len(frames) - 1, 1)
    out = []
    for i, img in enumerate(frames):
        h, w = img.shape[:2]
        t = i / n
        z = 1.0 + zoom * t
        dx, dy = pan[0] * t * w, pan[1] * t * h
        if shake_px and i:
            dx, dy = dx + rng.uniform(-shake_px, shake_px), dy + rng.uniform(-shake_px, shake_px)
        m = np.array([[z, 0, (1 - z) * w / 2 + dx], [0, z, (1 - z) * h / 2 + dy]], np.float32)
        out.append(cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
    return out


DRIFT = {"zoom": 0.02, "pan": (0.015, -0.01), "shake_px": 2.0}  # the combined drift of must-pass and must-fail


def _moving(make, **motion) -> Callable[..., Clip | None]:
    """A clip builder whose clip is filmed by a drifting camera (in the model frame)."""
    def build(family, item, rng):
        clip = make(family, item, rng)
        if clip is None:
            return None
        return Clip(camera_motion(clip.frames, rng, **motion), clip.fps, clip.fit, clip.crf, clip.preset)
    return build


def _with_drift(p: Perturbation) -> Perturbation:
    """A layout change must still be caught when the camera drifts as well."""
    return Perturbation(p.name + "+drift", p.expect, _moving(p.make, **DRIFT),
                        (p.description + ", under camera drift").lstrip(", "), p.budget_ok)


def _ghost(family, item) -> Clip:
    """Motion ghosting: each frame blended with the previous one (sprites smear between cells)."""
    def gen():
        prev = None
        for f in solution(family, item):
            yield f if prev is None else ((f.astype(np.uint16) * 3 + prev) // 4).astype(np.uint8)
            prev = f
    return canvas_clip(family, item, gen())


def _hold(family, item, seconds=3.0) -> Clip:
    frames = oracle(family, item)
    return canvas_clip(family, item, frames + [frames[-1]] * int(seconds * family.default_fps))


def _lead_in(family, item, seconds=1.5) -> Clip:
    frames = oracle(family, item)
    return canvas_clip(family, item, [frames[0]] * int(seconds * family.default_fps) + frames)


def _static(family, item) -> Clip:
    n = sum(1 for _ in solution(family, item))
    return canvas_clip(family, item, [item.first_frame] * n)


def _cut(family, item) -> Clip:
    n = sum(1 for _ in solution(family, item))
    final = family.final_frame(item)
    return canvas_clip(family, item, [item.first_frame] * (n // 2) + [final] * (n - n // 2))


def _backwards(family, item) -> Clip:
    return canvas_clip(family, item, oracle(family, item)[::-1])


def _oracle_clip(family, item, rng) -> Clip:
    return canvas_clip(family, item, solution(family, item))


def _crf(family, item, crf: int, fps: float | None = None, clip: Clip | None = None) -> Clip:
    """A clip (the ground truth by default, resampled to ``fps``) encoded at low quality."""
    clip = clip or (_fps(family, item, fps) if fps else _oracle_clip(family, item, None))
    return Clip(clip.frames, clip.fps, clip.fit, crf=crf, preset="medium")


GENERIC: list[Perturbation] = [
    Perturbation("oracle", PASS, lambda fam, it, rng: canvas_clip(fam, it, solution(fam, it)),
                 "the ground truth as rendered"),
    Perturbation("crf40", PASS, lambda fam, it, rng: Clip(solution(fam, it), fam.default_fps,
                                                           geometry.identity(*it.canvas_size), crf=40,
                                                           preset="medium"),
                 "re-encoded at low quality (CRF 40)"),
    Perturbation("letterbox_832x480", PASS, lambda fam, it, rng: _fitted(fam, it, (832, 480), "letterbox")),
    Perturbation("letterbox_480x832", PASS, lambda fam, it, rng: _fitted(fam, it, (480, 832), "letterbox")),
    Perturbation("stretch_1280x720", PASS, lambda fam, it, rng: _fitted(fam, it, (1280, 720), "stretch")),
    Perturbation("fps8", PASS, lambda fam, it, rng: _fps(fam, it, 8), budget_ok=False),
    Perturbation("fps15", PASS, lambda fam, it, rng: _fps(fam, it, 15), budget_ok=False),
    Perturbation("fps24", PASS, lambda fam, it, rng: _fps(fam, it, 24)),
    Perturbation("long_hold", PASS, lambda fam, it, rng: _hold(fam, it), "3 s extra on the final state"),
    Perturbation("lead_in", PASS, lambda fam, it, rng: _lead_in(fam, it), "1.5 s still before the motion"),
    Perturbation("noise", PASS, lambda fam, it, rng: _map(fam, it, _noise(rng, 8.0)), "Gaussian noise σ=8"),
    Perturbation("blur", PASS, lambda fam, it, rng: _map(fam, it, lambda f: cv2.GaussianBlur(f, (5, 5), 1.2))),
    Perturbation("colour_shift", PASS, lambda fam, it, rng: _map(fam, it, _colour),
                 "brightness, contrast and colour balance shifted"),
    Perturbation("zoom_shift", PASS, lambda fam, it, rng: _map(fam, it, _zoom_shift),
                 "2% zoom and ~1% shift of the whole frame"),
    Perturbation("ghosting", PASS, lambda fam, it, rng: _ghost(fam, it), "each frame blended with the last",
                 budget_ok=False),
    *[Perturbation(f"preset_{w}x{h}_{n}f", PASS, lambda fam, it, rng, a=(w, h, n, fps): _preset(fam, it, *a),
                   f"the ground truth at {n} frames, {fps:g} fps, letterboxed into {w}×{h}", budget_ok=False)
      for w, h, n, fps in shipped_canvases()],
    Perturbation("static", "STATIC", lambda fam, it, rng: _static(fam, it), "the first frame repeated"),
    Perturbation("cut_to_final", "TELEPORT", lambda fam, it, rng: _cut(fam, it), "a cut to the solved frame"),
    Perturbation("backwards", "WRONG_START", lambda fam, it, rng: _backwards(fam, it), "the oracle reversed"),
]


# a camera that drifts more and more over the clip (generative models zoom, pan and shake): the
# checkers track their alignment through the video; layout changes must still fail under it
CAMERA: list[Perturbation] = [
    Perturbation("zoom_in_ramp", PASS, _moving(_oracle_clip, zoom=0.02), "zoom growing to +2% over the clip"),
    Perturbation("zoom_out_ramp", PASS, _moving(_oracle_clip, zoom=-0.02), "zoom growing to −2% over the clip"),
    Perturbation("pan_ramp", PASS, _moving(_oracle_clip, pan=(0.02, 0.01)), "a slow pan to 2% of the frame"),
    Perturbation("shake", PASS, _moving(_oracle_clip, shake_px=2.0), "a 2-px camera shake on every frame"),
    Perturbation("drift_crf38", PASS, _moving(lambda fam, it, rng: _crf(fam, it, 38), **DRIFT),
                 "zoom + pan + shake growing over the clip, CRF 38"),
    Perturbation("drift_fps16_crf34", PASS, _moving(lambda fam, it, rng: _crf(fam, it, 34, fps=16), **DRIFT),
                 "camera drift at 16 fps, CRF 34", budget_ok=False),
    Perturbation("drift_letterbox_crf40", PASS,
                 _moving(lambda fam, it, rng: _crf(fam, it, 40, clip=_fitted(fam, it, (832, 480), "letterbox")),
                         **DRIFT), "camera drift after letterboxing into 832×480, CRF 40"),
]


# checkers that follow a drifting camera through the video (re-aligning when the layout reads wrong,
# Sokoban's walls included): the camera perturbations run on them. A family
# whose checker tracks but which still fails it says so: ``tracks_camera = False``.
TRACKS_CAMERA = {"trajectory", "process", "board", "pointer", "tiles", "stroke", "sokoban"}


def perturbations_for(family) -> list[Perturbation]:
    """Generic perturbations (with the family's re-labels and skips) plus the family's own."""
    over = getattr(family, "perturbation_expectations", {}) or {}
    tracks = getattr(family, "checker_name", None) in TRACKS_CAMERA and getattr(family, "tracks_camera", True)
    out = []
    for p in GENERIC + CAMERA * tracks:
        expect = over.get(p.name, p.expect)
        if expect != SKIP:
            out.append(Perturbation(p.name, expect, p.make, p.description, p.budget_ok))
    own = family.perturbations() if hasattr(family, "perturbations") else []
    own = own + [_with_drift(p) for p in own if p.expect == "LAYOUT_CHANGED" and tracks]
    names = {p.name for p in out}
    for p in own:
        if p.name in names:  # a family's own version replaces the generic one
            out = [q for q in out if q.name != p.name]
        out.append(p)
    return out


# --- the suite ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    family: str
    difficulty: str
    skin: str
    item_id: str
    perturbation: str
    expect: str
    got: str  # "pass", a failure code, or "error"
    ok: bool
    message: str
    frames: int
    seconds: float

    def to_json(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def table(self) -> list[dict]:
        """Per perturbation: expected verdict, count, correct, and the verdicts actually seen."""
        rows = defaultdict(lambda: {"n": 0, "correct": 0, "got": Counter()})
        for o in self.outcomes:
            if o.got == NOT_APPLICABLE:
                continue
            r = rows[(o.family, o.perturbation, o.expect)]
            r["n"] += 1
            r["correct"] += o.ok
            r["got"][o.got] += 1
        return [{"family": f, "perturbation": p, "expect": e, "n": r["n"], "correct": r["correct"],
                 "accuracy": round(r["correct"] / r["n"], 4), "got": dict(r["got"])}
                for (f, p, e), r in sorted(rows.items())]

    def error_rates(self) -> list[dict]:
        """Per family: the must-pass false-fail rate and the must-fail false-pass rate (a wrong code
        counts as a miss, not as a false pass), each with its Wilson 95% interval: "no miss" in n
        videos still allows a rate up to the interval's upper end. Rate and interval are None where
        there is no video to count (a family with no must-fail videos has no false-pass rate, not 0%)."""
        by = defaultdict(lambda: {"pass_n": 0, "false_fail": 0, "fail_n": 0, "false_pass": 0, "wrong_code": 0})
        for o in self.outcomes:
            if o.got == NOT_APPLICABLE:
                continue
            r = by[o.family]
            if o.expect == PASS:
                r["pass_n"] += 1
                r["false_fail"] += not o.ok
            else:
                r["fail_n"] += 1
                r["false_pass"] += o.got == PASS
                r["wrong_code"] += o.got not in (PASS, o.expect)
        return [{"family": fam, **r,
                 "false_fail_rate": _rate(r["false_fail"], r["pass_n"]), "false_fail_ci": _ci(r["false_fail"], r["pass_n"]),
                 "false_pass_rate": _rate(r["false_pass"], r["fail_n"]), "false_pass_ci": _ci(r["false_pass"], r["fail_n"])}
                for fam, r in sorted(by.items())]

    def summary(self) -> dict:
        judged = [o for o in self.outcomes if o.got != NOT_APPLICABLE]
        must_pass = [o for o in judged if o.expect == PASS]
        must_fail = [o for o in judged if o.expect != PASS]
        frames = sum(o.frames for o in self.outcomes)
        secs = sum(o.seconds for o in self.outcomes)
        return {
            "videos": len(judged),
            "not_applicable": len(self.outcomes) - len(judged),
            **_counted("must_pass", must_pass), **_counted("must_fail", must_fail),
            "misses": sum(not o.ok for o in self.outcomes),
            "checker_fps": round(frames / secs, 1) if secs else None,
        }

    def to_json(self) -> dict:
        return {"summary": self.summary(), "error_rates": self.error_rates(), "table": self.table(),
                "misses": [o.to_json() for o in self.outcomes if not o.ok]}


def _counted(kind: str, outcomes: list[Outcome]) -> dict:
    """``kind``_n, _correct, _accuracy and its Wilson _ci (accuracy and ci None when there are none)."""
    k, n = sum(o.ok for o in outcomes), len(outcomes)
    return {f"{kind}_n": n, f"{kind}_correct": k, f"{kind}_accuracy": _rate(k, n), f"{kind}_ci": _ci(k, n)}


def rate_text(k: int, n: int, ci) -> str:
    """"k/n = rate [Wilson 95% interval]"; "none" where there is no video (not 0.00%)."""
    return f"{k}/{n} = {k / n:.2%} [{ci[0]:.2%}, {ci[1]:.2%}]" if n else "none"


def summary_line(summary: dict) -> str:
    """Both accuracies of ``Report.summary()`` with denominators and intervals, e.g. "must-pass
    correct 40/40 = 100.00% [91.24%, 100.00%]; must-fail correct: none"."""
    return "; ".join(f"{kind.replace('_', '-')} correct " + rate_text(summary[f"{kind}_correct"], summary[f"{kind}_n"],
                                                                       summary[f"{kind}_ci"])
                     for kind in ("must_pass", "must_fail"))


def _rate(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def _ci(k: int, n: int) -> list[float] | None:
    """Wilson 95% interval of k in n, None for no videos."""
    from .metrics import wilson

    return [round(x, 4) for x in wilson(k, n)] if n else None


def combos(tasks: str = "all", difficulties: list[str] | None = None, skins: list[str] | None = None):
    """Every (family name, difficulty, skin) to validate, hard skins included."""
    out = []
    for fam_name in resolve_tasks(tasks):
        family = task_family(fam_name)
        known = list(getattr(family, "all_skins", None) or family.skins or [None])
        for difficulty in difficulties or family.difficulties:
            if difficulty not in family.difficulties:
                continue
            for skin in (skins or known):
                if skin in known:
                    out.append((fam_name, difficulty, skin))
    return out


def selected(perturbations: list[Perturbation], only: list[str] | None) -> list[Perturbation]:
    """The perturbations named by ``only`` (names or shell patterns: ``preset_*``, ``*+drift``); all
    of them when ``only`` is empty."""
    if not only:
        return list(perturbations)
    return [p for p in perturbations if any(fnmatch.fnmatchcase(p.name, pat) for pat in only)]


def planned_clips(tasks: str = "all", n: int = 1, difficulties: list[str] | None = None,
                  skins: list[str] | None = None, only: list[str] | None = None, rotate: int | None = None,
                  keep_oracle: bool = True) -> int:
    """How many clips :func:`validate` will judge with these arguments (for a progress bar)."""
    total = 0
    for fam_name, _, _ in combos(tasks, difficulties, skins):
        plist = selected(perturbations_for(task_family(fam_name)), only)
        count = len(plist)
        if rotate is not None:  # the oracle, then `rotate` of the others
            rest = [p for p in plist if not (keep_oracle and p.name == "oracle")]
            count = len(plist) - len(rest) + min(rotate, len(rest))
        total += n * count
    return total


def validate(tasks: str = "all", n: int = 1, seed: int = 0, difficulties: list[str] | None = None,
             skins: list[str] | None = None, only: list[str] | None = None, workdir: str | Path | None = None,
             on_outcome: Callable[[Outcome], None] | None = None, *, max_frames: int | None = None,
             rotate: int | None = None, keep_oracle: bool = True) -> Report:
    """Run the perturbations on ``n`` items per family × skin × difficulty.

    max_frames: frame budget for ground-truth clips (perturbations with ``budget_ok``); None keeps
    the natural pace. rotate: run only this many perturbations per item (plus the oracle when
    ``keep_oracle``), taking them in turn across items and combos so that every (family,
    perturbation) is still exercised once there are enough items: the CI-sized suite.
    """
    report = Report()
    tmp = Path(workdir or tempfile.mkdtemp(prefix="genbench-validate-"))
    tmp.mkdir(parents=True, exist_ok=True)
    turn: dict[str, int] = defaultdict(int)  # per family: where the rotation has got to
    for fam_name, difficulty, skin in combos(tasks, difficulties, skins):
        family = task_family(fam_name)
        plist = selected(perturbations_for(family), only)
        for item in family.items(difficulty, n, seed, skin):
            chosen = plist
            if rotate is not None:
                rest = [p for p in plist if not (keep_oracle and p.name == "oracle")]
                k = turn[fam_name]
                picked = [rest[(k + j) % len(rest)] for j in range(min(rotate, len(rest)))] if rest else []
                turn[fam_name] = k + len(picked)
                chosen = [p for p in plist if keep_oracle and p.name == "oracle"] + picked
            for p in chosen:
                o = run_one(family, item, p, seed, tmp, max_frames, skin)
                report.outcomes.append(o)
                if on_outcome:
                    on_outcome(o)
    return report


def run_one(family, item: TaskItem, p: Perturbation, seed: int, tmp: Path, max_frames: int | None = None,
            skin: str | None = None) -> Outcome:
    """Build one labelled clip, encode it, judge it, compare with what it must give."""
    from .runner import judge_video

    rng = item_rng(seed, family.name, item.index, "validate", p.name)
    token = BUDGET.set(max_frames if p.budget_ok else None)
    drawn = item.state.get("skin") or ""  # a skin's dict in some families, its name in others
    skin_name = skin or str(drawn.get("name", "") if isinstance(drawn, dict) else drawn)
    try:
        try:
            clip = p.make(family, item, rng)
        except Exception as e:  # the suite's own miss: reported as one, and a long run goes on
            return Outcome(family.name, item.difficulty, skin_name, item.id, p.name, p.expect, "error", False,
                           f"could not build the clip: {type(e).__name__}: {e}", 0, 0.0)
        if clip is None:
            return Outcome(family.name, item.difficulty, skin_name, item.id, p.name, p.expect, NOT_APPLICABLE,
                           True, "not applicable to this item", 0, 0.0)
        path = tmp / f"{family.name}_{item.difficulty}_{skin_name}_{item.index}_{p.name}.mp4"
        frames = write_video(path, clip.frames, clip.fps, crf=clip.crf, preset=clip.preset)
    finally:
        BUDGET.reset(token)
    t0 = time.perf_counter()
    v = judge_video(family, item, path, clip.fit)
    dt = time.perf_counter() - t0
    path.unlink(missing_ok=True)
    got = "error" if v.status != "ok" else (PASS if v.passed else (v.failure or "FAIL"))
    return Outcome(family.name, item.difficulty, skin_name, item.id, p.name, p.expect, got, got == p.expect,
                   v.message, frames, dt)


def write_report(report: Report, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "validate.json"
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return path
