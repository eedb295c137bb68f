"""A real `flowweaver serve` for the browser tests: a scratch directory with a config and the
workflows a test wants, the service on a free port, stopped (SIGTERM) at the end."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from pause import pause, wait_for_exit
import urllib.error
import urllib.request


class Service:
    def __init__(self, flowweaver, workflows, config=None, env=None):
        """workflows: {file name: manifest text}; config: extra config keys (YAML text); env:
        variables added to the service's environment."""
        self.dir = tempfile.mkdtemp(prefix="flowweaver-dashboard-")
        os.makedirs(os.path.join(self.dir, "workflows"))
        for name, text in workflows.items():
            with open(os.path.join(self.dir, "workflows", name), "w") as f:
                f.write(text)
        with open(os.path.join(self.dir, "flowweaver.yaml"), "w") as f:
            f.write("workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\n"
                    "listen: 127.0.0.1:0\n" + (config or ""))
        self.log_path = os.path.join(self.dir, "serve.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [flowweaver, "serve", "--config", os.path.join(self.dir, "flowweaver.yaml")],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir,
            env=dict(os.environ, **(env or {})))
        self.url = self._wait_for_url()
        self.token = None

    def _wait_for_url(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"flowweaver serve exited {self.process.returncode}:\n{self.log_text()}")
            found = re.search(r"serving \d+ workflow\(s\) on (http://\S+)", self.log_text())
            if found:
                return found.group(1)
            pause(0.05)
        raise RuntimeError(f"flowweaver serve did not start within 30 s:\n{self.log_text()}")

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def api(self, method, path, body=None):
        """(status, JSON body) of an API request."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                return res.status, json.load(res)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def wait_for_run(self, run_id, statuses=("COMPLETED", "FAILED", "CANCELLED"), timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, run = self.api("GET", f"/api/runs/{run_id}")
            if status == 200 and run["status"] in statuses:
                return run
            pause(0.1)
        raise RuntimeError(f"run {run_id} did not reach {statuses} within {timeout} s")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        if not wait_for_exit(self.process, 30):
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
