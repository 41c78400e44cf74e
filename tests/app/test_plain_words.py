"""Plain words, enforced: no scenario id, field name, edition code, None, nan, auto or
lowercase "u.s." on any page (AppTest), in any chart's title and footer, or in the pack's text."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import offences, page_texts

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VIEWS = [
    ("pages/overview.py", {}),
    ("pages/overview.py", {"list": "all", "bands": "2010"}),
    ("pages/overview.py", {"view": "table"}),
    ("pages/profile.py", {"mineral": "gallium"}),
    ("pages/profile.py", {"mineral": "germanium"}),
    ("pages/profile.py", {"mineral": "rare_earths"}),
    ("pages/profile.py", {"mineral": "scandium"}),
    # the profile's other tabs (only the open tab is sent)
    ("pages/profile.py", {"mineral": "gallium", "tab": "us"}),
    ("pages/profile.py", {"mineral": "gallium", "tab": "sources"}),
    ("pages/profile.py", {"mineral": "rare_earths", "tab": "prices"}),
    ("pages/profile.py", {"mineral": "rare_earths", "tab": "trade"}),
    ("pages/profile.py", {"mineral": "rare_earths", "tab": "chain"}),
    ("pages/profile.py", {"mineral": "germanium", "tab": "sources"}),
    ("pages/scenario_lab.py", {"scenario": "china_export_ban", "mineral": "gallium"}),
    ("pages/scenario_lab.py", {"scenario": "russia_deal", "mineral": "antimony"}),
    ("pages/scenario_lab.py", {"scenario": "ukraine_deal", "mineral": "rare_earths"}),
    ("pages/scenario_lab.py", {"scenario": "china_ban_russia_deal", "mineral": "germanium"}),
    ("pages/compare.py", {}),
    ("pages/controls.py", {}),
    ("pages/briefing.py", {}),
    ("pages/data_sources.py", {}),
    ("pages/methodology.py", {}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("page", "query"), VIEWS, ids=[f"{p.split('/')[-1]}-{'-'.join(q.values())}" for p, q in VIEWS])
def test_pages_speak_plain_words(page, query):
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not offences(page_texts(at))


@pytest.mark.parametrize("scenario", ["china_export_ban", "russia_deal", "ukraine_deal", "china_ban_russia_deal"])
def test_pack_text_speaks_plain_words(ds, scenario):
    from risk.export import build_pack
    from risk.scenarios import load_scenario

    sc = load_scenario(scenario)
    pack = build_pack(ds, sc, sc.baseline.minerals[:3])
    texts = [("title", pack.title), ("subtitle", pack.subtitle), *(("parameter", p) for p in pack.parameters)]
    texts += [("source", s) for s in pack.sources] + [("note", n) for n in pack.notes]
    texts += [("key figure", str(v)) for v in pack.key_figures.astype(str).to_numpy().ravel()]
    texts += [("key figure column", str(c)) for c in pack.key_figures.columns]
    for item in pack.charts:
        texts += [("finding", item.finding), ("chart", item.meta.title), ("chart", item.meta.subtitle), ("chart", item.meta.source)]
        texts += [("chart note", n) for n in item.meta.notes]
    assert not offences(texts)
    # a slide's sentence is never a second copy of its chart's title
    assert all(item.finding.rstrip(".") != item.meta.title.rstrip(".") for item in pack.charts)
