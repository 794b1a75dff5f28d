"""The colour → class table a checker reads one video by, learnt on the video's own first frame.

Shared by the engines that classify pixels by colour (trajectory, stroke, sokoban): calibrating the
palette on the frame itself is what makes them robust to a model's colour shifts and compression.
"""

from __future__ import annotations

import numpy as np

from .regionmap import AGENT
from ..vision.lut import LUT_BITS, build_lut, quantise
from ..vision.palette import calibrate


def first_frame_lut(rm, first: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """The colour → class table for one video, from its first frame (mapped to working size): ``rm``'s
    palette calibrated on it (anything with palette / palette_class / palette_map), or for a textured skin
    (``rm.appearance_labels`` set) an appearance model learned on the frame's own pixels (``reference``:
    the expected first frame; default the region map's)."""
    if getattr(rm, "appearance_labels", None) is not None:
        from ..vision.appearance import learn_first_frame

        ref = rm.reference_image() if reference is None else reference
        return learn_first_frame(first, ref, rm.appearance_labels, quantise, LUT_BITS)
    return build_lut(calibrate(rm, first, AGENT), rm.palette_class, max_dist=160.0, agent_class=AGENT)
