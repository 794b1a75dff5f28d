"""puzzle.hanoi's own regression cases."""


from genbench.registry import task_family


def test_hanoi_rules():
    fam = task_family("puzzle.hanoi")
    it = fam.generate(0, "easy")
    g = fam.game(it)
    n = it.state["disks"]
    # all three disks on peg 0: slots 2, 1, 0 (smallest on top)
    tower = (2, 1, 0)
    assert g.valid(tower) and not g.valid((n + 1, 1, 0))  # disk 0 floating at level 1 of an empty peg
    assert g.legal(tower, (n, 1, 0)) is None  # top disk to an empty peg
    assert "under" in g.legal(tower, (2, n, 0))  # pulled from under the top disk
    assert "smaller" in g.legal((n, 1, 0), (n, n + 1, 0))  # disk 1 onto disk 0
