"""Just enough of the W3C WebDriver protocol, over httpx, to drive chromedriver in tests.

No selenium: the project adds no dependency for its browser test. `Browser.start()` finds
Debian's chromium and chromedriver (apt-get install -y chromium chromium-driver), or returns the
reason it cannot, so the test can skip with a clear message.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--window-size=1400,1000"]


def find_binaries() -> tuple[str | None, str | None]:
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    return chromium, shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriverError(RuntimeError):
    pass


class Browser:
    def __init__(self, driver: subprocess.Popen, base: str, session: str, http: httpx.Client):
        self.driver, self.base, self.session, self.http = driver, base, session, http

    @classmethod
    def start(cls, profile_dir: Path, log_path: Path) -> "Browser":
        chromium, chromedriver = find_binaries()
        if not chromium or not chromedriver:
            raise FileNotFoundError("chromium and chromedriver are needed "
                                    "(Debian: apt-get install -y chromium chromium-driver)")
        port = _free_port()
        log = open(log_path, "w")
        driver = subprocess.Popen([chromedriver, f"--port={port}"], stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        http = httpx.Client(timeout=60)
        deadline = time.monotonic() + 20
        while True:
            try:
                if http.get(f"{base}/status").json()["value"]["ready"]:
                    break
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline or driver.poll() is not None:
                driver.kill()
                raise WebDriverError(f"chromedriver did not start; see {log_path}")
            time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": chromium,
                                   "args": CHROME_ARGS + [f"--user-data-dir={profile_dir}"]}}}}
        r = http.post(f"{base}/session", json=caps)
        if r.status_code != 200:
            driver.kill()
            raise WebDriverError(f"could not start chromium: {r.text[:500]}")
        return cls(driver, base, r.json()["value"]["sessionId"], http)

    def _call(self, method: str, path: str, payload=None):
        r = self.http.request(method, f"{self.base}/session/{self.session}{path}",
                              json=payload if method == "POST" else None)
        value = r.json().get("value")
        if r.status_code != 200:
            raise WebDriverError(f"{method} {path}: {value}")
        return value

    def quit(self) -> None:
        try:
            self.http.delete(f"{self.base}/session/{self.session}")
        except httpx.HTTPError:
            pass
        self.driver.terminate()
        try:
            self.driver.wait(10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
        self.http.close()

    # navigation and elements
    def get(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        return self._call("GET", "/url")

    def find(self, css: str) -> str:
        return self._call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self._call("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, css: str) -> None:
        self._call("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        self._call("POST", f"/element/{element}/clear", {})
        self._call("POST", f"/element/{element}/value", {"text": text})

    def text(self, css: str) -> str:
        return self._call("GET", f"/element/{self.find(css)}/text")

    def attribute(self, css: str, name: str) -> str | None:
        return self._call("GET", f"/element/{self.find(css)}/attribute/{name}")

    def execute(self, script: str, *args):
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def press(self, key: str) -> None:
        """A key press sent to whatever has focus (the page body when nothing does)."""
        self._call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})
        self._call("DELETE", "/actions")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self._call("GET", "/screenshot")))
        return path

    def wait_for(self, condition, timeout: float = 10.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                result = condition()
                if result:
                    return result
            except WebDriverError as exc:
                last = exc
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what} (url {self.url}; last error {last})")

    def page_has(self, text: str, timeout: float = 10.0):
        return self.wait_for(lambda: text in self.execute("return document.body.innerText;"),
                             timeout, repr(text))
