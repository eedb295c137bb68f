"""The web dashboard in a real browser (Debian's chromium, headless) against a real
`flowweaver serve`: usage `dashboard_test.py FLOWWEAVER SCREENSHOT_DIR [unittest args]`.

Every test ends by checking that the page logged no console error and threw no exception."""
import json
import os
import re
import sys
import time
import unittest

from cdp import Browser
from service_fixture import Service

FLOWWEAVER = None
SHOTS = None

HELLO = """name: hello
description: Greets, waits a little, and says it is done
params:
  who: {type: string, default: world}
  mode: {type: string, default: fast, enum: [fast, thorough]}
  times: {type: integer, default: 2}
secrets: [GREETING_KEY]
tasks:
  - name: greet
    uses: shell.run
    with: {command: [echo, "hello ${params.who} x${params.times} key=${secrets.GREETING_KEY}"]}
  - name: wait
    uses: builtin.sleep
    depends_on: [greet]
    with: {duration: 1500ms}
  - name: fanout
    uses: builtin.echo
    depends_on: [greet]
    foreach: [1, 2, 3, 4, 5]
    with: {n: "${item}"}
  - name: done
    uses: builtin.echo
    depends_on: [wait, fanout]
    with: {mode: "${params.mode}"}
"""

# Fails until the file `marker` exists in the service's directory.
FLAKY = """name: flaky
tasks:
  - name: check
    uses: shell.run
    with:
      shell: true
      command: "echo looking for the marker; test -f marker || { echo 'marker missing' >&2; exit 3; }"
  - name: after
    uses: builtin.echo
    depends_on: [check]
    with: {ok: true}
"""

# One line every 0.5 s for about 5 s: long enough to watch its log grow.
CHATTY = """name: chatty
tasks:
  - name: talk
    uses: shell.run
    with:
      shell: true
      command: "for i in 1 2 3 4 5 6 7 8 9 10; do echo tick $i; sleep 0.5; done"
"""

SLOW = """name: slow
tasks:
  - name: nap
    uses: builtin.sleep
    with: {duration: 120s}
"""


def big_workflow(tasks):
    lines = ["name: big", "tasks:"]
    for i in range(tasks):
        lines.append(f"  - {{name: t{i:05d}, uses: builtin.noop}}")
    return "\n".join(lines) + "\n"


class DashboardCase(unittest.TestCase):
    service = None
    browser = None

    def setUp(self):
        self.browser.console_errors.clear()

    def tearDown(self):
        errors = list(self.browser.console_errors)
        self.browser.console_errors.clear()
        self.assertEqual(errors, [], "the page logged errors")

    def open(self, hash_path):
        self.browser.navigate(self.service.url + "/" + hash_path)

    def shot(self, name):
        self.browser.screenshot(os.path.join(SHOTS, name))


class DashboardTest(DashboardCase):
    @classmethod
    def setUpClass(cls):
        cls.service = Service(FLOWWEAVER, {"hello.yaml": HELLO, "flaky.yaml": FLAKY,
                                           "slow.yaml": SLOW, "chatty.yaml": CHATTY,
                                           "big.yaml": big_workflow(10000)},
                              config="default_isolation: in-process\nmax_workers: 8\n",
                              env={"FLOWWEAVER_SECRET_GREETING_KEY": "pa55-word-xyzzy"})
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.service.stop()

    def test_1_workflows_page_lists_the_served_workflows(self):
        self.open("#/")
        names = self.browser.wait_for(
            "[...document.querySelectorAll('#workflows tbody tr')].map(r => r.dataset.workflow).join(',')")
        self.assertEqual(sorted(names.split(",")), ["big", "chatty", "flaky", "hello", "slow"])
        self.assertIn("Greets, waits a little", self.browser.text("tr[data-workflow=hello]"))

    def test_2_a_run_started_from_the_page_completes_live(self):
        self.open("#/")
        self.browser.wait_for("document.querySelector('tr[data-workflow=hello] [data-action=run]')")
        self.browser.evaluate("window.notReloaded = true")
        self.browser.click("tr[data-workflow=hello] [data-action=run]")
        # The form is built from the declared params: defaults filled in, the enum a choice.
        self.assertEqual(self.browser.wait_for("document.querySelector('#param-who').value"), "world")
        self.assertEqual(self.browser.evaluate(
            "[...document.querySelectorAll('#param-mode option')].map(o => o.textContent).join(',')"),
            "fast,thorough")
        self.browser.evaluate("document.querySelector('#param-who').value = 'browser'")
        self.browser.click("dialog.run-dialog button[type=submit]")
        self.browser.wait_for("location.hash.startsWith('#/runs/')")
        # Seen running first, then completed, without a reload: the events moved it.
        self.browser.wait_for("/RUNNING|PENDING/.test(document.querySelector('#run-status')?.textContent)",
                              what="the run shown running")
        self.browser.wait_for("document.querySelector('#run-status')?.textContent.includes('COMPLETED')",
                              timeout=30, what="the run shown COMPLETED")
        self.assertTrue(self.browser.evaluate("window.notReloaded === true"))
        run_id = self.browser.evaluate("decodeURIComponent(location.hash.split('/')[2])")
        run = self.service.wait_for_run(run_id)
        self.assertEqual(run["status"], "COMPLETED")
        self.assertEqual(run["params"]["who"], "browser")
        # Every task COMPLETED in the table; the foreach task counts its items.
        self.browser.wait_for("[...document.querySelectorAll('#task-table .vrow')].length === 4")
        rows = self.browser.evaluate(
            "[...document.querySelectorAll('#task-table .vrow')].map(r => r.textContent)")
        for row in rows:
            self.assertIn("COMPLETED", row)
        self.assertTrue(any("fanout" in r and "5/5" in r for r in rows), rows)
        self.shot("run.png")
        # The task's output and log, with its secret masked as the state stores it.
        self.browser.click("#task-table [data-task=greet]")
        output = self.browser.wait_for(
            "document.querySelector('#task-output')?.textContent.includes('hello browser') && "
            "document.querySelector('#task-output').textContent", what="greet's output")
        self.assertIn("key=***", output)
        log = self.browser.wait_for("document.querySelector('#task-log')?.textContent.includes('key=') && "
                                    "document.querySelector('#task-log').textContent", what="greet's log")
        self.assertIn("key=***", log)
        self.assertNotIn("pa55-word-xyzzy", output + log + self.browser.text("main"))
        self.shot("task.png")

    def test_3_a_failing_task_shows_its_error_and_log(self):
        status, started = self.service.api("POST", "/api/workflows/flaky/runs", {})
        self.assertEqual(status, 201)
        self.service.wait_for_run(started["run_id"])
        self.open(f"#/runs/{started['run_id']}/tasks/check")
        self.browser.wait_for("document.querySelector('#task-error')", what="the task's error")
        self.assertIn("exit", self.browser.text("#task-error").lower())
        log = self.browser.wait_for(
            "document.querySelector('#task-log')?.textContent.includes('marker missing') && "
            "document.querySelector('#task-log').textContent", what="the task's log")
        self.assertIn("looking for the marker", log)
        self.shot("failed-task.png")

    def test_3b_a_running_tasks_log_is_followed_live(self):
        status, started = self.service.api("POST", "/api/workflows/chatty/runs", {})
        self.assertEqual(status, 201)
        self.open(f"#/runs/{started['run_id']}/tasks/talk")
        # Its first lines show while the command still runs...
        early = self.browser.wait_for(
            "document.querySelector('#task-log')?.textContent.includes('tick 1') && "
            "document.querySelector('#task-log').textContent", what="the first line of the log")
        last_seen = max(int(n) for n in re.findall(r"tick (\d+)", early))
        self.assertLess(last_seen, 10, "the page came too late to see the log grow")
        # ...and the next ones as they come, into the same element (the panel is drawn anew only
        # when the task's state changes, which would read the whole log again).
        self.browser.evaluate("document.querySelector('#task-log').dataset.seen = 'early'")
        self.browser.wait_for("document.querySelector('#task-log[data-seen=early]')?.textContent"
                              f".includes('tick {last_seen + 1}')",
                              what="a later line in the same log element")
        self.browser.wait_for("document.querySelector('#task-log')?.textContent.includes('tick 10')",
                              what="the last line of the log")
        self.browser.wait_for("document.querySelector('#run-status')?.textContent.includes('COMPLETED')",
                              what="the run shown COMPLETED")

    def test_4_reset_from_the_page_runs_the_task_again(self):
        status, started = self.service.api("POST", "/api/workflows/flaky/runs", {})
        self.assertIn(status, (201,))
        run_id = started["run_id"]
        self.service.wait_for_run(run_id)
        open(self.service.path("marker"), "w").close()
        self.open(f"#/runs/{run_id}/tasks/check")
        self.browser.wait_for("document.querySelector('[data-action=reset]:not([disabled])')")
        self.browser.click("[data-action=reset]")  # confirm() is accepted by the driver
        self.browser.wait_for("document.querySelector('#run-status')?.textContent.includes('COMPLETED')",
                              timeout=30, what="the reset run shown COMPLETED")
        run = self.service.wait_for_run(run_id)
        self.assertEqual(run["status"], "COMPLETED")
        os.remove(self.service.path("marker"))

    def test_4b_mark_done_from_the_page(self):
        status, started = self.service.api("POST", "/api/workflows/flaky/runs", {})
        self.assertEqual(status, 201)
        run_id = started["run_id"]
        self.assertEqual(self.service.wait_for_run(run_id)["status"], "FAILED")
        self.open(f"#/runs/{run_id}/tasks/check")
        self.browser.wait_for("document.querySelector('[data-action=mark]:not([disabled])')")
        self.browser.click("[data-action=mark]")
        self.browser.wait_for("document.querySelector('#mark-output')")
        # Bad JSON is refused in the form, which stays open saying why.
        self.browser.evaluate("document.querySelector('#mark-output').value = '{rows: 7'")
        self.browser.click("#mark-output ~ .buttons button[type=submit]")
        self.browser.wait_for("document.querySelector('dialog[open] .error')?.textContent.includes('not valid JSON')",
                              what="the form's error")
        self.browser.evaluate("document.querySelector('#mark-output').value = '{\"rows\": 7}'")
        self.browser.click("#mark-output ~ .buttons button[type=submit]")
        self.browser.wait_for("document.querySelector('#task-panel .panel-head')?.textContent.includes('COMPLETED')",
                              what="the marked task shown COMPLETED")
        self.assertIn('"rows": 7', self.browser.text("#task-output"))
        status, run = self.service.api("GET", f"/api/runs/{run_id}")
        check = next(t for t in run["tasks"] if t["task"] == "check")
        self.assertEqual((check["status"], check["output"]), ("COMPLETED", {"rows": 7}))

    def test_5_cancel_from_the_page(self):
        status, started = self.service.api("POST", "/api/workflows/slow/runs", {})
        self.assertEqual(status, 201)
        self.open(f"#/runs/{started['run_id']}")
        self.browser.wait_for("document.querySelector('[data-action=cancel]')")
        self.browser.click("[data-action=cancel]")
        self.browser.wait_for("document.querySelector('#run-status')?.textContent.includes('CANCELLED')",
                              timeout=30, what="the run shown CANCELLED")
        self.assertEqual(self.service.wait_for_run(started["run_id"])["status"], "CANCELLED")

    def test_6_a_run_of_10000_tasks_is_interactive_within_1500_ms(self):
        status, started = self.service.api("POST", "/api/workflows/big/runs", {})
        self.assertEqual(status, 201)
        self.service.wait_for_run(started["run_id"], timeout=300)
        self.open("#/")
        self.browser.wait_for("document.querySelector('#workflows')")
        # From the moment the run is asked for to a row chosen by key and drawn as chosen.
        elapsed = self.browser.evaluate(f"""new Promise((resolve) => {{
            const t0 = performance.now();
            location.hash = '#/runs/{started['run_id']}';
            const check = () => {{
              const table = document.querySelector('#task-table');
              if (table && table.querySelector('.vrow')) {{
                table.focus();
                table.dispatchEvent(new KeyboardEvent('keydown', {{key: 'End', bubbles: true}}));
                const active = table.querySelector('.vrow.active');
                if (active && active.dataset.task === 't09999') return resolve(performance.now() - t0);
              }}
              requestAnimationFrame(check);
            }};
            check();
        }})""")
        print(f"\n10,000-task run page interactive after {elapsed:.0f} ms", file=sys.stderr)
        self.assertLess(elapsed, 1500)
        self.assertEqual(self.browser.evaluate("document.querySelectorAll('#task-table .vrow').length") < 200,
                         True, "only the rows in view are drawn")
        self.shot("run-10000-tasks.png")

    def test_7_plugins_page(self):
        self.open("#/plugins")
        text = self.browser.wait_for("document.querySelector('#plugins')?.textContent")
        for plugin in ("builtin", "shell", "http"):
            self.assertIn(plugin, text)
        sha = self.browser.evaluate("document.querySelector('[data-plugin=builtin] .hash').textContent")
        self.assertRegex(sha, r"^[0-9a-f]{64}$")
        # Each task type with the parameters it declares.
        sleep = self.browser.text("[data-plugin=builtin] [data-task-type=sleep]")
        self.assertIn("duration", sleep)
        self.assertIn("yes", sleep)  # required
        self.shot("plugins.png")

    def test_8_history_filters_by_status_and_charts_durations(self):
        self.open("#/workflows/flaky")
        self.browser.wait_for("document.querySelector('#runs tbody tr')")
        self.assertTrue(self.browser.evaluate("!!document.querySelector('svg.chart rect')"))
        self.browser.evaluate("""(() => {
            const s = document.querySelector('#history-status');
            s.value = 'FAILED';
            s.dispatchEvent(new Event('change'));
        })()""")
        self.browser.wait_for("[...document.querySelectorAll('#runs tbody tr')].every(r => r.textContent.includes('FAILED'))")
        self.shot("history.png")

    def test_9_workflows_page_at_phone_width(self):
        self.browser.resize(390, 844, mobile=True)
        try:
            self.open("#/")
            self.browser.wait_for("document.querySelector('#workflows tbody tr')")
            # The page itself does not scroll sideways (the table scrolls in its own box).
            self.assertLessEqual(self.browser.evaluate("document.documentElement.scrollWidth"), 390)
            self.shot("workflows-phone.png")
        finally:
            self.browser.resize(1280, 800)
        self.open("#/")
        self.browser.wait_for("document.querySelector('tr[data-workflow=flaky] a[href^=\"#/runs/\"]')")
        self.shot("workflows.png")


class TokenTest(DashboardCase):
    @classmethod
    def setUpClass(cls):
        cls.service = Service(FLOWWEAVER, {"slow.yaml": SLOW}, config="token: s3cret-token\n")
        cls.service.token = "s3cret-token"
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.service.stop()

    def test_the_page_asks_for_the_token_once(self):
        self.open("#/")
        self.browser.wait_for("document.querySelector('#token-dialog').open")
        self.browser.evaluate("document.querySelector('#token-input').value = 'wrong'")
        self.browser.click("#token-form button[type=submit]")
        self.browser.wait_for("document.querySelector('#token-dialog').open && "
                              "document.querySelector('#token-error').textContent.includes('refused')")
        self.browser.evaluate("document.querySelector('#token-input').value = 's3cret-token'")
        self.browser.click("#token-form button[type=submit]")
        self.browser.wait_for("document.querySelector('tr[data-workflow=slow]')")
        # Kept for the tab: another page needs no second asking.
        self.open("#/plugins")
        self.browser.wait_for("document.querySelector('#plugins')")
        self.assertFalse(self.browser.evaluate("document.querySelector('#token-dialog').open"))
        # The refused requests were 401s, which Chromium logs; they are the point here.
        self.browser.console_errors[:] = [e for e in self.browser.console_errors if "401" not in e]


if __name__ == "__main__":
    FLOWWEAVER, SHOTS = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
