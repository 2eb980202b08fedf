"""The journey fixture really catches what it promises to: CSP violations and unaudited pages."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inline_script_is_blocked_and_reported(journey):
    """An inline script without our nonce is refused by the browser, and the refusal reaches the fixture."""
    journey.goto("/accounts/login/")
    journey.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.appendChild(s); }"
    )
    journey.page.wait_for_timeout(200)
    assert journey.page.evaluate("() => window.pwned") is None
    assert any("Content Security Policy" in error for error in journey.console_errors)
    journey.console_errors.clear()


def test_login_page_is_accessible_and_has_csp(journey):
    response = journey.goto("/accounts/login/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert journey.page.get_by_role("main").count() == 1
    journey.page.keyboard.press("Tab")
    assert journey.page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to main content"
