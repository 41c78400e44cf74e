"""Pages in a real browser (Playwright + system Chromium against `streamlit run`)."""

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_data_page_in_browser(server, page):
    page.goto(server + "/")
    wait_for_app(page)
    page.get_by_role("heading", name="Data and sources").wait_for(timeout=30_000)
    page.get_by_text("Validation report").wait_for()
    # the figures table is drawn (Streamlit renders dataframes on a canvas grid)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "data-sources")
