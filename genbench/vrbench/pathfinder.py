"""VR-Bench's pathfinder game (its irregular maze), read for the trajectory checker.

A pathfinder level has no grid. Its state JSON's ``metadata`` holds the roads as Bézier control
polygons in canvas pixels (``segments``: each road's first and last control points are the junctions it
joins), the ``road_width``, ``start_point`` / ``end_point`` (junctions) and VR-Bench's
``solution_path`` (junction coordinates); ``render.image_width`` / ``image_height`` give the canvas.
The picture is textured road drawn ``road_width`` wide along every curve on a black ground, a goal icon
at the end and the player's icon (0.8 road widths) at the start; the ground-truth video slides the
player's icon along the curves at constant speed, with no end hold.

Here the junctions become graph nodes, the roads its edges, and the picture a region map: pixels near
a junction are that node, pixels of a road are "in transit" on it, the ground is wall. So the
trajectory engine's rules apply: the agent stays on roads (ground crossed = WALL_CROSSING), moves only
along a road to a junction it joins (else TELEPORT), reaches the goal and stays there, along a route
with the fewest junction-to-junction roads (VR-Bench's own first criterion for its ground truth). Two
junctions closer than a road width are one junction on the picture (Voronoi vertices can nearly
coincide; the short road between them is hidden under the junction's round blob), so they are merged.
Appearance (road, ground, goal, player) is learned from the level's own first frame.
"""

from __future__ import annotations

import numpy as np

from ..checkers.agent_sight import REMNANT
from ..checkers.trajectory import TrajectoryChecker

ICON = 0.8  # icon side / road width, as VR-Bench draws start and end icons
RIM = 1.5  # canvas px either side of a road's edge left out of the layout test (and a working pixel)


def bezier(control, n: int = 200) -> np.ndarray:
    """n points along the Bézier curve of a control polygon (Bernstein form, any degree)."""
    from scipy.special import comb

    p = np.asarray(control, np.float64).reshape(-1, 2)
    k = len(p) - 1
    t = np.linspace(0.0, 1.0, n)[:, None]
    j = np.arange(k + 1)[None, :]
    w = comb(k, j) * t ** j * (1 - t) ** (k - j)
    return w @ p


def road_state(st: dict) -> dict:
    """The genbench item state of one pathfinder level (its JSON as read): merged junctions, roads,
    start, goal and every route with the fewest roads."""
    from ..tasks.maze.grid_layout import all_shortest_paths

    meta = st.get("metadata") or {}
    segs = [s for s in meta.get("segments") or [] if len(s) >= 2]
    if not segs:
        raise ValueError("pathfinder state has no road segments (metadata.segments)")
    render = st.get("render") or {}
    width = int(render.get("image_width") or meta.get("image_size") or 0)
    height = int(render.get("image_height") or width)
    road = float(meta.get("road_width") or render.get("cell_size") or 0)
    if width <= 0 or height <= 0 or road <= 0:
        raise ValueError("pathfinder state lacks the canvas size or the road width")
    ends = np.array([[s[0], s[-1]] for s in segs], np.float64)  # (S, 2, 2)
    points = ends.reshape(-1, 2)
    # junctions: segment ends closer than a road width are one junction (one blob on the picture)
    from scipy.cluster.hierarchy import DisjointSet
    from scipy.spatial import cKDTree

    parts = DisjointSet(range(len(points)))
    for a, b in cKDTree(points).query_pairs(road):
        parts.merge(a, b)
    roots = sorted({parts[i] for i in range(len(points))}, key=lambda r: (points[r][1], points[r][0]))
    node_of_root = {r: k for k, r in enumerate(roots)}
    point_node = np.array([node_of_root[parts[i]] for i in range(len(points))])
    n = len(roots)
    centres = np.array([points[point_node == k].mean(0) for k in range(n)])
    seg_ends = point_node.reshape(-1, 2)
    pairs = sorted({(int(min(a, b)), int(max(a, b))) for a, b in seg_ends if a != b})
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        adj[a].append(b)
        adj[b].append(a)

    def node_near(xy, what: str) -> int:
        d = np.hypot(*(centres - np.asarray(xy, np.float64)).T)
        k = int(np.argmin(d))
        if d[k] > road:
            raise ValueError(f"pathfinder {what} {list(xy)} is on no junction")
        return k

    player = (st.get("entities") or {}).get("player") or {}
    goal_e = (st.get("entities") or {}).get("goal") or {}
    px = lambda e: [e["pixel_pos"]["x"], e["pixel_pos"]["y"]] if e.get("pixel_pos") else None  # noqa: E731
    start_xy = meta.get("start_point") or px(player)
    goal_xy = meta.get("end_point") or px(goal_e)
    if start_xy is None or goal_xy is None:
        raise ValueError("pathfinder state has no start or end point")
    start, goal = node_near(start_xy, "start"), node_near(goal_xy, "end")
    paths = all_shortest_paths(adj, start, goal)
    if not paths:
        raise ValueError("pathfinder: the end cannot be reached from the start along the roads")
    optimal = _vrbench_optimal(segs, points, point_node, start_xy, goal_xy)
    return {"width": width, "height": height, "road_px": road, "icon_px": int(road * ICON),
            "start_xy": [float(v) for v in start_xy], "goal_xy": [float(v) for v in goal_xy],
            "junctions": points.round(3).tolist(), "junction_node": point_node.tolist(),
            "nodes": centres.round(3).tolist(), "edges": [list(p) for p in pairs],
            "roads": [[[float(v) for v in q] for q in s] for s in segs], "road_nodes": seg_ends.tolist(),
            "start": start, "goal": goal, "solutions": optimal, "shortest_length": len(optimal[0]) - 1,
            "fewest_roads": len(paths[0]) - 1}


def measured_length(control) -> float:
    """A road's length as VR-Bench measures it to pick the route its ground truth renders: the polyline
    through 401 points of the curve, truncated to whole pixels (its ``bezier_curve_opencv`` returns int32
    points; its sums are made term by term, in the same order here, so that a coordinate it computes as
    99.9999… truncates to 99 here too). The truncation lengthens roads by 5-20%, unevenly, so its
    shortest route may be a few percent longer than the truly shortest one."""
    from math import comb

    p = np.asarray(control, np.float64).reshape(-1, 2)
    n = len(p) - 1
    t = np.arange(401) / 400
    x, y = np.zeros(401), np.zeros(401)
    for j in range(n + 1):
        coef = comb(n, j) * (t ** j) * ((1 - t) ** (n - j))
        x, y = x + coef * p[j, 0], y + coef * p[j, 1]
    pts = np.stack([np.trunc(x), np.trunc(y)], 1)
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())


def _vrbench_optimal(segs: list, points: np.ndarray, point_node: np.ndarray, start_xy, goal_xy) -> list:
    """VR-Bench's optimal routes, as merged junctions: on its own junction graph (every distinct segment
    end a junction), from its start junction to its end junction, the routes with the fewest roads, of
    those the ones within 1% of the shortest length, by VR-Bench's own measure (``measured_length``: its
    rule for the ground truth it renders, first in the list) or by the curves' true length (a model that
    takes the truly shortest route is optimal too)."""
    from ..geometry import arclength
    from ..tasks.maze.grid_layout import all_shortest_paths

    key = {tuple(p): k for k, p in reversed(list(enumerate(points.round(6).tolist())))}
    jid = np.array([key[tuple(p)] for p in points.round(6).tolist()])
    raw = sorted(set(jid.tolist()))
    idx = {j: k for k, j in enumerate(raw)}
    adj: list[list[int]] = [[] for _ in raw]
    length: dict = {}  # (a, b) -> (VR-Bench's measure, true length) of the road it would take
    for k, s in enumerate(segs):
        a, b = idx[jid[2 * k]], idx[jid[2 * k + 1]]
        if a != b:
            adj[a].append(b)
            adj[b].append(a)
            length[(min(a, b), max(a, b))] = min(length.get((min(a, b), max(a, b)), (np.inf, np.inf)),
                                                 (measured_length(s), arclength(bezier(s))))
    merged = [int(point_node[j]) for j in raw]
    at = lambda xy: idx[raw[int(np.argmin(np.hypot(*(points[raw] - np.asarray(xy, np.float64)).T)))]]  # noqa: E731
    routes = all_shortest_paths(adj, at(start_xy), at(goal_xy), cap=256)
    cost = np.array([np.sum([length[(min(a, b), max(a, b))] for a, b in zip(p, p[1:])] or [(0.0, 0.0)], axis=0)
                     for p in routes])
    out = []
    for k in np.argsort(cost[:, 0], kind="stable"):
        if (cost[k] <= 1.01 * cost.min(axis=0)).any():
            m = [merged[j] for j in routes[k]]
            m = [j for i, j in enumerate(m) if i == 0 or j != m[i - 1]]
            if m not in out:
                out.append(m)
    return out


def _icon_box(xy, side: int, shape) -> tuple[slice, slice]:
    """Pixels of an icon of ``side`` px pasted centred at int(xy), as VR-Bench pastes it."""
    x0, y0 = int(xy[0]) - side // 2, int(xy[1]) - side // 2
    return slice(max(y0, 0), min(y0 + side, shape[0])), slice(max(x0, 0), min(x0 + side, shape[1]))


def _found(icon: np.ndarray, window: tuple, side: int) -> tuple[slice, slice]:
    """The icon's box in a search window: ``side`` px round the middle of the icon pixels there (the
    window itself when it holds none)."""
    ys, xs = np.nonzero(icon[window])
    if not len(ys):
        return window
    cy, cx = window[0].start + int(np.median(ys)), window[1].start + int(np.median(xs))
    H, W = icon.shape
    return (slice(max(cy - side // 2 - 1, 0), min(cy + side // 2 + 2, H)),
            slice(max(cx - side // 2 - 1, 0), min(cx + side // 2 + 2, W)))


def _unlike(q: np.ndarray, sample: np.ndarray, bits: int = 5) -> np.ndarray:
    """Per colour bin: does ``sample`` (quantised pixels) never show it (smoothed, a pixel's worth)?"""
    from scipy import ndimage

    side = 1 << bits
    hist = np.bincount(sample.ravel(), minlength=side ** 3).astype(np.float32)
    hist = ndimage.gaussian_filter(hist.reshape(side, side, side), 0.7, mode="nearest", truncate=2.0).ravel()
    return hist[q] <= 0.02


def road_region_map(item):
    """The trajectory checker's RegionMap of an imported pathfinder item."""
    from scipy import ndimage

    from ..tasks.maze.graph_raster import loose_tiles
    from ..tasks.maze.skins import AGENT, FLOOR, GOAL, WALL
    from ..tasks.maze.canvas_regionmap import canvas_region_map, working_scale
    from ..vision.lut import quantise

    s = item.state
    img = item.first_frame
    H, W = img.shape[:2]
    if (W, H) != (s["width"], s["height"]):
        raise ValueError(f"{item.id}: first frame is {W}×{H}, the state says {s['width']}×{s['height']}")
    road, n = float(s["road_px"]), len(s["nodes"])
    edge_id = {tuple(p): k for k, p in enumerate(s["edges"])}
    # nearest road centreline and nearest junction of every pixel (one distance transform each)
    centre = np.full((H, W), -1, np.int32)
    import cv2

    for k, ctrl in enumerate(s["roads"]):
        pts = np.round(bezier(ctrl, max(50, int(np.hypot(*np.subtract(ctrl[-1], ctrl[0])) / 2)))).astype(np.int32)
        cv2.polylines(centre, [pts.reshape(-1, 1, 2)], False, k, 1)
    d_road, (iy, ix) = ndimage.distance_transform_edt(centre < 0, return_indices=True)
    road_of = centre[iy, ix]
    jn = np.full((H, W), -1, np.int32)
    for (x, y), k in zip(s["junctions"], s["junction_node"]):
        jn[min(max(int(round(y)), 0), H - 1), min(max(int(round(x)), 0), W - 1)] = k
    d_node, (jy, jx) = ndimage.distance_transform_edt(jn < 0, return_indices=True)
    on_road = d_road <= road / 2
    at_node = d_node <= road / 2 + 1
    ends = np.array(s["road_nodes"], np.int64)
    a, b = ends[road_of, 0], ends[road_of, 1]
    passage = np.array([edge_id.get((min(p, q), max(p, q)), -1) for p, q in ends])[road_of]
    # a road whose two ends are one (merged) junction lies inside that junction's blob
    node_of = np.where(at_node, jn[jy, jx], np.where(on_road, np.where(a == b, a, n + passage), -1))
    block_of = np.where(at_node, jn[jy, jx], np.where(on_road, n + road_of, -1)).astype(np.int64)
    ground = node_of < 0
    block_of[ground] = n + len(s["roads"]) + loose_tiles(H, W, max(4, int(1.5 * road)))[ground]
    base = np.where(ground, WALL, FLOOR).astype(np.uint8)
    # the icons: pixels of their boxes, on the road, in colours the bare road never shows
    q = quantise(img)
    side = int(s["icon_px"])
    # VR-Bench draws an icon at its junction, or at a junction a few pixels off (its renderer matches a
    # route's roads to junctions within 10 px): look for each in a window a road width wider
    reach = side + 2 * int(road)
    gwin, awin = _icon_box(s["goal_xy"], reach, (H, W)), _icon_box(s["start_xy"], reach, (H, W))
    bare = (d_road <= road / 2 - 2) & ~ground
    for box in (gwin, awin):
        bare[box] = False
    if not bare.any():
        raise ValueError(f"{item.id}: no bare road to learn the road's colours from")
    far = d_road > road / 2 + 3  # bare ground, away from the roads' anti-aliased edges
    # an icon's pixels: colours the bare road never shows; those the ground shows too (a golf hole's
    # black) belong to neither reading and are left out of learning and of the layout test
    icon = _unlike(q, q[bare]) & ~ground
    inner = icon & (d_road <= road / 2 - 2)  # not the road's anti-aliased rim, which is unlike it too
    gbox, abox = _found(inner, gwin, side), _found(inner, awin, side)
    ambiguous = icon & ~_unlike(q, q[far]) if far.any() else np.zeros_like(icon)
    cls = base.astype(np.int16)
    for box, k in ((gbox, GOAL), (abox, AGENT)):
        cls[box] = np.where(icon[box], np.where(ambiguous[box], -1, k), cls[box])
    base[gbox] = np.where(cls[gbox] == GOAL, GOAL, base[gbox])
    # round the goal icon, its shading blends into the road (a hole's dark rim): the icon is watched
    # as the goal (present where drawn), the rest of its box is not judged as layout
    unsure = ndimage.binary_dilation(cls < 0, iterations=max(1, int(road / 12)))
    # the road's anti-aliased rim (a curve drawn ``road`` wide shows up to 1.5 px past road / 2, and a
    # sliver of ground between close roads can be mostly rim), widened by a working-size pixel (a frame
    # is read resampled): neither road nor ground, not judged
    unsure |= np.abs(d_road - road / 2) <= RIM + 1 / working_scale(road, float(side))
    g = max(1, int(road / 8))
    grown = (slice(max(gbox[0].start - g, 0), gbox[0].stop + g), slice(max(gbox[1].start - g, 0), gbox[1].stop + g))
    unsure[grown] |= cls[grown] != GOAL
    if not (cls == AGENT).any() or not (base == GOAL).any():
        raise ValueError(f"{item.id}: the player or goal icon cannot be told from the road in the first frame")
    pal = np.array([np.median(img[cls == k], axis=0) if (cls == k).any() else (0, 0, 0) for k in range(5)],
                   np.uint8)
    yy, xx = np.mgrid[0:H, 0:W]
    gy, gx = (gbox[0].start + gbox[0].stop) / 2, (gbox[1].start + gbox[1].stop) / 2
    foot = (np.abs(yy - gy) <= side / 2 + 2) & (np.abs(xx - gx) <= side / 2 + 2)
    nodes = np.asarray(s["nodes"], np.float64)
    rm = canvas_region_map(
        node_of=node_of, block_of=block_of, base_class=base, first_index=cls, palette=pal, ignore=unsure,
        palette_class=np.arange(5, dtype=np.int64), node_xy=nodes, edges=[tuple(e) for e in s["edges"]],
        lattice={tuple(e) for e in s["edges"]}, start=s["start"], goals={s["goal"]}, solutions=s["solutions"],
        cell_px=road, step_px=road, agent_px=float(side), calib_ignore=foot, first=img, textured=True)
    # the sprite's extent is the icon's drawn size: where player and goal icons share colours (a boat and
    # a flag, both white with yellow dots) fewer of its pixels read as the player than it covers, and the
    # rest must still count as under the sprite, not as layout
    rm.agent_extent = max(rm.agent_extent, side * rm.width / W)
    return rm


def road_rules(v, rm, state: dict):
    """The trajectory verdict under the two rules roads add: no jump across the ground, and an optimal
    route is one of VR-Bench's (``state["solutions"]``), not merely one with the fewest merged junctions;
    VR-Bench's metrics measured against the route's curves (the engine's are against straight lines
    between junctions)."""
    return _curve_metrics(_optimal_as_vrbench(_forbid_jumps(v, rm), state["solutions"]), rm, state)


def route_curve(state: dict, route: list) -> np.ndarray:
    """The roads of a route of (merged) junctions as one polyline in canvas pixels."""
    nodes = np.asarray(state["nodes"], np.float64)
    out = [nodes[route[0]][None]]
    for a, b in zip(route, route[1:]):
        ks = [k for k, (p, q) in enumerate(state["road_nodes"]) if {p, q} == {a, b}]
        if not ks:
            raise ValueError(f"no road joins junctions {a} and {b}")
        curves = [bezier(state["roads"][k]) for k in ks]
        c = min(curves, key=lambda c: float(np.hypot(*np.diff(c, axis=0).T).sum()))
        out.append(c if np.hypot(*(c[0] - nodes[a])) <= np.hypot(*(c[-1] - nodes[a])) else c[::-1])
    return np.concatenate(out)


def _curve_metrics(v, rm, state: dict):
    from ..checkers.vrmetrics import vr_metrics

    if v.status != "ok" or "sr" not in v.metrics:
        return v
    W, H = state["width"], state["height"]
    gen = np.array([p for p in v.evidence.get("xy", []) if p is not None], np.float64).reshape(-1, 2)
    gt = route_curve(state, state["solutions"][0]) / (W, H)
    v.metrics.update(vr_metrics(gen, gt, bool(v.metrics.get("reached")), float(v.metrics.get("mf", 1.0)),
                                0.5 * state["road_px"] / max(W, H)))
    return v


def _optimal_as_vrbench(v, solutions: list):
    """Optimality by VR-Bench's rule: the junctions the agent passed are one of its optimal routes. The
    engine counts roads between the merged junctions, which can prefer a route VR-Bench's fewer-roads
    count (on its unmerged junctions) does not."""
    if v.status != "ok" or v.failure not in (None, "NOT_OPTIMAL"):
        return v
    moves = v.evidence.get("moves", [])
    path = [solutions[0][0]] + [b for _, _, b in moves]
    if path in solutions:
        if v.failure == "NOT_OPTIMAL":
            v.passed, v.failure, v.first_error_frame, v.message, v.score = True, None, None, "", 1.0
            v.metrics.update(optimal=1.0, exact=1.0)
        return v
    if v.passed:  # held and legal, on a route VR-Bench does not count optimal
        off = next((k for k in range(len(path)) if all(p[:k + 1] != path[:k + 1] for p in solutions)), len(path))
        v.passed, v.failure, v.message = False, "NOT_OPTIMAL", "not one of VR-Bench's optimal routes"
        v.first_error_frame = moves[off - 1][0] if 0 < off <= len(moves) else None
        v.metrics.update(optimal=0.0, exact=0.0)
        v.score = float(v.metrics.get("progress", 0.0))
    return v


ROAD_MIN_JUMP = 1.0  # road widths: the least one-frame move the pace rule (events.first_leap) calls a leap


def _forbid_jumps(v, rm, max_gap: int = 2):
    """TELEPORT where the agent, seen in two frames at most ``max_gap`` apart, got from one spot to the
    other by a jump: the straight line between them runs more than a quarter road width into the ground,
    or it leapt (the pace rule every engine shares, ``events.first_leap``: more than ``ROAD_MIN_JUMP``
    road widths per frame and over 4× its pace; a model may be fast, but its motion is continuous). The
    trajectory engine judges where the agent *is*: on roads a jump along a road, or from mid-road onto
    the next road, lands on a road joined to the last junction and reads as a legal move. Seen again after
    longer, a move over a road width at over ``LEAP_PACE`` × its pace is a leap too."""
    from ..checkers.events import LEAP_PACE, Event, first_leap, walker_pace

    if v.status != "ok":
        return v
    xy = [None if p is None else (p[0] * rm.width, p[1] * rm.height) for p in v.evidence.get("xy", [])]
    seen = [(i, p) for i, p in enumerate(xy) if p is not None]
    across = None
    for (i0, (x0, y0)), (i, (x, y)) in zip(seen, seen[1:]):
        if i - i0 > max_gap:
            continue
        d = float(np.hypot(x - x0, y - y0))
        k = int(d) + 2
        xs = np.clip(np.round(np.linspace(x0, x, k)).astype(int), 0, rm.width - 1)
        ys = np.clip(np.round(np.linspace(y0, y, k)).astype(int), 0, rm.height - 1)
        if float(rm.wall_depth[ys, xs].max()) > 0.25 * rm.cell_px:
            across = Event(i, "TELEPORT", f"jumped {d / rm.cell_px:.1f} road widths across the ground "
                                          f"between frames {i0} and {i}")
            break
    leap = first_leap(xy, rm.cell_px, ROAD_MIN_JUMP, max_gap, unit_name="road widths")
    # seen again after more frames unseen: the sighting's wobble does not grow with the gap, so over a
    # road width in all at LEAP_PACE × its pace is a leap too (a faint far blob is taken up only after
    # frames unseen, trajectory's remnant rule: a jump's landing read first as faint is such a gap)
    frames, gaps, per, pace = walker_pace(xy, rm.cell_px)
    back = next((Event(f, "TELEPORT", f"seen again {d * g / rm.cell_px:.1f} road widths away after {g} frames "
                                      f"unseen ({d / pace:.0f}× its pace)")
                 for f, g, d in zip(frames.tolist(), gaps.tolist(), per.tolist())
                 if pace is not None and g > max_gap and d * g > ROAD_MIN_JUMP * rm.cell_px and d > LEAP_PACE * pace),
                None)
    jump = min((e for e in (across, leap, back) if e is not None), key=lambda e: e.frame, default=None)
    if jump is not None and (v.passed or v.first_error_frame is None or jump.frame < v.first_error_frame):
        v.passed, v.failure, v.first_error_frame, v.message = False, "TELEPORT", jump.frame, jump.detail
        v.score = min(v.score, float(v.metrics.get("progress", 0.0)))
        v.metrics.update(legal=0.0, exact=0.0)
        v.evidence.setdefault("events", []).append(jump.to_json())
    return v


def static_goal_reading(cls: np.ndarray, img: np.ndarray, goal_area: np.ndarray, goal_picture: np.ndarray,
                        tol: int = 48) -> np.ndarray:
    """Tell the player from the goal where their icons share colours (a boat and a flag, both white with
    yellow dots), by place rather than colour: the goal never moves, so a sprite-coloured pixel (read as
    either) is goal only inside ``goal_area`` and where the frame still shows ``goal_picture`` (the
    video's first frame) within ``tol`` per channel, allowing a pixel's shift; every other one is the
    player. A video that starts with the player on the goal has it in ``goal_picture`` and reads it as the
    goal until it leaves (then it is found away from the start). ``cls``: the colour reading (FLOOR /
    WALL / GOAL / AGENT per pixel), returned refined."""
    from ..checkers.regionmap import AGENT, GOAL

    sprite = (cls == GOAL) | (cls == AGENT)
    out = np.where(sprite, np.uint8(AGENT), cls).astype(cls.dtype)
    ys, xs = np.nonzero(goal_area)
    if not len(ys):
        return out
    box = slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)
    got = img[box].astype(np.int16)
    ref = np.pad(goal_picture.astype(np.int16), ((1, 1), (1, 1), (0, 0)), mode="edge")
    y0, x0 = box[0].start, box[1].start
    h, w = got.shape[:2]
    # the picture shifted by up to a pixel each way (the frame's mapping is sub-pixel, not exact)
    dist = np.min([np.abs(got - ref[y0 + dy:y0 + dy + h, x0 + dx:x0 + dx + w]).max(-1)
                   for dy in range(3) for dx in range(3)], axis=0)
    goal_here = goal_area[box] & (dist <= tol) & sprite[box]
    out[box] = np.where(goal_here, np.uint8(GOAL), out[box])
    return out


class RoadChecker(TrajectoryChecker):
    """The trajectory checker on a pathfinder level. Where the colour reading cannot find the player (its
    colours are the goal's too) player and goal are told apart by ``static_goal_reading`` (by place);
    elsewhere the colour reading stands. It cannot when, in the video's first frame, under ``REMNANT`` of
    the player's drawn pixels read as the player, or when, in the first readings after
    it (as long as the engine lets a sprite go unseen), fewer pixels than ``REMNANT`` of its drawn size
    read as the player anywhere: a boat that reads 67% itself at rest may read 27% once it moves onto the
    road (VR-Bench's pathfinder skin 4). The goal's picture is the video's own first frame (mapped as every frame is: the
    level's PNG differs from a decoded frame by up to 100 levels at the flag's edges)."""

    still_layout = False  # curved roads have no cells and twin cells to read a still layout by

    def __init__(self, rm, *args, **kwargs):
        super().__init__(rm, *args, **kwargs)
        from ..checkers.regionmap import AGENT

        # the goal's drawn pixels and a 2 px rim (its anti-aliased edge, a sub-pixel drift): kept per item
        self._goal_area = rm.near_goal
        labels = rm.appearance_labels
        self._player = labels == AGENT if labels is not None and (labels == AGENT).any() else None
        self._goal_picture, self._by_place, self._readings, self._watch = None, False, 0, 0

    def check(self, frames, fit, fps):
        # set from this video's first frames; watched as long as a sprite may go unseen (SPRITE_LOST's wait)
        self._goal_picture, self._by_place, self._readings = None, False, 0
        self._watch = max(2, int(round(self.lost_seconds * fps))) + 1
        return super().check(frames, fit, fps)

    def _classify(self, img: np.ndarray, lut: np.ndarray) -> np.ndarray:
        from ..checkers.regionmap import AGENT

        cls = super()._classify(img, lut)
        self._readings += 1
        if self._goal_picture is None:
            self._goal_picture = img.copy()
            self._by_place = self._player is not None and (cls[self._player] == AGENT).mean() < REMNANT
        elif not self._by_place and self._player is not None and self._readings <= self._watch:
            self._by_place = np.count_nonzero(cls == AGENT) < REMNANT * np.count_nonzero(self._player)
        if not self._by_place:
            return cls
        return static_goal_reading(cls, img, self._goal_area, self._goal_picture)
