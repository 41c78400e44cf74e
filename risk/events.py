"""Export controls as dated events (``data/events.yaml``): validation, status on a date, restrictions.

An event is one official act (an announcement, a decision, a regulation) with its dates, kind,
minerals, destination and sources. Acts with articles that are treated differently later (MOFCOM
No. 46 of 2024: Article 1 stays, Article 2 is suspended) have ``parts``; a suspension names the
events, and optionally the parts, it suspends.

* :func:`check_events_file` validates the file and returns one :class:`~risk.dataset.Problem` per
  issue (``data/events.yaml:LINE: events[3] id: field: message``); ``python -m risk validate``
  runs it with the rest of the data.
* :func:`status_on` gives each event part's status on a date: ``not yet announced``,
  ``announced`` (not yet effective), ``in force``, ``suspended`` (with ``until``), ``ended``, or
  ``unknown after <date>`` once a suspension has ended and no later event in the data says what
  followed, or for dates after the data's as-of date.
* :func:`restrictions_on` turns the measures in force into (origin, mineral, destination, kind,
  fraction) rows for the scenario engine, with the fraction's basis.
* :func:`check_event_claims` checks press claims (``data/event_claims.yaml``) against the events
  and the product chains.

Everything here is pure: events (a file model or a list) in, new frames out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from . import DATA_DIR, countries
from .schema import Iso3, Slug, SourceId, Stage, _Strict
from .yamlio import line_of, load_yaml_file

Kind = Literal["licence", "ban", "quota", "suspension", "technology_ban", "commitment"]
Covers = Literal["material", "equipment", "technology"]
EventId = SourceId  # the same shape: lower-case words joined by underscores

#: Status words (``unknown after`` is followed by a date).
STATUSES = ("not yet announced", "announced", "in force", "suspended", "ended", "unknown after")
#: Kinds that restrict a material flow (a suspension lifts one; a commitment is not a legal act).
RESTRICTING = ("licence", "ban", "quota")


def _http_url(v: str | None) -> str | None:
    if v is not None and not re.match(r"^https?://[^\s/$.?#][^\s]*$", v):
        raise ValueError(f"{v!r} is not an http(s) URL")
    return v


class Item(_Strict):
    """A controlled item as the text names it, with the customs commodity numbers it gives."""

    name: str
    hs: list[str] = Field(default_factory=list)

    @field_validator("hs")
    @classmethod
    def _codes(cls, v):
        for code in v:
            if not re.match(r"^\d{4,10}$", code):
                raise ValueError(f"{code!r} is not a customs commodity number (4 to 10 digits)")
        return v


class Part(_Strict):
    """An article or clause of an event that can differ from the rest or be suspended alone."""

    id: Slug
    label: str
    kind: Kind | None = None
    minerals: list[Slug] | None = None  # None: the event's minerals
    destination: str | None = None
    end_use: str | None = None  # "U.S. military users and military uses": restricted end users only
    effective: dt.date | None = None
    note: str | None = None


class Link(_Strict):
    event: EventId
    parts: list[Slug] = Field(default_factory=list)  # empty: the whole event
    note: str | None = None


class Verification(_Strict):
    how: Literal["official_text", "two_reports", "one_report", "unverified"]
    sources: list[SourceId] = Field(min_length=1)
    note: str | None = None


class QuotaPeriod(_Strict):
    start: dt.date
    end: dt.date
    tonnes: float = Field(ge=0)
    basis: str

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError(f"quota period ends ({self.end}) before it starts ({self.start})")
        return self


class QuotaReference(_Strict):
    """The bundled figure a quota is compared with (the latest observed year is used)."""

    edition: str
    mineral: Slug
    stage: Stage
    product: str = ""
    country: Iso3
    note: str | None = None


class DefaultFraction(_Strict):
    value: float | None = Field(default=None, ge=0, le=1)
    low: float | None = Field(default=None, ge=0, le=1)
    high: float | None = Field(default=None, ge=0, le=1)
    basis: Literal["definition", "assumption", "source", "computed"]
    source: SourceId | None = None
    note: str

    @model_validator(mode="after")
    def _basis(self):
        if self.basis == "source" and not self.source:
            raise ValueError("a fraction with basis 'source' needs its source id")
        if self.basis != "computed" and self.value is None:
            raise ValueError(f"a fraction with basis {self.basis!r} needs a value")
        if None not in (self.low, self.value, self.high) and not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value} is outside its range {self.low} to {self.high}")
        return self


class Event(_Strict):
    id: EventId
    title: str
    country: Iso3
    authority: str
    number: str | None = None
    announced: dt.date
    effective: dt.date
    ends: dt.date | None = None  # last day in force (inclusive)
    kind: Kind
    minerals: list[Slug]
    elements: list[str] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    covers: list[Covers] = Field(default_factory=lambda: ["material"])
    destination: str = "all"
    end_use: str | None = None
    parts: list[Part] = Field(default_factory=list)
    suspends: list[Link] = Field(default_factory=list)
    amends: list[Link] = Field(default_factory=list)
    quota: list[QuotaPeriod] = Field(default_factory=list)
    quota_reference: QuotaReference | None = None
    # the share of a mineral's flow that the measure's items cover, where they are only part of
    # it (seven of the rare earths in a measure mapped onto rare earths as a whole)
    coverage: dict[Slug, DefaultFraction] = Field(default_factory=dict)
    sources: list[SourceId] = Field(min_length=1)
    official_url: str | None = None
    verified: Verification
    note: str | None = None

    @field_validator("official_url")
    @classmethod
    def _url(cls, v):
        return _http_url(v)

    @field_validator("elements")
    @classmethod
    def _symbols(cls, v):
        for e in v:
            if not re.match(r"^[A-Z][a-z]?$", e):
                raise ValueError(f"{e!r} is not a chemical symbol")
        return v

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "suspension" and not self.suspends:
            raise ValueError("a suspension must name what it suspends (suspends: [{event: ...}])")
        if self.kind != "suspension" and self.suspends:
            raise ValueError(f"only a suspension can suspend other events; this one is a {self.kind}")
        if self.kind == "quota" and not self.quota:
            raise ValueError("a quota needs its quota periods (quota: [{start, end, tonnes, basis}])")
        if self.kind not in ("suspension", "commitment") and not self.minerals:
            raise ValueError(f"a {self.kind} needs at least one mineral")
        ids = [p.id for p in self.parts]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate part ids in {ids}")
        return self

    def part_list(self) -> list[Part]:
        """The parts, or one implicit part ``all`` standing for the whole event."""
        return self.parts or [Part(id="all", label="whole measure")]


class Defaults(_Strict):
    note: str
    fractions: dict[Literal["ban", "licence", "end_use", "quota"], DefaultFraction]

    @model_validator(mode="after")
    def _all(self):
        missing = {"ban", "licence", "end_use", "quota"} - set(self.fractions)
        if missing:
            raise ValueError(f"defaults.fractions needs {', '.join(sorted(missing))}")
        return self


class EventsFile(_Strict):
    as_of: dt.date
    defaults: Defaults
    events: list[Event]


# ----------------------------------------------------------------------------------------------
# Validation


def known_minerals(data_dir: str | Path = DATA_DIR) -> set[str]:
    """Mineral slugs of the bundled data: the file names of every edition folder (cheap: no parsing)."""
    from .dataset import EDITION_DIRS

    out: set[str] = set()
    for sub in EDITION_DIRS.values():
        out |= {p.stem for p in (Path(data_dir) / sub).glob("*.yaml")}
    return out


def check_events_file(path: Path, rel: str, source_ids: set[str], minerals: set[str]):
    """Read and validate ``events.yaml``. Returns ``(EventsFile or None, [Problem, ...])``."""
    from .dataset import Problem, _load, _validate

    doc, problems = _load(path, rel)
    if doc is None:
        return None, problems
    model, errs = _validate(EventsFile, doc, path, rel)
    if model is None:
        return None, errs
    text = path.read_text(encoding="utf-8")
    return model, check_events(model, lambda keys: line_of(text, keys), rel, source_ids, minerals, Problem)


def check_events(ef: EventsFile, line, rel: str, source_ids: set[str], minerals: set[str], Problem=None) -> list:
    """Cross-record checks of a validated file: ids, dates, links, cycles, overlaps, sources, minerals."""
    if Problem is None:
        from .dataset import Problem
    problems = []
    by_id: dict[str, tuple[int, Event]] = {}

    def add(i, ev, fld, msg, *keys):
        problems.append(Problem(rel, line(("events", i, *(keys or (fld,)))), f"events[{i}] {ev.id}", fld, msg))

    for i, ev in enumerate(ef.events):
        if ev.id in by_id:
            add(i, ev, "id", f"duplicate event id (first at events[{by_id[ev.id][0]}])")
            continue
        by_id[ev.id] = (i, ev)
    for fld, df in ef.defaults.fractions.items():
        if df.source and df.source not in source_ids:
            problems.append(
                Problem(rel, line(("defaults", "fractions", fld)), f"defaults {fld}", "source", f"unknown source id {df.source!r}")
            )

    for i, ev in enumerate(ef.events):
        if by_id.get(ev.id, (None, None))[1] is not ev:
            continue
        if ev.effective < ev.announced:
            add(i, ev, "effective", f"effective {ev.effective} is before the announcement ({ev.announced})")
        if ev.ends is not None and ev.ends < ev.effective:
            add(i, ev, "ends", f"ends {ev.ends} before it starts ({ev.effective})")
        if ev.announced > ef.as_of:
            add(i, ev, "announced", f"announced {ev.announced}, after the data's as-of date {ef.as_of}")
        for j, p in enumerate(ev.parts):
            if p.effective is not None and p.effective < ev.announced:
                add(i, ev, "effective", f"part {p.id} effective {p.effective} is before the announcement ({ev.announced})", "parts", j)
            if p.effective is not None and ev.ends is not None and p.effective > ev.ends:
                add(i, ev, "effective", f"part {p.id} starts {p.effective}, after the event ends ({ev.ends})", "parts", j)
        for j, q in enumerate(ev.quota):
            if q.start < ev.effective or (ev.ends is not None and q.end > ev.ends):
                add(i, ev, "quota", f"quota period {q.start} to {q.end} is outside the event ({ev.effective} to {ev.ends})", "quota", j)
        if ev.country not in countries.valid_codes() or not countries.is_country(ev.country):
            add(i, ev, "country", f"{ev.country!r} is not a country code")
        dests = [ev.destination] + [p.destination for p in ev.parts if p.destination]
        for d in dests:
            if d != "all" and not (re.match(r"^[A-Z]{3}$", d) and countries.is_valid(d) and countries.is_country(d)):
                add(i, ev, "destination", f"destination {d!r} is neither 'all' nor an ISO 3166-1 alpha-3 country")
        mins = list(ev.minerals) + [m for p in ev.parts for m in (p.minerals or [])]
        if ev.quota_reference:
            mins.append(ev.quota_reference.mineral)
        for m, cov in ev.coverage.items():
            if m not in ev.minerals:
                add(i, ev, "coverage", f"coverage of {m!r}, which is not among the event's minerals")
            if cov.source and cov.source not in source_ids:
                add(i, ev, "coverage", f"unknown source id {cov.source!r} (not in data/sources.yaml)")
        for m in dict.fromkeys(mins):
            if m not in minerals:
                add(i, ev, "minerals", f"unknown mineral {m!r} (no file for it in data/usgs or data/iea)")
        for s in dict.fromkeys([*ev.sources, *ev.verified.sources]):
            if s not in source_ids:
                add(i, ev, "sources", f"unknown source id {s!r} (not in data/sources.yaml)")
        for fld in ("suspends", "amends"):
            for j, link in enumerate(getattr(ev, fld)):
                target = by_id.get(link.event)
                if target is None:
                    add(i, ev, fld, f"links to unknown event {link.event!r}", fld, j)
                    continue
                tev = target[1]
                if link.event == ev.id:
                    continue  # reported as a cycle below
                if tev.announced > ev.announced:
                    add(i, ev, fld, f"links to {link.event}, announced later ({tev.announced} after {ev.announced})", fld, j)
                known = {p.id for p in tev.parts}
                for p in link.parts:
                    if p not in known:
                        have = ", ".join(sorted(known)) or "none"
                        add(i, ev, fld, f"{link.event} has no part {p!r} (parts: {have})", fld, j)

    problems += _cycles(ef, by_id, line, rel, Problem)
    problems += _overlaps(ef, by_id, line, rel, Problem)
    return problems


def _cycles(ef, by_id, line, rel, Problem) -> list:
    edges = {ev.id: [lk.event for lk in (*ev.suspends, *ev.amends) if lk.event in by_id] for _, ev in by_id.values()}
    out, state, reported = [], {}, set()

    def visit(node, path):
        state[node] = 1
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    i, ev = by_id[cycle[0]]
                    fld = "suspends" if any(lk.event == cycle[1] for lk in ev.suspends) else "amends"
                    out.append(Problem(rel, line(("events", i, fld)), f"events[{i}] {ev.id}", fld, "circular link: " + " -> ".join(cycle)))
            elif state.get(nxt) is None:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in edges:
        if state.get(node) is None:
            visit(node, [node])
    return out


def _overlaps(ef, by_id, line, rel, Problem) -> list:
    """Two suspensions of the same part whose periods overlap are ambiguous: which one ends it?"""
    out = []
    for (tid, part), susp in _suspensions(list(v for _, v in by_id.values())).items():
        susp = sorted(susp, key=lambda s: s.effective)
        for a, b in itertools.pairwise(susp):
            if a.ends is None or b.effective <= a.ends:
                i = by_id[b.id][0]
                what = tid if part == "all" else f"{tid} part {part}"
                out.append(
                    Problem(
                        rel,
                        line(("events", i, "suspends")),
                        f"events[{i}] {b.id}",
                        "suspends",
                        f"overlapping suspensions of {what}: {a.id} ({a.effective} to {a.ends or 'open'}) and {b.id} ({b.effective} to {b.ends or 'open'})",
                    )
                )
    return out


def load_events(data_dir: str | Path = DATA_DIR) -> EventsFile:
    """Load and validate ``data_dir/events.yaml``; raises :class:`~risk.dataset.DatasetError` listing every problem."""
    from .dataset import DatasetError, _load

    data_dir = Path(data_dir)
    rel = "data/events.yaml"
    sp = data_dir / "sources.yaml"
    sdoc, problems = _load(sp, "data/sources.yaml")
    source_ids = {s.get("id") for s in (sdoc or {}).get("sources", []) if isinstance(s, dict)}
    ef, errs = check_events_file(data_dir / "events.yaml", rel, source_ids, known_minerals(data_dir))
    problems += errs
    if problems:
        raise DatasetError(problems)
    return ef


# ----------------------------------------------------------------------------------------------
# Status on a date


def _as_list(events) -> tuple[list[Event], dt.date | None]:
    if isinstance(events, EventsFile):
        return list(events.events), events.as_of
    return list(events), None


def _suspensions(events: list[Event]) -> dict[tuple[str, str], list[Event]]:
    """(target event id, part id) -> the suspensions naming it."""
    parts = {ev.id: [p.id for p in ev.part_list()] for ev in events}
    out: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for s in events:
        for link in s.suspends:
            for p in link.parts or parts.get(link.event, ["all"]):
                out[(link.event, p)].append(s)
    return out


def _links_to(events: list[Event]) -> dict[str, list[tuple[Event, Link]]]:
    out: dict[str, list[tuple[Event, Link]]] = defaultdict(list)
    for x in events:
        for link in (*x.suspends, *x.amends):
            out[link.event].append((x, link))
    return out


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _date(d) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    try:
        return dt.date.fromisoformat(str(d))
    except ValueError:
        raise ValueError(f"{d!r} is not a date (use YYYY-MM-DD)") from None


def _part_status(ev: Event, part: Part, d: dt.date, susp, links) -> dict:
    """Status of one part on date ``d`` (within the data's period)."""
    label = lambda s: s.number or s.id  # noqa: E731
    if d < ev.announced:
        return {"status": "not yet announced"}
    if ev.kind == "commitment":
        return {"status": "announced", "note": "a commitment as reported, not a legal act: it changes no status"}
    eff = part.effective or ev.effective
    if d < eff:
        return {"status": "announced", "note": f"in force from {eff}"}
    if ev.ends is not None and d > ev.ends:
        later = [x for x, _ in links.get(ev.id, []) if x.announced <= d]
        if ev.kind == "suspension":
            after = [
                x
                for t in {lk.event for lk in ev.suspends}
                for x, _ in links.get(t, [])
                if x.id != ev.id and x.announced > ev.ends and x.announced <= d
            ]
            note = f"suspension ended {ev.ends}; " + (
                f"later: {', '.join(label(x) for x in after)}" if after else "no later announcement in the data"
            )
        else:
            note = f"ended {ev.ends}" + (f"; continued by {', '.join(label(x) for x in later)}" if later else "")
        return {"status": "ended", "note": note}
    mine = susp.get((ev.id, part.id), [])
    active = [s for s in mine if s.effective <= d and (s.ends is None or d <= s.ends)]
    if active:
        s = max(active, key=lambda s: s.effective)
        return {
            "status": "suspended",
            "until": _iso(s.ends),
            "by": s.id,
            "note": f"suspended by {label(s)}" + (f" until {s.ends}" if s.ends else ""),
        }
    lapsed = [s for s in mine if s.ends is not None and s.ends < d]
    if lapsed:
        s = max(lapsed, key=lambda s: s.ends)
        later = [
            x for x, lk in links.get(ev.id, []) if x.id != s.id and s.ends < x.announced <= d and (not lk.parts or part.id in lk.parts)
        ]
        if not later:
            return {
                "status": f"unknown after {s.ends}",
                "by": s.id,
                "note": f"suspension ended {s.ends} ({label(s)}); no later announcement in the data",
            }
        return {
            "status": "in force",
            "note": f"after the suspension by {label(s)} ended {s.ends}: see {', '.join(label(x) for x in later)}",
        }
    return {"status": "in force"}


def status_on(events, date, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Each event part's status on ``date``: one row per (event, part); events without parts have part ``all``.

    ``events`` is an :class:`EventsFile` (whose ``as_of`` is used) or a list of :class:`Event`
    (then pass ``as_of``; without it, no date counts as after the data). For a date after the
    as-of date the status is ``unknown after <as_of>`` and ``last_known`` holds the status then.
    """
    evs, file_as_of = _as_list(events)
    as_of = as_of or file_as_of
    d = _date(date)
    susp, links = _suspensions(evs), _links_to(evs)
    rows = []
    for ev in evs:
        for part in ev.part_list():
            when = d if as_of is None or d <= as_of else as_of
            st = _part_status(ev, part, when, susp, links)
            last_known = None
            if when != d:
                last_known = st["status"]
                st = {
                    "status": f"unknown after {as_of}",
                    "note": f"after the data's as-of date; status on {as_of}: {st['status']}"
                    + (f" ({st['note']})" if st.get("note") else ""),
                }
            kind = part.kind or ev.kind
            rows.append(
                {
                    "date": d.isoformat(),
                    "event": ev.id,
                    "part": part.id,
                    "country": ev.country,
                    "number": ev.number,
                    "title": ev.title if not ev.parts else f"{ev.title} - {part.label}",
                    "kind": kind,
                    "minerals": ";".join(part.minerals if part.minerals is not None else ev.minerals),
                    "destination": part.destination or ev.destination,
                    "end_use": part.end_use or ev.end_use,
                    "announced": _iso(ev.announced),
                    "effective": _iso(part.effective or ev.effective),
                    "ends": _iso(ev.ends),
                    "status": st["status"],
                    "until": st.get("until"),
                    "by": st.get("by"),
                    "last_known": last_known,
                    "note": st.get("note"),
                    "sources": ";".join(ev.sources),
                    "official_url": ev.official_url,
                    "verified": ev.verified.how,
                }
            )
    df = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    df["event_status"] = df.groupby("event")["status"].transform(_summarise)
    return df


STATUS_COLUMNS = [
    "date",
    "event",
    "part",
    "country",
    "number",
    "title",
    "kind",
    "minerals",
    "destination",
    "end_use",
    "announced",
    "effective",
    "ends",
    "status",
    "until",
    "by",
    "last_known",
    "note",
    "sources",
    "official_url",
    "verified",
]


def _summarise(statuses: pd.Series) -> str:
    u = list(dict.fromkeys(statuses))
    if len(u) == 1:
        return u[0]
    if "suspended" in u:
        return "partly suspended"
    unknown = [s for s in u if s.startswith("unknown after")]
    if unknown:
        return "partly " + unknown[0]
    return "; ".join(u)


def for_mineral(status: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Rows whose minerals include ``mineral`` (suspensions are kept when they suspend such a row)."""
    hit = status["minerals"].str.split(";").apply(lambda ms: mineral in ms)
    keep = set(status.loc[hit, "by"].dropna())
    return status[hit | status["event"].isin(keep)].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Restrictions in force, for the scenario engine


RESTRICTION_COLUMNS = [
    "date",
    "origin",
    "mineral",
    "destination",
    "kind",
    "end_use",
    "fraction",
    "fraction_low",
    "fraction_high",
    "basis",
    "coverage",
    "event",
    "part",
    "note",
    "sources",
]


def restrictions_on(events, date, figures: pd.DataFrame | None = None, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Material restrictions in force on ``date``: one row per (event part, mineral).

    Licence -> the licence default (a stated assumption, see ``defaults`` in events.yaml); ban ->
    1, or the end-use default for bans on restricted end users only; quota -> 1 - quota per year /
    reference volume, the reference being the latest observed figure named by ``quota_reference``
    in ``figures`` (the dataset's figures frame); without it the fraction is missing and ``note``
    says why. Measures covering only technology or equipment, suspended or lapsed measures and
    commitments give no row. Where an event covers only part of a mineral's flow (``coverage``:
    seven rare earths of the aggregate), the fraction and its range are multiplied by that share.
    """
    if not isinstance(events, EventsFile):
        raise TypeError("restrictions_on needs the EventsFile (its defaults hold the fractions)")
    d = _date(date)
    st = status_on(events, d, as_of=as_of)
    by_id = {ev.id: ev for ev in events.events}
    fr = events.defaults.fractions
    rows = []
    for r in st[st["status"] == "in force"].itertuples(index=False):
        ev = by_id[r.event]
        if r.kind not in RESTRICTING or "material" not in ev.covers:
            continue
        if r.kind == "quota":
            frac, note = _quota_fraction(ev, d, figures)
            low = high = frac
            basis = "computed" if frac is not None else "not computable"
        else:
            key = "end_use" if isinstance(r.end_use, str) and r.end_use else r.kind
            df = fr[key]
            frac, low, high, basis, note = df.value, df.low, df.high, df.basis, df.note
        for m in r.minerals.split(";"):
            cov = ev.coverage.get(m)
            k, k_lo, k_hi, m_note = 1.0, 1.0, 1.0, note
            if cov is not None:
                k = cov.value
                k_lo = cov.low if cov.low is not None else k
                k_hi = cov.high if cov.high is not None else k
                m_note = f"{note} The measure covers about {k:.0%} of the flow ({k_lo:.0%} to {k_hi:.0%}): {cov.note}"
            rows.append(
                {
                    "date": d.isoformat(),
                    "origin": r.country,
                    "mineral": m,
                    "destination": r.destination,
                    "kind": r.kind,
                    "end_use": r.end_use if isinstance(r.end_use, str) else None,
                    "fraction": None if frac is None else frac * k,
                    "fraction_low": None if low is None else low * k_lo,
                    "fraction_high": None if high is None else high * k_hi,
                    "basis": basis,
                    "coverage": k,
                    "event": r.event,
                    "part": r.part,
                    "note": m_note,
                    "sources": r.sources,
                }
            )
    out = pd.DataFrame(rows, columns=RESTRICTION_COLUMNS)
    for c in ("fraction", "fraction_low", "fraction_high", "coverage"):
        out[c] = out[c].astype("float64")
    return out


def _quota_fraction(ev: Event, d: dt.date, figures: pd.DataFrame | None) -> tuple[float | None, str]:
    period = next((q for q in ev.quota if q.start <= d <= q.end), None)
    if period is None:
        return None, f"no quota period of {ev.id} covers {d}"
    per_year = period.tonnes * 365 / ((period.end - period.start).days + 1)
    ref = ev.quota_reference
    if ref is None:
        return None, f"quota {per_year:,.0f} t a year; the event names no reference volume"
    if figures is None:
        return None, f"quota {per_year:,.0f} t a year; no figures given to compare with"
    f = figures[
        (figures["edition"] == ref.edition)
        & (figures["mineral"] == ref.mineral)
        & (figures["stage"] == ref.stage)
        & (figures["product"] == ref.product)
        & (figures["country"] == ref.country)
        & (figures["flag"] != "projection")
    ].dropna(subset=["value"])
    if f.empty or f["value"].max() <= 0:
        return None, f"quota {per_year:,.0f} t a year; no {ref.edition} {ref.mineral} {ref.stage} figure for {ref.country}"
    row = f.sort_values("year").iloc[-1]
    frac = max(0.0, 1 - per_year / float(row["value"]))
    return frac, (
        f"quota {period.tonnes:,.0f} t for {period.start} to {period.end} ({per_year:,.0f} t a year) against "
        f"{ref.country} {ref.stage} {int(row['year'])} of {row['value']:,.0f} {row['unit']} ({ref.edition})"
        + (f"; {ref.note}" if ref.note else "")
    )


# ----------------------------------------------------------------------------------------------
# Claims checked against events and chains


class ClaimCheck(_Strict):
    kind: Literal["chain_share", "us_import_share", "us_ban"]
    chain: Slug | None = None
    stage: Slug | None = None
    mineral: Slug | None = None
    minerals: list[Slug] = Field(default_factory=list)
    country: Iso3 = "CHN"
    destination: Iso3 = "USA"
    at_least: float | None = Field(default=None, ge=0, le=1)  # chain_share: the country must be top with at least this share
    context_only: bool = False  # shown, but not part of the verdict


class EventClaim(_Strict):
    id: Slug
    quote: str
    interpretation: str
    checks: list[ClaimCheck] = Field(min_length=1)


class EventClaimsFile(_Strict):
    source: SourceId
    claims: list[EventClaim]


def check_event_claims_file(path: Path, rel: str, source_ids: set[str], minerals: set[str]) -> list:
    """Problems of ``event_claims.yaml`` (schema, source, minerals); the chains and stages it names are checked when run."""
    from .dataset import Problem, _load, _validate

    doc, problems = _load(path, rel)
    if doc is None:
        return problems
    model, errs = _validate(EventClaimsFile, doc, path, rel)
    if model is None:
        return errs
    text = path.read_text(encoding="utf-8")
    if model.source not in source_ids:
        problems.append(Problem(rel, line_of(text, ("source",)), "", "source", f"unknown source id {model.source!r}"))
    for i, c in enumerate(model.claims):
        for j, chk in enumerate(c.checks):
            for m in [chk.mineral, *chk.minerals]:
                if m and m not in minerals:
                    problems.append(
                        Problem(rel, line_of(text, ("claims", i, "checks", j)), f"claims[{i}] {c.id}", "mineral", f"unknown mineral {m!r}")
                    )
    return problems


def load_event_claims(data_dir: str | Path = DATA_DIR) -> EventClaimsFile:
    from .dataset import DatasetError, _validate

    path = Path(data_dir) / "event_claims.yaml"
    model, problems = _validate(EventClaimsFile, load_yaml_file(path), path, "data/event_claims.yaml")
    if problems:
        raise DatasetError(problems)
    return model


def check_event_claims(ds, events: EventsFile, chain_shares: pd.DataFrame, claims: EventClaimsFile, date=None) -> pd.DataFrame:
    """Each claim's checks against the chains, U.S. import sources and events, with a verdict.

    One row per check, with the claim's overall ``verdict`` (supported, partly supported, not
    supported, not checkable) on every row; ``status`` is the status of the events found on
    ``date`` (default: the events' as-of date).
    """
    d = _date(date or events.as_of)
    st = status_on(events, d)
    rows = []
    for c in claims.claims:
        got = []
        for chk in c.checks:
            row = {"claim": c.id, "quote": c.quote, "check": chk.kind, "context_only": chk.context_only}
            row |= _run_check(ds, chk, chain_shares, events, st)
            got.append(row)
        scored = [r["result"] for r in got if not r["context_only"]]
        if not scored or all(r == "not checkable" for r in scored):
            verdict = "not checkable"
        elif all(r == "yes" for r in scored):
            verdict = "supported"
        elif any(r in ("yes", "partly") for r in scored):
            verdict = "partly supported"
        else:
            verdict = "not supported"
        for r in got:
            r["verdict"] = verdict
            r["interpretation"] = c.interpretation
            r["sources"] = ";".join(dict.fromkeys([claims.source, *[s for s in r["sources"].split(";") if s]]))
        rows += got
    cols = [
        "claim",
        "verdict",
        "check",
        "result",
        "figures",
        "events",
        "event_dates",
        "status",
        "context_only",
        "quote",
        "interpretation",
        "sources",
    ]
    return pd.DataFrame(rows, columns=cols)


def _run_check(ds, chk: ClaimCheck, chain_shares: pd.DataFrame, events: EventsFile, st: pd.DataFrame) -> dict:
    out = {"result": "not checkable", "figures": "", "events": "", "event_dates": "", "status": "", "sources": ""}
    name = countries.name(chk.country)
    if chk.kind == "chain_share":
        s = chain_shares[(chain_shares["chain"] == chk.chain) & (chain_shares["stage"] == chk.stage)]
        if s.empty or s["share"].isna().all():
            return out | {"figures": f"no shares for {chk.chain} stage {chk.stage}"}
        top = s.sort_values("share", ascending=False).iloc[0]
        mine = s[s["country"] == chk.country]
        share = float(mine["share"].iloc[0]) if len(mine) else 0.0
        ok = share >= (chk.at_least if chk.at_least is not None else 0.5) and top["country"] == chk.country
        r = mine.iloc[0] if len(mine) else top
        bound = " or more" if r.get("flag") == "lower_bound" else ""
        return out | {
            "result": "yes" if ok else "no",
            "figures": f"{top['stage_name']}: {name} {share:.0%}{bound} ({int(r['year'])}); top {countries.name(top['country'])}",
            "sources": r["source"],
        }
    if chk.kind == "us_import_share":  # yes: the country is the top U.S. import source; partly: a smaller one
        from .metrics import dependency_by_country

        dep = dependency_by_country(ds.us, chk.mineral)
        if dep.empty:
            return out | {"figures": f"no U.S. import sources for {chk.mineral}"}
        dep = dep.sort_values("import_share", ascending=False)
        hit = dep[dep["country"] == chk.country]
        share = float(hit["import_share"].iloc[0]) if len(hit) else 0.0
        top = dep.iloc[0]
        is_top = top["country"] == chk.country
        res = "yes" if is_top else ("partly" if share > 0 else "no")
        return out | {
            "result": res,
            "figures": f"U.S. {chk.mineral} imports: {name} {share:.0%}; top source {countries.name(top['country'])} {top['import_share']:.0%}",
            "sources": str(top["source"]),
        }
    # us_ban: a ban to the destination covering each mineral, announced by the country
    ev_by = {e.id: e for e in events.events}
    found, missing, evs, dates, stats, ids = [], [], [], [], [], []
    for m in chk.minerals:
        hits = [
            (e, p)
            for e in events.events
            if e.country == chk.country
            for p in e.part_list()
            if (p.kind or e.kind) == "ban"
            and not (p.end_use or e.end_use)
            and (p.destination or e.destination) == chk.destination
            and m in (p.minerals if p.minerals is not None else e.minerals)
        ]
        if not hits:
            missing.append(m)
            continue
        found.append(m)
        for e, p in hits:
            key = f"{e.number or e.id}" + ("" if p.id == "all" else f" {p.id}")
            if key not in evs:
                evs.append(key)
                ids.append(e.id)
                dates.append(_iso(e.announced))
                row = st[(st["event"] == e.id) & (st["part"] == p.id)]
                stats.append(f"{row['status'].iloc[0]}" + (f" ({row['note'].iloc[0]})" if row["note"].iloc[0] else ""))
    others = sorted(
        {
            f"{e.number or e.id} ({e.kind}, {e.destination})"
            for e in events.events
            if e.country == chk.country and e.kind in RESTRICTING and set(missing) & set(e.minerals)
        }
    )
    res = "yes" if not missing else ("partly" if found else "no")
    fig = f"ban to {countries.name(chk.destination)} found for {', '.join(found) or 'none'}"
    if missing:
        fig += f"; none for {', '.join(missing)}" + (f" (other measures: {'; '.join(others)})" if others else "")
    srcs = ";".join(dict.fromkeys(s for i in ids for s in ev_by[i].sources))
    return out | {
        "result": res,
        "figures": fig,
        "events": "; ".join(evs),
        "event_dates": "; ".join(dates),
        "status": "; ".join(stats),
        "sources": srcs,
    }


# ----------------------------------------------------------------------------------------------
# CLI


def cmd_events(a) -> int:
    """``python -m risk events [--as-of DATE] [--mineral SLUG] [--format json|table|csv]``."""
    import json

    ef = load_events(a.data_dir)
    date = _date(a.as_of) if a.as_of else ef.as_of
    st = status_on(ef, date)
    if a.mineral:
        if a.mineral not in known_minerals(a.data_dir):
            raise ValueError(f"unknown mineral {a.mineral!r}; see data/usgs/mcs2026/ for the slugs")
        st = for_mineral(st, a.mineral)
    if a.format == "json":
        recs = st.astype(object).where(st.notna(), None).to_dict(orient="records")
        for r in recs:
            r["minerals"] = r["minerals"].split(";") if r["minerals"] else []
            r["sources"] = r["sources"].split(";")
        print(json.dumps({"as_of_data": ef.as_of.isoformat(), "date": date.isoformat(), "events": recs}, indent=2, ensure_ascii=False))
    else:
        from .cli import _print_frame

        cols = ["event", "part", "number", "kind", "minerals", "destination", "effective", "status", "until", "note"]
        if a.format == "table":
            print(f"Export-control events on {date} (data as of {ef.as_of})")
        _print_frame(st[cols].astype(object).fillna("") if a.format == "table" else st, a.format, list_cols=())
    return 0


def cmd_event_claims(a) -> int:
    from .chains import chain_shares, load_chains
    from .cli import _print_frame
    from .dataset import load_dataset

    ds = load_dataset(a.data_dir)
    table = check_event_claims(
        ds, load_events(a.data_dir), chain_shares(load_chains(a.data_dir), ds.figures), load_event_claims(a.data_dir)
    )
    if a.format == "table":
        table = table[["claim", "verdict", "check", "result", "figures", "events", "status"]]
    _print_frame(table, a.format)
    return 0


def timeline(events, start, end) -> pd.DataFrame:
    """Periods of constant status for every event part between ``start`` and ``end``: one row
    per (event, part, period) with ``status``, ``start`` and ``end`` (inclusive) dates, for the
    timeline chart. Statuses come from :func:`status_on` at every date where one can change
    (announced, effective, the day after an end, a suspension's start and the day after it ends),
    so the periods are exact, not sampled; after the data's as-of date the status is
    ``unknown after <as_of>``."""
    evs, as_of = _as_list(events)
    d0, d1 = _date(start), _date(end)
    one = dt.timedelta(days=1)
    marks = {d0}
    for ev in evs:
        for d in (ev.announced, ev.effective, ev.ends and ev.ends + one):
            if d:
                marks.add(d)
    if as_of:
        marks.add(as_of + one)
    marks = sorted(m for m in marks if d0 <= m <= d1)
    frames = [status_on(events, m).assign(start=m) for m in marks]
    if not frames:
        return pd.DataFrame(
            columns=["event", "part", "country", "number", "title", "kind", "minerals", "destination", "status", "start", "end"]
        )
    s = pd.concat(frames, ignore_index=True).sort_values(["event", "part", "start"], kind="stable")
    s["next_start"] = s.groupby(["event", "part"])["start"].shift(-1)
    s["end"] = [(n - one) if isinstance(n, dt.date) else d1 for n in s["next_start"]]
    # merge consecutive periods with the same status
    s["block"] = (s["status"] != s.groupby(["event", "part"])["status"].shift()).cumsum()
    g = s.groupby(["event", "part", "block"], sort=False)
    out = g.agg(
        country=("country", "first"),
        number=("number", "first"),
        title=("title", "first"),
        kind=("kind", "first"),
        minerals=("minerals", "first"),
        destination=("destination", "first"),
        status=("status", "first"),
        start=("start", "min"),
        end=("end", "max"),
        official_url=("official_url", "first"),
        sources=("sources", "first"),
    ).reset_index()
    return out.drop(columns="block")
