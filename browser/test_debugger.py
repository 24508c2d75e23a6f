"""The token debugger (/debugger), used as a person would: headless Chromium
from Debian's packages (conftest.py's `driver`) drives the real `barejwt
serve` (conftest.py's `server`) and `barejwt debugger`, finds fields by their
labels, types, clicks, reads the page. Run by `.ci/browser.sh`.

The expected HMAC values are computed here, independently of barejwt (RFC
2104 by hand over hashlib, cross-checked with Python's hmac), as
cli/tests/cli.rs does for `barejwt explain`.
"""

import hashlib
import hmac
import json
import re
import subprocess

from conftest import _binary
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

# The tutorial's token and key (vectors/seed-tutorial.json); the key is a
# 64-character hex string used as text.
KEY = "eec7f9b96330e64eaac29ad7c95154cff3addaea90239c262b3f9287e678f6d3"
TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJ3YW5nZXJnZSIsImlkIjoxLCJleHAiOjE3NjgxMzI0NTJ9"
    ".eiUqiVl8GHQx_bG61UvAzvAuuODInk5Szz5yPT5zkZs"
)
# 20 minutes before the token's exp.
NOW = "1768131252"


def hmac_sha256_by_hand(key: bytes, msg: bytes) -> tuple[str, str]:
    """RFC 2104 §2: (inner, outer) of HMAC-SHA-256, in hex."""
    assert len(key) <= 64, "short keys only: K0 is K zero-padded"
    k0 = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in k0) + msg).digest()
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in k0) + inner).digest()
    assert outer == hmac.new(key, msg, hashlib.sha256).digest(), "the hand computation is HMAC"
    return inner.hex(), outer.hex()


def field(driver, label: str):
    """The control whose visible <label> starts with `label`, as a person finds it."""
    labels = [l for l in driver.find_elements(By.TAG_NAME, "label") if l.text.strip().startswith(label)]
    assert labels, f"no label {label!r}"
    assert labels[0].is_displayed(), f"label {label!r} is not visible"
    return driver.find_element(By.ID, labels[0].get_attribute("for"))


def verdict(driver) -> str:
    return driver.find_element(By.ID, "verdict").text


def settled(driver) -> bool:
    """No question pending: the page shows the answer to what is typed."""
    return driver.execute_script("return !document.body.dataset.busy")


def wait_for(driver, predicate, what: str):
    try:
        WebDriverWait(driver, 10, poll_frequency=0.1).until(lambda d: settled(d) and predicate(d))
    except Exception as e:  # the page's state says more than a timeout
        raise AssertionError(f"{what}; verdict: {verdict(driver)!r}") from e


def step(driver, title: str):
    """The walk's step whose title contains `title`, opened as a person would."""
    for li in driver.find_elements(By.CSS_SELECTOR, "#steps li"):
        summary = li.find_element(By.TAG_NAME, "summary")
        if title in summary.text:
            details = li.find_element(By.TAG_NAME, "details")
            if details.get_attribute("open") is None:
                summary.click()
            return li
    raise AssertionError(f"no step {title!r}")


def type_into(el, text: str):
    """Select what is there and type over it, as a person does (a
    programmatic clear() would not tell the page)."""
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.BACKSPACE)
    if text:
        el.send_keys(text)


def test_the_tutorial_token_valid_then_expired_then_tampered(server, driver, screenshot):
    url = server.url
    d = driver
    d.get(f"{url}/debugger#token={TOKEN}")

    token = field(d, "Token")
    wait_for(d, lambda _: token.get_attribute("value") == TOKEN, "the fragment preloads the Token")
    # Without a key and on the real clock: everything but the signature,
    # and the token has expired.
    wait_for(d, lambda _: verdict(d).startswith("INVALID (expired)"), "no key, real clock")
    assert "the signature is not checked" in d.find_element(By.ID, "warnings").text
    assert "skipped: no key was given" in step(d, "HMAC and the signature").text

    type_into(field(d, "Secret"), KEY)
    type_into(field(d, "Clock"), NOW)
    wait_for(d, lambda _: verdict(d).startswith("VALID:"), "the tutorial token is valid at its clock")
    # The README's picture (docs/debugger.png is a copy of this one).
    d.set_window_size(1000, 1250)
    d.execute_script("window.scrollTo(0, document.getElementById('token').offsetTop - 40)")
    screenshot(d, "debugger-valid")
    d.set_window_size(1280, 1400)

    signing_input = TOKEN.rsplit(".", 1)[0].encode()
    inner, outer = hmac_sha256_by_hand(KEY.encode(), signing_input)
    hmac_step = step(d, "HMAC-SHA-256").text
    assert inner in hmac_step, f"inner hash {inner} on the page:\n{hmac_step}"
    assert outer in hmac_step, f"outer hash {outer} on the page:\n{hmac_step}"
    compare = step(d, "Comparing the signatures").text
    assert f"computed {outer}" in " ".join(compare.split()), compare
    assert "equal: the signature is valid" in compare
    claims = d.find_element(By.ID, "claims").text
    assert "expires in 20 minutes" in claims, claims
    screenshot(d, "debugger-hmac")

    # The real clock: the token expired on 2026-01-11.
    type_into(field(d, "Clock"), "")
    wait_for(d, lambda _: verdict(d).startswith("INVALID (expired)"), "with the real clock, expired")
    assert re.search(r"expired \d+ (days|hours|minutes)", d.find_element(By.ID, "claims").text)
    screenshot(d, "debugger-expired")

    # One character of the signature changed (not its last, whose low bits
    # must be zero): the comparison is the failing step, marked.
    i = len(TOKEN) - 10
    tampered = TOKEN[:i] + ("A" if TOKEN[i] != "A" else "B") + TOKEN[i + 1:]
    type_into(field(d, "Clock"), NOW)
    type_into(token, tampered)
    wait_for(d, lambda _: verdict(d).startswith("INVALID (bad_signature)"), "a changed character")
    failed = d.find_elements(By.CSS_SELECTOR, "#steps li.failed")
    assert len(failed) == 1
    assert "Comparing the signatures" in failed[0].text and "fails here: bad_signature" in failed[0].text
    assert "different: the signature is NOT valid" in failed[0].text
    assert not any("The claims" in s.text for s in d.find_elements(By.CSS_SELECTOR, "#steps summary"))
    screenshot(d, "debugger-tampered")

    # A character outside the alphabet: the walk stops at the payload's
    # base64url and the offending byte is marked in the token.
    broken = TOKEN.replace("Ijo", "I+o", 1)
    type_into(token, broken)
    wait_for(d, lambda _: verdict(d).startswith("INVALID (malformed)"), "a '+' is malformed")
    failed = d.find_element(By.CSS_SELECTOR, "#steps li.failed")
    assert "The payload, base64url-decoded" in failed.text, failed.text
    assert f"byte {broken.index('+')} of the token" in failed.text
    assert d.find_element(By.CSS_SELECTOR, "#segments mark.offending").text == "+"
    screenshot(d, "debugger-malformed")

    # Nothing left the machine: every request the page made went to the
    # server, and no request of any document (the browser's own new-tab
    # page loads chrome:// resources) went to the network elsewhere.
    sent = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            p = msg["params"]
            sent.append((p["request"]["url"], p.get("documentURL", "")))
    page = [u for u, doc in sent if doc.startswith(url + "/debugger")]
    assert any(u.endswith("/debugger/explain") for u in page), sent
    outside = [u for u in page if not u.startswith(url + "/")]
    assert not outside, f"the page asked elsewhere: {outside}"
    network = [u for u, _ in sent if re.match(r"(https?|wss?)://", u) and not u.startswith(url + "/")]
    assert not network, f"requests to the network: {network}"
    # Never the token in a URL the server saw (the fragment stays in the browser).
    assert not [u for u in page if "eyJ" in u], page

    # The key in no log line: the server's nor the browser's.
    server_log = server.log()
    assert "/debugger/explain" in server_log, "the request log is there"
    assert KEY not in server_log
    assert TOKEN.split(".")[2] not in server_log
    for entry in d.get_log("browser"):
        assert KEY not in entry["message"], entry


def test_every_control_has_a_visible_label_and_the_keyboard_works(server, driver):
    url = server.url
    d = driver
    d.get(f"{url}/debugger")
    controls = d.find_elements(By.CSS_SELECTOR, "input, select, textarea")
    assert len(controls) > 10
    for c in controls:
        cid = c.get_attribute("id")
        labels = d.find_elements(By.CSS_SELECTOR, f"label[for='{cid}']")
        assert labels and labels[0].is_displayed() and labels[0].text.strip(), f"#{cid} has no visible label"
    # From Token, Tab reaches Secret; typing there and Enter explains.
    token = field(d, "Token")
    token.click()
    token.send_keys(TOKEN)
    token.send_keys(Keys.TAB)
    assert d.switch_to.active_element == field(d, "Secret")
    d.switch_to.active_element.send_keys(KEY)
    field(d, "Clock").send_keys(NOW + Keys.ENTER)
    wait_for(d, lambda _: verdict(d).startswith("VALID:"), "Enter in a field explains")
    # A step opens from the keyboard: focus its summary, press Enter.
    summary = next(s for s in d.find_elements(By.CSS_SELECTOR, "#steps summary") if "The key" in s.text)
    d.execute_script("arguments[0].focus()", summary)
    d.switch_to.active_element.send_keys(Keys.ENTER)
    details = summary.find_element(By.XPATH, "..")
    wait_for(d, lambda _: details.get_attribute("open") is not None, "Enter opens a step")


def test_the_encoder_signs_and_the_page_reads_its_token_on_a_phone(server, driver, screenshot):
    url = server.url
    d = driver
    d.set_window_size(390, 1800)
    d.get(f"{url}/debugger")
    type_into(field(d, "Signing secret"), KEY)
    d.find_element(By.ID, "sign-button").click()
    wait_for(d, lambda _: d.find_element(By.ID, "signed-token").text.count(".") == 2, "a signed token")
    signed = d.find_element(By.ID, "signed-token").text
    # The default header and payload are the tutorial's: the same token.
    assert signed == TOKEN, signed
    signing_input = d.find_element(By.ID, "signing-input").text
    assert signing_input == TOKEN.rsplit(".", 1)[0]
    expected = hmac.new(KEY.encode(), signing_input.encode(), hashlib.sha256).hexdigest()
    assert d.find_element(By.ID, "mac").text == expected
    d.find_element(By.ID, "use-token").click()
    type_into(field(d, "Secret"), KEY)
    type_into(field(d, "Clock"), NOW)
    wait_for(d, lambda _: verdict(d).startswith("VALID:"), "the signed token verifies")
    # Readable at phone width: nothing wider than the screen.
    overflow = d.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    screenshot(d, "debugger-phone")


def test_the_standalone_debugger_serves_only_the_page(driver):
    proc = subprocess.Popen([str(_binary()), "debugger", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/debugger", line)
        assert m, line
        d = driver
        d.get(m.group(1) + "/")
        assert d.current_url == m.group(1) + "/debugger"
        assert field(d, "Token").is_displayed()
        d.get(m.group(1) + "/todo")
        assert "Not Found" in d.page_source
    finally:
        proc.terminate()
        proc.wait(timeout=10)
