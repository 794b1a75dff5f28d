"""vision.frames.checker_frames: the frames and fit a checker gets, from one open of the file."""

import numpy as np
import pytest

from genbench import geometry
from genbench.video import VideoError, probe, read_frames, write_video
from genbench.vision.frames import checker_frames


def _clip(path, w=96, h=64, n=5):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]
    write_video(path, frames, 12)
    return frames


@pytest.mark.parametrize("work", [None, (20, 20), (200, 200)])
def test_same_frames_and_fit_as_probe_then_read_frames(tmp_path, work):
    p = tmp_path / "v.mp4"
    _clip(p)
    info = probe(p)
    fit = geometry.make_fit("letterbox", 40, 40, info.width, info.height)
    size = geometry.decode_size(fit, *work) if work else None
    want_fit = geometry.rescale(fit, *size) if size else fit
    src = checker_frames(p, (40, 40), work)
    got = list(src.frames)
    want = list(read_frames(p, size=size))
    assert src.fit == want_fit and src.fps == info.fps and len(got) == len(want) == 5
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    if work == (20, 20):
        assert got[0].shape[:2] != (64, 96)  # a small working size decodes small
    src.close()  # closing after the frames ran out is harmless


def test_a_fit_for_another_frame_size_is_rebuilt(tmp_path):
    p = tmp_path / "v.mp4"
    _clip(p)
    stale = geometry.make_fit("letterbox", 40, 40, 320, 240)
    src = checker_frames(p, (40, 40), None, stale)
    assert (src.fit.frame_w, src.fit.frame_h) == (96, 64)
    src.close()


def test_missing_and_empty_files_are_video_errors(tmp_path):
    with pytest.raises(VideoError, match="no such file"):
        checker_frames(tmp_path / "nope.mp4", (40, 40), None)
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(VideoError, match="empty file"):
        checker_frames(tmp_path / "empty.mp4", (40, 40), None)


def test_a_truncated_file_fails_while_decoding_not_silently(tmp_path):
    p = tmp_path / "v.mp4"
    _clip(p, n=8)
    data = p.read_bytes()
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(VideoError):
        src = checker_frames(bad, (40, 40), None)
        list(src.frames)
