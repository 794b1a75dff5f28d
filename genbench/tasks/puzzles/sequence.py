"""puzzle.sequence: fill the empty slot of a row of tiles with the option tile that continues the pattern.

Each tile shows ``count`` copies of a shape in a colour; every attribute cycles with its own period
along the row (period 1: constant). The video must move one option tile from the strip into the
dashed slot. Difficulty: one cycling attribute, slot at the end, 3 options → two attributes, 4
options → three attributes, the slot anywhere after the second tile, 5 options that each differ
from the answer in exactly one attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ...checkers.pointer import STRIP, WORK
from ...checkers.tile import TileChecker, TileSpec
from ...raster import fill
from ...schema import TaskItem, canonical_json, sha256_hex
from ..base import TaskFamily, register_task
from ..config import TaskConfig, knob
from .pointer import (Skin, canvas, draw_box, draw_shape, fit_timeline, legs, row_boxes, skin_of, SKIN_NAMES,
                      SKINS)


@dataclass(frozen=True)
class Level(TaskConfig):
    """puzzle.sequence's config; the difficulties are the presets in LEVELS."""

    cells: int = knob(4, 8, doc="tiles in the row, the slot included")
    attributes: int = knob(1, 3, doc="how many of shape, colour, count cycle")
    options: int = knob(2, 6, doc="option tiles on the strip")
    slot_anywhere: bool = knob(doc="the slot may be anywhere after the second tile (else it is the last)")
    count_may_cycle: bool = knob(default=True, doc="false: a single cycling attribute is never the count")


LEVELS = {"easy": Level(6, 1, 3, False, count_may_cycle=False), "medium": Level(7, 2, 4, False),
          "hard": Level(8, 3, 5, True)}
SHAPE_POOL = ("circle", "square", "triangle", "star", "diamond", "hexagon")
ATTRS = ("shape", "colour", "count")
ROW_Y = (60, 112)
LANE_Y = 168  # tiles travel along this line between the row and the strip
TILE_STRIP = (STRIP[0] + 4, STRIP[0] + 56)


def draw_tile(img, box, tile, sk: Skin) -> None:
    shape, colour, count = tile
    draw_box(img, box, sk)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    r = 14.0 if count == 1 else 9.0
    spots = {1: [(0, 0)], 2: [(-11, 0), (11, 0)], 3: [(0, -10), (-11, 9), (11, 9)]}[count]
    for dx, dy in spots:
        draw_shape(img, SHAPE_POOL[shape], cx + dx, cy + dy, r, sk.colour(colour))


def describe(tile, sk: Skin) -> str:
    shape, colour, count = tile
    return f"{count} {sk.colour_word(colour)} {SHAPE_POOL[shape]}{'s' if count > 1 else ''}"


@register_task("puzzle.sequence", "Move the option tile that continues the pattern into the empty slot.",
               group="puzzles")
class Sequence(TaskFamily):
    description = "A row of tiles follows a pattern; move the option tile that continues it into the empty slot."
    dimension = "structural reasoning & search"
    skins = SKIN_NAMES
    all_skins = SKIN_NAMES
    presets = LEVELS
    checker_name = "tiles"
    frames_as_planes = True  # the checker reads frames through vision.mapping.CanvasSampler (see TaskFamily)
    checker_version = "3"  # 2: frames read from the decoder planes (frames_as_planes); 3: the camera is not
    # tracked where the tile travels (between the strip and the slot); a given judged up to 3 px around its
    # box and up to 2 px displaced; an option in place only as it was drawn
    default_fps = 24.0

    def generate(self, index: int, difficulty: str = "easy", seed: int = 0, skin: str | None = None,
                 config: Level | None = None) -> TaskItem:
        rng, skin_name, lv = self.start_item(index, difficulty, seed, skin, config=config)
        sk = SKINS[skin_name]
        sizes = {"shape": len(SHAPE_POOL), "colour": len(sk.colours), "count": 3}
        cycling = [ATTRS[i] for i in rng.choice(3, lv.attributes, replace=False).tolist()]
        if not lv.count_may_cycle and "count" in cycling:
            cycling = ["shape"]
        cycles = {}
        for a in ATTRS:
            # two or more cycles: periods 2 and 3 (never all equal, so they do not move in lockstep)
            p = ((2, 3, int(rng.integers(2, 4)))[cycling.index(a)] if lv.attributes > 1 else
                 int(rng.integers(2, 4))) if a in cycling else 1
            cycles[a] = [int(v) for v in rng.choice(sizes[a], p, replace=False)]
        tiles = [[cycles[a][i % len(cycles[a])] + (1 if a == "count" else 0) for a in ATTRS] for i in range(lv.cells)]
        slot = int(rng.integers(2, lv.cells)) if lv.slot_anywhere else lv.cells - 1
        answer_tile = tiles[slot]
        # distractors: the answer with one attribute changed (plausible values first: those of the cycle)
        options = [answer_tile]
        tries = 0
        while len(options) < lv.options and tries < 200:
            tries += 1
            a = int(rng.integers(3))
            vals = sorted(set(cycles[ATTRS[a]]) | set(range(sizes[ATTRS[a]]))) if tries > 20 else cycles[ATTRS[a]]
            v = int(vals[int(rng.integers(len(vals)))]) + (1 if ATTRS[a] == "count" else 0)
            if ATTRS[a] == "count" and tries > 20:
                v = int(rng.integers(1, 4))
            cand = list(answer_tile)
            cand[a] = v
            if cand not in options:
                options.append(cand)
        order = rng.permutation(len(options)).tolist()
        options = [options[i] for i in order]
        answer = options.index(answer_tile)
        img = canvas(sk)
        cells = row_boxes(lv.cells, *ROW_Y, max_pitch=60)
        for k, (b, t) in enumerate(zip(cells, tiles)):
            if k == slot:
                draw_box(img, b, sk, dashed=True)
            else:
                draw_tile(img, b, t, sk)
        homes = row_boxes(len(options), *TILE_STRIP, max_pitch=60)  # same size as the slot
        for b, t in zip(homes, options):
            draw_tile(img, b, t, sk)
        state = {"puzzle": {"tiles": [t for k, t in enumerate(tiles) if k != slot], "slot": slot,
                            "cycling": cycling},
                 "options": options, "answer": answer, "cells": cells, "slot_box": cells[slot], "homes": homes,
                 "given_boxes": [b for k, b in enumerate(cells) if k != slot], "skin": sk.to_json()}
        w = sk.words
        scene = (f"A {w['panel']} panel on a {w['bg']} background shows a row of {w['box']} tiles that follow a "
                 f"repeating pattern of shapes, colours and counts; one place in the row is an empty dashed slot. "
                 f"Below the panel is a strip of {len(options)} option tiles.")
        goal = ("Work out the pattern. Exactly one option tile continues it: that tile slides up out of the strip "
                "and into the empty slot, and stays there. The other tiles and the camera do not move.")
        t2v_scene = scene.replace("a row of", f"a row of {lv.cells}").replace(
            f"strip of {len(options)} option tiles",
            "strip of option tiles showing " + "; ".join(describe(t, sk) for t in options))
        seq = ", ".join("empty slot" if k == slot else describe(t, sk) for k, t in enumerate(tiles))
        t2v = f"{t2v_scene} The row reads: {seq}. {goal} Flat colours, top-down view."
        return self.new_item(index, difficulty, seed, f"{scene} {goal}", t2v, state, img, lv)

    def layout_key(self, item: TaskItem) -> str:
        s = item.state
        return sha256_hex(canonical_json([s["puzzle"], s["options"], s["answer"]]))

    # frames
    def empty_frame(self, item: TaskItem) -> np.ndarray:
        """The first frame with every option tile lifted out of the strip."""
        sk, img = skin_of(item), item.first_frame.copy()
        for x0, y0, x1, y1 in item.state["homes"]:
            fill(img[y0:y1, x0:x1], sk.bg)
        return img

    def _path(self, item, k: int, dest=None):
        s = item.state
        h = s["homes"][k]
        d = dest or s["slot_box"]
        hx, hy = h[0], h[1]
        dx, dy = d[0], d[1]
        return [(hx, hy), (hx, LANE_Y - (h[3] - h[1]) / 2), (dx, LANE_Y - (h[3] - h[1]) / 2), (dx, dy)]

    def move_frames(self, item: TaskItem, k: int, num_frames=None, dest=None, stop_at: int | None = None):
        """Tile ``k`` travels from its home along the lane into ``dest`` (default: the slot)."""
        s = item.state
        x0, y0, x1, y1 = s["homes"][k]
        tile = item.first_frame[y0:y1, x0:x1].copy()
        base = item.first_frame.copy()
        fill(base[y0:y1, x0:x1], skin_of(item).bg)
        pts = self._path(item, k, dest)[: stop_at or None]
        plan = fit_timeline(legs(pts, lead=6, hold=30, speed=12.0), num_frames)
        for x, y in plan:
            f = base.copy()
            xi, yi = int(round(x)), int(round(y))
            f[yi:yi + tile.shape[0], xi:xi + tile.shape[1]] = tile
            yield f

    def solution_frames(self, item: TaskItem, solution: int = 0, fps=None, num_frames=None):
        return self.move_frames(item, item.state["answer"], num_frames)

    def final_frame(self, item: TaskItem) -> np.ndarray:
        return list(self.move_frames(item, item.state["answer"]))[-1]

    def random_frames(self, item: TaskItem, rng, fps=None, num_frames=None):
        wrong = [k for k in range(len(item.state["options"])) if k != item.state["answer"]]
        return self.move_frames(item, wrong[int(rng.integers(len(wrong)))], num_frames)

    # judging
    def working_size(self, item: TaskItem):
        return WORK

    def check(self, item: TaskItem, frames, fit, fps: float):
        s = item.state
        spec = TileSpec(item.first_frame, self.empty_frame(item), s["homes"], s["given_boxes"], "move", s["answer"],
                        s["slot_box"])
        return TileChecker(spec, self.checker_version).check(frames, fit, fps)

    def perturbations(self) -> list:
        from ...perturb import Perturbation, canvas_clip

        def wrong(it, rng):
            ks = [k for k in range(len(it.state["options"])) if k != it.state["answer"]]
            return ks[int(rng.integers(len(ks)))]

        def wrong_tile(fam, it, rng):
            return canvas_clip(fam, it, fam.move_frames(it, wrong(it, rng)))

        def jumpcut_wrong(fam, it, rng):
            frames = list(fam.move_frames(it, wrong(it, rng)))
            n = len(frames)
            return canvas_clip(fam, it, [it.first_frame] * (n // 2) + [frames[-1]] * (n - n // 2))

        def copy_tile(fam, it, rng):  # the answer fades into the slot while it stays at home
            final = fam.final_frame(it).astype(np.float32)
            x0, y0, x1, y1 = it.state["homes"][it.state["answer"]]
            final[y0:y1, x0:x1] = it.first_frame[y0:y1, x0:x1]
            first = it.first_frame.astype(np.float32)
            ts = [0.0] * 6 + list(np.linspace(0, 1, 24)) + [1.0] * 30
            return canvas_clip(fam, it, [(first + (final - first) * t).round().astype(np.uint8) for t in ts])

        def wrong_place(fam, it, rng):  # the right tile, dropped onto a given tile instead of the slot
            s = it.state
            dest = s["given_boxes"][int(rng.integers(len(s["given_boxes"])))]
            return canvas_clip(fam, it, fam.move_frames(it, s["answer"], dest=dest))

        def given_changed(fam, it, rng):
            s, sk = it.state, skin_of(it)
            x0, y0, x1, y1 = s["given_boxes"][int(rng.integers(len(s["given_boxes"])))]
            frames = list(fam.solution_frames(it))
            for f in frames[len(frames) // 3:]:
                fill(f[y0 + 4:y1 - 4, x0 + 4:x1 - 4], sk.box)
            return canvas_clip(fam, it, frames)

        def given_resized(factor):
            def make(fam, it, rng):  # a given tile drawn ``factor``× as large (about its centre) a third of the way in
                s = it.state
                x0, y0, x1, y1 = s["given_boxes"][int(rng.integers(len(s["given_boxes"])))]
                w, h = round((x1 - x0) * factor), round((y1 - y0) * factor)
                tile = cv2.resize(it.first_frame[y0:y1, x0:x1], (w, h), interpolation=cv2.INTER_AREA)
                cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
                a, b = max(cx - w // 2, 0), max(cy - h // 2, 0)
                frames = list(fam.solution_frames(it))
                for f in frames[len(frames) // 3:]:
                    fill(f[y0:y1, x0:x1], skin_of(it).panel)
                    f[b:b + h, a:a + w] = tile[:f.shape[0] - b, :f.shape[1] - a]
                return canvas_clip(fam, it, frames)
            return make

        def stops_short(fam, it, rng):
            return canvas_clip(fam, it, fam.move_frames(it, it.state["answer"], stop_at=3))

        return [
            Perturbation("wrong_tile", "WRONG_ANSWER", wrong_tile, "a wrong option tile moves into the slot"),
            Perturbation("jumpcut_wrong", "TELEPORT", jumpcut_wrong, "a cut to a wrong tile in the slot"),
            Perturbation("copy_tile", "AGENT_DUPLICATED", copy_tile, "the answer appears in the slot but also stays home"),
            Perturbation("wrong_place", "LAYOUT_CHANGED", wrong_place, "the answer tile is dropped onto a given tile"),
            Perturbation("given_changed", "LAYOUT_CHANGED", given_changed, "a given tile is erased"),
            Perturbation("given_grows", "LAYOUT_CHANGED", given_resized(1.2),
                         "a given tile grows 1.2× a third of the way in"),
            Perturbation("given_shrinks", "LAYOUT_CHANGED", given_resized(0.8),
                         "a given tile shrinks to 0.8× a third of the way in"),
            Perturbation("stops_short", "GOAL_NOT_REACHED", stops_short, "the answer tile stops between strip and slot"),
        ]
