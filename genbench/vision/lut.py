"""One quantised colour lookup table: every pixel to the nearest calibrated colour in one indexing.

A frame is quantised to ``LUT_BITS`` bits per channel (32³ bins, far finer than the gaps between any
palette's colours) and a table maps each bin to the class of the nearest colour, or ``UNKNOWN``
beyond ``max_dist``; building it is one distance computation over the 32³ bin centres.
"""

from __future__ import annotations

import cv2
import numpy as np

LUT_BITS = 5
UNKNOWN = 255
# a pixel's RGBA word (little-endian uint32: R | G << 8 | B << 16), shifted right by the bits a channel
# drops, keeps each channel's LUT_BITS one byte apart under this mask: a key for ``word_table``
_WORD_MASK = sum(((1 << LUT_BITS) - 1) << (8 * c) for c in range(3))

_CENTRES: np.ndarray | None = None


def quantise(img: np.ndarray) -> np.ndarray:
    """RGB uint8 (…×3) → one bin index per pixel (uint16)."""
    q = img >> (8 - LUT_BITS)
    idx = q[..., 0].astype(np.uint16) << (2 * LUT_BITS)
    idx |= q[..., 1].astype(np.uint16) << LUT_BITS
    idx |= q[..., 2]
    return idx


def word_table(lut: np.ndarray) -> np.ndarray:
    """``lut`` (indexed by ``quantise``) re-indexed by ``lookup``'s pixel keys (2 MiB for 5 bits)."""
    k = np.arange(1 << (3 * LUT_BITS))
    m = (1 << LUT_BITS) - 1
    table = np.zeros(_WORD_MASK + 1, lut.dtype)
    table[(k >> (2 * LUT_BITS)) | ((k >> LUT_BITS) & m) << 8 | (k & m) << 16] = lut
    return table


def lookup(img: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``lut.take(quantise(img))`` for ``table = word_table(lut)``, in three passes over the frame instead
    of eight (quantising widens and shifts each channel apart): every pixel as one RGBA word, shifted and
    masked, is its key. Half the cost of a checker's per-frame colour reading."""
    words = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2RGBA).view("<u4")[..., 0]
    words >>= 8 - LUT_BITS
    words &= _WORD_MASK
    return table.take(words)


def bin_centres() -> np.ndarray:
    """The colour at the centre of every bin (32768×3 float32)."""
    global _CENTRES
    if _CENTRES is None:
        v = _centre_values()
        r, g, b = np.meshgrid(v, v, v, indexing="ij")
        _CENTRES = np.stack([r.ravel(), g.ravel(), b.ravel()], 1)
    return _CENTRES


def bin_distances(colours: np.ndarray) -> np.ndarray:
    """Squared distance of every bin centre to every colour (32768×K float32).

    Per channel first: a bin centre takes one of 32 values per channel, so the squared differences are
    32 per channel and colour, summed over the grid by broadcasting (r² + g²) + b² — in float32, the
    values and order of a per-bin sum, at a tenth of its cost (part of every video's first frame)."""
    col = np.asarray(colours, np.float32)
    n = 1 << LUT_BITS
    diff = _centre_values()[None, :, None] - col[:, None, :]  # (K, 32, 3): channel value − colour
    sq = diff * diff
    d2 = (sq[:, :, None, None, 0] + sq[:, None, :, None, 1]) + sq[:, None, None, :, 2]  # (K, 32, 32, 32)
    return np.ascontiguousarray(d2.reshape(len(col), n ** 3).T)


def _centre_values() -> np.ndarray:
    """The 32 bin-centre values of one channel (float32)."""
    step = 1 << (8 - LUT_BITS)
    return np.arange(1 << LUT_BITS, dtype=np.float32) * step + (step - 1) / 2.0


def build_lut(colours: np.ndarray, classes: np.ndarray | None = None, max_dist: float = 100.0,
              agent_class: int | None = None) -> np.ndarray:
    """Class of the nearest colour for every bin (``classes[k]``; default the colour's index k), UNKNOWN
    beyond ``max_dist``. With ``agent_class``: a bin that is clearly a mix of two layout colours of
    different classes (an edge, blurred and compressed) is not read as the agent even where the agent's
    colour is nearest (see ``_blends_are_not_agents``)."""
    col = np.asarray(colours, np.float32)
    classes = np.arange(len(col)) if classes is None else np.asarray(classes)
    d2 = bin_distances(col)
    k = d2.argmin(1)
    if agent_class is not None:
        k = _blends_are_not_agents(bin_centres(), d2, k, col, classes == agent_class, classes)
    lut = classes[k].astype(np.uint8)
    lut[d2[np.arange(len(d2)), k] > max_dist ** 2] = UNKNOWN
    return lut


_CACHE: dict = {}


def build_lut_cached(palette: np.ndarray, max_dist: float = 100.0) -> np.ndarray:
    """``build_lut`` of a nominal palette, kept for the next video with the same palette."""
    key = (np.asarray(palette, np.uint8).tobytes(), max_dist)
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = build_lut(palette, max_dist=max_dist)
    return _CACHE[key]


def _blends_are_not_agents(c: np.ndarray, d2: np.ndarray, k: np.ndarray, col: np.ndarray,
                           is_agent: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A colour that is clearly a mix of two layout colours (the grey of a black wall's edge on a
    white floor, resampled by a drifting camera and compressed) is that edge, not the agent, even
    where the agent's colour is the nearest entry: such greys along every wall read as a second
    agent. Only for layout pairs whose mixes stay far from the agent's own colour (a grey agent on a
    black-and-white maze keeps its greys)."""
    if not is_agent.any() or is_agent.all():
        return k
    hit = np.flatnonzero(is_agent[k])
    layout = np.flatnonzero(~is_agent)
    seg_d = np.full(len(hit), np.inf, np.float32)
    for ai, a in enumerate(layout):
        for b in layout[ai + 1:]:
            if classes[a] == classes[b]:
                continue
            p, q = col[a], col[b]
            if min(segment_distance(col[is_agent], p, q)) < 60:
                continue  # the agent itself looks like a mix of these two
            seg_d = np.minimum(seg_d, segment_distance(c[hit], p, q))
    blend = seg_d < 0.25 * np.sqrt(d2[hit, k[hit]])
    if blend.any():
        k = k.copy()
        k[hit[blend]] = layout[d2[np.ix_(hit[blend], layout)].argmin(1)]
    return k


def segment_distance(x: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Distance of each colour in ``x`` to the segment p–q (every mix of p and q)."""
    d = q - p
    t = np.clip((x - p) @ d / max(float(d @ d), 1e-6), 0, 1)
    return np.linalg.norm(x - p - t[:, None] * d, axis=1)
