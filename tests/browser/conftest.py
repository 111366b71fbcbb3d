"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by `make test`)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SITECERT_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
HELP = ROOT / "sitecert" / "static" / "sitecert" / "help"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One Chromium for a module's tests. Playwright's sync API keeps an event loop in this thread while
    it runs; the ORM calls the tests make meanwhile are synchronous and safe, hence the flag, which is
    lifted with the browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does, as root)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server, post_catalogue, settings):
    settings.SMS_BACKEND = "sitecert.people.sms.MemoryBackend"
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []  # every page of every browser test runs under the Content-Security-Policy
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def shoot(page, *targets: Path) -> None:
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
