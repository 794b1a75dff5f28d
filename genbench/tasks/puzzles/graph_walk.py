"""puzzle.graph_walk: walk a token from node A to node B along the drawn edges, by a shortest route.

Graphs are planar (a random subset of a Delaunay triangulation that keeps a spanning tree), so edges
never cross and every drawn line is unambiguous. The token moves node to node along edges; the
checker decodes which node it rests on, checks each hop is an edge and that, between nodes, the
token stays on the drawn lines. Every shortest path is stored; a longer legal walk reaches the goal
but fails as NOT_OPTIMAL.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ...checkers.process import Game
from ...perturb import Perturbation, canvas_clip
from ..base import TaskFamily, register_task
from ..config import ConfigError, TaskConfig, knob
from ..maze.grid_layout import all_shortest_paths, bfs
from .objects import Pace, ProcessFamilyMixin, fill_circle


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.graph_walk's config; the difficulties are the presets in LEVELS."""

    nodes: int = knob(3, 20)
    min_path: int = knob(1, 19, doc="edges on the shortest route from A to B")
    extra_edges: float = knob(0.0, 1.0, doc="share of the non-tree Delaunay edges kept (loops: more than one route)")

    def check(self) -> None:
        if self.min_path > self.nodes - 1:
            raise ConfigError(f"min_path={self.min_path} is not allowed: {self.nodes} nodes have routes of at most "
                              f"{self.nodes - 1} edges")


LEVELS = {"easy": Level(6, 2, 0.3), "medium": Level(9, 3, 0.35), "hard": Level(13, 5, 0.4)}
SKINS = {
    "classic": {"background": (245, 245, 240), "edge": (150, 150, 158), "node": (60, 60, 70),
                "token": (220, 50, 47), "goal": (60, 170, 70),
                "words": {"token": "red ball", "goal": "green node", "node": "dark grey circles",
                          "edge": "grey lines", "background": "white"}},
    "night": {"background": (28, 30, 48), "edge": (120, 125, 150), "node": (210, 215, 230),
              "token": (250, 130, 0), "goal": (0, 170, 175),
              "words": {"token": "orange ball", "goal": "teal node", "node": "light grey circles",
                        "edge": "grey-blue lines", "background": "dark blue"}},
}
SIZE, MARGIN, MIN_GAP = 512, 56, 120
NODE_R, TOKEN_R, EDGE_T = 24, 14, 8


def place_nodes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Rejection sampling with a minimum gap (Poisson-disk-like), the gap sized to the node count."""
    gap = min(MIN_GAP, 0.8 * (SIZE - 2 * MARGIN) / np.sqrt(n))
    while True:
        pts = np.zeros((0, 2))
        for p in np.round(rng.uniform(MARGIN, SIZE - MARGIN, (2000, 2))):
            if len(pts) == 0 or np.hypot(*(pts - p).T).min() >= gap:
                pts = np.vstack([pts, p])
                if len(pts) == n:
                    return pts
        gap *= 0.9


def build_edges(pts: np.ndarray, keep: float, rng: np.random.Generator) -> list[tuple[int, int]]:
    from scipy.cluster.hierarchy import DisjointSet
    from scipy.spatial import Delaunay

    tri = Delaunay(pts)
    cand = sorted({tuple(sorted((int(s[i]), int(s[j])))) for s in tri.simplices for i, j in ((0, 1), (1, 2), (0, 2))})
    # drop edges that pass too close to a third node (they would look like they touch it)
    def clear(a, b):
        pa, pb = pts[a], pts[b]
        d = pb - pa
        for k, p in enumerate(pts):
            if k in (a, b):
                continue
            t = np.clip(np.dot(p - pa, d) / np.dot(d, d), 0, 1)
            if np.hypot(*(pa + t * d - p)) < NODE_R + EDGE_T + 10:
                return False
        return True
    cand = [e for e in cand if clear(*e)]
    order = rng.permutation(len(cand)).tolist()
    trees = DisjointSet(range(len(pts)))
    tree, rest = [], []
    for i in order:
        a, b = cand[i]
        (tree if trees.merge(a, b) else rest).append((a, b))  # a spanning tree, then extra edges
    extra = [e for e in rest if rng.random() < keep]
    return sorted(tree + extra)


def adjacency(n: int, edges) -> list[list[int]]:
    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    return adj


@register_task("puzzle.graph_walk", "Walk a token from node A to node B along the edges, by a shortest route.",
               group="puzzles")
class GraphWalk(ProcessFamilyMixin, TaskFamily):
    description = "Graph traversal: move the token along drawn edges, node to node, to the goal node by a shortest route."
    dimension = "structural reasoning & search"
    presets = LEVELS
    skins = tuple(SKINS)
    all_skins = skins
    checker_name = "process"
    checker_version = "3"  # 2: the process engine re-aligns when resting objects fill their boxes poorly; 3: planes
    pace = Pace(transit=6, rest=3, lead=3, hold=18)
    perturbation_expectations = {"cut_to_final": "TELEPORT"}

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        for _ in range(100):
            pts = place_nodes(lv.nodes, rng)
            edges = build_edges(pts, lv.extra_edges, rng)
            adj = adjacency(lv.nodes, edges)
            if any(len(a) == 0 for a in adj):
                continue  # a node lost every edge to the clearance rule
            dist = [bfs(adj, k) for k in range(lv.nodes)]
            pairs = [(a, b) for a in range(lv.nodes) for b in range(lv.nodes) if dist[a][b] >= lv.min_path]
            if pairs:
                break
        else:  # pragma: no cover - the levels leave ample room
            raise RuntimeError(f"{self.name}/{difficulty}: no graph with a path of {lv.min_path} edges")
        start, goal = pairs[int(rng.integers(len(pairs)))]
        paths = all_shortest_paths(adj, start, goal)
        state = {"game": "graph_walk", "nodes": pts.tolist(), "edges": [list(e) for e in edges],
                 "start_node": start, "goal_node": goal, "start": [start], "goal": [goal],
                 "shortest_length": len(paths[0]) - 1, "solutions": [[[v] for v in p] for p in paths],
                 "skin": {"name": skin_name, **sk}, "geometry": {"width": SIZE, "height": SIZE, "node_r": NODE_R,
                                                                "token_r": TOKEN_R, "edge_px": EDGE_T}}
        w = sk["words"]
        rule = (f"The {w['token']} travels only along the {w['edge']}, from node to node, by the shortest route "
                f"(fewest edges) to the {w['goal']}, then stops on it and stays there. It never leaves the lines "
                "or jumps; the graph does not change.")
        prompt_i2v = (f"A graph of {w['node']} joined by {w['edge']} on a {w['background']} background. A {w['token']} "
                      f"sits on one node; one node is the {w['goal']}. " + rule)
        edges_txt = ", ".join(f"{a + 1}–{b + 1}" for a, b in edges)
        prompt_t2v = (f"A flat 2D drawing on a {w['background']} background of a graph with {lv.nodes} nodes "
                      f"({w['node']}) numbered 1 to {lv.nodes}, joined by {w['edge']}: {edges_txt}. The {w['token']} "
                      f"starts on node {start + 1}; node {goal + 1} is the {w['goal']}. " + rule
                      + " Static camera, flat colours.")
        first = self.draw_state(state, np.array([pts[start]]), [])
        return self.new_item(index, difficulty, seed, prompt_i2v, prompt_t2v, state, first, lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json(["graph", s["nodes"], s["edges"], s["start_node"], s["goal_node"]]))

    # drawing
    def positions(self, item, state):
        return np.array([item.state["nodes"][state[0]]], np.float64)

    def draw_objects(self, item, xy, on_top):
        return self.draw_state(item.state, xy, on_top)

    @staticmethod
    def scene(s: dict) -> np.ndarray:
        sk = s["skin"]
        img = np.empty((SIZE, SIZE, 3), np.uint8)
        fill(img, sk["background"])
        pts = s["nodes"]
        for a, b in s["edges"]:
            cv2.line(img, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]), tuple(sk["edge"]), EDGE_T,
                     lineType=cv2.LINE_8)
        for k, p in enumerate(pts):
            fill_circle(img, p[0], p[1], NODE_R, sk["goal"] if k == s["goal_node"] else sk["node"])
        return img

    def draw_state(self, s: dict, xy, on_top) -> np.ndarray:
        img = self.scene(s)
        fill_circle(img, xy[0][0], xy[0][1], TOKEN_R, s["skin"]["token"])
        return img

    def solution_states(self, item, solution: int = 0):
        sols = item.state["solutions"]
        return [tuple(x) for x in sols[solution % len(sols)]]

    def random_frames(self, item, rng, fps=None, num_frames=None):
        adj = adjacency(len(item.state["nodes"]), item.state["edges"])
        walk = [item.state["start_node"]]
        for _ in range(item.state["shortest_length"] + 2):
            nb = adj[walk[-1]]
            walk.append(nb[int(rng.integers(len(nb)))])
        return self.play_states(item, [(v,) for v in walk], num_frames)

    # judging
    def game(self, item) -> Game:
        s = item.state
        sk = s["skin"]
        n = len(s["nodes"])
        palette = [tuple(sk["background"]), tuple(sk["edge"]), tuple(sk["node"]), tuple(sk["goal"]), tuple(sk["token"])]
        scale = 0.5
        pts = np.array(s["nodes"], np.float64)
        edges = {tuple(sorted(e)) for e in s["edges"]}
        adj = adjacency(n, s["edges"])
        dist_goal = bfs(adj, s["goal_node"])
        # where the token may be between nodes: on the drawn lines and nodes, with a margin
        wsz = int(round(SIZE * scale))
        allowed = np.zeros((wsz, wsz), np.uint8)
        tol = int(round((EDGE_T / 2 + 0.5 * TOKEN_R) * scale))
        for a, b in s["edges"]:
            cv2.line(allowed, tuple(int(round(v * scale)) for v in pts[a]), tuple(int(round(v * scale)) for v in pts[b]),
                     1, 2 * tol + 1)
        for p in pts:
            cv2.circle(allowed, tuple(int(round(v * scale)) for v in p), int(round(NODE_R * scale)) + tol, 1, -1)

        # how far outside that band, to tell a cut across the open (one frame is enough) from a wobble
        off_by = cv2.distanceTransform((allowed == 0).astype(np.uint8), cv2.DIST_L2, 3)

        def on_lines(k, x, y, cur):
            xi, yi = min(max(int(round(x)), 0), wsz - 1), min(max(int(round(y)), 0), wsz - 1)
            if allowed[yi, xi]:
                return None
            return f"the token left the edges near ({x / scale:.0f}, {y / scale:.0f})", bool(off_by[yi, xi] > 2 * tol)

        def legal(a, b):
            if tuple(sorted((a[0], b[0]))) not in edges:
                return f"the token went from node {a[0] + 1} to node {b[0] + 1}, which no edge joins"
            return None

        return Game(canvas=(SIZE, SIZE), scale=scale, palette=np.array(palette, np.uint8), obj_class=[4],
                    slot_xy=pts[None].copy(), half=np.array([[TOKEN_R, TOKEN_R]], np.float64),
                    start=(s["start_node"],), goals={(s["goal_node"],)}, optimal=s["shortest_length"],
                    render=lambda st: self.draw_state(s, np.array([pts[st[0]]]), []),
                    valid=lambda st: True, legal=legal,
                    distance=lambda st: dist_goal[st[0]] if dist_goal[st[0]] >= 0 else n,
                    require_optimal=True, transit_check=on_lines)

    # checker validity
    def perturbations(self) -> list:
        def skip(fam, item, rng):
            sol = fam.solution_states(item)
            return canvas_clip(fam, item, fam.play_states(item, [sol[0]] + sol[2:]))  # straight across to node 2

        def detour(fam, item, rng):
            sol = fam.solution_states(item)
            adj = adjacency(len(item.state["nodes"]), item.state["edges"])
            back = next(v for v in adj[sol[0][0]] if v != sol[1][0]) if len(adj[sol[0][0]]) > 1 else sol[1][0]
            walk = [sol[0], (back,), sol[0]] + sol[1:]  # out to a neighbour and back first
            return canvas_clip(fam, item, fam.play_states(item, walk))

        def short(fam, item, rng):
            return canvas_clip(fam, item, fam.play_states(item, fam.solution_states(item)[:-1]))

        def off_edge(fam, item, rng):
            sol = fam.solution_states(item)
            pts = np.array(item.state["nodes"], np.float64)
            a, b = pts[sol[0][0]], pts[sol[1][0]]
            mid = (a + b) / 2
            normal = np.array([-(b - a)[1], (b - a)[0]]) / max(np.hypot(*(b - a)), 1)
            bulge = mid + normal * 90  # a detour that leaves the line between two joined nodes
            bulge = np.clip(bulge, 20, SIZE - 20)
            orig = fam.path

            def bent(it, k, s0, s1):
                return [a, bulge, b] if (s0, s1) == (sol[0], sol[1]) else orig(it, k, s0, s1)
            fam2 = _WithPath(fam, bent)
            return canvas_clip(fam, item, fam2.play_states(item, sol))

        def goal_moved(fam, item, rng):
            frames = list(fam.solution_frames(item))
            s2 = dict(item.state)
            others = [k for k in range(len(s2["nodes"])) if k not in (s2["goal_node"], s2["start_node"])]
            s2["goal_node"] = others[0]  # the goal colour jumps to another node midway
            out = []
            for i, f in enumerate(frames):
                if i >= 8:
                    f = f.copy()
                    scene_old, scene_new = fam.scene(item.state), fam.scene(s2)
                    diff = (scene_old != scene_new).any(-1) & (f == scene_old).all(-1)
                    f[diff] = scene_new[diff]
                out.append(f)
            return canvas_clip(fam, item, out)

        return [Perturbation("skip_node", "ILLEGAL_MOVE", skip, "the token cuts straight to a node two edges away"),
                Perturbation("detour", "NOT_OPTIMAL", detour, "a legal walk one round trip longer than shortest"),
                Perturbation("one_edge_short", "GOAL_NOT_REACHED", short, "stops one node before the goal"),
                Perturbation("off_edge", "ILLEGAL_MOVE", off_edge, "the token bulges off the line between nodes"),
                Perturbation("goal_moved", "LAYOUT_CHANGED", goal_moved, "the goal colour moves to another node")]


class _WithPath:
    """A family whose token follows other waypoints (a perturbation's detour)."""

    def __init__(self, fam, path):
        self._fam, self._path = fam, path

    def __getattr__(self, name):
        return getattr(self._fam, name)

    def play_states(self, item, states, num_frames=None):
        from .objects import play

        p = self._fam.pace.fit(len(states) - 1, num_frames)
        return play(lambda xy, top: self._fam.draw_objects(item, xy, top), lambda s: self._fam.positions(item, s),
                    lambda k, a, b: self._path(item, k, a, b), [tuple(s) for s in states], p, num_frames)
