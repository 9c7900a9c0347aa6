"""Playing the staff member's phone in tests: read the setup key, make valid codes.

Staff (operator, admin, auditor) log in in two steps: password at /masuk, then a
6-digit TOTP code at /masuk/kode. At their first login they are sent to
/masuk/kode/pasang, which shows the setup key in `<code id="totp-secret"
data-secret="...">`; confirming one code switches the second step on and shows ten
recovery codes once (`<ol id="recovery-codes">`).

The portal refuses a code whose time step was already used, and accepts one step
either side of now. `Authenticator.code()` therefore hands out the current step's
code first, then the next step's, so a test can log in up to three times within one
30-second step without waiting; a fourth raises `NeedToWait`.
"""

from __future__ import annotations

import html
import re
import time

import pyotp

SECRET_RE = re.compile(r'id="totp-secret"[^>]*data-secret="([A-Z2-7]+)"')
RECOVERY_RE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


class NeedToWait(RuntimeError):
    """Every code the portal would accept right now was already used."""


def secret_from_page(page: str) -> str:
    """The setup key from the HTML of the enrolment page (/masuk/kode/pasang)."""
    match = SECRET_RE.search(html.unescape(page))
    if not match:
        raise AssertionError("no setup key (id=totp-secret) on this page")
    return match.group(1)


def recovery_codes_from_page(page: str) -> list[str]:
    """The recovery codes from the page shown right after enrolment."""
    return RECOVERY_RE.findall(page)


class Authenticator:
    """The phone app for one account: remembers the key and the last step it used."""

    def __init__(self, secret: str):
        self.secret = secret
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    @classmethod
    def from_enrolment_page(cls, page: str) -> Authenticator:
        return cls(secret_from_page(page))

    def code(self, now: float | None = None) -> str:
        """A code the portal accepts now and has not seen (no replay)."""
        current = self.totp.timecode(int(time.time() if now is None else now))
        step = current if self.last_step is None or self.last_step < current else None
        if step is None:
            step = self.last_step + 1
            if step > current + 1:
                if now is not None:
                    raise NeedToWait("all codes valid now were used; wait for the next 30 s step")
                # Every code valid now was used: wait, as a person would, for the step
                # that makes the next one valid (the portal accepts one step ahead).
                time.sleep(max(0.0, (step - 1) * self.totp.interval - time.time()) + 0.05)
        self.last_step = step
        return self.totp.generate_otp(step)


def flask_staff_login(client, username: str, password: str, authenticator=None):
    """Log a Flask test client in as a staff member through the real forms.

    Pass the `Authenticator` from an earlier login of the same account; without one
    the account must be new (the enrolment page is read and a new one returned).
    Returns (authenticator, recovery codes or [] when already enrolled).
    """
    response = client.post("/masuk", data={"identifier": username, "password": password})
    assert response.status_code == 302, "password not accepted"
    page = client.get(response.headers["Location"], follow_redirects=True)
    text = page.get_data(as_text=True)
    if authenticator is None:
        authenticator = Authenticator.from_enrolment_page(text)
        done = client.post("/masuk/kode/pasang", data={"code": authenticator.code()})
        codes = recovery_codes_from_page(done.get_data(as_text=True))
        assert len(codes) == 10, "enrolment was not confirmed"
        return authenticator, codes
    done = client.post("/masuk/kode", data={"code": authenticator.code()})
    assert done.status_code == 302, "second step not accepted"
    return authenticator, []


def playwright_staff_login(page, base_url: str, username: str, password: str, authenticator=None):
    """The same through a browser (Playwright's sync `page`), as a person would.

    Returns the `Authenticator` to reuse for later logins of this account (keep one
    per account for the whole test session: the portal keeps the key once set up).
    """
    page.goto(f"{base_url}/masuk?lang=en")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", password)
    page.click("form[action$='/masuk'] button[type=submit]")
    if authenticator is None:
        page.wait_for_selector("#totp-secret")
        authenticator = Authenticator(page.get_attribute("#totp-secret", "data-secret"))
        page.fill("input[name=code]", authenticator.code())
        page.click("form[action$='/masuk/kode/pasang'] button[type=submit]")
        page.wait_for_selector("#recovery-codes")
        page.click("main a.button")  # "I have saved my codes, continue"
    else:
        page.wait_for_selector("input[name=code]")
        page.fill("input[name=code]", authenticator.code())
        page.click("form[action$='/masuk/kode'] button[type=submit]")
    page.wait_for_load_state()
    return authenticator
