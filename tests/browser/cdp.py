"""A small driver for Chromium over the DevTools protocol (CDP), enough for the dashboard's
tests: start a headless browser, load pages, run script, wait for conditions, click, take
screenshots, and collect every console error and uncaught exception.

It speaks the protocol directly over one WebSocket (Debian's python3-websocket), so the tests
need nothing from npm.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websocket

from pause import pause, wait_for_exit

CHROMIUM = os.environ.get("FLOWWEAVER_CHROMIUM", "/usr/bin/chromium")


class BrowserError(Exception):
    pass


def browser_environment():
    """The environment without libfaketime: under `make test-future` the service runs with the
    clock moved ahead, but Chromium does not start with libfaketime preloaded (it never opens its
    debugging port). The browser is the tests' instrument, not what they test."""
    env = dict(os.environ)
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    return env


class Browser:
    """A headless Chromium with one page, at 1280x800 unless resized."""

    def __init__(self, width=1280, height=800):
        self.profile = tempfile.mkdtemp(prefix="flowweaver-chromium-")
        args = [
            CHROMIUM, "--headless=new", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
            "about:blank",
        ]
        # Chromium refuses its sandbox as root (CI runs as root); the pages are our own.
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        # Its own process group: closing it ends its GPU, renderer and utility processes too.
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env=browser_environment(),
                                        start_new_session=True)
        self.ws = None
        try:
            self.ws = self._connect_to_page(self._debugging_port())
        except Exception:
            self.close()
            raise
        self.next_id = 0
        self.console_errors = []
        self.events = []
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.resize(width, height)

    def _debugging_port(self):
        active = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserError(f"{CHROMIUM} exited with {self.process.returncode}")
            try:
                with open(active) as f:
                    lines = f.read().split("\n")
                if lines and lines[0].strip():
                    return int(lines[0])
            except FileNotFoundError:
                pass
            pause(0.05)
        raise BrowserError(f"{CHROMIUM} did not open its debugging port within 30 s")

    def _connect_to_page(self, port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as res:
            targets = json.load(res)
        pages = [t for t in targets if t.get("type") == "page"]
        if not pages:
            raise BrowserError("Chromium has no page to drive")
        return websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                           suppress_origin=True)

    def close(self):
        try:
            if self.ws:
                self.ws.close()
        finally:
            self._signal_group(signal.SIGTERM)
            if not wait_for_exit(self.process, 10):
                self._signal_group(signal.SIGKILL)
                self.process.wait()
            self._signal_group(signal.SIGKILL)  # whatever of the group is left
            shutil.rmtree(self.profile, ignore_errors=True)

    def _signal_group(self, sig):
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    # --- The protocol ---

    def send(self, method, params=None, timeout=60):
        """Calls `method` and returns its result; events that arrive meanwhile are handled."""
        self.next_id += 1
        call_id = self.next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise BrowserError(f"{method}: no answer within {timeout} s")
            if message.get("id") == call_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message):
        method = message.get("method")
        params = message.get("params", {})
        self.events.append(message)
        if method == "Page.javascriptDialogOpening":  # confirm(): the tests say yes
            self.ws.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": True}}))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.console_errors.append(f"uncaught: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            args = [a.get("value", a.get("description", "")) for a in params.get("args", [])]
            self.console_errors.append("console.error: " + " ".join(map(str, args)))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.console_errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")

    # --- What the tests do ---

    def resize(self, width, height, mobile=False):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'")

    def evaluate(self, expression, await_promise=True):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"script failed: {text}\n{expression}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=20, what=None):
        """Waits until `expression` is truthy in the page; returns its value."""
        deadline = time.monotonic() + timeout
        # An element comes back by value as {}, which is falsy here: found is true.
        probe = f"(() => {{ const v = ({expression}); return v instanceof Node ? true : v; }})()"
        while True:
            try:
                value = self.evaluate(probe)
            except BrowserError:
                value = None  # e.g. the page is being replaced
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {what or expression}")
            self.send("Runtime.evaluate", {"expression": "0"})  # lets events in
            pause(0.05)

    def text(self, selector):
        return self.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    def click(self, selector):
        found = self.evaluate(f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            if (!el) return false;
            el.scrollIntoView({{block: 'center'}});
            el.click();
            return true;
        }})()""", await_promise=False)
        if not found:
            raise BrowserError(f"nothing to click at {selector}")

    def press(self, key, code=None, key_code=0):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code or key,
                                                 "windowsVirtualKeyCode": key_code})

    def type_text(self, text):
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
