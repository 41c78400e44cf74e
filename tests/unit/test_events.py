"""risk.events on small literal event lists whose statuses are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from risk.events import EventsFile, check_events, restrictions_on, status_on

SOURCES = {"s1", "s2"}
MINERALS = {"gallium", "germanium", "graphite", "cobalt"}
VER = {"how": "two_reports", "sources": ["s1", "s2"]}
DEFAULTS = {
    "note": "test defaults",
    "fractions": {
        "ban": {"value": 1.0, "basis": "definition", "note": "ban"},
        "licence": {"value": 0.4, "low": 0.1, "high": 0.9, "basis": "assumption", "note": "licence"},
        "end_use": {"value": 0.0, "basis": "assumption", "note": "end use"},
        "quota": {"basis": "computed", "note": "quota"},
    },
}


def ev(id, **kw):
    base = {
        "id": id,
        "title": id,
        "country": "CHN",
        "authority": "test",
        "announced": "2024-01-01",
        "effective": "2024-01-01",
        "kind": "licence",
        "minerals": ["gallium"],
        "sources": ["s1"],
        "verified": VER,
    }
    return base | kw


def file(*events, as_of="2026-12-02"):
    return EventsFile.model_validate({"as_of": as_of, "defaults": DEFAULTS, "events": list(events)})


def problems(ef):
    return [str(p) for p in check_events(ef, lambda keys: None, "events.yaml", SOURCES, MINERALS)]


def status(ef, date, event, part="all"):
    st = status_on(ef, date)
    row = st[(st["event"] == event) & (st["part"] == part)]
    assert len(row) == 1
    return row.iloc[0]


# --- the article of No. 46 of 2024: a ban in two articles, one later suspended ----------------------
ART = file(
    ev(
        "ban",
        kind="ban",
        destination="USA",
        announced="2024-12-03",
        effective="2024-12-03",
        minerals=["gallium", "germanium", "graphite"],
        parts=[
            {"id": "art1", "label": "military users", "end_use": "military"},
            {"id": "art2", "label": "all users", "minerals": ["gallium", "germanium"]},
        ],
    ),
    ev(
        "susp",
        kind="suspension",
        minerals=[],
        announced="2025-11-09",
        effective="2025-11-09",
        ends="2026-11-27",
        suspends=[{"event": "ban", "parts": ["art2"]}],
    ),
)


def test_suspending_one_article_leaves_the_other_in_force():
    assert problems(ART) == []
    a1, a2 = status(ART, "2025-12-01", "ban", "art1"), status(ART, "2025-12-01", "ban", "art2")
    assert a1["status"] == "in force"
    assert a2["status"] == "suspended" and a2["until"] == "2026-11-27" and a2["by"] == "susp"
    assert a1["event_status"] == a2["event_status"] == "partly suspended"


@pytest.mark.parametrize(
    ("date", "art2", "susp"),
    [
        ("2024-12-02", "not yet announced", "not yet announced"),
        ("2024-12-03", "in force", "not yet announced"),
        ("2025-11-08", "in force", "not yet announced"),
        ("2025-11-09", "suspended", "in force"),
        ("2026-11-27", "suspended", "in force"),  # the end date is the last day of the suspension
        ("2026-11-28", "unknown after 2026-11-27", "ended"),
        ("2026-12-02", "unknown after 2026-11-27", "ended"),
    ],
)
def test_timeline_of_the_suspended_article(date, art2, susp):
    assert status(ART, date, "ban", "art2")["status"] == art2
    assert status(ART, date, "susp")["status"] == susp


def test_lapsed_suspension_is_reported_not_guessed():
    a2 = status(ART, "2026-12-01", "ban", "art2")
    assert a2["note"] == "suspension ended 2026-11-27 (susp); no later announcement in the data"
    s = status(ART, "2026-12-01", "susp")
    assert s["note"] == "suspension ended 2026-11-27; no later announcement in the data"


def test_a_later_event_after_the_lapse_ends_the_unknown():
    ef = file(
        *[e.model_dump(mode="json", exclude_defaults=True) for e in ART.events],
        ev("reinstated", kind="ban", announced="2026-11-30", effective="2026-11-30", amends=[{"event": "ban"}]),
    )
    assert status(ef, "2026-11-29", "ban", "art2")["status"] == "unknown after 2026-11-27"
    after = status(ef, "2026-12-01", "ban", "art2")
    assert after["status"] == "in force" and "reinstated" in after["note"]


def test_dates_after_the_as_of_date_are_unknown_with_the_last_known_status():
    row = status(ART, "2027-01-01", "ban", "art1")
    assert row["status"] == "unknown after 2026-12-02" and row["last_known"] == "in force"


def test_announced_but_not_yet_effective_and_time_limited_end():
    ef = file(ev("q", kind="ban", announced="2025-02-01", effective="2025-03-01", ends="2025-06-30"))
    assert [status(ef, d, "q")["status"] for d in ("2025-01-31", "2025-02-01", "2025-03-01", "2025-06-30", "2025-07-01")] == [
        "not yet announced",
        "announced",
        "in force",
        "in force",
        "ended",
    ]


def test_part_with_its_own_effective_date():
    ef = file(ev("x", parts=[{"id": "now", "label": "a"}, {"id": "later", "label": "b", "effective": "2024-06-01"}]))
    assert status(ef, "2024-03-01", "x", "now")["status"] == "in force"
    assert status(ef, "2024-03-01", "x", "later")["status"] == "announced"
    assert status(ef, "2024-03-01", "x", "later")["event_status"] == "in force; announced"


def test_status_on_takes_a_plain_list_too():
    st = status_on(list(ART.events), dt.date(2030, 1, 1))  # no as-of date given: nothing is after the data
    assert set(st["status"]) == {"in force", "unknown after 2026-11-27", "ended"}


# --- bad input ------------------------------------------------------------------------------------


def test_circular_links_are_refused():
    ef = file(
        ev("a", kind="suspension", minerals=[], suspends=[{"event": "b"}]),
        ev("b", kind="suspension", minerals=[], suspends=[{"event": "a"}]),
    )
    msgs = problems(ef)
    assert any("circular link: a -> b -> a" in m for m in msgs), msgs


def test_self_suspension_is_circular():
    msgs = problems(file(ev("a", kind="suspension", minerals=[], suspends=[{"event": "a"}])))
    assert any("circular link: a -> a" in m for m in msgs), msgs


def _susp(eid: str, start: str, ends: str, announced: str | None = None):
    """A suspension of event m from ``start`` to ``ends`` (inclusive)."""
    return ev(eid, kind="suspension", minerals=[], announced=announced or start, effective=start, ends=ends, suspends=[{"event": "m"}])


def test_overlapping_suspensions_are_refused():
    ef = file(ev("m"), _susp("s1", "2025-01-01", "2025-12-31"), _susp("s2", "2025-06-01", "2026-06-01"))
    msgs = problems(ef)
    assert any("overlapping suspensions of m: s1 (2025-01-01 to 2025-12-31) and s2 (2025-06-01 to 2026-06-01)" in m for m in msgs), msgs


def test_back_to_back_suspensions_are_fine():
    ef = file(ev("m"), _susp("s1", "2025-01-01", "2025-12-31"), _susp("s2", "2026-01-01", "2026-06-01", announced="2025-12-20"))
    assert problems(ef) == []
    assert status(ef, "2026-01-01", "m")["by"] == "s2"


@pytest.mark.parametrize(
    ("event", "expect"),
    [
        (ev("e", effective="2024-01-01", ends="2023-12-31"), "ends: ends 2023-12-31 before it starts (2024-01-01)"),
        (
            ev("e", announced="2024-02-01", effective="2024-01-01"),
            "effective: effective 2024-01-01 is before the announcement (2024-02-01)",
        ),
        (ev("e", minerals=["unobtainium"]), "minerals: unknown mineral 'unobtainium'"),
        (
            ev("e", announced="2027-01-01", effective="2027-01-01"),
            "announced: announced 2027-01-01, after the data's as-of date 2026-12-02",
        ),
        (ev("e", sources=["nowhere"]), "sources: unknown source id 'nowhere'"),
        (ev("e", destination="XXX"), "destination: destination 'XXX' is neither 'all' nor"),
        (ev("e", kind="suspension", minerals=[], suspends=[{"event": "ghost"}]), "suspends: links to unknown event 'ghost'"),
    ],
)
def test_bad_events(event, expect):
    msgs = problems(file(event))
    assert any(expect in m for m in msgs), msgs
    assert all(m.startswith("events.yaml: events[0] e: ") for m in msgs)


def test_unknown_part_in_a_suspension():
    msgs = problems(
        file(
            ART.events[0].model_dump(mode="json"),
            ev(
                "s",
                kind="suspension",
                minerals=[],
                announced="2025-01-01",
                effective="2025-01-01",
                suspends=[{"event": "ban", "parts": ["art9"]}],
            ),
        )
    )
    assert any("ban has no part 'art9' (parts: art1, art2)" in m for m in msgs), msgs


@pytest.mark.parametrize(
    ("kw", "expect"),
    [
        ({"official_url": "javascript:alert(1)"}, "is not an http(s) URL"),
        ({"official_url": "ftp://example.org/x"}, "is not an http(s) URL"),
        ({"kind": "suspension", "minerals": []}, "a suspension must name what it suspends"),
        ({"kind": "quota"}, "a quota needs its quota periods"),
        ({"items": [{"name": "x", "hs": ["12ab"]}]}, "is not a customs commodity number"),
    ],
)
def test_model_level_errors(kw, expect):
    with pytest.raises(ValueError, match=expect.replace("(", r"\(").replace(")", r"\)")):
        file(ev("e", **kw))


# --- restrictions ---------------------------------------------------------------------------------


def test_restrictions_follow_kind_end_use_and_suspension():
    r = restrictions_on(ART, "2025-06-01")
    got = {(x.part, x.mineral): x.fraction for x in r.itertuples()}
    assert got == {
        ("art1", "gallium"): 0.0,  # military end users only: the end-use default
        ("art1", "germanium"): 0.0,
        ("art1", "graphite"): 0.0,
        ("art2", "gallium"): 1.0,
        ("art2", "germanium"): 1.0,
    }
    later = restrictions_on(ART, "2025-12-01")
    assert set(later["part"]) == {"art1"}  # art2 suspended
    assert restrictions_on(ART, "2026-12-01")["part"].tolist() == ["art1"] * 3  # art2's status unknown: not in force


def test_licence_uses_the_stated_default_and_technology_is_left_out():
    ef = file(ev("lic"), ev("tech", kind="technology_ban", covers=["technology"]), ev("tl", covers=["technology"]))
    r = restrictions_on(ef, "2025-01-01")
    assert r["event"].tolist() == ["lic"]
    assert (r.iloc[0]["fraction"], r.iloc[0]["fraction_low"], r.iloc[0]["fraction_high"], r.iloc[0]["basis"]) == (
        0.4,
        0.1,
        0.9,
        "assumption",
    )


def test_quota_against_the_reference_figure():
    q = ev(
        "q",
        country="COD",
        kind="quota",
        minerals=["cobalt"],
        effective="2025-01-01",
        ends="2026-12-31",
        quota=[
            {"start": "2025-01-01", "end": "2025-12-31", "tonnes": 50000, "basis": "Co"},
            {"start": "2026-07-01", "end": "2026-12-31", "tonnes": 46000, "basis": "Co"},
        ],
        quota_reference={"edition": "mcs2026", "mineral": "cobalt", "stage": "mine", "country": "COD"},
    )
    ef = file(q)
    figures = pd.DataFrame(
        {
            "edition": ["mcs2026"] * 3,
            "mineral": ["cobalt"] * 3,
            "stage": ["mine"] * 3,
            "product": [""] * 3,
            "country": ["COD"] * 3,
            "year": [2024, 2025, 2030],
            "value": [100000.0, 200000.0, 999.0],
            "unit": ["t"] * 3,
            "flag": ["none", "estimated", "projection"],
        }
    )
    r = restrictions_on(ef, "2025-05-01", figures).iloc[0]
    assert r["fraction"] == pytest.approx(1 - 50000 / 200000)  # latest observed year, projection ignored
    r2 = restrictions_on(ef, "2026-08-01", figures).iloc[0]
    assert r2["fraction"] == pytest.approx(1 - 46000 * 365 / 184 / 200000)  # half-year quota, annualised
    gap = restrictions_on(ef, "2026-03-01", figures).iloc[0]
    assert pd.isna(gap["fraction"]) and "no quota period of q covers 2026-03-01" in gap["note"]
    assert pd.isna(restrictions_on(ef, "2025-05-01").iloc[0]["fraction"])  # no figures: not computable, never a zero
