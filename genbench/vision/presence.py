"""Which classes appear within one pixel of each pixel, for every class at once.

One bit per class (classes 0–63) in a 64-bit word per pixel, OR-ed over the 3×3 neighbourhood: the
same answer as a 3×3 ``cv2.dilate`` of each class's mask (pixels beyond the edge add nothing), in four
array ORs instead of one dilation per class.
"""

from __future__ import annotations

import numpy as np

MAX_CLASSES = 64


def presence_bits(cls: np.ndarray, n_classes: int) -> np.ndarray:
    """(H, W) uint64: bit p set where class p (< n_classes) appears in the pixel's 3×3 neighbourhood."""
    if n_classes > MAX_CLASSES:
        raise ValueError(f"presence_bits handles at most {MAX_CLASSES} classes, got {n_classes}")
    c = cls.astype(np.uint64)
    bits = np.where(cls < n_classes, np.left_shift(np.uint64(1), np.minimum(c, np.uint64(63))), np.uint64(0))
    row = bits.copy()  # separable: OR along x, then along y
    row[:, 1:] |= bits[:, :-1]
    row[:, :-1] |= bits[:, 1:]
    out = row.copy()
    out[1:] |= row[:-1]
    out[:-1] |= row[1:]
    return out


def present(bits: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """(H, W) bool: is class ``cls[y, x]`` among the classes ``bits[y, x]`` holds?"""
    return ((bits >> cls.astype(np.uint64)) & np.uint64(1)).astype(bool)
