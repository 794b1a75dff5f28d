"""Per-item random streams: a pure function of (suite seed, family, index), never of process state.

Python's ``hash()`` is salted per process and global RNGs leak order dependence, so every stream
is derived from a stable digest instead.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1024)  # a pure function, called once per generated item with a few family names
def stable_id(name: str) -> int:
    """A 63-bit integer for a string, identical on every machine and process."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def item_rng(seed: int, family: str, index: int, *extra: str | int) -> np.random.Generator:
    """The RNG for item ``index`` of ``family`` under suite seed ``seed``."""
    key = [int(seed), stable_id(family), int(index)]
    key += [stable_id(e) if isinstance(e, str) else int(e) for e in extra]
    return np.random.default_rng(key)


def sample_seed(seed: int, item_id: str, candidate: int) -> int:
    """The generation seed of candidate ``candidate`` of an item (fits in 32 bits for every backend)."""
    return stable_id(f"{int(seed)}|{item_id}|{int(candidate)}") % (2**31 - 1)
