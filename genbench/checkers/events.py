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


LEAP_PACE = 4.0  # a one-frame move this many times the walker's usual pace (and over half a cell) is a leap


def first_leap(xys: Sequence, cell_px: float) -> Event | None:
    """A TELEPORT at the first frame where the tracked walker (``xys``: a point or None per frame) covers,
    in one frame, over half a cell and over LEAP_PACE times its usual distance per moving frame (the
    median). A graph test only sees a jump past a neighbour; a freeze then a leap along the route
    (VR-Bench's "middle third replaced by a jump" over a short path) moves no further than one open
    step, yet no sprite moves like that."""
    import numpy as np

    seen = [(i, p) for i, p in enumerate(xys) if p is not None]
    per = np.array([np.hypot(q[0] - p[0], q[1] - p[1]) / (j - i) for (i, p), (j, q) in zip(seen, seen[1:])])
    moving = per[per > 0.05 * cell_px]
    if len(moving) < 3:
        return None
    pace = float(np.median(moving))
    for k, d in enumerate(per):
        if d > 0.5 * cell_px and d > LEAP_PACE * pace and seen[k + 1][0] - seen[k][0] == 1:
            return Event(seen[k + 1][0], "TELEPORT",
                         f"leapt {d / cell_px:.2f} cells in one frame ({d / pace:.0f}× its pace)")
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
