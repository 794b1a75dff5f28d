"""puzzle.grid_transform's own regression cases."""

from __future__ import annotations

import numpy as np

from genbench.tasks.puzzles import grid_transform


def test_grid_transform_examples_pin_the_answer():
    fam = grid_transform.GridTransform()
    for d in fam.difficulties:
        s = fam.generate(0, d).state
        n, per = s["size"], s["size"] ** 2
        sol = s["board"]["solution"]
        grids = [np.array(sol[k * per:(k + 1) * per]).reshape(n, n) for k in range(len(sol) // per)]
        ins, outs = grids[0::2], grids[1::2]
        fits = [r for r in grid_transform.RULES
                if all((grid_transform.apply_rule(a, r) == b).all() for a, b in zip(ins[:-1], outs[:-1]))]
        assert tuple(s["rule"]) in fits
        assert all((grid_transform.apply_rule(ins[-1], r) == outs[-1]).all() for r in fits)
