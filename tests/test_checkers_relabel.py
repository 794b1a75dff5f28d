"""checkers/relabel.py: a trajectory verdict's WALL_CROSSING becomes the family's own failure only
where the family's rule says so (a trap cell; a floor change through no ladder), and nowhere else."""

from genbench.checkers.relabel import relabel_floor_change, relabel_forbidden
from genbench.schema import Verdict


def crossing(frame: int = 5, **evidence) -> Verdict:
    events = [{"frame": 2, "code": "TELEPORT", "detail": ""}, {"frame": frame, "code": "WALL_CROSSING", "detail": ""}]
    return Verdict(checker="trajectory", failure="WALL_CROSSING", first_error_frame=frame, message="crossed",
                   evidence={"events": events, **evidence})


def test_a_crossing_into_a_trap_becomes_trap_and_one_elsewhere_stays():
    xy = [None] * 5 + [(0.1, 0.1), (0.15, 0.1), (0.2, 0.1), (0.9, 0.9)]
    left_half = lambda x, y: x < 0.5  # noqa: E731
    v = relabel_forbidden(crossing(xy=xy), "TRAP", left_half)
    assert (v.failure, v.message) == ("TRAP", "trap: crossed")
    assert [e["code"] for e in v.evidence["events"]] == ["TELEPORT", "TRAP"]
    v = relabel_forbidden(crossing(xy=xy), "TRAP", lambda x, y: x > 0.5)  # on a trap 3 frames on: another matter
    assert v.failure == "WALL_CROSSING" and v.evidence["events"][1]["code"] == "WALL_CROSSING"
    ok = Verdict(checker="trajectory", passed=True, evidence={"xy": xy})
    assert relabel_forbidden(ok, "TRAP", left_half).failure is None


def test_a_floor_change_through_no_ladder_is_no_ladder_and_one_up_a_ladder_stays():
    per = 9  # nodes per floor: floor 0 is 0..8, floor 1 is 9..17
    moves = [[1, 0, 1], [6, 4, 13]]  # at frame 6: node 4 (floor 0) → node 13 (floor 1)
    v = relabel_floor_change(crossing(moves=moves, fps=8), per, ladders={(3, 12)})
    assert v.failure == "NO_LADDER" and "4→13" in v.message
    assert v.evidence["events"][1]["code"] == "NO_LADDER"
    assert relabel_floor_change(crossing(moves=moves, fps=8), per, ladders={(4, 13)}).failure == "WALL_CROSSING"
    same_floor = [[6, 4, 5]]
    assert relabel_floor_change(crossing(moves=same_floor, fps=8), per, set()).failure == "WALL_CROSSING"
