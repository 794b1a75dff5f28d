"""maze.irregular generation internals (issue 19): batched curves and conflicts against one-at-a-time
references; the version 2 sampler against the one-by-one greedy it computes, and its density against
version 1's (scipy's Bridson sampler)."""

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.stats import qmc

from genbench.tasks.maze.irregular import (RADIUS, ROUTE_STEP, SPACING, _clashes, _road_points, _sample_both,
                                          _straighten, conflict_step, poisson_disk)


def _bezier(p0, p1, bulge):
    """One road's curve, one numpy call at a time: the code the batched drawn points replaced."""
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + bulge * np.array([-d[1], d[0]])
    n = max(5, int(np.hypot(*d) / ROUTE_STEP) + 1)
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t ** 2 * p1


def _beziers(p0, p1, bulge):
    """The drawn roads of _sample_both, curved (its first half)."""
    ends = np.arange(2 * len(p0)).reshape(-1, 2)
    xy = np.stack([p0, p1], 1).reshape(-1, 2)
    return _sample_both(ends, bulge, xy, 4.0, 1.0)[3][:len(p0)]


def test_batched_curves_are_the_per_curve_floats_exactly():
    """_sample_both's drawn points, curved and straightened, against one curve at a time."""
    rng = np.random.default_rng(3)
    compared = 0
    for trial in range(60):
        k = int(rng.integers(1, 150))
        p0 = rng.uniform(0, 416, (k, 2))
        p1 = p0 + rng.uniform(-160, 160, (k, 2))
        bulge = rng.uniform(0.08, 0.22, k) * rng.choice([-1.0, 1.0], k)
        ends = np.arange(2 * k).reshape(-1, 2)
        drawn = _sample_both(ends, bulge, np.stack([p0, p1], 1).reshape(-1, 2), 4.0, 1.0)[3]
        want = [_bezier(p0[i], p1[i], bulge[i]) for i in range(k)] + [_bezier(p0[i], p1[i], 0.0) for i in range(k)]
        assert len(drawn) == 2 * k
        assert all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(want, drawn))
        compared += k
    assert compared > 3000


def reference_rsa(cand, radius):
    """Random sequential adsorption one candidate at a time: kept unless a kept one is within radius."""
    kept = []
    for p in cand:
        if all(np.hypot(*(p - q)) >= radius for q in kept):
            kept.append(p)
    return np.array(kept)


@pytest.mark.parametrize("radius", sorted(RADIUS.values()))
def test_poisson_disk_is_the_sequential_greedy_set_hard_core_and_maximal(radius):
    for seed in range(6):
        got = poisson_disk(radius, np.random.default_rng([seed, 2]))
        # the same draws, replayed: the candidates in their order, then the one-by-one greedy
        rng = np.random.default_rng([seed, 2])
        side = radius / 3
        m = int(np.ceil(1 / side))
        cand = (np.indices((m, m)).reshape(2, -1).T + rng.random((m * m, 2))) * side
        cand = cand[(cand <= 1.0).all(1)]
        cand = cand[rng.permutation(len(cand))]
        assert np.array_equal(got, reference_rsa(cand, radius))
        assert (got >= 0).all() and (got <= 1).all()
        assert cKDTree(got).query_pairs(radius * (1 - 1e-12)) == set()  # no two closer than the radius
        # maximal up to the candidate grid: no spot of the square is 1.5 radius or more from every point
        probe = np.stack(np.meshgrid(np.linspace(0, 1, 60), np.linspace(0, 1, 60)), -1).reshape(-1, 2)
        assert cKDTree(got).query(probe)[0].max() < 1.5 * radius


def test_poisson_disk_keeps_version_1s_density():
    """Within a few per cent of scipy's Bridson sampler (version 1) at each level's spacing."""
    for radius in RADIUS.values():
        rng = np.random.default_rng(9)
        new = np.mean([len(poisson_disk(SPACING * radius, rng)) for _ in range(40)])
        old = np.mean([len(qmc.PoissonDisk(d=2, radius=radius, seed=rng).fill_space()) for _ in range(40)])
        assert abs(new / old - 1) < 0.06, (radius, new, old)


def reference_conflicts(ends, bulge, xy, road, node_r):
    """Conflicts one curve at a time, Python loops over the KD-tree answers."""
    bad, pts, owner = set(), [], []
    for k, (a, b) in enumerate(ends):
        p0, p1 = xy[a], xy[b]
        d = p1 - p0
        ctrl = (p0 + p1) / 2 + bulge[k] * np.array([-d[1], d[0]])
        t = np.linspace(0, 1, max(3, int(np.hypot(*d) / conflict_step(road)) + 1))[:, None]
        line = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t ** 2 * p1
        far = (np.hypot(*(line - p0).T) > node_r + road) & (np.hypot(*(line - p1).T) > node_r + road)
        pts.append(line[far])
        owner += [k] * int(far.sum())
    allp = np.concatenate(pts)
    owner = np.array(owner)
    for i, nearby in enumerate(cKDTree(xy).query_ball_point(allp, node_r + road)):
        if nearby:
            bad.add(int(owner[i]))
    for i, j in cKDTree(allp).query_pairs(1.6 * road):
        if owner[i] != owner[j]:
            bad.add(int(max(owner[i], owner[j])))
    return bad


def first_check(ends, bulge, xy, road, node_r):
    """The lattice's first conflict check: the curved version's samples of _sample_both."""
    pts, owner, straight, _ = _sample_both(ends, bulge, xy, road, node_r)
    return _clashes(pts[~straight], owner[~straight], cKDTree(xy), road, node_r)


def random_roads(rng, most: int):
    xy = rng.uniform(20, 400, (int(rng.integers(6, 30)), 2))
    n_roads = int(rng.integers(2, most))
    return xy, np.array(sorted({tuple(sorted(rng.choice(len(xy), 2, replace=False).tolist())) for _ in range(n_roads)}))


def test_conflicts_match_the_reference_on_random_road_sets():
    rng = np.random.default_rng(0)
    found = 0
    for _ in range(20):
        xy, ends = random_roads(rng, 8)
        bulge = rng.uniform(-0.2, 0.2, len(ends))
        road, node_r = float(rng.choice([2, 4, 8, 12, 22])), float(rng.choice([3, 6, 10, 28]))
        want = reference_conflicts(ends, bulge, xy, road, node_r)
        assert first_check(ends, bulge, xy, road, node_r) == want
        found += bool(want)
    assert 0 < found < 20  # clean and clashing road sets were both compared


def test_straightening_swaps_in_the_straightened_samples_and_finds_the_same_conflicts():
    """The second check, from the curved samples with the straightened roads' own samples swapped in,
    against the whole check run one curve at a time on the straightened set."""
    rng = np.random.default_rng(5)
    compared = changed = 0
    for _ in range(60):
        xy, ends = random_roads(rng, 12)
        bulge = rng.uniform(0.08, 0.22, len(ends)) * rng.choice([-1.0, 1.0], len(ends))
        road, node_r = float(rng.choice([4, 8, 12, 22])), float(rng.choice([6, 10, 28]))
        bad = first_check(ends, bulge, xy, road, node_r)
        if not bad:
            continue
        straight = bulge.copy()
        straight[sorted(bad)] = 0.0
        want = reference_conflicts(ends, straight, xy, road, node_r)
        got = _straighten(bulge, cKDTree(xy), road, node_r, *_sample_both(ends, bulge, xy, road, node_r)[:3], bad)
        assert np.array_equal(bulge, straight)  # straightened in place
        assert got == want
        compared += 1
        changed += got != bad
    assert compared > 20 and changed > 0  # sets where straightening cleared some roads were compared


def test_irregular_roads_keep_clear_of_each_other_and_of_other_junctions():
    """What the conflict check is for, on the items themselves: measured on densely resampled roads."""
    from genbench.geometry import arclength, resample
    from genbench.registry import task_family

    fam = task_family("maze.irregular")
    checked = 0
    for difficulty in fam.difficulties:
        for index in range(3):
            lat = fam.generate(index, difficulty, 1).state["lattice"]
            xy, road, node_r = np.array(lat["node_xy"]), lat["draw"]["road_px"], lat["draw"]["node_r"]
            pts, owner = [], []
            for k, ((a, b), line) in enumerate(zip(lat["pairs"], lat["routes"])):
                line = np.array(line)
                d = resample(line, int(arclength(line) / 0.5) + 2)
                far = (np.hypot(*(d - xy[a]).T) > node_r + road) & (np.hypot(*(d - xy[b]).T) > node_r + road)
                pts.append(d[far])
                owner += [k] * int(far.sum())
            allp, owner = np.concatenate(pts), np.array(owner)
            assert cKDTree(xy).query(allp)[0].min() > node_r + road - 1.5  # over no other junction
            ij = cKDTree(allp).query_pairs(road, output_type="ndarray")
            ij = ij[owner[ij[:, 0]] != owner[ij[:, 1]]]
            for i, j in ij.tolist():  # no two roads closer than a road width, except beside a junction both
                shared = set(lat["pairs"][owner[i]]) & set(lat["pairs"][owner[j]])  # start from, just outside its
                assert shared and min(np.hypot(*(allp[i] - xy[n])) for n in shared) < 1.5 * (node_r + road)  # disk
            checked += 1
    assert checked == 12


def test_lines_json_is_canonical_json_of_the_rounded_lines():
    from genbench.schema import canonical_json, lines_json

    rng = np.random.default_rng(5)
    special = np.array([[0.0, 0.004], [12.3, 12.0], [0.05, 0.1], [99.99, 100.0], [416.0, 1234567.89]])
    for trial in range(40):
        counts = rng.integers(2, 30, size=rng.integers(1, 12))
        pts = rng.uniform(0, 10.0 ** rng.integers(1, 6), size=(int(counts.sum()), 2))
        if trial % 3 == 0:
            pts[: len(special)] = special[: len(pts)]
        if trial % 7 == 6:
            pts[0, 0] = -3.217  # negative: written by json itself
        if trial % 7 == 5:
            pts[-1, 1] = -0.001  # rounds to -0.0, which json writes "-0.0"
        flat = np.round(pts, 2)
        ends = np.cumsum(counts).tolist()
        want = canonical_json([flat[a:b].tolist() for a, b in zip([0] + ends[:-1], ends)])
        assert lines_json(flat, ends) == want
    assert lines_json(np.round(np.array([[1.5, 2.25]]), 2), [1]) == "[[[1.5,2.25]]]"
    # each value's text from the table, at its edges (and past it, from json); small tables before large
    for top in (0.5, 40.95, 40.96, 655.35, 655.36, 1310.71, 1310.72, 5000.0):
        edge = np.round([[0.0, 0.01], [0.1, 0.99], [1.0, 9.99], [10.0, 10.5], [99.99, 100.0], [top, top - 0.01]], 2)
        want = canonical_json([edge[:2].tolist(), edge[2:].tolist()])
        assert lines_json(edge, [2, len(edge)]) == want, top


def _to_polyline(q: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Each point's distance to the polyline (its nearest segment)."""
    a, b = line[:-1], line[1:]
    ab = b - a
    t = np.clip(((q[:, None] - a) * ab).sum(-1) / (ab * ab).sum(-1), 0, 1)
    return np.hypot(*(q[:, None] - (a + t[..., None] * ab)).transpose(2, 0, 1)).min(1)


def test_stored_roads_stay_within_half_a_pixel_of_their_curves():
    """Roads are stored every ROUTE_STEP px: the polyline drawn and walked is the curve to < 0.5 px."""
    rng = np.random.default_rng(6)
    for length in (25.0, 35.0, 50.0, 60.0, 120.0, 170.0):  # shorter than ood's shortest … easy's longest
        p0 = rng.uniform(100, 300, (50, 2))
        ang = rng.uniform(0, 2 * np.pi, 50)
        p1 = p0 + length * np.stack([np.cos(ang), np.sin(ang)], 1)
        bulge = 0.22 * rng.choice([-1.0, 1.0], 50)  # the tightest bend
        dense, owner, _ = _road_points(p0, p1, bulge, 0.25)
        worst = max(_to_polyline(dense[owner == k], line).max() for k, line in enumerate(_beziers(p0, p1, bulge)))
        assert worst < 0.5, (length, worst)
        coarse = _road_points(p0, p1, bulge, 4 * ROUTE_STEP)[0][:4]  # a coarser road is further off: the
        assert _to_polyline(dense[owner == 0], coarse[:3]).max() > 0.5  # measure can fail
