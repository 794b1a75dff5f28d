"""Prompt protocols: VR-Bench's own templates filled from our skins; no prompt states the answer or
its length."""

import json
import re

import pytest

from genbench.protocols import prompt_for
from genbench.registry import entries, task_family
from genbench.runner import RunConfig, run

# VR-Bench prompts/videomodel_maze_prompt.py (ImYangC7/VR-Bench @ 89b29a9) filled by hand with the
# classic skin's words: player "red circle", goal "green square", wall "black", floor "white"
MAZE_CLASSIC = """Create a 2D animation based on the provided image of a maze. The red circle slides smoothly along the white path, stopping perfectly on the green square. The red circle never slides or crosses into the black areas of the maze. The camera is a static, top-down view showing the entire maze.

Maze:
 The maze paths are white, the walls are black.
 The red circle moves to the goal position, represented by green square.
 The red circle slides smoothly along the white path.
 The red circle never slides or crosses into the black areas of the maze.
 The red circle stops perfectly on the green square.

Scene:
 No change in scene composition.
 No change in the layout of the maze.
 The red circle travels along the white path without speeding up or slowing down.

Camera:
 Static camera.
 No zoom.
 No pan.
 No glitches, noise, or artifacts."""  # noqa: E501


def test_vrbench_prompt_is_vrbenchs_template_filled_from_the_skin():
    item = task_family("maze.grid").generate(0, "easy", 0, "classic")
    assert prompt_for(item, "i2v", "vrbench") == MAZE_CLASSIC
    assert prompt_for(item, "i2v") == item.prompt_i2v and prompt_for(item, "t2v") == item.prompt_t2v
    soko = task_family("maze.sokoban").generate(0, "easy", 0)
    w = soko.state["skin"]["words"]
    p = prompt_for(soko, "i2v", "vrbench")
    assert p.startswith("Create a 2D animation based on the provided image of a grid puzzle.\n"
                        f"The {w['agent']} moves into position behind the {w['box']} and smoothly pushes it "
                        f"toward the {w['target']}.")
    assert f"The floor area is {w['floor']}, and the walls are {w['wall']}." in p
    trap = task_family("maze.trapfield").generate(0, "easy", 0)
    tw = trap.state["skin"]["words"]
    assert f"The maze paths are {tw['floor']}, and the trap areas are {tw['trap']}." in prompt_for(trap, "i2v", "vrbench")


def test_vrbench_protocol_refuses_what_it_cannot_prompt():
    with pytest.raises(ValueError, match="no prompt for maze.hex"):
        prompt_for(task_family("maze.hex").generate(0, "easy", 0), "i2v", "vrbench")
    with pytest.raises(ValueError, match="image-to-video only"):
        prompt_for(task_family("maze.grid").generate(0, "easy", 0), "t2v", "vrbench")
    with pytest.raises(ValueError, match="tivibench"):
        prompt_for(task_family("maze.grid").generate(0, "easy", 0), "i2v", "tivibench")


def test_a_run_under_vrbench_prompts_the_models_with_it_and_keeps_its_own_videos(tmp_path):
    out = tmp_path / "r"
    base = dict(tasks="maze.grid", models="oracle", out=str(out), limit=1, difficulties="easy", skin="classic")
    run(RunConfig(**base), progress=False)
    res = run(RunConfig(**base, protocol="vrbench"), progress=False)
    assert res["counts"]["generated"] == 1  # another prompt, another video: not the default run's
    rows = [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines()]
    assert {r["protocol"]: r["prompt"] for r in rows}["vrbench"] == MAZE_CLASSIC
    with pytest.raises(ValueError, match="no prompt for"):
        run(RunConfig(**{**base, "tasks": "puzzle.hanoi"}, protocol="vrbench"), progress=False)


def test_vrbench_export_carries_vrbench_prompts(tmp_path):
    from genbench.vrbench import export_vrbench

    export_vrbench("maze.grid", 1, ["easy"], tmp_path, skin="classic", videos=False)
    (state,) = tmp_path.glob("test/maze/classic/easy/states/*.json")
    meta = json.loads(state.read_text())["metadata"]
    assert meta["prompt"] == MAZE_CLASSIC and meta["genbench_prompt"].startswith("A top-down view")


LENGTH_KEYS = ("shortest_length", "optimal_moves", "min_pushes", "min_swaps", "classic_optimal")


@pytest.mark.parametrize("name", list(entries("task")))
def test_no_prompt_states_the_answer_length(name):
    """A count of moves, pushes, steps or swaps equal to the solution's length is the answer's length."""
    fam = task_family(name)
    for d in fam.difficulties:
        for item in fam.items(d, 3, seed=0):
            lengths = {item.state[k] for k in LENGTH_KEYS if isinstance(item.state.get(k), int)}
            for p in (item.prompt_i2v, item.prompt_t2v):
                stated = {int(m.group(1)) for m in re.finditer(r"(\d+)\s*(?:moves?|pushes|push|steps?|swaps?)\b", p)}
                assert not stated & lengths, (item.id, p)
