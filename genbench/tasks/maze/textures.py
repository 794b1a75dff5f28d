"""Textured skins: tile images for floor and walls, shaded multi-colour sprites (VR-Bench's look).

A textured skin is drawn in two passes: the family draws its flat palette frame as usual (exact
colours, so what each pixel shows is known), then ``texturise`` replaces every palette colour by its
pattern. Static patterns (floor noise, wood grain, bricks, rough trap tiles) are canvas-fixed images,
seeded, so every frame shows the same tiles; sprites (agent, goal, box, trap marks) are shaded from
their own mask in each frame (dark rim, lit body, pale core), so the shading moves with the sprite.
Checkers read these skins with appearance models learned on the video's first frame
(``genbench.vision.appearance``), never with the flat palette.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

TEXTURE_SEED = 21  # all textures are a pure function of (this, pattern, colour, canvas size)

# pattern per palette role, for each textured skin's ``texture`` name
TEXTURE_SETS = {
    "wood_brick": {"floor": "wood", "wall": "brick", "trap": "rough"},
    "stone": {"floor": "noise", "wall": "brick", "trap": "rough"},
}
PATTERNS = ("noise", "wood", "brick", "rough", "sprite")


def _lowfreq(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    """Smooth blotches in [-1, 1]: a coarse random grid upsampled bilinearly."""
    import cv2

    gh, gw = max(2, h // cell + 2), max(2, w // cell + 2)
    coarse = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return cv2.resize(coarse, (gw * cell, gh * cell), interpolation=cv2.INTER_LINEAR)[:h, :w]


@lru_cache(maxsize=64)
def pattern_image(pattern: str, colour: tuple, h: int, w: int) -> np.ndarray:
    """A canvas-sized RGB tile image of ``pattern`` around ``colour`` (read-only, cached)."""
    rng = np.random.default_rng([TEXTURE_SEED, PATTERNS.index(pattern), *colour, h, w])
    base = np.array(colour, np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if pattern == "noise":  # stone / sand: blotches and grain
        shade = 1 + 0.06 * _lowfreq(rng, h, w, 12) + rng.normal(0, 0.03, (h, w))
        out = base * shade[..., None]
    elif pattern == "wood":  # planks 16 px wide, wavy grain along them, dark seams
        plank = (xx // 16).astype(int)
        offs = rng.uniform(0, 50, plank.max() + 1)[plank]
        grain = np.sin((yy + offs) / 5.0 + 2.0 * _lowfreq(rng, h, w, 10)) * 0.06
        seam = (xx % 16) < 1
        shade = 1 + grain + rng.normal(0, 0.02, (h, w)) - 0.18 * seam
        out = base * shade[..., None]
    elif pattern == "brick":  # 14×7 bricks in running bond, per-brick tint, darker mortar
        row = (yy // 7).astype(int)
        col = ((xx + 7 * (row % 2)) // 14).astype(int)
        tint = rng.uniform(-0.08, 0.08, (row.max() + 1, col.max() + 2))[row, col]
        mortar = ((yy % 7) < 1) | (((xx + 7 * (row % 2)) % 14) < 1)
        shade = 1 + tint + rng.normal(0, 0.025, (h, w)) - 0.25 * mortar
        out = base * shade[..., None]
    elif pattern == "rough":  # trap tiles: coarse speckle
        shade = 1 + 0.1 * _lowfreq(rng, h, w, 5) + rng.normal(0, 0.04, (h, w))
        out = base * shade[..., None]
    else:
        raise ValueError(f"no canvas pattern {pattern!r}")
    img = np.clip(np.round(out), 0, 255).astype(np.uint8)
    img.setflags(write=False)
    return img


def shade_sprite(out: np.ndarray, mask: np.ndarray, colour) -> None:
    """Paint a sprite's pixels (``mask``) as a lit, rimmed picture of ``colour``: a dark outline, a body
    brightening towards the middle and a pale core — three colours, shaded, from the mask alone."""
    import cv2

    if not mask.any():
        return
    d = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    ys, xs = np.nonzero(mask)
    t = np.clip(d[ys, xs] / max(float(d.max()), 1.0), 0, 1)  # 0 at the rim, 1 at the centre
    base = np.array(colour, np.float32)
    body = base * (0.72 + 0.38 * np.sqrt(t))[:, None]
    core = t > 0.7
    body[core] = 0.55 * body[core] + 0.45 * np.array([255, 255, 255], np.float32)
    rim = d[ys, xs] <= 1.0
    body[rim] = base * 0.62
    out[ys, xs] = np.clip(np.round(body), 0, 255).astype(np.uint8)


def texturise(img: np.ndarray, roles: list[tuple[tuple, str]]) -> np.ndarray:
    """Replace each flat palette colour of a frame by its pattern (``roles``: (colour, pattern) pairs,
    pattern in PATTERNS). Pixels of no listed colour (blends a case drew on purpose) stay as they are."""
    h, w = img.shape[:2]
    out = img.copy()
    for colour, pattern in roles:
        col = tuple(int(v) for v in colour)
        mask = (img == np.array(col, np.uint8)).all(-1)
        if not mask.any():
            continue
        if pattern == "sprite":
            shade_sprite(out, mask, col)
        else:
            out[mask] = pattern_image(pattern, col, h, w)[mask]
    return out


def dress(img: np.ndarray, skin) -> np.ndarray:
    """A flat frame as a skin shows it: textured when the skin has a ``texture``, else unchanged."""
    texture = getattr(skin, "texture", None)
    return texturise(img, skin.texture_roles()) if texture else img


def without_texture(d: dict) -> dict:
    """A skin's JSON without the ``texture`` key when it has none (flat skins' items stay byte-identical)."""
    return {k: v for k, v in d.items() if k != "texture" or v is not None}


def pattern_for(texture: str, role: str) -> str:
    """The pattern a textured skin gives a layout role (floor, wall, trap); sprites are shaded."""
    if texture not in TEXTURE_SETS:
        raise ValueError(f"unknown texture {texture!r}; known: {', '.join(TEXTURE_SETS)}")
    return TEXTURE_SETS[texture].get(role, "sprite")
