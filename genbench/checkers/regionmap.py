"""The trajectory engine's spec: a maze drawn on a canvas, as the checker sees it at its working size
(node and passage labels, layout regions and their expected classes, the palette, the graph, every
accepted solution). Any maze family whose layout is a graph drawn on a canvas builds one."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

FLOOR, WALL, GOAL, AGENT, UNKNOWN = 0, 1, 2, 3, 255


@dataclass
class RegionMap:
    """Everything the checker needs about one maze item, at the working resolution (W×H).

    labels: node id (0..N-1), N + e for the open passage ``edges[e]``, or -1 for wall/outside.
    layout_ids: a layout region per pixel (-1: not checked), each region holding one expected class.
    layout_class: expected semantic class per pixel with no agent drawn (FLOOR, WALL or GOAL).
    palette / palette_class: nominal colours and their semantic class; palette_map: which palette
    entry each pixel of the first frame shows (-1: mixed / not used for calibration).
    reference: optional RGB first frame at working size (for global alignment); when absent it is
    drawn from palette_map and layout_class.
    """

    width: int
    height: int
    labels: np.ndarray
    layout_ids: np.ndarray
    layout_class: np.ndarray
    palette: np.ndarray
    palette_class: np.ndarray
    palette_map: np.ndarray
    node_xy: np.ndarray  # (N, 2) node centres in working pixels
    edges: np.ndarray  # (E, 2) open passages
    lattice_pairs: set  # node pairs that are neighbours on the lattice (open or walled)
    start: int
    goals: set
    dist_to_goal: list  # moves from each node to the nearest goal through open passages
    solutions: list  # accepted node sequences
    cell_px: float  # size of a cell in working pixels (sets tolerances)
    step_px: float  # distance between the centres of neighbouring nodes, in working pixels
    agent_area: float  # agent pixels in the first frame at working size
    wall_depth: np.ndarray = field(default=None)  # distance into a wall, in working px
    snap: np.ndarray = field(default=None)  # nearest non-wall label for every pixel
    reference: np.ndarray | None = None  # expected first frame at working size (RGB uint8)
    node_names: list | None = None  # how messages name each node ("row 2, column 3"); default "node N"
    # textured skins (tile images, shaded sprites): class per first-frame working pixel to learn the
    # appearance model from (vision.appearance); None: flat palette
    appearance_labels: np.ndarray | None = None

    def where(self, node: int) -> str:
        """A node as a person reads it on the frame."""
        return self.node_names[node] if self.node_names else f"node {node}"

    def __post_init__(self) -> None:
        n = len(self.node_xy)
        self.open_pairs = {(min(a, b), max(a, b)) for a, b in self.edges.tolist()}
        self.n_nodes = n
        if self.wall_depth is None or self.snap is None:
            from scipy import ndimage

            wall = self.labels < 0
            depth, (iy, ix) = ndimage.distance_transform_edt(wall, return_indices=True)
            self.wall_depth = depth.astype(np.float32)
            self.snap = self.labels[iy, ix]
        ids = self.layout_ids
        valid = ids >= 0
        self.n_layout = int(ids.max()) + 1 if valid.any() else 0
        self.layout_size = np.bincount(ids[valid], minlength=self.n_layout)
        self.layout_flat = np.where(valid, ids, self.n_layout).ravel()  # n_layout = "ignored" bin
        # per-frame layout test: pixels that are checked, and what they must show
        self.layout_checked = valid
        self.layout_expected = np.where(valid, self.layout_class, UNKNOWN).astype(np.uint8)
        self.layout_total = int(valid.sum())
        self.agent_extent = float(np.sqrt(max(self.agent_area, 1.0) / 0.7))  # sprite size, px
        # goal pixels, unshrunk: a goal sprite can be too small for a layout region of its own
        self.goal_pixels = np.flatnonzero(self.layout_class.ravel() == GOAL)
        # pixels within two of the goal (where the first frame's agent-like goal edge is learnt): per item,
        # not per video
        goal = (self.layout_class == GOAL).astype(np.uint8)
        self.near_goal = cv2.dilate(goal, np.ones((5, 5), np.uint8)).astype(bool)

    def reference_image(self) -> np.ndarray:
        """The expected first frame at working size."""
        if self.reference is not None:
            return self.reference
        out = np.empty((self.height, self.width, 3), np.uint8)
        by_class = {int(c): self.palette[k] for k, c in reversed(list(enumerate(self.palette_class)))}
        for c, col in by_class.items():
            out[self.layout_class == c] = col
        pm = self.palette_map
        out[pm >= 0] = self.palette[pm[pm >= 0]]
        out.flags.writeable = False
        self.reference = out  # drawn once per item (every alignment of every video reads it)
        return out


def grid_node_names(rows: int, cols: int) -> list[str]:
    """Names of the nodes of a rows × cols grid (node r·cols + c), counted from 1 at the top left as
    the prompts count them."""
    return [f"row {r + 1}, column {c + 1}" for r in range(rows) for c in range(cols)]
