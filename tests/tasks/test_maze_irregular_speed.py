"""maze.irregular generation internals (issue 19) against the code they replace: same points, same conflicts."""

import numpy as np
import pytest
from scipy.spatial import cKDTree
from scipy.stats import qmc

from genbench.geometry import arclength, resample, resample_many, row_sums
from genbench.tasks.maze.irregular import RADIUS, _beziers, _conflicts, poisson_disk


def _bezier(p0, p1, bulge):
    """One road's curve, one numpy call at a time: the code _beziers replaced."""
    d = p1 - p0
    ctrl = (p0 + p1) / 2 + bulge * np.array([-d[1], d[0]])
    n = max(3, int(np.hypot(*d) / 6) + 1)
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t ** 2 * p1


def _dense(line, step=2.0):
    """One curve's checked points: the code resample_many replaced."""
    return resample(line, max(2, int(arclength(line) / step) + 1))


def test_batched_curves_and_resampling_are_the_per_curve_floats_exactly():
    rng = np.random.default_rng(3)
    compared = 0
    for trial in range(60):
        k = int(rng.integers(1, 150))
        p0 = rng.uniform(0, 416, (k, 2))
        p1 = p0 + rng.uniform(-160, 160, (k, 2))
        bulge = rng.uniform(0.08, 0.22, k) * rng.choice([-1.0, 1.0], k)
        bulge[rng.random(k) < 0.2] = 0.0  # straightened roads
        want = [_bezier(p0[i], p1[i], bulge[i]) for i in range(k)]
        got = _beziers(p0, p1, bulge)
        assert all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(want, got))
        dense = resample_many(want + [np.array([[3.0, 4.0], [3.0, 9.5]])], 2.0)
        assert all(np.array_equal(_dense(c), d) for c, d in zip(want + [np.array([[3.0, 4.0], [3.0, 9.5]])], dense))
        compared += k
    assert compared > 3000


def test_row_sums_are_numpys_pairwise_sums_bit_for_bit():
    rng = np.random.default_rng(4)
    for _ in range(300):
        counts = rng.integers(0, 140, int(rng.integers(1, 20)))  # below 8, 8..128, and the >128 fallback
        rows = np.zeros((len(counts), 150))
        for i, c in enumerate(counts):
            rows[i, :c] = rng.uniform(0, 10, c) * rng.choice([1e-4, 1.0, 1e4])
        want = np.array([rows[i, :c].sum() for i, c in enumerate(counts)])
        assert np.array_equal(row_sums(rows, counts), want)


@pytest.mark.parametrize("radius", sorted(RADIUS.values()))
def test_poisson_disk_is_scipys_sampler_point_for_point(radius):
    for seed in range(15):
        a, b = np.random.default_rng([seed, 2]), np.random.default_rng([seed, 2])
        if seed % 2:  # a buffered half draw, as a generator mid-item has
            a.integers(5), b.integers(5)
        want = qmc.PoissonDisk(d=2, radius=radius, seed=a).fill_space()
        got = poisson_disk(radius, b)
        assert got.shape == want.shape and np.array_equal(got, want)
        assert a.bit_generator.state == b.bit_generator.state  # the item's later draws are unchanged


def reference_conflicts(pairs, curves, xy, road, node_r):
    """_conflicts before issue 19: Python loops over the KD-tree answers."""
    bad, pts, owner = set(), [], []
    for k, c in enumerate(curves):
        d = _dense(c)
        a, b = pairs[k]
        far = (np.hypot(*(d - xy[a]).T) > node_r + road) & (np.hypot(*(d - xy[b]).T) > node_r + road)
        pts.append(d[far])
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


def test_conflicts_match_the_reference_on_random_road_sets_and_reuse_unchanged_curves():
    rng = np.random.default_rng(0)
    found = 0
    for _ in range(20):
        xy = rng.uniform(20, 400, (int(rng.integers(6, 30)), 2))
        n_roads = int(rng.integers(2, 8))
        pairs = sorted({tuple(sorted(rng.choice(len(xy), 2, replace=False).tolist())) for _ in range(n_roads)})
        curves = [_bezier(xy[a], xy[b], float(rng.uniform(-0.2, 0.2))) for a, b in pairs]
        road, node_r = float(rng.choice([2, 4, 8])), float(rng.choice([3, 6, 10]))
        memo: dict = {}
        want = reference_conflicts(pairs, curves, xy, road, node_r)
        assert _conflicts(pairs, curves, xy, road, node_r, memo) == want
        found += bool(want)
        curves[0] = _bezier(xy[pairs[0][0]], xy[pairs[0][1]], 0.0)  # one curve replaced: re-checked, others reused
        assert _conflicts(pairs, curves, xy, road, node_r, memo) == reference_conflicts(pairs, curves, xy, road, node_r)
    assert 0 < found < 20  # clean and clashing road sets were both compared


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
