"""A small driver for headless Chromium over the DevTools protocol, with
nothing to install but Debian's chromium: the protocol runs over a pair of
pipes (`--remote-debugging-pipe`, the transport Playwright uses too), so
there is no driver binary, no websocket and no port.

    with Browser() as browser:
        page = browser.page(width=390, height=844)
        page.goto("file:///.../page.html")
        page.evaluate("document.title")

Every page records its network requests, console messages and uncaught
exceptions (`page.requests`, `page.console`, `page.exceptions`) from the
moment it is created.
"""

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

# A phone's viewport (CSS pixels), for the tests and the screenshots.
PHONE = {"width": 390, "height": 844, "mobile": True}

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]


def chromium_path():
    """Debian's chromium, or $CHROMIUM."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class ProtocolError(RuntimeError):
    pass


class Browser:
    def __init__(self, executable=None, timeout=30.0):
        executable = executable or chromium_path()
        if not executable:
            raise FileNotFoundError("chromium not found (apt-get install chromium)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="pyq-chromium-")
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()

        def pipes():  # Chromium reads commands on fd 3 and answers on fd 4.
            # Copies above 9 first, so neither end is already 3 or 4.
            high_r = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=pipes,
            pass_fds=(3, 4),  # kept open after preexec_fn put the pipes there
        )
        os.close(to_r)
        os.close(from_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies = {}
        self._listeners = {}  # session id -> callback(method, params)
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except Exception:  # noqa: BLE001 - closing anyway
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.close(self._to_w)
        except OSError:
            pass
        self._reader.join(timeout=5)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read(self):
        buf = b""
        with os.fdopen(self._from_r, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    self._dispatch(json.loads(raw))
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _dispatch(self, message):
        if "id" in message:
            with self._cond:
                self._replies[message["id"]] = message
                self._cond.notify_all()
        else:
            listener = self._listeners.get(message.get("sessionId"))
            if listener:
                listener(message["method"], message.get("params", {}))

    def send(self, method, params=None, session=None, timeout=None):
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            message = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._to_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise ProtocolError(f"{method}: no answer from chromium")
                self._cond.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def page(self, width=1280, height=800, mobile=False, scale=1):
        """A new tab in a new browser context (its own storage and cache, like
        an incognito window), so tests do not see each other's state."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context}
        )["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session, width, height, mobile, scale)


class Page:
    def __init__(self, browser, session, width, height, mobile, scale):
        self.browser = browser
        self.session = session
        self.requests = []
        self.console = []
        self.exceptions = []
        self._loads = 0
        self._cond = threading.Condition()
        browser._listeners[session] = self._event
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    def send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, self.session, timeout)

    def _event(self, method, params):
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append((params["type"], text))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append((entry["level"], entry.get("text", "")))
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(params["exceptionDetails"].get("text", ""))
        elif method == "Page.loadEventFired":
            with self._cond:
                self._loads += 1
                self._cond.notify_all()

    def loads(self):
        """How many times a document finished loading in this page."""
        with self._cond:
            return self._loads

    def wait_for_load(self, after, timeout=15):
        """Waits until more than `after` loads have happened."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._loads <= after:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the page did not load")
                self._cond.wait(left)

    def goto(self, url, timeout=15):
        before = self.loads()
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise ProtocolError(f"navigating to {url}: {reply['errorText']}")
        self.wait_for_load(before, timeout)

    def evaluate(self, expression, timeout=None):
        """The value of a JavaScript expression (awaited if a promise)."""
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in reply:
            raise ProtocolError(f"{expression}: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def wait_until(self, expression, timeout=5.0, interval=0.05):
        """Polls until the expression is truthy; returns its value. An
        evaluation that fails because the page is reloading counts as false."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except ProtocolError:
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout} s: {expression}")
            time.sleep(interval)

    def click(self, selector):
        """A real mouse click (pressed and released) at the centre of the
        element's first box (a link that wraps has one per line)."""
        box = self.evaluate(
            f"""(() => {{
                const el = document.querySelector({json.dumps(selector)});
                if (!el) return null;
                el.scrollIntoView({{block: "center"}});
                const r = el.getClientRects()[0] || el.getBoundingClientRect();
                return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
            }})()"""
        )
        if box is None:
            raise LookupError(f"no element matches {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
            )

    def type(self, text):
        self.send("Input.insertText", {"text": text})

    def color_scheme(self, scheme):
        """Emulates prefers-color-scheme: "light", "dark" or "" (none)."""
        self.send(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
        )

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.evaluate(
                "({w: document.documentElement.clientWidth, h: document.documentElement.scrollHeight})"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size["w"], "height": size["h"], "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def errors(self):
        """Console errors and uncaught exceptions, as text."""
        return [text for level, text in self.console if level in ("error", "assert")] + self.exceptions
