"""First frames drawn on first access (schema.LazyFrame, issue 19): invisible to every reader of an item.

maze.grid and the graph mazes (hex, circular, irregular) hand their TaskItem a LazyFrame. The pixels,
the size, the JSON, the content hash and the pickle must be those of the eager item they replace.
"""

import hashlib
import pickle

import numpy as np
import pytest

from genbench.registry import task_family
from genbench.schema import LazyFrame, TaskItem

LAZY_FAMILIES = ["maze.grid", "maze.hex", "maze.circular", "maze.irregular"]

# sha256 (first 16 hex) over the first frames of index 3, seed 2, every difficulty × every skin (in the
# family's order), made by the eager code before frames were lazy (main at 5fdd180)
EAGER_FRAMES = {"maze.grid": "ae68021f0c73141a"}


def _undrawn(it: TaskItem) -> bool:
    return type(it.__dict__["first_frame"]) is LazyFrame


def test_grid_lazy_frames_equal_the_eager_frames_on_every_skin_and_difficulty():
    fam = task_family("maze.grid")
    h = hashlib.sha256()
    for difficulty in fam.difficulties:
        for skin in fam.all_skins:
            it = fam.generate(3, difficulty, 2, skin)
            assert _undrawn(it)
            h.update(it.first_frame.tobytes())
    assert h.hexdigest()[:16] == EAGER_FRAMES["maze.grid"]


@pytest.mark.parametrize("name", LAZY_FAMILIES)
def test_lazy_item_reads_like_the_eager_one(name):
    fam = task_family(name)
    for difficulty in fam.difficulties:
        lazy = fam.generate(7, difficulty, 5)
        assert _undrawn(lazy)
        # size, JSON and hash without drawing
        w, h = lazy.canvas_size
        js = lazy.to_json()
        assert _undrawn(lazy) and lazy.compute_hash() == lazy.content_hash and _undrawn(lazy)
        pickled = pickle.dumps(lazy)  # draws (the frame travels in the pickle) …
        frame = lazy.first_frame
        assert frame is lazy.first_frame  # … once: kept after the first access
        assert frame.shape == (h, w, 3) and frame.dtype == np.uint8
        eager = TaskItem.from_json(js, frame.copy())
        assert eager.compute_hash() == lazy.content_hash and eager.to_json() == js
        assert pickle.dumps(eager) == pickled  # byte for byte the eager item's pickle
        back = pickle.loads(pickled)
        assert np.array_equal(back.first_frame, frame) and back.content_hash == lazy.content_hash
        # the frame is the state's: the oracle's first frame, drawn from the state alone, is the same
        assert np.array_equal(next(fam.solution_frames(lazy)), frame)


def test_lazy_frame_does_not_follow_later_changes_to_the_state():
    fam = task_family("maze.grid")
    it, ref = fam.generate(2, "medium", 4), fam.generate(2, "medium", 4).first_frame
    it.state["goal"], it.state["start"] = it.state["start"], it.state["goal"]  # a caller's edit
    assert np.array_equal(it.first_frame, ref)


def test_a_lazy_frame_of_the_wrong_shape_is_a_clear_error():
    it = task_family("maze.grid").generate(0, "easy", 0)
    bad = TaskItem.from_json(it.to_json(), LazyFrame((10, 10, 3), lambda: np.zeros((9, 10, 3), np.uint8)))
    assert bad.canvas_size == (10, 10)
    with pytest.raises(ValueError, match="lazily drawn first frame"):
        bad.first_frame
