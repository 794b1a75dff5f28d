"""Rules a family adds on top of the trajectory checker: a WALL_CROSSING that, by the family's rules,
is a more specific failure gets that failure's code (and message), in the verdict and its evidence.
The family says what counts (which cells are traps, which node pairs are ladders); the verdict's
evidence (the agent's track, its moves) says where the agent was."""

from __future__ import annotations

from typing import Callable

from ..schema import Verdict


def _rename_crossing(v: Verdict, frame: int, code: str) -> None:
    for e in v.evidence.get("events", []):
        if e["code"] == "WALL_CROSSING" and e["frame"] == frame:
            e["code"] = code


def relabel_forbidden(v: Verdict, code: str, is_forbidden: Callable[[float, float], bool]) -> Verdict:
    """Turn the checker's WALL_CROSSING into ``code`` when the agent stood in a forbidden cell.

    ``is_forbidden(x, y)`` gets the agent centre in normalised [0, 1] canvas coordinates."""
    if v.status != "ok" or v.failure != "WALL_CROSSING" or v.first_error_frame is None:
        return v
    xy = v.evidence.get("xy", [])
    f = v.first_error_frame
    for i in range(f, min(len(xy), f + 3)):  # the event frame, or the next ones where it goes deeper
        if xy[i] is not None and is_forbidden(*xy[i]):
            v.failure = code
            v.message = f"{code.lower()}: " + v.message
            _rename_crossing(v, f, code)
            break
    return v


def relabel_floor_change(v: Verdict, nodes_per_floor: int, ladders: set) -> Verdict:
    """A wall crossing whose next move lands on another floor (node ids floor · ``nodes_per_floor`` + …)
    through no ladder (``ladders``: node pairs, smaller first) is NO_LADDER."""
    if v.status != "ok" or v.failure != "WALL_CROSSING" or v.first_error_frame is None:
        return v
    per = nodes_per_floor
    f0 = v.first_error_frame
    horizon = f0 + 2 * float(v.evidence.get("fps") or 24)  # the crossing that started at f0
    nxt = next((m for m in v.evidence.get("moves", []) if f0 <= m[0] <= horizon and m[1] // per != m[2] // per), None)
    if nxt is not None and (min(nxt[1:]), max(nxt[1:])) not in ladders:
        v.failure = "NO_LADDER"
        v.message = f"changed floor without a ladder (node {nxt[1]}→{nxt[2]} at frame {nxt[0]})"
        _rename_crossing(v, f0, "NO_LADDER")
    return v
