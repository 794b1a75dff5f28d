"""puzzle.symmetry's own regression cases."""

from __future__ import annotations

import numpy as np

from genbench.tasks.puzzles import symmetry


def test_symmetry_answer_is_the_mirror():
    fam = symmetry.Symmetry()
    s = fam.generate(0, "hard").state
    R, C = s["rows"], s["cols"]
    g = np.array(s["board"]["solution"]).reshape(R, C)
    assert (g == g[:, ::-1]).all() and (g == g[::-1]).all()
