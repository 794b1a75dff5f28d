"""A checklist per family, from its item's own state, tagged with the four RULER-Bench metrics, and no
question states what the video must work out (a route, its length, a puzzle's answer)."""

import copy
import re

import pytest

from genbench.judges.checklists import METRICS, checklist_for
from genbench.registry import entries, task_family

FAMILIES = list(entries("task"))
# state fields (top level or one level down) holding a solution or something derived from one
SECRETS = ("solutions", "solution", "solutions_complete", "answer", "shortest_length", "optimal_moves",
           "min_pushes", "min_swaps", "classic_optimal", "accepted_cells", "example_paths", "moves", "reason",
           "rule", "rule_words", "goal_order", "goal_board", "count", "odd", "difference", "result")


def _items(name):
    fam = task_family(name)
    return fam, [it for d in fam.difficulties for it in fam.items(d, 2, seed=0)]


def _without_secrets(item):
    it = copy.copy(item)
    it.state = copy.deepcopy(item.state)
    for d in [it.state] + [v for v in it.state.values() if isinstance(v, dict)]:
        for k in SECRETS:
            d.pop(k, None)
    return it


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_has_its_own_checklist_tagged_with_the_four_metrics(name):
    fam, items = _items(name)
    texts = set()
    for item in items:
        cl = checklist_for(item)
        assert cl.source == f"builtin:{name}"
        assert {q.metric for q in cl.checklist} == set(METRICS)
        assert {q.expected for q in cl.binary} == {True, False}
        text = " ".join(q.text for q in cl.checklist + cl.binary)
        words = (item.state.get("skin") or {}).get("words") if isinstance(item.state.get("skin"), dict) else None
        for key, word in (words or {}).items():
            if len(word) > 5 and word in item.prompt_i2v and key not in ("bg", "background", "ink", "digits"):
                assert word in text, (item.id, key)  # the item's own colours and pieces, as the prompt names them
        texts.add(text)
    if name not in ("puzzle.sequence", "puzzle.sliding", "puzzle.tictactoe", "puzzle.grid_transform",
                    "puzzle.arithmetic", "puzzle.counting", "puzzle.transitive", "puzzle.odd_one_out",
                    "puzzle.sorting", "puzzle.graph_walk", "puzzle.hanoi"):
        assert len(texts) > 1  # built from each item, not one text for the family


@pytest.mark.parametrize("name", FAMILIES)
def test_no_question_leaks_what_the_video_must_discover(name):
    fam, items = _items(name)
    for item in items:
        cl = checklist_for(item)
        # built without the solution: the same questions come out of a state stripped of it
        blind = checklist_for(_without_secrets(item))
        assert blind.to_json() == cl.to_json()
        # every number a question states, the prompt states too (positions, sizes), none is a length
        stated = set(re.findall(r"\d+", item.prompt_i2v + " " + item.prompt_t2v))
        for q in cl.checklist + cl.binary:
            numbers = re.findall(r"\d+", q.text.replace("counted from 1", ""))  # a convention, not a fact
            assert set(numbers) <= stated, (item.id, q.text)


def test_the_stripping_catches_a_leak():
    """The other side: a question made from the solution is caught (maze.grid's used to state the
    shortest route's length)."""
    from genbench import registry
    from genbench.judges import checklists as cls

    fam, (item, *_) = _items("maze.grid")
    builders = registry.REGISTRIES["checklist"]
    real = builders.get("maze.grid")
    leaky = lambda it, mode="i2v": cls.make_checklist(  # noqa: E731
        it, "builtin:maze.grid", [("rule_coherence", f"Is the route {it.state['shortest_length']} moves long?")], [])
    builders.add("maze.grid", leaky, real.description)
    try:
        with pytest.raises(KeyError):
            checklist_for(_without_secrets(item))
        stated = set(re.findall(r"\d+", item.prompt_i2v + " " + item.prompt_t2v))
        assert not set(re.findall(r"\d+", checklist_for(item).checklist[0].text)) <= stated
    finally:
        builders._entries["maze.grid"] = real
