"""ui.common.Prefetch (work done ahead for the lab's sliders) and ui.sliders.next_step (which value
a moving slider sends next)."""

import threading

from ui.common import Prefetch
from ui.sliders import SliderSpec, next_step


def _spec(lo=0.0, hi=1.0, step=0.05):
    return SliderSpec("k", "Fraction", lo, hi, step, show=lambda v: f"{v:.0%}")


def test_next_step_goes_on_the_way_the_slider_moved_and_stops_at_the_ends():
    s = _spec()
    assert next_step(s, 0.0, 0.05) == 0.1  # up one step: the next is one more
    assert next_step(s, 0.5, 0.45) == 0.4  # down
    assert next_step(s, 0.2, 0.5) == 0.55  # a jump (a click on the track): on the same way
    assert next_step(s, 0.95, 1.0) is None  # at the top end
    assert next_step(s, 0.05, 0.0) is None  # at the bottom end
    assert next_step(s, 0.3, 0.3) is None  # no move
    assert next_step(_spec(0, 24, 1), 5, 6) == 7  # whole months
    assert next_step(s, 0.3, 0.33) == 0.35  # off the steps (a link's value): the next step on the grid


def _wait_idle(p: Prefetch) -> None:
    for _ in range(500):
        if p.idle():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the work ahead did not finish in 5 s")


def test_work_is_done_ahead_only_when_the_server_is_idle():
    p = Prefetch()
    gate, done = threading.Event(), []
    # a script run going on: nothing is done ahead
    with p.script():
        assert not p.offer(lambda: done.append("during a run"))
    # idle: taken; while it runs, a second offer is dropped
    assert p.offer(lambda: (gate.wait(5), done.append("first")))
    assert not p.offer(lambda: done.append("second"))
    gate.set()
    _wait_idle(p)
    assert done == ["first"]
    # a job that fails is not kept and does not stop the next one
    assert p.offer(lambda: 1 / 0)
    _wait_idle(p)
    assert p.offer(lambda: done.append("after a failure"))
    _wait_idle(p)
    assert done == ["first", "after a failure"]


def test_work_is_done_ahead_only_for_a_session_alone_on_the_server():
    now = [100.0]
    p = Prefetch(window=5.0, clock=lambda: now[0])
    with p.script("a"):
        pass
    assert p.offer(lambda: None, "a")  # only session a has run: taken
    _wait_idle(p)
    with p.script("b"):  # another session runs a page
        pass
    now[0] += 4.0
    assert not p.offer(lambda: None, "a")  # b ran 4 s ago: a is not alone, nothing ahead
    now[0] += 1.5
    assert p.offer(lambda: None, "a")  # b last ran 5.5 s ago (past the 5 s window): taken again
    _wait_idle(p)
