"""Instance-specific questions for VLM judges, made from a TaskItem's own state.

Two kinds, as users know them from the field:

* a RULER-Bench style **checklist**: questions tagged with one of four metrics, each answered
  Good / Medium / Poor (2 / 1 / 0);
* TiViBench style **yes/no questions** with an expected answer each.

Where the questions come from, first match wins:

1. the family's own hook: ``TaskFamily.checklist(item, mode) -> Checklist | None`` (the base class
   returns None);
2. a builder registered here with :func:`checklist_builder` (used for families whose module
   this file should not edit, e.g. ``maze.grid``);
3. :func:`generic_checklist`, built from the item's prompt — works for any family.

A new puzzle family therefore gets a judge for free and instance-specific questions by adding
one method that names its own colours, positions and answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from ..schema import TaskItem

IF, VC, VF, RC = "instruction_following", "visual_consistency", "visual_fidelity", "rule_coherence"
METRICS = (IF, VC, VF, RC)
METRIC_LABELS = {IF: "Instruction Following", VC: "Visual Consistency", VF: "Visual Fidelity",
                 RC: "Rule Coherence"}


@dataclass(frozen=True)
class Question:
    """A checklist question (``metric`` set) or a yes/no question (``expected`` set)."""

    id: str
    text: str
    metric: str | None = None
    expected: bool | None = None

    def __post_init__(self) -> None:
        if self.metric is not None and self.metric not in METRICS:
            raise ValueError(f"{self.id}: unknown metric {self.metric!r}; use one of {METRICS}")

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Checklist:
    """The questions for one item: ``checklist`` (graded, tagged) and ``binary`` (yes/no)."""

    item_id: str
    source: str  # "family" | "builtin:<family>" | "generic": where the questions came from
    checklist: list[Question] = field(default_factory=list)
    binary: list[Question] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"item_id": self.item_id, "source": self.source,
                "checklist": [q.to_json() for q in self.checklist], "binary": [q.to_json() for q in self.binary]}


def make_checklist(item: TaskItem, source: str, graded: list[tuple[str, str]],
                   binary: list[tuple[str, bool]]) -> Checklist:
    """Number the questions: graded ``(metric, text)`` → q1…; yes/no ``(text, expected)`` → b1…"""
    return Checklist(
        item.id, source,
        [Question(f"q{i}", text, metric=metric) for i, (metric, text) in enumerate(graded, 1)],
        [Question(f"b{i}", text, expected=bool(exp)) for i, (text, exp) in enumerate(binary, 1)],
    )


_BUILDERS: dict[str, Callable[[TaskItem, str], Checklist]] = {}


def checklist_builder(family_name: str):
    """Register ``fn(item, mode) -> Checklist`` for a family that has no ``checklist`` method."""

    def deco(fn):
        _BUILDERS[family_name] = fn
        return fn

    return deco


def checklist_for(family, item: TaskItem, mode: str = "i2v") -> Checklist:
    hook = getattr(family, "checklist", None)
    if callable(hook):
        try:
            cl = hook(item, mode)
        except TypeError:  # a hook written as checklist(item): questions for any mode
            cl = hook(item)
        if cl is not None:
            return cl
    builder = _BUILDERS.get(item.family)
    if builder is not None:
        return builder(item, mode)
    return generic_checklist(item, mode)


def task_prompt(item: TaskItem, mode: str) -> str:
    return item.prompt_i2v if mode == "i2v" else item.prompt_t2v


def generic_checklist(item: TaskItem, mode: str = "i2v") -> Checklist:
    """Questions any task can be judged by, quoting the item's own instruction."""
    prompt = task_prompt(item, mode)
    graded = [
        (IF, f'Does the video do what this instruction asks: "{prompt}"?'),
        (IF, "Is the action of the instruction actually carried out (something moves or changes as "
             "asked), rather than the scene staying still?"),
        (RC, "Does every change from one frame to the next follow the rules stated in the instruction, "
             "with no illegal move, no object passing through another, and no sudden jump to the answer?"),
        (RC, "Does the final frame show the task correctly completed, and does it stay completed "
             "until the end of the video?"),
        (VC, "Do the parts of the scene that the instruction does not ask to change keep their "
             "positions, shapes and colours throughout the video?"),
        (VC, "Do the moving objects keep their identity (same shape, colour and size; none appear, "
             "vanish or duplicate)?"),
        (VF, "Are the frames clear and free of visual artifacts such as blur, flicker, smearing or "
             "distorted shapes?"),
    ]
    binary = [
        ("Is the task described in the instruction completed by the end of the video?", True),
        ("Does the video stay essentially the same from the first frame to the last?", False),
        ("Does any object appear, disappear or jump to a new place between two consecutive frames?", False),
    ]
    return make_checklist(item, "generic", graded, binary)


# --- maze.grid --------------------------------------------------------------------------------------

def _cell(rc) -> str:
    return f"row {int(rc[0]) + 1}, column {int(rc[1]) + 1}"


@checklist_builder("maze.grid")
def maze_grid_checklist(item: TaskItem, mode: str = "i2v") -> Checklist:
    """Questions naming this maze's own colours, its start and goal cells and its shortest length."""
    s = item.state
    w = s["skin"]["words"]
    agent, goal, floor, wall = w["agent"], w["goal"], w["floor"], w["wall"]
    R, C, n = s["rows"], s["cols"], s["shortest_length"]
    start, end = _cell(s["start"]), _cell(s["goal"])
    where = f"(rows and columns of the {R}×{C} maze counted from 1 at the top left)"
    graded = [
        (IF, f"Does the {agent} start at its starting cell, {start} {where}, and move towards the {goal}?"),
        (IF, f"Does the {agent} actually move through the maze, rather than the video staying still "
             "or only the camera changing?"),
        (RC, f"Does the {agent} stay on the {floor} corridors and never cross or overlap a {wall} wall?"),
        (RC, f"Does the {agent} move one cell at a time, without jumping or teleporting across cells?"),
        (RC, f"Does the {agent} end on the {goal} at {end} and stay there until the end of the video?"),
        (RC, f"Does the {agent} take a shortest route ({n} moves), without detours into dead ends "
             "or going back and forth?"),
        (VC, f"Do the {wall} walls, the {floor} corridors and the {goal} keep exactly the same positions "
             "and shapes throughout the video (the maze layout never changes, the camera does not move)?"),
        (VC, f"Is there exactly one {agent} in every frame, keeping its shape, colour and size?"),
        (VF, "Are the frames sharp and free of artifacts such as blur, flicker, smeared or melting shapes?"),
    ]
    binary = [
        (f"By the end of the video, is the {agent} on the {goal} at {end}?", True),
        (f"Does the {agent} at any point pass through or overlap a {wall} wall?", False),
        (f"Do the {wall} walls or corridors of the maze change between frames?", False),
        (f"Does the {agent} disappear, duplicate, or jump across several cells between two consecutive "
         "frames?", False),
        (f"Does the {agent} move away from {start} during the video?", True),
    ]
    return make_checklist(item, "builtin:maze.grid", graded, binary)
