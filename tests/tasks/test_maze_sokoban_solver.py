"""The Sokoban solver (issue 19: region labels per box set, dead-square pruning) against the previous one.

``reference_solve`` is the solver before the change, kept tiny: a flood fill per state and per
successor. On random rooms both must return the same (path, pushes) or both None; pinned hashes were
taken from items generated before the change.
"""

import hashlib
from collections import deque

import numpy as np
import pytest

from genbench.schema import canonical_json
from genbench.tasks.maze.sokoban_solver import DIRS, _Room, _behind_dir, _reach, _route, solve


def reference_solve(free, player, boxes, targets, max_states=60000):
    targets, start_boxes = frozenset(map(tuple, targets)), frozenset(map(tuple, boxes))
    R, C = free.shape
    key = lambda bx, pl: (bx, min(_reach(free, bx, pl)))  # noqa: E731
    start = (start_boxes, tuple(player))
    seen, parent, q = {key(*start): None}, {start: None}, deque([start])
    while q and len(seen) < max_states:
        bx, pl = q.popleft()
        if bx == targets:
            pushes, s = [], (bx, pl)
            while parent[s] is not None:
                pushes.append(s)
                s = parent[s]
            path, cur_b, cur_p = [tuple(player)], start_boxes, tuple(player)
            for nb, np_ in pushes[::-1]:
                d = (np_[0] - _behind_dir(cur_b, nb)[0], np_[1] - _behind_dir(cur_b, nb)[1])
                path += _route(_reach(free, cur_b, cur_p), d)[1:] + [np_]
                cur_b, cur_p = nb, np_
            return path, len(pushes)
        par = _reach(free, bx, pl)
        for b in bx:
            for dr, dc in DIRS.values():
                stand, dest = (b[0] - dr, b[1] - dc), (b[0] + dr, b[1] + dc)
                if stand not in par or not (0 <= dest[0] < R and 0 <= dest[1] < C) or not free[dest] or dest in bx:
                    continue
                ns = (frozenset((bx - {b}) | {dest}), b)
                if key(*ns) in seen:
                    continue
                seen[key(*ns)] = True
                parent[ns] = (bx, pl)
                q.append(ns)
    return None


def random_room(rng, n, boxes, wall_frac):
    free = np.zeros((n + 2, n + 2), bool)
    free[1:-1, 1:-1] = rng.random((n, n)) >= wall_frac
    cells = [tuple(map(int, x)) for x in np.argwhere(free)]
    pick = rng.permutation(len(cells))[:2 * boxes + 1].tolist()
    return free, cells[pick[0]], [cells[i] for i in pick[1:1 + boxes]], [cells[i] for i in pick[1 + boxes:]]


@pytest.mark.parametrize("n,boxes,wall_frac", [(4, 1, 0.1), (5, 1, 0.2), (5, 2, 0.1), (6, 2, 0.15), (4, 3, 0.0)])
def test_same_solution_as_the_reference_on_random_rooms(n, boxes, wall_frac):
    rng = np.random.default_rng([n, boxes])
    solved = 0
    for _ in range(30):
        free, player, bx, tg = random_room(rng, n, boxes, wall_frac)
        want = reference_solve(free, player, bx, tg)
        assert solve(free, player, bx, tg) == want
        solved += want is not None
    assert 0 < solved < 30  # both solvable and unsolvable rooms were compared


def test_a_tight_state_cap_gives_up_no_later_than_the_reference():
    rng = np.random.default_rng(3)
    for _ in range(10):
        free, player, bx, tg = random_room(rng, 6, 2, 0.1)
        want = reference_solve(free, player, bx, tg, max_states=40)
        if want is not None:  # pruning searches fewer states: whatever the reference finds, it finds too
            assert solve(free, player, bx, tg, max_states=40) == want


def test_dead_squares_are_corners_and_walls_without_a_target():
    free = np.zeros((5, 6), bool)
    free[1:-1, 1:-1] = True  # a 3×4 room
    room = _Room(free, frozenset({(2, 2)}))
    # corners, the cells along the walls, and (2, 1): pushing it right needs the player inside the wall
    assert room.live == {(2, 2), (2, 3)}
    assert _Room(free, frozenset({(1, 1)})).live >= {(1, 1), (1, 2), (2, 1)}  # a target in the corner is live


def test_regions_label_every_walkable_cell_with_its_smallest_cell():
    free = np.zeros((5, 5), bool)
    free[1:-1, 1:-1] = True
    room = _Room(free, frozenset())
    lab = room.regions(frozenset({(1, 2), (2, 2), (3, 2)}))  # a column of boxes splits the room
    assert lab[(3, 1)] == (1, 1) and lab[(1, 3)] == (1, 3) and (2, 2) not in lab
    assert room.regions(frozenset({(1, 2), (2, 2), (3, 2)})) is lab  # cached per box set


# items generated before issue 19 (state JSON and first-frame pixels), seed 5, index 2
PINNED = {"easy": ("0b2e1eb9709365b1", "7c9111f3d134b150"), "medium": ("6b592fff09db211e", "5c80748de453d168"),
          "hard": ("1b10071d7051f238", "18320760883ec121")}


@pytest.mark.parametrize("difficulty", list(PINNED))
def test_items_are_the_ones_made_before(difficulty):
    from genbench.registry import task_family

    it = task_family("maze.sokoban").generate(2, difficulty, 5)
    state = hashlib.sha256(canonical_json(it.state).encode()).hexdigest()[:16]
    pixels = hashlib.sha256(it.first_frame.tobytes()).hexdigest()[:16]
    assert (state, pixels) == PINNED[difficulty]
