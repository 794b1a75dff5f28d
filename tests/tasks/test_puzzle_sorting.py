"""puzzle.sorting's own regression cases (the process sweeps are in tests/test_puzzles_process.py)."""


from genbench.registry import task_family


def test_sorting_swap_count_and_legality_rules():
    from genbench.tasks.puzzles.sorting import min_swaps, swap_plan

    assert min_swaps((1, 0, 3, 2), (0, 1, 2, 3)) == 2 and min_swaps((1, 2, 0), (0, 1, 2)) == 2
    plan = swap_plan((2, 0, 1, 3), (0, 1, 2, 3))
    assert plan[-1] == (0, 1, 2, 3) and len(plan) - 1 == 2
    fam = task_family("puzzle.sorting")
    g = fam.game(fam.generate(0, "easy"))
    assert g.legal((0, 1, 2, 3), (1, 0, 2, 3)) is None
    assert g.legal((0, 1, 2, 3), (1, 2, 0, 3)) is not None  # a three-way rotation is not a swap
