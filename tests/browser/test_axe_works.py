"""The accessibility checks can fail: axe-core finds what a page gets wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser]


async def test_axe_reports_an_unlabelled_field_and_a_page_without_a_language(
    browser: Browser, axe_script: Path
) -> None:
    page = await browser.new_page()
    await page.set_content("<html><head><title>t</title></head><body><input></body></html>")
    found = {v["id"] for v in await axe_violations(page, axe_script)}
    assert {"label", "html-has-lang"} <= found
    await page.close()
