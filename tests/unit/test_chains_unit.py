"""risk.chains on small literal chains and figures, with shares worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from risk.chains import ChainsFile, chain_shares, chain_table

FIG = pd.DataFrame(
    {
        "edition": ["e1"] * 6,
        "source": ["src"] * 6,
        "mineral": ["x"] * 6,
        "stage": ["mine"] * 6,
        "product": [""] * 6,
        "country": ["CHN", "AUS", "OTH", "WLD", "CHN", "AUS"],
        "year": [2024, 2024, 2024, 2024, 2030, 2030],
        "value": [60.0, 30.0, 10.0, 100.0, 1.0, 99.0],
        "unit": ["t"] * 6,
        "flag": ["none", "none", "none", "none", "projection", "projection"],
    }
)


def chains(*stages):
    return ChainsFile.model_validate({"chains": [{"id": "c", "name": "c", "minerals": ["x"], "stages": list(stages)}]})


def test_dataset_stage_shares_exclude_world_and_projections():
    sh = chain_shares(chains({"id": "mine", "name": "m", "order": 1, "dataset": {"edition": "e1", "mineral": "x", "stage": "mine"}}), FIG)
    got = sh.set_index("country")["share"].to_dict()
    assert got == pytest.approx({"CHN": 0.6, "AUS": 0.3, "OTH": 0.1})
    assert set(sh["year"]) == {2024}
    assert sh.iloc[0]["quote"] == "computed: 60 of 100 t (e1 x mine 2024)"


def test_table_takes_the_top_named_country_never_other():
    fig = FIG.assign(value=[20.0, 30.0, 50.0, 100.0, 1.0, 1.0])
    t = chain_table(
        chain_shares(chains({"id": "mine", "name": "m", "order": 1, "dataset": {"edition": "e1", "mineral": "x", "stage": "mine"}}), fig)
    )
    assert (t.iloc[0]["top_country"], t.iloc[0]["share"]) == ("AUS", 0.3)


def test_report_figures_and_empty_stage():
    c = chains(
        {
            "id": "magnet",
            "name": "m",
            "order": 2,
            "figures": [{"country": "CHN", "share": 0.9, "year": 2020, "source": "s", "quote": "about 90 percent of it"}],
        },
        {"id": "metal", "name": "metal", "order": 1, "note": "no sourced shares found"},
    )
    t = chain_table(chain_shares(c, FIG))
    assert t["stage"].tolist() == ["metal", "magnet"]  # by order
    assert t.iloc[1]["share"] == 0.9 and t.iloc[1]["basis"] == "report"
    assert pd.isna(t.iloc[0]["share"]) and t.iloc[0]["note"] == "no sourced shares found"


@pytest.mark.parametrize(
    ("stage", "expect"),
    [
        ({"id": "a", "name": "a", "order": 1}, "a stage without shares needs a note"),
        (
            {
                "id": "a",
                "name": "a",
                "order": 1,
                "figures": [{"country": "CHN", "share": 0.7, "year": 2020, "source": "s", "quote": "seventy percent"}] * 2,
            },
            "a country appears twice",
        ),
        (
            {
                "id": "a",
                "name": "a",
                "order": 1,
                "dataset": {"edition": "e1", "mineral": "x", "stage": "mine"},
                "figures": [{"country": "CHN", "share": 0.7, "year": 2020, "source": "s", "quote": "seventy percent"}],
            },
            "from a dataset or from figures, not both",
        ),
        (
            {
                "id": "a",
                "name": "a",
                "order": 1,
                "figures": [{"country": "CHN", "share": 1.2, "year": 2020, "source": "s", "quote": "a long quote"}],
            },
            "less than or equal to 1",
        ),
    ],
)
def test_bad_stages(stage, expect):
    with pytest.raises(ValueError, match=expect):
        chains(stage)
