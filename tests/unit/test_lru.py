"""ui.common.LRU: the process-wide caches behind the Scenario lab's results, scenarios and charts."""

import threading

import pytest

from ui.common import LRU


def test_keeps_the_most_recently_used_and_drops_the_oldest():
    made = []
    c = LRU(2)

    def make(x):
        def f():
            made.append(x)
            return x * 10

        return f

    assert c.get("a", make(1)) == 10
    assert c.get("b", make(2)) == 20
    assert c.get("a", make(99)) == 10  # a hit: not made again, and now the most recent
    assert c.get("c", make(3)) == 30  # b, the least recently used, goes
    assert len(c) == 2
    assert c.get("b", make(4)) == 40  # made again
    assert made == [1, 2, 3, 4]


def test_a_failure_is_not_kept():
    c = LRU(4)

    def boom():
        raise ValueError("bad settings")

    with pytest.raises(ValueError):
        c.get("k", boom)
    assert len(c) == 0
    assert c.get("k", lambda: 1) == 1


def test_threads_leave_one_value_per_key():
    c = LRU(8)
    out = []
    threads = [threading.Thread(target=lambda: out.append(c.get("k", lambda: object()))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(c) == 1
    # two threads may both make it at the same moment, but afterwards every caller gets the kept one
    assert c.get("k", lambda: None) in out


def test_a_key_being_made_is_waited_for_not_made_twice():
    """The move that arrives while its own work ahead is still computing waits for that result."""

    c, calls, started, release = LRU(4), [], threading.Event(), threading.Event()

    def slow():
        calls.append("worker")
        started.set()
        release.wait(5)
        return "result"

    t = threading.Thread(target=lambda: c.get("k", slow))
    t.start()
    started.wait(5)
    got = []
    waiter = threading.Thread(target=lambda: got.append(c.get("k", lambda: calls.append("again") or "again")))
    waiter.start()
    threading.Event().wait(0.2)  # the second caller is waiting by now
    release.set()
    t.join()
    waiter.join()
    assert got == ["result"] and calls == ["worker"]
    # a make that fails is not kept; the one waiting makes it itself
    started.clear()
    release.clear()

    def fails():
        started.set()
        release.wait(5)
        raise ValueError

    def first():
        try:
            c.get("f", fails)
        except ValueError:
            pass

    t = threading.Thread(target=first)
    t.start()
    started.wait(5)
    got.clear()
    waiter = threading.Thread(target=lambda: got.append(c.get("f", lambda: "made here")))
    waiter.start()
    threading.Event().wait(0.2)  # the second caller is waiting by now
    release.set()
    t.join()
    waiter.join()
    assert got == ["made here"] and not c._making
