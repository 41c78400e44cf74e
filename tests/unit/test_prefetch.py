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
    # a script run going on (in another thread): nothing is done ahead
    taken = []
    with p.script():  # (the same session name: only the run going on is tested here)
        t = threading.Thread(target=lambda: taken.append(p.offer(lambda: done.append("during a run"))))
        t.start()
        t.join()
    assert taken == [False]
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


def test_work_offered_inside_a_run_waits_for_the_outermost_run_to_end():
    """A full run is app.py's block with the lab's fragment block inside it: the job offered inside
    is parked (the run's own count would refuse it) and submitted when the outer block ends."""
    p = Prefetch()
    done = []
    with p.script("a"):
        with p.script("a"):  # the fragment's block inside a full run counts once
            assert p.offer(lambda: done.append("ahead"), "a")  # parked
        assert done == [] and p.idle()  # nothing runs before the full run ends
    _wait_idle(p)
    assert done == ["ahead"]
    # a run that ends with an exception (a rerun, an error) submits nothing
    try:
        with p.script("a"):
            p.offer(lambda: done.append("after an error"), "a")
            raise RuntimeError
    except RuntimeError:
        pass
    _wait_idle(p)
    assert done == ["ahead"]
    # another session running at that moment: the parked job is dropped
    started, release = threading.Event(), threading.Event()

    def other():
        with p.script("b"):
            started.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    started.wait(5)
    with p.script("a"):
        p.offer(lambda: done.append("while b runs"), "a")
    release.set()
    t.join()
    _wait_idle(p)
    assert done == ["ahead"]


def test_sessions_seen_are_forgotten_after_the_window_without_any_offer():
    now = [0.0]
    p = Prefetch(window=5.0, clock=lambda: now[0])
    for i in range(100):
        with p.script(f"s{i}"):
            pass
        now[0] += 1.0
    assert len(p._seen) <= 6  # the sessions of the last 5 s, not every session ever served
