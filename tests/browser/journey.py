"""What the journey tests share: signing a demo account in its own browser context, and screenshots."""

import os

DEMO_PASSWORD = "demo-2025"


def sign_in(browser, base: str, username: str, **context_options):
    """A fresh browser context signed in as the demo account ``username``; returns its page."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **context_options)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def shot(page, name: str) -> None:
    """A full-page screenshot into $JOURNEY_SCREENSHOTS (when set), to look at the journey by eye."""
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def messages(page) -> str:
    box = page.locator(".messages")
    return box.inner_text() if box.count() else ""
