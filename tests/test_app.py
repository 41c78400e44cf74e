"""Every page under AppTest: no exception, key widgets present, widgets change what is shown."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app():
    return AppTest.from_file(APP, default_timeout=30)


def test_data_page(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Data and sources"
    assert at.selectbox[0].value == "rare_earths"
    table = at.dataframe[0].value
    assert {"country", "value", "unit", "flag"} <= set(table.columns)
    assert 270000 in set(table["value"])
    assert any("U.S. Geological Survey" in c.value for c in at.caption)
    at.selectbox[0].set_value("gallium").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["unit"]) == {"kg"}
