"""puzzle.connect_colours's own regression cases."""

from __future__ import annotations


from genbench.tasks.puzzles import connect_colours


def test_connect_colours_accepts_any_valid_drawing():
    fam = connect_colours.ConnectColours()
    item = fam.generate(0, "easy")
    rules = fam.rules(item)
    n, init = item.state["n"], item.state["board"]["initial"]
    assert rules.accepts(item.state["board"]["solution"]) and not rules.accepts(init)
    # any drawing that joins the dots is accepted: here the solution plus a branch off path 1
    sol = list(item.state["board"]["solution"])
    branch = next(j for i, v in enumerate(sol) if v == 1 for j in connect_colours.neighbours(i, n) if sol[j] == 0)
    alt = list(sol)
    alt[branch] = 1
    assert rules.accepts(alt) and not rules.accepts(init)
    broken = list(sol)
    broken[item.state["example_paths"][0][1]] = 0
    assert not rules.accepts(broken) and rules.score(broken) == 1 - 1 / len(item.state["dots"])
