"""VR-Bench's trajectory metrics (SR, PR, SD, EM, MF), computed by our checkers next to their own verdicts
so that our numbers and the peer's can be compared on the same videos."""

from __future__ import annotations

import numpy as np

from ..geometry import arclength, resample


def vr_metrics(gen: np.ndarray, gt: np.ndarray, reached: bool, mf: float, eps: float, k: int = 100) -> dict:
    """VR-Bench's SR/PR/SD/EM/MF for a generated track ``gen`` against the ground-truth polyline ``gt``
    (both (N, 2) in normalised coordinates; ``eps`` in the same units)."""
    gen = np.asarray(gen, np.float64).reshape(-1, 2)
    gt_pts = resample(gt, k)
    matched, j0 = 0, 0
    for p in gt_pts:
        if len(gen) == 0:
            break
        hit = np.flatnonzero(np.hypot(*(gen[j0:] - p).T) <= eps)
        if len(hit) == 0:
            break
        j0 += int(hit[0])
        matched += 1
    pr = matched / k
    len_gt = arclength(gt)
    sd = (arclength(gen) / len_gt - 1.0) if (reached and len_gt > 0) else None
    em = bool(reached and pr >= 0.98 and sd is not None and abs(sd) <= 0.1)
    return {"sr": float(reached), "pr": round(pr, 4), "sd": None if sd is None else round(sd, 4),
            "em": float(em), "mf": round(float(mf), 4)}
