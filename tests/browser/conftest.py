"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by `make test`).

Every page a browser test visits is audited by axe-core (`audit`, from npm through the axe-playwright-python
package) at WCAG 2.1 A and AA, at a phone's and a desktop's width, and runs under the Content-Security-Policy:
a test fails on any violation, on any refusal the browser reports, and on a page it visited but never audited."""

import os
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.personas import PASSWORD

CHROMIUM = Path(os.environ.get("SITECERT_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
HELP = ROOT / "sitecert" / "static" / "sitecert" / "help"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WCAG21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # the page fixture's teardown checks only what a passing test left
    return report


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


def page_on(browser, base_url: str, request):
    """A phone's page on the server at `base_url` that audits every page it goes to (`goto`), and is checked
    when the test ends: no refusal by the Content-Security-Policy, and every page visited (by a click too)
    was audited."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []  # every page of every browser test runs under the Content-Security-Policy
    page.on("console", lambda m: _refusal(page, m.text, refused))
    page.visited = []  # type: ignore[attr-defined]
    page.audited = set()  # type: ignore[attr-defined]
    page.on("framenavigated", lambda f: f.parent_frame or page.visited.append(_address(f.url)))
    goto = page.goto

    def goto_and_audit(url: str, **options):
        response = goto(url, **options)
        audit(page)
        return response

    page.goto = goto_and_audit  # type: ignore[method-assign]
    yield page
    context.close()
    if not getattr(request.node, "call_failed", True):
        assert not refused, f"the Content-Security-Policy refused: {refused}"
        unaudited = sorted({a for a in page.visited if a not in page.audited and a != "about:blank"})
        assert not unaudited, f"pages visited but not audited by axe: {unaudited}"


@pytest.fixture
def page(browser, live_server, post_catalogue, settings, request):
    settings.SMS_BACKEND = "sitecert.people.sms.MemoryBackend"
    yield from page_on(browser, live_server.url, request)


def _refusal(page, text: str, refused: list[str]) -> None:
    """Keeps what the CSP refused. While axe runs, the inline styles of its own scratch document are not the
    page's: axe reads stylesheets that `@import` others (the admin's forms.css) by parsing them in a
    `<style>` of a document it makes, which inherits the page's policy."""
    if "Content Security Policy" not in text:
        return
    if getattr(page, "axe_running", False) and text.startswith("Applying inline style"):
        return
    refused.append(f"{page.url}: {text}")


def _address(url: str) -> str:
    return urldefrag(url).url


def audit(page) -> None:
    """axe-core on the page as it stands, at a phone's and a desktop's width: no violation of WCAG 2.1 A/AA.
    axe is put in through the DevTools protocol (`evaluate`), which the page's CSP does not govern."""
    size = page.viewport_size
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    try:
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            page.axe_running = True
            try:
                violations = page.evaluate("options => axe.run(document, options)", WCAG21_AA)["violations"]
            finally:
                page.axe_running = False
            assert not violations, f"{page.url} at {viewport['width']} px:\n" + "\n".join(
                f"  {v['id']} ({v['impact']}): {v['help']}; "
                + "; ".join(" ".join(n["target"]) for n in v["nodes"][:6])
                + (f" and {len(v['nodes']) - 6} more" if len(v["nodes"]) > 6 else "")
                for v in violations
            )
    finally:
        page.set_viewport_size(size)
    page.audited.add(_address(page.url))


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the login page, as a person would (whoever was logged in before is logged out first); the
    page it lands on is audited."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    audit(page)


def shoot(page, *targets: Path) -> None:
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


def shoot_top(page, target: Path, height: int = 1500) -> None:
    """The first screens of a long page (as a phone shows them), not the whole list."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE["width"], "height": height})
    page.screenshot(path=str(target))
    page.set_viewport_size(size)
