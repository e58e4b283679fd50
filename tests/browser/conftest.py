"""Browser tests: Playwright driving Debian's Chromium against the live test server. Without
Chromium or libatomic1 (a laptop) they skip, saying why; in CI they fail. Screenshots go to
test-artifacts/."""

import ctypes.util
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import require_service, restore_reference_data
from tests.webauthn import issued_key_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require_service(
        os.path.exists(CHROMIUM), "Chromium is not installed (apt-get install chromium)"
    )
    # Playwright's driver is its own Node.js, which links against libatomic (a Debian package of
    # its own): without it the driver dies at start with no word of why.
    require_service(
        ctypes.util.find_library("atomic") is not None,
        "libatomic1 is not installed (apt-get install libatomic1): Playwright's driver needs it",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls that the
    # browser tests make beside it are still synchronous, so Django's async-safety check must
    # stand aside, for the browser tests only (they run last, being transactional).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            # launch() gives every run a fresh, temporary profile of its own.
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    restore_reference_data()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def totp_code(user) -> str:
    """The current code of the account's TOTP authenticator, as the person's phone would show."""
    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def add_virtual_authenticator(page, *, resident: bool):
    """Chromium's virtual authenticator (DevTools protocol) on this page: a platform passkey
    (``resident``) or a security key, either verifying its holder. Returns the DevTools session
    and the authenticator's id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal" if resident else "usb",
        "hasResidentKey": resident,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, authenticator["authenticatorId"]


def sign_in(page, email: str, password: str = "trackii-demo", *, user=None) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    key = issued_key_of(user) if user is not None else None
    if key is not None and "/2fa/authenticate" in page.url:
        # Who holds a key uses it (staff and convenors must: after an app's code they would be
        # asked to confirm with it): the test's software key, in Chromium's virtual authenticator.
        cdp, authenticator_id = add_virtual_authenticator(page, resident=False)
        cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": authenticator_id, "credential": key.for_chromium()},
        )
        page.click("#mfa_webauthn_authenticate")
    elif user is not None and "/2fa/authenticate" in page.url:
        # A code is accepted once, within its own period: one read in the last moments of a
        # period is stale by the time the server checks it, so wait for the next period first.
        from allauth.mfa import app_settings

        left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
        if left < 3:
            time.sleep(left + 0.1)
        page.fill("#id_code", totp_code(user))
        page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)


# The journeys (test_journeys.py): every page a role visits, at a desktop's and a phone's width,
# checked by axe-core (vendored for the tests only) and for horizontal scroll, and photographed.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
JOURNEYS = ARTIFACTS / "journeys"
WIDTHS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# Who walks each journey page, at which width: the screenshots' names (role-width-page.png).
_WALKERS: dict[int, tuple[str, str]] = {}


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    return request.param


@pytest.fixture
def journey(browser, live_server, width):
    """Opens a page for a role at this test's width: ``journey("facilitator")``. Its context
    bypasses the Content-Security-Policy, which rightly refuses the script that ``inspect``
    injects (axe-core); only the journeys use such contexts. Each role has a context of its own
    (its own cookies), closed at the end of the test."""
    restore_reference_data()
    contexts = []

    def open_page(role: str):
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, locale="en-GB", **WIDTHS[width]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        _WALKERS[id(page)] = (role, width)
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            _WALKERS.pop(id(page), None)
        context.close()


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const brief = (rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help,
    nodes: rule.nodes.length,
    targets: rule.nodes.slice(0, 3).map((node) => node.target.join(' ')),
    summary: rule.nodes.length ? (rule.nodes[0].failureSummary || '') : '',
  });
  return {violations: results.violations.map(brief), incomplete: results.incomplete.map(brief)};
}"""

# What makes the page wider than the window: the outermost elements that reach past its edge.
WIDER_THAN_WINDOW = """() => {
  const limit = window.innerWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    // Right to left, what is too wide reaches past the left edge instead.
    const outside = box.right > limit + 1 || box.left < -1;
    if (outside && !(element.parentElement && wide.includes(element.parentElement))) {
      wide.push(element);
    }
  }
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.classList.length ? '.' + [...e.classList].join('.') : '');
  const right = (e) => Math.round(e.getBoundingClientRect().right);
  return wide.slice(0, 5).map((e) => `${name(e)} (${right(e)} px)`);
}"""


def inspect(page, name: str) -> Path:
    """Check the page as it stands: axe-core's WCAG 2.2 A and AA rules (a violation fails the
    test; what axe could not decide, its "incomplete" results, is printed), no horizontal scroll
    (nothing wider than the window), then a full-page screenshot,
    test-artifacts/journeys/<role>-<width>-<name>.png. Returns the screenshot's path."""
    role, width = _WALKERS[id(page)]
    label = f"{role} at {width} width, {name} ({page.url})"
    JOURNEYS.mkdir(parents=True, exist_ok=True)
    path = JOURNEYS / f"{role}-{width}-{name}.png"
    page.screenshot(path=str(path), full_page=True)

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(AXE_RUN, AXE_TAGS)
    for rule in results["incomplete"]:
        print(
            f"axe incomplete: {label}: {rule['id']} ({rule['impact']}) {rule['help']}; "
            f"{rule['nodes']} element(s): {', '.join(rule['targets'])}"
        )
    if results["violations"]:
        lines = [
            f"{rule['id']} ({rule['impact']}): {rule['help']}; {rule['nodes']} element(s), "
            f"e.g. {', '.join(rule['targets'])}. {rule['summary']}".strip()
            for rule in results["violations"]
        ]
        pytest.fail(f"axe-core: {label}:\n" + "\n".join(lines), pytrace=False)

    window = page.viewport_size["width"]
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    # On a phone the browser may zoom out to show a page that is too wide, and the window then
    # reads wider than the screen: the page must fit the screen's own width too.
    if scroll_width > inner_width or scroll_width > window:
        culprits = page.evaluate(WIDER_THAN_WINDOW)
        pytest.fail(
            f"{label} is {scroll_width} px wide in a window of {window} px "
            f"(innerWidth {inner_width}): {'; '.join(culprits)}",
            pytrace=False,
        )
    return path
