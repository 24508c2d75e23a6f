"""Fixtures for the browser tests: the real `barejwt serve` binary on a
temporary database and a free port, a headless Debian Chromium driven by
selenium, and a screenshot helper. Run by `.ci/browser.sh`.

Fixtures (any test under browser/ may use them):

- `server`: a running server (session-wide). `server.url` is its base URL,
  `server.secret` the HS256 secret it signs with, and `server.request(...)`,
  `server.create_user(...)`, `server.login(...)` talk to its API with the
  standard library alone.
- `driver`: a fresh headless Chromium (per test) with its own empty
  profile; `driver.get(server.url + "/docs")`.
- `screenshot`: `screenshot(driver, "name")` saves `target/browser/name.png` and
  returns its path.
- `page_errors`: `page_errors(driver)` lists the browser console's
  errors (failed loads, CSP violations, script errors).

The server binary is `$BAREJWT_BIN`, else `target/release/barejwt`
(`.ci/browser.sh` builds it). Chromium is `/usr/bin/chromium` with
`/usr/bin/chromedriver` (Debian's `chromium` and `chromium-driver`), never
a downloaded browser.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "target" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

# The flags a sandboxed, offline CI machine needs: without the background
# networking ones Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1400",
]


class Reply:
    """An HTTP answer: status, headers (lower-case names) and body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:200]!r})"


class Server:
    """A running `barejwt serve`."""

    def __init__(self, url, secret, log_path):
        self.url = url
        self.secret = secret
        self.log_path = log_path

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def request(self, method, path, *, json_body=None, form=None, token=None, headers=None):
        """One request; never raises for an HTTP error status."""
        data = None
        hdrs = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def create_user(self, username=None, password="correct horse"):
        """Registers a user (a fresh name by default): (name, password, id)."""
        username = username or "user" + secrets.token_hex(4)
        r = self.request("POST", "/users", json_body={"username": username, "password": password})
        assert r.status == 201, r
        return username, password, r.json()["id"]

    def login(self, username, password):
        """The password grant: the access token."""
        r = self.request("POST", "/token", form={"username": username, "password": password})
        assert r.status == 200, r
        return r.json()["access_token"]


def _binary():
    path = Path(os.environ.get("BAREJWT_BIN", ROOT / "target" / "release" / "barejwt"))
    if not path.exists():
        pytest.exit(f"no server binary at {path}: run `cargo build --release --bin barejwt`", 2)
    return path


@pytest.fixture(scope="session")
def server():
    work = tempfile.mkdtemp(prefix="barejwt-browser-")
    log_path = os.path.join(work, "server.log")
    secret = secrets.token_hex(32)
    env = dict(
        os.environ,
        BAREJWT_DB=os.path.join(work, "todo.db"),
        BAREJWT_ADDR="127.0.0.1:0",
        BAREJWT_BCRYPT_COST="4",
        BAREJWT_SECRET=secret,
        RUST_LOG="info",
    )
    env.pop("BAREJWT_SECRET_FILE", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(_binary()), "serve"], env=env, stderr=log, stdout=log)
    url = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and url is None:
        if proc.poll() is not None:
            break
        m = re.search(r"listening on (http://[0-9.:]+)", Path(log_path).read_text(errors="replace"))
        if m:
            url = m.group(1)
        else:
            time.sleep(0.05)
    if url is None:
        proc.kill()
        pytest.exit("the server did not start:\n" + Path(log_path).read_text(errors="replace"), 2)
    yield Server(url, secret, log_path)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def driver(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    # The console, and every request the page makes (the debugger test
    # checks that none leaves the server).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    d.set_page_load_timeout(30)
    yield d
    d.quit()


@pytest.fixture
def screenshot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(driver, name):
        path = SHOTS / f"{name}.png"
        driver.save_screenshot(str(path))
        return path

    return take


@pytest.fixture
def page_errors():
    def errors(driver):
        return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]

    return errors
