"""maze.irregular's own regression cases (the graph-maze sweeps are in tests/test_maze_graphs.py)."""

import hashlib
import subprocess
import sys

import numpy as np

from genbench.registry import task_family


def test_irregular_bytes_identical_in_another_process():
    code = ("from genbench.registry import task_family; import hashlib;"
            "it=task_family('maze.irregular').generate(5,'hard',11);"
            "print(it.content_hash, hashlib.sha256(it.first_frame.tobytes()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    it = task_family("maze.irregular").generate(5, "hard", 11)
    assert out == [it.content_hash, hashlib.sha256(it.first_frame.tobytes()).hexdigest()]


def test_irregular_checks_the_road_mask_not_a_grid():
    """Cutting across the ground between two unconnected junctions fails even when no wall is drawn."""
    fam = task_family("maze.irregular")
    it = fam.generate(0, "hard", seed=3, skin="classic")
    rm = fam.region_map(it)
    assert (rm.labels < 0).mean() > 0.5  # most of the canvas is off-road
    p = next(p for p in fam.perturbations() if p.name == "wall_crossing")
    clip = p.make(fam, it, np.random.default_rng(0))
    v = fam.check(it, iter(clip.frames), clip.fit, clip.fps)
    assert v.failure == "WALL_CROSSING", (v.failure, v.message)
