"""regions.block_labels: the one labelling of a block / thin-wall grid maze's cells and passages that
maze.grid's region map and maze.grid-draw's stroke map share, checked against rectangles painted
straight from the Geometry (an independent drawing of the same rule)."""

import numpy as np
import pytest

from genbench.registry import task_family
from genbench.tasks.maze.grid_layout import Geometry, walls_from_grid
from genbench.tasks.maze.regions import block_labels


def painted_labels(geom: Geometry, h: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, list]:
    """Canvas-size labels: cell (r, c) and the open passage right of / below it as rectangles."""
    R, C, p, w = geom.rows, geom.cols, geom.pitch, geom.wall
    out = np.full((geom.height, geom.width), -1, np.int32)
    for r in range(R):
        for c in range(C):
            out[w + r * p:w + r * p + geom.cell, w + c * p:w + c * p + geom.cell] = r * C + c
    edges = []
    for r, c in zip(*np.nonzero(h)):
        out[w + r * p:w + r * p + geom.cell, w + c * p + geom.cell:w + (c + 1) * p] = R * C + len(edges)
        edges.append((r * C + c, r * C + c + 1))
    for r, c in zip(*np.nonzero(v)):
        out[w + r * p + geom.cell:w + (r + 1) * p, w + c * p:w + c * p + geom.cell] = R * C + len(edges)
        edges.append((r * C + c, (r + 1) * C + c))
    return out, edges


def sample_grid(geom: Geometry, W: int, H: int):
    xs = np.minimum(((np.arange(W) + 0.5) * geom.width / W).astype(int), geom.width - 1)
    ys = np.minimum(((np.arange(H) + 0.5) * geom.height / H).astype(int), geom.height - 1)
    return xs, ys


@pytest.mark.parametrize("name,difficulty", [("maze.grid", "easy"), ("maze.grid", "hard"),
                                             ("maze.grid-draw", "medium"), ("maze.grid-draw", "ood")])
def test_block_labels_match_rectangles_painted_from_the_geometry(name, difficulty):
    item = task_family(name).generate(1, difficulty, 5)
    geom = Geometry.from_json(item.state["geometry"])
    h, v = walls_from_grid(np.array(item.state["grid"], np.uint8))
    canvas, want_edges = painted_labels(geom, h, v)
    for W, H in ((geom.width, geom.height), (geom.width // 3 + 5, geom.height // 3 + 5)):  # full and reduced
        xs, ys = sample_grid(geom, W, H)
        _, _, labels, edges = block_labels(geom, h, v, xs, ys)
        assert edges == want_edges
        assert np.array_equal(labels, canvas[np.ix_(ys, xs)])
    # the family's own map uses it: its labels are these at its working size
    rm = task_family(name).region_map(item) if name == "maze.grid" else task_family(name).stroke_map(item).rm
    xs, ys = sample_grid(geom, rm.width, rm.height)
    assert np.array_equal(rm.labels, canvas[np.ix_(ys, xs)])


def test_a_closed_passage_is_wall_and_a_moved_one_is_not_its_label():
    item = task_family("maze.grid").generate(0, "medium", 2)
    geom = Geometry.from_json(item.state["geometry"])
    h, v = walls_from_grid(np.array(item.state["grid"], np.uint8))
    xs, ys = sample_grid(geom, geom.width, geom.height)
    _, _, labels, edges = block_labels(geom, h, v, xs, ys)
    r, c = map(int, np.argwhere(h)[0])  # close the first rightward passage
    closed = h.copy()
    closed[r, c] = False
    _, _, labels2, edges2 = block_labels(geom, closed, v, xs, ys)
    assert len(edges2) == len(edges) - 1 and (r * geom.cols + c, r * geom.cols + c + 1) not in edges2
    p, w = geom.pitch, geom.wall
    gap = labels2[w + r * p:w + r * p + geom.cell, w + c * p + geom.cell:w + (c + 1) * p]
    assert gap.size and (gap == -1).all()  # the passage pixels are wall now
    assert not np.array_equal(labels, labels2)
