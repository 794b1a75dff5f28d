"""What every checker engine records while it follows a video, and how that becomes a verdict.

An engine appends an ``Event`` (frame, failure code, detail) whenever a rule breaks; the verdict names
the first event that decides it (by frame, ties broken by the engine's own order of blame) and keeps
every event as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

from ..schema import Verdict


@dataclass
class Event:
    frame: int
    code: str
    detail: str

    def to_json(self) -> dict:
        return {"frame": self.frame, "code": self.code, "detail": self.detail}


def first_event(events: Iterable[Event], code: str) -> Event | None:
    """The first recorded event with this code (events in recording order)."""
    return next((e for e in events if e.code == code), None)


def in_order(events: Sequence[Event], blame: Sequence[str] = ()) -> list[Event]:
    """Events by frame; at one frame, by the engine's order of blame (codes not in it last)."""
    rank = {c: i for i, c in enumerate(blame)}
    return sorted(events, key=lambda e: (e.frame, rank.get(e.code, len(rank))))


def missed_moves(neighbours: Callable[[Hashable], Iterable], a, b, gap: int, most: int = 4) -> list | None:
    """The open path a→b (a first) when a walker, unseen for ``gap - 1`` frames (blur, compression),
    reappears at b no more than one move per frame (and ``most`` in all) away; None when no legal path
    fits (a teleport). Breadth first: the shortest such path."""
    prev, frontier = {a: None}, [a]
    for _ in range(min(gap, most)):
        nxt = []
        for x in frontier:
            for y in neighbours(x):
                if y not in prev:
                    prev[y] = x
                    nxt.append(y)
        frontier = nxt
        if b in prev:
            path = [b]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])
            return path[::-1]
    return None


LEAP_PACE = 4.0  # a one-frame move this many times the walker's cruising pace (and over its engine's minimum) is a leap


def walker_pace(xys: Sequence, unit: float):
    """How a tracked walker (``xys``: a point or None per frame, in any length unit; ``unit``: one cell or
    road width in it) moved: the frame of each sighting after the first, the frames since the one before,
    the distance per frame between them, and its pace (None below three moving sightings): its cruising
    speed, the upper quartile of distance per frame over its moving sightings. Holds and pauses do not
    count (a video that stands still half the time is not "slow"), nor do the ramps of a walker that
    eases into and out of every cell: their speeds are bimodal and the median can fall on the ramps (cubic
    easing at 6 frames a step: one dropped frame moves 5.4× the median, 2.0× the upper quartile)."""
    import numpy as np

    seen = [(i, p) for i, p in enumerate(xys) if p is not None]
    frames = np.array([j for j, _ in seen[1:]], np.int64)
    gaps = np.array([j - i for (i, _), (j, _) in zip(seen, seen[1:])], np.int64)
    dist = np.array([np.hypot(q[0] - p[0], q[1] - p[1]) for (_, p), (_, q) in zip(seen, seen[1:])], np.float64)
    per = dist / np.maximum(gaps, 1)
    moving = per[per > 0.05 * unit]
    return frames, gaps, per, float(np.percentile(moving, 75)) if len(moving) >= 3 else None


def first_leap(xys: Sequence, unit: float, min_jump: float = 0.5, max_gap: int = 1,
               unit_name: str = "cells") -> Event | None:
    """The one pace rule of every engine that follows a walker (trajectory, pathfinder's roads, Sokoban's
    player): a TELEPORT at the first sighting where the walker, seen again at most ``max_gap`` frames
    later, covered per frame over ``min_jump`` units and over LEAP_PACE times its pace (``walker_pace``).
    A graph test only sees a jump past a neighbour; a freeze then a leap along the route (VR-Bench's
    "middle third replaced by a jump" over a short path) moves no further than one open step, yet no
    sprite moves like that. Relative to the video's own pace, so a fast or resampled video (fps 8, a
    preset's frame count) is not a leap; ``min_jump`` is where engines differ: how far their tracked
    position may wobble in one frame."""
    frames, gaps, per, pace = walker_pace(xys, unit)
    if pace is None:
        return None
    for f, g, d in zip(frames.tolist(), gaps.tolist(), per.tolist()):
        if d > min_jump * unit and d > LEAP_PACE * pace and g <= max_gap:
            span = "in one frame" if g == 1 else f"in {g} frames"
            return Event(f, "TELEPORT", f"leapt {d * g / unit:.2f} {unit_name} {span} ({d / pace:.0f}× its pace)")
    return None


def walk_failure(rule_breaks: Sequence[Event], static: bool, reached: bool, held: bool,
                 left_at: int | None, optimal: bool = True) -> tuple[str | None, int | None]:
    """(failure code, first error frame) of an engine that follows one walker to a goal (trajectory,
    stroke, Sokoban), in one order of blame: the first broken rule, then STATIC (frame 0),
    GOAL_NOT_REACHED, GOAL_NOT_HELD (at the frame the goal was left), NOT_OPTIMAL; (None, None) if none."""
    if rule_breaks:
        return rule_breaks[0].code, rule_breaks[0].frame
    if static:
        return "STATIC", 0
    if not reached:
        return "GOAL_NOT_REACHED", None
    if not held:
        return "GOAL_NOT_HELD", left_at
    if not optimal:
        return "NOT_OPTIMAL", None
    return None, None


def make_verdict(name: str, version: str, events: list[Event], passed: bool, failure: str | None,
                 first_error: int | None, metrics: dict, evidence: dict, message: str = "",
                 partial: float = 0.0) -> Verdict:
    """The verdict of an engine: the events (sorted by frame, in place) go into the evidence. A failed
    video scores ``partial`` (the engine's partial credit, e.g. its progress)."""
    events.sort(key=lambda e: e.frame)
    evidence["events"] = [e.to_json() for e in events]
    return Verdict(checker=name, status="ok", passed=passed, score=1.0 if passed else partial, metrics=metrics,
                   failure=None if passed else failure, first_error_frame=None if passed else first_error,
                   message="" if passed else message, evidence=evidence, version=version)
