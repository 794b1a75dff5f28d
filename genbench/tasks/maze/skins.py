"""Maze skins: palettes and procedurally drawn sprites, each with a description that fills prompts.

Every skin is plain data, so a checker knows exactly what was drawn (colours, shapes, wall width)
and never needs a template image.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

# Semantic classes of canvas pixels; palette entries map onto these.
FLOOR, WALL, GOAL, AGENT = 0, 1, 2, 3
CLASS_NAMES = ("floor", "wall", "goal", "agent")


@dataclass(frozen=True)
class Skin:
    name: str
    floor: tuple[int, int, int]
    wall: tuple[int, int, int]
    agent: tuple[int, int, int]
    goal: tuple[int, int, int]
    agent_shape: str  # circle | square | diamond | triangle | star | cross
    goal_shape: str  # a shape, or "tile" (the goal fills its cell, opaque)
    words: dict = field(default_factory=dict)  # agent, goal, floor, wall: prompt phrases
    agent_scale: float = 0.62  # sprite size as a fraction of the cell
    goal_scale: float = 0.62
    wall_ratio: float = 1.0  # wall thickness / cell size (1.0: block maze; <1: thin walls)
    floor_alt: tuple[int, int, int] | None = None  # second floor colour: a checkered texture
    hard: bool = False  # made to break naive trackers (used by checker-validity runs)
    texture: str | None = None  # a textures.TEXTURE_SETS name: tile images and shaded sprites

    def describe(self) -> dict:
        return dict(self.words)

    def to_json(self) -> dict:
        """asdict(self) less an unset texture, in fresh containers (items never share mutable state).
        Made once per skin (a skin is a constant), then copied per generated item: the fields are
        immutable but ``words``, which is copied — equal to asdict's deep copy at a hundredth of its cost."""
        d = self.__dict__.get("_json")
        if d is None:
            from .textures import without_texture

            d = without_texture({f.name: dict(v) if isinstance(v := getattr(self, f.name), dict) else v
                                 for f in fields(self)})
            object.__setattr__(self, "_json", d)  # not a field: equality, repr and replace() ignore it
        return {**d, "words": dict(d["words"])}

    def texture_roles(self) -> list:
        from .textures import pattern_for

        floors = [self.floor] + ([self.floor_alt] if self.floor_alt is not None else [])
        return ([(f, pattern_for(self.texture, "floor")) for f in floors]
                + [(self.wall, pattern_for(self.texture, "wall")), (self.goal, "sprite"), (self.agent, "sprite")])

    def palette(self) -> tuple[np.ndarray, np.ndarray]:
        """(colours K×3 uint8, semantic class per colour)."""
        cols = [self.floor, self.wall, self.goal, self.agent]
        classes = [FLOOR, WALL, GOAL, AGENT]
        if self.floor_alt is not None:
            cols.append(self.floor_alt)
            classes.append(FLOOR)
        return np.array(cols, np.uint8), np.array(classes, np.int64)


def _w(agent: str, goal: str, floor: str, wall: str) -> dict:
    return {"agent": agent, "goal": goal, "floor": floor, "wall": wall}


SKINS: dict[str, Skin] = {s.name: s for s in [
    Skin("classic", floor=(245, 245, 245), wall=(25, 25, 30), agent=(220, 40, 40), goal=(40, 170, 70),
         agent_shape="circle", goal_shape="square",
         words=_w("red circle", "green square", "white", "black")),
    Skin("night", floor=(22, 26, 52), wall=(190, 195, 215), agent=(255, 150, 0), goal=(0, 200, 225),
         agent_shape="diamond", goal_shape="circle",
         words=_w("orange diamond", "cyan circle", "dark blue", "light grey")),
    Skin("garden", floor=(205, 232, 175), wall=(45, 95, 45), agent=(40, 70, 225), goal=(170, 50, 180),
         agent_shape="square", goal_shape="triangle",
         words=_w("blue square", "purple triangle", "light green", "dark green")),
    # Hard skins (checker validity only, not in the default rotation): the cases that break
    # template and colour-threshold trackers.
    Skin("goal_tile", floor=(238, 236, 228), wall=(60, 60, 70), agent=(200, 40, 40), goal=(240, 190, 40),
         agent_shape="circle", goal_shape="tile", goal_scale=1.0, hard=True,
         words=_w("red circle", "yellow tile", "off-white", "dark grey")),
    Skin("agent_near_floor", floor=(222, 222, 222), wall=(40, 40, 48), agent=(252, 192, 218), goal=(40, 150, 220),
         agent_shape="circle", goal_shape="square", hard=True,
         words=_w("pale pink circle", "blue square", "light grey", "dark grey")),
    Skin("agent_near_goal", floor=(240, 240, 240), wall=(30, 30, 36), agent=(70, 200, 40), goal=(40, 160, 80),
         agent_shape="diamond", goal_shape="square", hard=True,
         words=_w("lime green diamond", "green square", "white", "black")),
    Skin("checkered", floor=(236, 236, 236), wall=(35, 35, 45), agent=(215, 45, 45), goal=(40, 160, 70),
         agent_shape="circle", goal_shape="square", floor_alt=(190, 196, 210), hard=True,
         words=_w("red circle", "green square", "grey and white checkered", "black")),
    Skin("thin_walls", floor=(248, 248, 244), wall=(20, 20, 25), agent=(230, 110, 20), goal=(30, 140, 200),
         agent_shape="circle", goal_shape="square", wall_ratio=0.25, hard=True,
         words=_w("orange circle", "blue square", "white", "thin black")),
    Skin("small_agent", floor=(245, 245, 245), wall=(25, 25, 30), agent=(220, 40, 40), goal=(40, 170, 70),
         agent_shape="circle", goal_shape="square", agent_scale=0.3, hard=True,
         words=_w("small red dot", "green square", "white", "black")),
    # Textured (VR-Bench's look): tile images for floor and walls, shaded multi-colour sprites
    Skin("dungeon", floor=(206, 196, 172), wall=(112, 62, 48), agent=(40, 80, 215), goal=(235, 190, 30),
         agent_shape="circle", goal_shape="circle", goal_scale=0.8, texture="stone", hard=True,
         words=_w("shaded blue ball", "golden coin", "sandy stone", "red brick")),
]}


def shape_mask(shape: str, size: int) -> np.ndarray:
    """A boolean size×size mask of a shape centred in the square (no anti-aliasing: exact palette)."""
    c = (size - 1) / 2.0
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    u, v = (x - c) / (size / 2.0), (y - c) / (size / 2.0)  # in [-1, 1]
    if shape in ("square", "tile"):
        return np.ones((size, size), bool)
    if shape == "circle":
        return u * u + v * v <= 1.0
    if shape == "diamond":
        return np.abs(u) + np.abs(v) <= 1.0
    if shape == "triangle":  # pointing up
        return (v <= 1.0) & (v >= -1.0) & (np.abs(u) <= (v + 1.0) / 2.0)
    if shape == "cross":
        return (np.abs(u) <= 0.3) | (np.abs(v) <= 0.3)
    if shape == "star":
        r = np.hypot(u, v)
        a = np.arctan2(v, u) + np.pi / 2
        k = np.cos(2.5 * a) ** 2  # five lobes
        return r <= 0.45 + 0.55 * k
    raise ValueError(f"unknown shape {shape!r}")
