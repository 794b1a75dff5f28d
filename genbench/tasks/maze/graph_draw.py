"""Drawing a graph maze: its skins, the int32 label image (node id, N + open-passage id, or -1 for
wall) and the RGB floor frame drawn from the same shapes, and the exact-palette sprites on top."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .graph_layout import _route_points
from .graph_raster import cells_raster, loose_tiles
from .graph_raster import pts as _pts
from .skins import SKINS, Skin, shape_mask

def _w(agent: str, goal: str, floor: str, wall: str) -> dict:
    return {"agent": agent, "goal": goal, "floor": floor, "wall": wall}


# Three skins shared with maze.grid, one hard skin (low contrast, small agent) and one skin that only
# the out-of-distribution split uses by default (unseen colours and shapes).
GRAPH_SKINS: dict[str, Skin] = {
    "classic": SKINS["classic"], "night": SKINS["night"], "garden": SKINS["garden"],
    "fog": Skin("fog", floor=(184, 184, 178), wall=(104, 106, 116), agent=(214, 64, 52), goal=(70, 140, 95),
                agent_shape="circle", goal_shape="square", agent_scale=0.48, goal_scale=0.5,
                words=_w("small red dot", "grey-green square", "light grey", "mid grey"), hard=True),
    "ember": Skin("ember", floor=(44, 30, 30), wall=(232, 200, 120), agent=(80, 200, 255), goal=(255, 80, 160),
                  agent_shape="star", goal_shape="cross", agent_scale=0.72, goal_scale=0.66,
                  words=_w("sky-blue star", "pink cross", "dark brown", "sand-yellow")),
}
NORMAL_SKINS = ("classic", "night", "garden")
HARD_SKINS = ("fog",)
OOD_SKINS = ("ember",)


# --- drawing --------------------------------------------------------------------------------------

def draw_labels(lat: dict, is_open) -> tuple[np.ndarray, np.ndarray]:
    """(labels, wall_ids) at canvas size: labels = node id / N + open-edge index / -1; wall_ids give
    every wall piece its own id (layout regions), -1 elsewhere."""
    H, W, N = lat["height"], lat["width"], len(lat["node_xy"])
    d = lat["draw"]
    edge_id = np.cumsum(is_open) - 1 + N
    if lat["style"] == "cells":
        # cells filled; open boundaries as passage strips; closed ones, the outer wall and the pillars
        # (which belong to the wall pieces they join: no tiny regions of their own) as wall — assembled
        # from the lattice's footprints of those cv2 calls (graph_raster), same pixels as drawing them
        lab, wid = cells_raster(lat).labels(is_open, edge_id)
    else:
        lab = np.full((H, W), -1, np.int32)
        wid = np.full((H, W), -1, np.int32)
        for k, line in enumerate(lat["routes"]):
            if is_open[k]:
                cv2.polylines(lab, [_pts(line)], False, int(edge_id[k]), thickness=int(d["road_px"]))
        for i, (x, y) in enumerate(lat["node_xy"]):
            cv2.circle(lab, (int(round(x)), int(round(y))), int(d["node_r"]), int(i), -1)
    # wall not drawn as a piece (background, pillar rims): coarse tiles, so a local change stays visible
    tile = max(4, int(1.5 * d.get("road_px", d.get("wall_px", 4) * 2)))
    loose = (lab < 0) & (wid < 0)
    wid[loose] = loose_tiles(H, W, tile)[loose]
    return lab, wid


def floor_frame(lat: dict, is_open: np.ndarray, sk: Skin) -> np.ndarray:
    """The layout in the skin's wall / floor colours: the pixels where draw_labels' labels are ≥ 0 are
    floor. Drawn directly (roads) or painted from the lattice's footprints (cells), not through the
    label image: the same pixels, since cv2 rasterises a shape alike at every depth."""
    if lat["style"] == "cells":
        return cells_raster(lat).floor_frame(is_open, sk.wall, sk.floor)
    d = lat["draw"]
    img = _plain(lat["height"], lat["width"], tuple(int(v) for v in sk.wall)).copy()
    floor = tuple(int(v) for v in sk.floor)
    cv2.polylines(img, [p for p, o in zip(_route_points(lat["routes"]), is_open) if o], False, floor,
                  thickness=int(d["road_px"]))
    # every junction disk in one call: a zero-length segment of thickness 2r is drawn as its round caps
    # alone, which are cv2.circle(…, r, -1)'s very Circle (a call per disk was a tenth of the frame)
    centres = np.round(np.asarray(lat["node_xy"], np.float64)).astype(np.int32)
    cv2.polylines(img, list(np.repeat(centres, 2, 0).reshape(-1, 2, 1, 2)), False, floor,
                  thickness=2 * int(d["node_r"]))
    return img


@lru_cache(maxsize=16)
def _plain(height: int, width: int, colour: tuple) -> np.ndarray:
    """A frame of one colour, kept read-only: copying it costs a tenth of filling a new one with a
    3-byte colour (numpy broadcasts 3-byte rows, ~0.5 ms a 416 px frame)."""
    img = np.empty((height, width, 3), np.uint8)
    img[:] = colour
    img.flags.writeable = False
    return img


@lru_cache(maxsize=128)
def _mask(shape: str, size: int) -> np.ndarray:
    return shape_mask(shape, size)


def sprite_px(cell_px: float, scale: float) -> int:
    return max(3, int(round(cell_px * min(1.0, scale))))


def paste(img: np.ndarray, shape: str, size: int, colour, cx: float, cy: float) -> None:
    """Stamp a sprite centred at (cx, cy), clipped to the image (exact palette, no anti-aliasing)."""
    m = _mask(shape, size)
    x0, y0 = int(round(cx - size / 2.0)), int(round(cy - size / 2.0))
    H, W = img.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + size), min(H, y0 + size)
    if xa >= xb or ya >= yb:
        return
    sub = img[ya:yb, xa:xb]
    sub[m[ya - y0:yb - y0, xa - x0:xb - x0]] = colour


def skin_from_json(d: dict) -> Skin:
    return Skin(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})
