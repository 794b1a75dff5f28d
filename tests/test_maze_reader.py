"""The grid-maze layout reader: from one decoded frame and nothing else, the exact block grid and
the agent's and goal's cells, on every skin and model canvas; and it refuses what is not a maze."""

import numpy as np
import pytest

from genbench import geometry
from genbench.checkers import LayoutNotFound, read_grid_maze
from genbench.registry import task_family
from genbench.tasks.maze.skins import SKINS
from genbench.video import read_frames, write_video

CANVASES = [None, (832, 480), (1280, 720), (720, 480)]


def _decoded_first_frame(item, size, tmp_path, crf=30):
    f = item.first_frame
    if size:
        f = geometry.apply(geometry.make_fit("letterbox", *item.canvas_size, *size), f, geometry.border_colour(f))
    write_video(tmp_path / "f.mp4", [f] * 3, 24, crf=crf)
    return next(iter(read_frames(tmp_path / "f.mp4")))


@pytest.mark.parametrize("k,skin", list(enumerate(s for s in SKINS)))
def test_reads_the_drawn_grid_and_markers_on_every_skin(k, skin, tmp_path):
    fam = task_family("maze.grid")
    difficulty = fam.difficulties[k % len(fam.difficulties)]
    item = fam.generate(k, difficulty, skin=skin)
    read = read_grid_maze(_decoded_first_frame(item, CANVASES[k % len(CANVASES)], tmp_path))
    assert (read.rows, read.cols) == (item.state["rows"], item.state["cols"])
    assert np.array_equal(read.block_grid(), np.array(item.state["grid"], np.uint8))
    sk = item.state["skin"]
    assert tuple(read.marker_near(sk["agent"]).cell) == tuple(item.state["solutions"][0][0])
    goal = tuple(read.marker_near(sk["goal"]).cell)
    assert goal == tuple(item.state["goal"])
    start = tuple(item.state["solutions"][0][0])
    assert read.distances(start)[goal] == len(item.state["solutions"][0]) - 1  # shortest in the read maze


def test_a_changed_wall_reads_as_a_different_maze_and_a_blank_frame_as_none(tmp_path):
    fam = task_family("maze.grid")
    item = fam.generate(0, "medium", skin="classic")
    g = np.array(item.state["grid"], np.uint8)
    by, bx = next((y, x) for y in range(1, g.shape[0] - 1) for x in range(2, g.shape[1] - 1, 2)
                  if y % 2 and g[y, x] == 1)  # an inner wall between two cells of one row
    f = item.first_frame.copy()
    geom = item.state["geometry"]
    pitch, wall = geom["cell_px"] + geom["wall_px"], geom["wall_px"]
    x0, y0 = (bx // 2) * pitch, (by // 2) * pitch + wall
    f[y0:y0 + geom["cell_px"], x0:x0 + wall] = SKINS["classic"].floor  # erase that wall
    read = read_grid_maze(f)
    diff = read.block_grid() != g
    assert diff.sum() == 1 and diff[by, bx]
    with pytest.raises(LayoutNotFound):
        read_grid_maze(np.full((480, 832, 3), 120, np.uint8))
