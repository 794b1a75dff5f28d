"""Prompt protocols of published benchmarks, so that a genbench score can sit beside theirs.

``genbench`` (default): each item's own prompts (the rule and the goal, never the answer).

``vrbench``: VR-Bench's video-model prompt templates, filled from our skin's words the way VR-Bench
fills them from a skin's ``description.json`` ``visual_description`` (player, goal, wall, floor, box,
trap, road …). Image-to-video only, as VR-Bench. The template texts below are quoted verbatim from
github.com/ImYangC7/VR-Bench at commit 89b29a9, files ``prompts/videomodel_maze_prompt.py``,
``prompts/videomodel_trapfield_prompt.py``, ``prompts/videomodel_sokoban_prompt.py`` and
``prompts/videomodel_pathfinder_prompt.py`` (VR-Bench's name for its irregular maze). Its 3D cube
maze template describes cubes and an isometric view that ``maze.multilevel`` does not draw, so that
family has no VR-Bench prompt. VR-Bench's other conventions (README, "Protocols"): ground-truth
videos at 24 fps (``config/config_maze.yaml``); its Wan2.2-TI2V-5B LoRA example renders 193 frames
from a 512×512 image and saves them at 15 fps (``scripts/Wan2.2-TI2V-5B_lora.py``); its metrics
use ``eps_ratio = 0.01`` of the normalised frame and ``num_samples = 100``
(``evaluation/videomodel_eval/metrics.py``).

``tivibench`` is not offered: TiViBench's prompt suite (``eval_cache/*_prompt.json``) is not in its
public repository (github.com/EnVision-Research/TiViBench at 5d449a9: README and VideoTPO only, the
TODO "Release data and eval code" open), and we do not invent it.
"""

from __future__ import annotations

from string import Template

from .schema import TaskItem

PROTOCOLS = ("genbench", "vrbench")

# VR-Bench prompts/videomodel_maze_prompt.py, MAZE_PROMPT_TEMPLATE (verbatim)
_VR_MAZE = Template("""Create a 2D animation based on the provided image of a maze. The $player slides smoothly along the $floor path, stopping perfectly on the $goal. The $player never slides or crosses into the $wall areas of the maze. The camera is a static, top-down view showing the entire maze.

Maze:
 The maze paths are $floor, the walls are $wall.
 The $player moves to the goal position, represented by $goal.
 The $player slides smoothly along the $floor path.
 The $player never slides or crosses into the $wall areas of the maze.
 The $player stops perfectly on the $goal.

Scene:
 No change in scene composition.
 No change in the layout of the maze.
 The $player travels along the $floor path without speeding up or slowing down.

Camera:
 Static camera.
 No zoom.
 No pan.
 No glitches, noise, or artifacts.""")  # noqa: E501

# VR-Bench prompts/videomodel_trapfield_prompt.py, TRAPFIELD_PROMPT_TEMPLATE (verbatim)
_VR_TRAPFIELD = Template("""Create a 2D animation based on the provided image of a maze. The $player slides smoothly along the $floor path, stopping perfectly on the $goal. The $player never slides into or crosses the $trap (trap areas). The camera is a static, top-down view showing the entire maze.

Maze:
 The maze paths are $floor, and the trap areas are $trap.
 The $player moves to the goal position, represented by the $goal.
 The $player slides smoothly along the $floor path.
 The $player never slides into or crosses the $trap of the maze.
 The $player stops perfectly on the $goal.

Scene:
 No change in scene composition.
 No change in the layout of the maze.
 The $player travels along the $floor path without speeding up or slowing down.

Camera:
 Static camera.
 No zoom.
 No pan.
 No glitches, noise, or artifacts.""")  # noqa: E501

# VR-Bench prompts/videomodel_sokoban_prompt.py, SOKOBAN_PROMPT_TEMPLATE (verbatim)
_VR_SOKOBAN = Template("""Create a 2D animation based on the provided image of a grid puzzle.
The $player moves into position behind the $box and smoothly pushes it toward the $goal.
The $box only slides when pushed from behind by the $player and moves in a straight line along the $floor tiles.
When the direction of the $box's movement needs to change, the $player must reposition itself to a new side of the $box.
The $box never crosses or overlaps any $wall.

Gameplay Rules:
The floor area is $floor, and the walls are $wall.
The $box can only move when pushed by the $player from behind.
The $player cannot pull the $box or move through walls.
The $box slides smoothly in one direction until it reaches the $goal.
The animation stops perfectly when the $box aligns with the $goal.

Scene:
No change in grid layout or tile design.
The camera remains static, showing the entire play area.
The movement is smooth, with no speed variation, camera shake, or visual artifacts.""")  # noqa: E501

# VR-Bench prompts/videomodel_pathfinder_prompt.py, PATHFINDER_PROMPT_TEMPLATE (verbatim; its walls are
# always black, which is why only skins with black ground take it)
_VR_PATHFINDER = Template("""Create a 2D animation based on the provided image of a maze. The $start slides smoothly along the $road path, stopping perfectly on the $end. The $start never slides or crosses into the black areas of the maze. The camera is a static, top-down view showing the entire maze.

Maze:
 The maze paths are $road, the walls are black.
 The $start moves to the goal position, represented by $end.
 The $start slides smoothly along the $road path.
 The $start never slides or crosses into the black areas of the maze.
 The $start stops perfectly on the $end.

Scene:
 No change in scene composition.
 No change in the layout of the maze.
 The $start travels along the $road path without speeding up or slowing down.

Camera:
 Static camera.
 No zoom.
 No pan.
 No glitches, noise, or artifacts.""")  # noqa: E501


def _words(item: TaskItem) -> dict:
    return (item.state.get("skin") or {}).get("words") or {}


# family → (template, its placeholders filled from our skin words)
VRBENCH = {
    "maze.grid": (_VR_MAZE, lambda w: {"player": w["agent"], "goal": w["goal"], "wall": w["wall"],
                                       "floor": w["floor"]}),
    "maze.trapfield": (_VR_TRAPFIELD, lambda w: {"player": w["agent"], "goal": w["goal"], "trap": w["trap"],
                                                 "floor": w["floor"]}),
    "maze.sokoban": (_VR_SOKOBAN, lambda w: {"player": w["agent"], "box": w["box"], "goal": w["target"],
                                             "wall": w["wall"], "floor": w["floor"]}),
    "maze.irregular": (_VR_PATHFINDER, lambda w: {"start": w["agent"], "end": w["goal"], "road": w["floor"]}),
}


def check(protocol: str, families: list[str], mode: str) -> None:
    """Fail before any work when a protocol cannot prompt these families in this mode."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; use one of: {', '.join(PROTOCOLS)} (TiViBench's "
                         "prompt suite is not public, so there is no tivibench protocol)")
    if protocol == "vrbench":
        if mode != "i2v":
            raise ValueError("--protocol vrbench is image-to-video only (VR-Bench's prompts describe the given image)")
        missing = [f for f in families if f not in VRBENCH]
        if missing:
            raise ValueError(f"VR-Bench has no prompt for {', '.join(missing)}; --protocol vrbench takes "
                             f"{', '.join(VRBENCH)}")


def prompt_for(item: TaskItem, mode: str = "i2v", protocol: str = "genbench") -> str:
    """The prompt a model receives for ``item`` under ``protocol``."""
    if protocol == "genbench":
        return item.prompt_i2v if mode == "i2v" else item.prompt_t2v
    check(protocol, [item.family], mode)
    template, fill = VRBENCH[item.family]
    words = _words(item)
    if template is _VR_PATHFINDER and words.get("wall") != "black":
        raise ValueError(f"{item.id}: VR-Bench's pathfinder prompt says the walls are black; skin "
                         f"{item.state['skin'].get('name')!r} has {words.get('wall')!r} ground (use --skin classic)")
    return template.substitute(fill(words))
