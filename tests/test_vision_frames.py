"""vision.frames.checker_frames: the frames and fit a checker gets, from one open of the file."""

import cv2
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


# --- planes: the decoder's Y, U, V sampled by the checker's own mapping ------------------------------

def _blocks(w, h, cell=8, seed=1):
    """A canvas of flat colour blocks (what maze layouts are made of)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // cell + 1, w // cell + 1, 3), dtype=np.uint8)
    return np.repeat(np.repeat(small, cell, 0), cell, 1)[:h, :w]


def _decode_both(p):
    from genbench.video import decode_planes, open_video

    return list(read_frames(p)), list(decode_planes(open_video(p), p))


@pytest.mark.parametrize("size", [(96, 64), (97, 63)])  # even: yuv420p; odd: the writer's yuv444p
def test_planes_convert_to_what_swscale_gives(tmp_path, size):
    from genbench.video import YuvFrame, yuv_to_rgb_matrix

    p = tmp_path / "v.mp4"
    write_video(p, [_blocks(*size, seed=s) for s in range(3)], 12)
    rgb, planes = _decode_both(p)
    assert len(planes) == 3 and planes[0].shape == rgb[0].shape
    if size[0] % 2:
        assert planes[0].u.shape == planes[0].y.shape
    else:
        assert planes[0].u.shape == (size[1] // 2, size[0] // 2)
    for a, f in zip(rgb, planes):
        d = np.abs(a.astype(int) - f.rgb())
        assert d.max() <= 4 and d.mean() < 2  # rounding of swscale's fixed-point tables
    # the test can fail: the wrong range (full instead of limited) is far off
    wrong = YuvFrame(planes[0].y, planes[0].u, planes[0].v, yuv_to_rgb_matrix(2, True))
    assert np.abs(rgb[0].astype(int) - wrong.rgb()).mean() > 5


def test_other_pixel_formats_go_through_yuv444():
    import av
    from av.video.reformatter import VideoReformatter

    from genbench.video import YuvFrame

    img = _blocks(64, 48)
    f = YuvFrame.of(av.VideoFrame.from_ndarray(img, format="rgb24"), VideoReformatter())
    assert f.u.shape == f.y.shape == (48, 64)
    assert np.abs(f.rgb().astype(int) - img).max() <= 4


def test_checker_frames_planes_keep_the_full_size_fit(tmp_path):
    from genbench.video import YuvFrame

    p = tmp_path / "v.mp4"
    _clip(p)
    src = checker_frames(p, (40, 40), (20, 20), planes=True)
    got = list(src.frames)
    assert all(isinstance(f, YuvFrame) for f in got) and len(got) == 5
    assert (src.fit.frame_w, src.fit.frame_h) == (96, 64) and got[0].shape == (64, 96, 3)


@pytest.mark.parametrize("work", [(40, 30), (160, 120), (23, 17)])
def test_mapper_samples_planes_as_it_maps_rgb(tmp_path, work):
    from genbench.video import decode_planes, open_video
    from genbench.vision.mapping import FrameMapper

    canvas = _blocks(160, 120, cell=40)
    fit = geometry.make_fit("letterbox", 160, 120, 416, 240)
    p = tmp_path / "v.mp4"
    write_video(p, [geometry.apply(fit, canvas)] * 2, 12)
    rgb = next(iter(read_frames(p)))
    yuv = next(iter(decode_planes(open_video(p), p)))
    for zoom in (None, np.array([[1.04, 0, -3.0], [0, 1.04, 2.0]])):  # also a camera drift that pads
        m = FrameMapper(fit, *work)
        if zoom is not None:
            m._fold(zoom)
        a, b = m(rgb).astype(int), m(yuv).astype(int)
        assert a.shape == b.shape == (work[1], work[0], 3)
        # the same picture: away from block edges both read the block's colour (nearest vs area-like
        # sampling differ only where a working pixel straddles two blocks)
        assert np.median(np.abs(a - b)) <= 3
        assert np.mean(np.abs(a - b).max(axis=2) > 24) < 0.25
    # the test can fail: a mapping off by a block reads other colours
    off = FrameMapper(geometry.make_fit("letterbox", 160, 120, 416, 240), *work)
    off._fold(np.array([[1, 0, work[0] / 4], [0, 1, 0]]))  # one block to the side
    assert np.mean(np.abs(FrameMapper(fit, *work)(rgb).astype(int) - off(yuv)).max(axis=2) > 24) > 0.5


# one family per checker engine that reads planes: trajectory (hex samples planes area-like, validated by
# bench/validate_planes.py; grid samples them exactly as its RGB: the same verdicts to the last metric),
# board (glyph, colour), pointer, tiles, stroke, process (planes sampled "aligned", sorting too)
@pytest.mark.parametrize("name,difficulty", [("maze.hex", "easy"), ("maze.grid", "hard"), ("puzzle.sudoku", "easy"),
                                             ("puzzle.symmetry", "easy"), ("puzzle.counting", "easy"),
                                             ("puzzle.sequence", "easy"), ("maze.grid-draw", "easy"),
                                             ("puzzle.sliding", "medium")])
def test_verdicts_read_from_planes_match_rgb(tmp_path, monkeypatch, name, difficulty):
    from genbench.registry import task_family
    from genbench.runner import judge_video

    fam = task_family(name)
    # grid-draw's stroke engine reads planes, the family stays on RGB until validated on every combo
    assert fam.frames_as_planes != (name == "maze.grid-draw")
    item = fam.generate(0, difficulty, seed=0)
    fit = geometry.make_fit("letterbox", *item.canvas_size, 832, 480)
    frames = list(fam.solution_frames(item, num_frames=40))
    clips = {"gt": frames, "static": [frames[0]] * len(frames), "cut": frames[:3] + frames[-20:],
             "reversed": frames[::-1]}
    for k, fs in clips.items():
        write_video(tmp_path / f"{k}.mp4", (geometry.apply(fit, f) for f in fs), 24, crf=30)
    verdicts = {}
    for planes in (True, False):
        monkeypatch.setattr(type(fam), "frames_as_planes", planes)
        verdicts[planes] = {k: judge_video(fam, item, tmp_path / f"{k}.mp4") for k in clips}
    for k in clips:
        assert verdicts[True][k].status == "ok"
        assert (verdicts[True][k].passed, verdicts[True][k].failure) == (verdicts[False][k].passed,
                                                                         verdicts[False][k].failure)
        if name == "maze.grid":  # evidence and metrics included
            assert verdicts[True][k].to_json() == verdicts[False][k].to_json()
    assert verdicts[True]["gt"].passed
    assert verdicts[True]["static"].failure == "STATIC"
    assert not verdicts[True]["reversed"].passed
    if name in ("maze.hex", "maze.grid"):  # a cut of a short easy puzzle may keep all of its moves: no cheat there
        assert verdicts[True]["cut"].failure == "TELEPORT"


# --- planes="exact": the RGB path's pixels, converting only the working ones --------------------------

def _exact_vs_rgb(path, fit, work, warp=None):
    """Per frame: does FrameMapper(planes="exact") on the decoder's planes give, bit for bit, what the
    default mapper gives on swscale's RGB frames?"""
    from genbench.video import decode_planes, open_video
    from genbench.vision.mapping import FrameMapper

    rgb_map, exact_map = FrameMapper(fit, *work), FrameMapper(fit, *work, planes="exact")
    if warp is not None:
        rgb_map._fold(warp)
        exact_map._fold(warp)
    same = [np.array_equal(rgb_map(a), exact_map(b))
            for a, b in zip(read_frames(path), decode_planes(open_video(path), path))]
    return same, exact_map


# the preset canvases (Wan, HunyuanVideo, CogVideoX), an odd-ish one, a far-oversized one (halvings) and an
# odd one (the writer's yuv444p: converted whole)
@pytest.mark.parametrize("frame", [(832, 480), (1280, 704), (1280, 720), (720, 480), (830, 466), (1700, 1000),
                                   (831, 467)])
def test_exact_planes_are_the_rgb_paths_pixels(tmp_path, frame):
    fit = geometry.make_fit("letterbox", 494, 494, *frame)
    p = tmp_path / "v.mp4"  # blocks as small as a hard maze's cells: every colour edge counts
    write_video(p, (geometry.apply(fit, _blocks(494, 494, cell=7, seed=s)) for s in range(3)), 12, crf=30)
    for warp in (None, np.array([[1.04, 0, -3.0], [0, 1.04, 2.0]])):  # also a drift that pads at the edges
        same, m = _exact_vs_rgb(p, fit, (105, 105), warp)
        assert len(same) == 3 and all(same)
        assert (m.halvings > 0) == (frame == (1700, 1000))
        if m.halvings == 0 and frame[0] % 2 == 0:
            assert m._exact.exact  # the samples were converted alone, and matched the whole frame
        elif frame[0] % 2:
            assert m._exact is None  # yuv444p: no samples converted alone


def test_exact_planes_fall_back_to_whole_frames_when_samples_differ(tmp_path, monkeypatch):
    from genbench.vision.mapping import SwscaleSamples

    fit = geometry.make_fit("letterbox", 160, 160, 416, 240)
    p = tmp_path / "v.mp4"
    write_video(p, (geometry.apply(fit, _blocks(160, 160, seed=s)) for s in range(3)), 12)
    real = SwscaleSamples._samples
    monkeypatch.setattr(SwscaleSamples, "_samples", lambda self, f: real(self, f) ^ np.uint8(1))  # a build off by one
    same, m = _exact_vs_rgb(p, fit, (40, 40))
    assert all(same) and m._exact.exact is False
    monkeypatch.setattr(SwscaleSamples, "_whole", lambda self, f: real(self, f) ^ np.uint8(1))
    same, _ = _exact_vs_rgb(p, fit, (40, 40))
    assert not any(same)  # the comparison can fail: a wrong conversion is seen


# --- planes="aligned": every plane sampled at the working pixels' centres -----------------------------

@pytest.mark.parametrize("work", [(200, 150), (250, 190), (307, 230)])  # chroma (160×120) upsampled
def test_aligned_planes_keep_colour_on_its_luma_edges(tmp_path, work):
    """Thin coloured bars on a light background: "aligned" samples read bar, background or a blend of
    the two; "area" (chroma cropped to whole chroma pixels and upsampled by nearest) puts the
    background's chroma under a bar's luma along its edges, which reads as a dark grey never drawn."""
    from genbench.video import decode_planes, open_video
    from genbench.vision.mapping import FrameMapper

    bg, grey = (245, 245, 240), (90, 90, 95)
    colours = [(40, 90, 220), (140, 60, 190), (220, 50, 47), (60, 170, 70)]
    canvas = np.full((120, 160, 3), bg, np.uint8)
    for j, c in enumerate(colours):
        canvas[25 + 7 * j:110, 17 + 33 * j:31 + 33 * j] = c
    fit = geometry.make_fit("letterbox", 160, 120, 416, 240)
    p = tmp_path / "v.mp4"
    write_video(p, [geometry.apply(fit, canvas)] * 2, 12, crf=12)
    yuv = next(iter(decode_planes(open_video(p), p)))
    palette = np.array([bg, grey, *colours], float)

    def greys(img):  # working pixels nearest the grey (a blend of bar and background never is)
        d = np.linalg.norm(img.reshape(-1, 1, 3).astype(float) - palette[None], axis=2)
        return int((d.argmin(1) == 1).sum())

    aligned = FrameMapper(fit, *work, planes="aligned")(yuv)
    assert aligned.shape == (work[1], work[0], 3)
    assert greys(aligned) == 0
    # away from edges the bars read their own colours
    reference = cv2.resize(canvas, work, interpolation=cv2.INTER_AREA).astype(int)
    assert np.median(np.abs(aligned.astype(int) - reference)) <= 3
    # the test can fail: the area-sampled planes read grey along the bars' edges
    assert greys(FrameMapper(fit, *work)(yuv)) > 0
