"""Instance-specific questions for VLM judges, made from a TaskItem's own state.

Two kinds, as users know them from the field:

* a RULER-Bench style **checklist**: questions tagged with one of four metrics, each answered
  Good / Medium / Poor (2 / 1 / 0);
* TiViBench style **yes/no questions** with an expected answer each.

Where the questions come from, first match wins:

1. a builder registered for the item's family with :func:`checklist_builder` (the registry's
   ``checklist`` kind; a family from ``--include-path`` registers its own the same way);
2. :func:`generic_checklist`, built from the item's prompt — works for any family.

Every built-in family has a builder here (1.), built from its item's state and tagged with the four
RULER-Bench metrics; questions never state what the video must work out (see below).

A new puzzle family therefore gets a judge for free, and instance-specific questions by registering
one builder that names its own colours, positions and answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..registry import REGISTRIES, register
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


def checklist_builder(family_name: str):
    """Register ``fn(item, mode) -> Checklist``: the questions for items of ``family_name``."""
    return register("checklist", family_name, f"VLM questions for {family_name} items")


def checklist_for(item: TaskItem, mode: str = "i2v") -> Checklist:
    builder = REGISTRIES["checklist"].find(item.family)
    if builder is not None:
        return builder.factory(item, mode)
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


# --- every family: questions from the item's own state ---------------------------------------------
#
# A question names the item's own colours, pieces and what the prompt states (start, goal, the rule, the
# target arrangement), never what the video must work out: no route, no length of a solution, no answer
# of a puzzle. The judge decides "the correct value", "the shape that differs" itself, from the frames.

@dataclass
class _Spec:
    mover: str  # what acts, e.g. "the red circle"
    action: str  # what it must do, after "Does <mover> …"
    rules: list[str]  # Rule Coherence questions
    end: str  # the final state the prompt asks for, after "… end with"
    fixed: str  # what must not change
    violations: list[str] = field(default_factory=list)  # yes/no questions whose answer must be "no"
    identity: str = ""  # Visual Consistency question on the mover; default: one mover keeping its look
    do: str = "Does"  # "Do" for a plural mover


def _standard(item: TaskItem, spec: _Spec) -> Checklist:
    identity = spec.identity or (f"Is there exactly one {_bare(spec.mover)} in every frame, keeping its shape, "
                                 "colour and size?")
    graded = [
        (IF, f"{spec.do} {spec.mover} {spec.action}?"),
        (IF, f"Is the task actually carried out by {spec.mover}, rather than the video staying still or only "
             "the camera changing?"),
        *[(RC, q) for q in spec.rules],
        (RC, f"Does the video end with {spec.end}, and does that stay so until the end of the video?"),
        (VC, f"Do {spec.fixed} keep exactly the same positions, shapes and colours throughout the video (the "
             "camera does not move)?"),
        (VC, identity),
        (VF, "Are the frames sharp and free of artifacts such as blur, flicker, smeared or melting shapes?"),
    ]
    binary = [
        (f"By the end of the video, does the video show {spec.end}?", True),
        *[(q, False) for q in spec.violations],
        (f"Do {spec.fixed} change between frames?", False),
        (f"{spec.do} {spec.mover} {spec.action} during the video?", True),
    ]
    return make_checklist(item, f"builtin:{item.family}", graded, binary)


def _bare(noun: str) -> str:
    return noun[4:] if noun.startswith("the ") else noun


def _cell(rc) -> str:
    return f"row {int(rc[0]) + 1}, column {int(rc[1]) + 1}"


_SHORTEST = ("takes a shortest route, without detours into dead ends or going back and forth (the judge "
             "need not count the moves: a route that visibly doubles back is not shortest)")


def _maze(item: TaskItem, corridor: str, barrier: str, step: str, where: bool) -> _Spec:
    """Mazes whose agent walks to a goal: grid, hex, circular, irregular (``where``: cells are rows and
    columns the prompt can name)."""
    s, w = item.state, item.state["skin"]["words"]
    agent, goal = f"the {w['agent']}", f"the {w['goal']}"
    at_start = f", starting at {_cell(s['start'])} (rows and columns counted from 1 at the top left)" if where else ""
    at_goal = f" at {_cell(s['goal'])}" if where else ""
    return _Spec(
        agent, f"move from its starting place{at_start} through the maze towards {goal}",
        [f"Does {agent} stay on the {w['floor']} {corridor} and never cross or overlap the {w['wall']} {barrier}?",
         f"Does {agent} move {step}, without jumping or teleporting?",
         f"Does {agent} {_SHORTEST}?"],
        f"{agent} on {goal}{at_goal}", f"the {w['wall']} {barrier}, the {w['floor']} {corridor} and {goal}",
        [f"Does {agent} at any point pass through or overlap the {w['wall']} {barrier}?",
         f"Does {agent} disappear, duplicate, or jump across several cells between two consecutive frames?"])


def _grid(item, mode):
    return _maze(item, "corridors", "walls", "one cell at a time", True)


def _hex(item, mode):
    return _maze(item, "paths", "walls", "one cell at a time through the openings between cells", False)


def _circular(item, mode):
    return _maze(item, "paths", "walls", "one cell at a time along the rings and through the gaps between them", False)


def _irregular(item, mode):
    return _maze(item, "roads", "ground", "along the roads from junction to junction", False)


def _grid_draw(item, mode):
    s, w = item.state, item.state["skin"]["words"]
    pen = f"the {s['pen_words']}"
    return _Spec(
        pen, f"grow from the {w['agent']} at {_cell(s['start'])} through the corridors towards the {w['goal']} "
             "(rows and columns counted from 1 at the top left)",
        [f"Does {pen} stay inside the {w['floor']} corridors and never cross a {w['wall']} wall?",
         f"Does {pen} grow continuously from its tip, without pieces appearing elsewhere or jumping ahead?",
         f"Does {pen} follow a shortest route, without branches into dead ends?"],
        f"{pen} joining the {w['agent']} to the {w['goal']} at {_cell(s['goal'])}",
        f"the {w['wall']} walls, the {w['agent']} and the {w['goal']}",
        [f"Does {pen} cross a {w['wall']} wall at any point?",
         f"Do parts of {pen} appear away from its growing tip?"],
        identity=f"Does {pen} keep one colour and width, and do the parts already drawn stay in place?")


def _multilevel(item, mode):
    w = item.state["skin"]["words"]
    agent, goal = f"the {w['agent']}", f"the {w['goal']}"
    return _Spec(
        agent, f"walk from its start on the ground floor towards {goal} on the top floor",
        [f"Does {agent} change floors only by climbing the {w['ladder']}?",
         f"Does {agent} stay in the {w['floor']} corridors, never through a {w['wall']} wall or across the gap "
         "between floors?",
         f"Does {agent} move one cell at a time, without jumping or teleporting?",
         f"Does {agent} {_SHORTEST}?"],
        f"{agent} on {goal} on the top floor", f"the floors, the {w['wall']} walls, the {w['ladder']} and {goal}",
        [f"Does {agent} move between floors anywhere other than on the {w['ladder']}?",
         f"Does {agent} pass through a {w['wall']} wall?"])


def _trapfield(item, mode):
    s, w = item.state, item.state["skin"]["words"]
    agent, goal = f"the {w['agent']}", f"the {w['goal']}"
    return _Spec(
        agent, f"walk from {_cell(s['start'])} towards {goal} (rows and columns counted from 1 at the top left)",
        [f"Does {agent} never step onto the traps ({w['trap']})?",
         f"Does {agent} move tile by tile (up, down, left or right), without jumping or teleporting?",
         f"Does {agent} {_SHORTEST}?"],
        f"{agent} on {goal} at {_cell(s['goal'])}", f"the traps, the {w['floor']} tiles and {goal}",
        [f"Does {agent} step onto a trap ({w['trap']})?",
         f"Does {agent} disappear, duplicate or jump across several tiles between two consecutive frames?"])


def _sokoban(item, mode):
    w = item.state["skin"]["words"]
    agent, box, target = f"the {w['agent']}", f"{w['box']}", f"{w['target']}"
    return _Spec(
        agent, f"walk cell by cell and push every {box} onto a {target}",
        [f"Does every {box} move only when {agent} pushes it from directly behind (never pulled, never on its "
         "own)?",
         f"Do {agent} and every {box} stay on the {w['floor']} floor, never moving into a {w['wall']} wall or "
         "through each other?",
         f"Does {agent} move one cell at a time, without jumping or teleporting?"],
        f"every {box} on a {target}", f"the {w['wall']} walls and every {target}",
        [f"Does a {box} move without {agent} pushing it from behind?",
         f"Does {agent} or a {box} pass through a {w['wall']} wall?"],
        identity=f"Are there exactly one {w['agent']} and the same number of {box}s in every frame, each "
                 "keeping its shape, colour and size?")


def _graph_walk(item, mode):
    w = item.state["skin"]["words"]
    token, goal = f"the {w['token']}", f"the {w['goal']}"
    return _Spec(
        token, f"travel from its starting node towards {goal}",
        [f"Does {token} travel only along the {w['edge']}, from node to node, never cutting across?",
         f"Does {token} take a route with the fewest edges, without detours or going back and forth?",
         f"Does {token} move continuously, without jumping between nodes?"],
        f"{token} on {goal}", f"the {w['node']}, the {w['edge']} and {goal}",
        [f"Does {token} leave the {w['edge']} or jump between nodes that are not joined?"])


def _sorting(item, mode):
    w = item.state["skin"]["words"]
    return _Spec(
        f"the {w['look']}", f"get sorted {w['order']}",
        [f"Does each step swap exactly two {w['items']}, one swap at a time?",
         f"Do the two {w['items']} of a swap trade places directly, without any other {w['item']} moving?"],
        f"the {w['items']} sorted {w['order']}", "the grey line and the background",
        [f"Does a {w['item']} change its size, colour or number during the video?",
         f"Do more than two {w['items']} move at the same time?"],
        identity=f"Does every {w['item']} keep its size and colour, with none appearing or vanishing?", do="Do")


def _pointer(what: str):
    """Answer puzzles: a pointer slides to the box of the answer (arithmetic, counting, transitive)."""
    def build(item, mode):
        w = item.state["skin"]["words"]
        ptr = f"the {w['marker']}"
        return _Spec(
            ptr, "slide up from the bottom centre to one of the answer boxes",
            [f"Does {ptr} stop just below the box holding {what}?",
             f"Does {ptr} slide smoothly, without jumping to a box?"],
            f"{ptr} just below the box holding {what}", f"the {w['panel']} panel, its content and the {w['box']} boxes",
            [f"Does {ptr} point to more than one box at the end?",
             "Do the content of the panel or the numbers in the boxes change?"])
    return build


def _sequence(item, mode):
    w = item.state["skin"]["words"]
    return _Spec(
        "one option tile", f"slide up out of the strip into the empty dashed slot of the {w['panel']} panel",
        ["Is the tile that fills the slot the option that continues the row's repeating pattern of shapes, "
         "colours and counts?",
         "Does exactly one option tile move, sliding smoothly rather than jumping?"],
        "the slot filled by the tile that continues the pattern",
        f"the {w['box']} tiles of the row and the other option tiles",
        ["Does more than one option tile move into the row?", "Do the tiles of the row change?"],
        identity="Does the moving tile keep its shapes, colours and count while it slides?")


def _odd_one_out(item, mode):
    p, w = item.state["puzzle"], item.state["skin"]["words"]
    return _Spec(
        "the odd shape", f"fade away: the one of the {p['rows'] * p['cols']} shapes on the {w['panel']} panel "
                         "that differs from the others",
        ["Is the shape that disappears the one that differs from all the others (in shape, colour, size or "
         "rotation)?",
         "Does exactly one shape disappear, fading out rather than being replaced?"],
        "only the differing shape gone and every other shape in place", "the other shapes and the panel",
        ["Does a shape other than the differing one disappear or change?"],
        identity="Do the shapes that stay keep their shape, colour, size and place?")


def _board(item, mode):
    """Board puzzles: cells change from the given start to what the prompt's rule asks for."""
    colours = [x for x in item.state["board"]["symbols"] if x and x != "empty"]
    return _BOARDS[item.family](item, item.state, colours)


def _sudoku(item, s, _):
    n, b = s["n"], s["box"]
    return _Spec(
        "the written digits", f"fill every empty cell with a digit from 1 to {n}, one cell at a time",
        [f"At the end, does every row, every column and every bold {b}×{b} box hold each digit from 1 to {n} "
         "exactly once?",
         "Are the new digits written one at a time, each centred in an empty cell?"],
        "every cell filled and the rules of sudoku met", "the given digits and the grid",
        ["Does any given digit change or disappear?", "Is a digit written over a cell that already held one?"],
        identity="Do written digits stay unchanged once they are written?", do="Do")


def _tictactoe(item, s, _):
    me = s["to_move"]
    other = "O" if me == "X" else "X"
    return _Spec(
        f"the new {me} mark", "appear in exactly one empty cell",
        [f"Is the new {me} in a cell that completes a line of three {me}s if one exists, and otherwise in the cell "
         f"that stops {other} from completing a line of three on their next turn?",
         "Is exactly one new mark drawn, in a cell that was empty?"],
        f"exactly one new {me} on the board", "the marks already on the board and the grid lines",
        ["Does any mark that was on the board change or disappear?", "Are two or more new marks drawn?"],
        identity=f"Does the new {me} keep its shape and colour once drawn?")


def _symmetry(item, s, colours):
    line = "vertical" if s["axis"] == "v" else "horizontal"
    return _Spec(
        "the cells of the empty half", f"get coloured ({', '.join(colours)}) one at a time",
        [f"At the end, is the whole {s['rows']}×{s['cols']} grid mirror-symmetric across the thick {line} line, "
         "each cell taking the colour of its mirror image?",
         "Are cells coloured one at a time, only in the half that was empty?"],
        "a grid that is mirror-symmetric across the thick line", "the given half and the grid lines",
        ["Does any cell of the given half change?", "Is a cell whose mirror image is white coloured?"],
        identity="Do coloured cells keep their colour once filled?", do="Do")


def _connect_colours(item, s, colours):
    return _Spec(
        "the paths", f"join each pair of same-coloured dots ({', '.join(colours)}) by a path of that colour",
        ["Does every path run from cell to neighbouring cell (up, down, left or right) inside the grid?",
         "Do the paths never cross, share a cell or touch a dot of another colour?",
         "Is each path drawn one at a time, growing cell by cell from one of its dots?"],
        "every pair of dots joined by its own path", "the dots and the grid",
        ["Do two paths cross or share a cell?", "Does a path reach a dot of another colour?"],
        identity="Do drawn path cells keep their colour once drawn?", do="Do")


def _grid_transform(item, s, colours):
    return _Spec(
        "the cells of the empty output grid", "get coloured one at a time",
        [f"Does the filled output grid follow the same rule that turns each of the {s['examples']} example "
         "inputs into its output?",
         "Are only cells of the empty output grid coloured, one at a time?"],
        "the last output grid filled by the examples' rule", "the example grids and the test input grid",
        ["Does any example grid or the test input grid change?"],
        identity="Do coloured cells keep their colour once filled?", do="Do")


_BOARDS = {"puzzle.sudoku": _sudoku, "puzzle.tictactoe": _tictactoe, "puzzle.symmetry": _symmetry,
           "puzzle.connect_colours": _connect_colours, "puzzle.grid_transform": _grid_transform}


def _hanoi(item, mode):
    s = item.state
    peg = ("left", "middle", "right")[s["target"]]
    return _Spec(
        "the disks", f"all move onto the {peg} peg, one at a time",
        ["Does only one disk move at a time, always the top disk of a peg?",
         "Is a disk never placed on a smaller disk?",
         "Is each disk lifted above the pegs and lowered onto a peg, never passing through a peg or another disk?"],
        f"all {s['disks']} disks on the {peg} peg, largest at the bottom",
        f"the {item.state['skin']['words']['rod']} pegs and the base",
        ["Is a disk ever placed on a smaller disk?", "Do two disks move at the same time?"],
        identity="Does every disk keep its size and colour, with none appearing or vanishing?", do="Do")


def _sliding(item, mode):
    w = item.state["skin"]["words"]
    return _Spec(
        "the tiles", "slide into the empty cell next to them, one tile per move",
        ["Does each move slide exactly one tile into the empty cell next to it (up, down, left or right)?",
         "Do tiles never jump, overlap or pass through each other?",
         "Are the tiles solved in as few moves as possible, without undoing moves?"],
        "the tiles reading 1 2 3 / 4 5 6 / 7 8 with the empty cell at the bottom right",
        f"the {w['board']} and its edges",
        ["Does a tile change its number or colour?", "Do two tiles move at the same time?"],
        identity="Does every tile keep its number and colour?", do="Do")


for _family, _build in {
    "maze.grid": _grid, "maze.hex": _hex, "maze.circular": _circular, "maze.irregular": _irregular,
    "maze.grid-draw": _grid_draw, "maze.multilevel": _multilevel, "maze.trapfield": _trapfield,
    "maze.sokoban": _sokoban, "puzzle.graph_walk": _graph_walk, "puzzle.sorting": _sorting,
    "puzzle.sequence": _sequence, "puzzle.odd_one_out": _odd_one_out, "puzzle.hanoi": _hanoi,
    "puzzle.sliding": _sliding, "puzzle.arithmetic": _pointer("the correct value of the expression"),
    "puzzle.counting": _pointer("the number of objects the instruction asks to count"),
    "puzzle.transitive": _pointer("the shape that the comparisons rank above every other"),
    **{name: _board for name in _BOARDS},
}.items():
    checklist_builder(_family)(lambda item, mode="i2v", _b=_build: _standard(item, _b(item, mode)))
