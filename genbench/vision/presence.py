"""Which classes appear within one pixel of each pixel, for every class at once.

One bit per class (classes 0–63) in the smallest unsigned word that holds them, OR-ed over the 3×3
neighbourhood: the same answer as a 3×3 ``cv2.dilate`` of each class's mask (pixels beyond the edge
add nothing), in one table lookup and four array ORs instead of one dilation per class.
"""

from __future__ import annotations

import numpy as np

MAX_CLASSES = 64


def presence_bits(cls: np.ndarray, n_classes: int) -> np.ndarray:
    """(H, W) unsigned ints: bit p set where class p (< n_classes) appears in the pixel's 3×3 neighbourhood."""
    if n_classes > MAX_CLASSES:
        raise ValueError(f"presence_bits handles at most {MAX_CLASSES} classes, got {n_classes}")
    dtype = np.uint16 if n_classes <= 16 else np.uint32 if n_classes <= 32 else np.uint64
    table = np.zeros(256, dtype)  # class value → its bit; UNKNOWN and anything ≥ n_classes → none
    table[:n_classes] = np.left_shift(np.ones(n_classes, dtype), np.arange(n_classes, dtype=dtype))
    bits = table[cls]
    row = bits.copy()  # separable: OR along x, then along y
    row[:, 1:] |= bits[:, :-1]
    row[:, :-1] |= bits[:, 1:]
    out = row.copy()
    out[1:] |= row[:-1]
    out[:-1] |= row[1:]
    return out
