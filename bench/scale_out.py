"""Issue 18's figures: FlowWeaver on a PostgreSQL state over loopback, beside a raw PostgreSQL
commit measured on the same server in the same run.

  bench/scale_out.py BUILD_DIR

- reference: one client's single-row upsert transactions (pgbench, a script of one statement),
  mean latency per commit;
- chain: 1,000 no-op tasks in a line (builtin.noop), `flowweaver run --state postgresql://…`,
  the run's stored duration per step (median of 3); the goal is at most 3x the reference commit;
  then the same chain on one `serve` host, where every task goes through task_claims;
- throughput: 2,000 independent tasks sleeping 50 ms (builtin.sleep, in-process), one run
  started on the first of 1, 2 or 3 `flowweaver serve` hosts of 8 claim workers each, all on the
  one database; the run's duration as stored (started_at to finished_at). Goal: 3 hosts at least
  2.7x the rate of one;
- claim rate: 2,000 independent no-op tasks on one host of 8 claim workers, tasks per second.

The server is a scratch one (initdb; as `nobody` when run as root, since PostgreSQL refuses
root), with PostgreSQL's default durability: fsync and synchronous_commit on, so a commit waits
for the disk as real state does.
"""
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

PG_BIN = "/usr/lib/postgresql/15/bin"
CHAIN = 1000
TASKS = int(os.environ.get("FLOWWEAVER_BENCH_CLUSTER_TASKS", "2000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A scratch PostgreSQL server on loopback, removed by stop()."""

    def __init__(self, scratch):
        self.dir = tempfile.mkdtemp(prefix="pg-", dir=scratch)
        self.port = free_port()
        run_as = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            run_as = ["runuser", "-u", "nobody", "--"]
        data = os.path.join(self.dir, "data")
        subprocess.run(run_as + [f"{PG_BIN}/initdb", "-D", data, "-U", "flowweaver", "-A", "trust",
                                 "-E", "UTF8", "--locale=C", "--no-instructions"],
                       check=True, stdout=subprocess.DEVNULL)
        log = open(os.path.join(self.dir, "server.log"), "w")
        self.process = subprocess.Popen(
            run_as + [f"{PG_BIN}/postgres", "-D", data, "-p", str(self.port), "-k", self.dir,
                      "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
            stdout=log, stderr=log)
        for _ in range(300):
            if subprocess.run([f"{PG_BIN}/pg_isready", "-q", "-h", "127.0.0.1", "-p",
                               str(self.port)]).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("PostgreSQL did not start: see " + log.name)

    def url(self, database="postgres"):
        return f"postgresql://flowweaver@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        return subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "-t", "-A", self.url(database), "-c",
                               sql], check=True, capture_output=True, text=True).stdout.strip()

    def new_database(self, name):
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def reference_commit_ms(pg, scratch):
    """Mean latency of one client's single-row upsert transactions, by pgbench."""
    url = pg.new_database("reference")
    pg.psql("CREATE TABLE one_row (id integer PRIMARY KEY, n bigint)", "reference")
    script = os.path.join(scratch, "upsert.sql")
    with open(script, "w") as f:
        f.write("INSERT INTO one_row VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET n = one_row.n + 1;\n")
    out = subprocess.run([f"{PG_BIN}/pgbench", "-n", "-c", "1", "-t", "2000", "-f", script, url],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))


def chain_manifest(n, name="chain"):
    lines = [f"name: {name}", "tasks:"]
    for i in range(n):
        after = f", depends_on: [t{i - 1}]" if i else ""
        lines.append(f"  - {{name: t{i}, uses: builtin.noop{after}}}")
    return "\n".join(lines) + "\n"


def chain_step_ms(pg, fw, scratch, reps=3):
    """Median over `reps` runs of a fresh database each: wall time of `run` per task."""
    manifest = os.path.join(scratch, "chain.yaml")
    with open(manifest, "w") as f:
        f.write(chain_manifest(CHAIN))
    times = []
    for rep in range(reps):
        url = pg.new_database(f"chain{rep}")
        subprocess.run([fw, "run", manifest, "--state", url, "--log-level", "warn"], check=True,
                       cwd=scratch, stdout=subprocess.DEVNULL)
        # The run as stored, started_at to finished_at: the process's start-up is not a step.
        started, finished = pg.psql("SELECT started_at || ' ' || finished_at FROM runs",
                                    f"chain{rep}").split()
        seconds = (timestamp(finished) - timestamp(started)).total_seconds()
        times.append(seconds * 1000 / CHAIN)
    times.sort()
    return times[len(times) // 2]


class ServeHost:
    """`flowweaver serve` on a free loopback port, its state in `url`."""

    def __init__(self, fw, scratch, name, url, workflows_dir):
        self.dir = os.path.join(scratch, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        config = os.path.join(self.dir, "config.yaml")
        with open(config, "w") as f:
            f.write(f"workflows_dir: {workflows_dir}\nstate_dir: var\nlog_dir: var/log\n"
                    f"listen: 127.0.0.1:{self.port}\nstate: {url}\nhost_id: {name}\n"
                    "cluster_workers: 8\ndefault_isolation: in-process\n")
        self.log = open(os.path.join(self.dir, "serve.log"), "w")
        self.process = subprocess.Popen([fw, "serve", "--config", config], cwd=self.dir,
                                        stdout=self.log, stderr=self.log)
        for _ in range(300):
            try:
                self.api("GET", "/readyz")
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"serve {name} did not start: see {self.log.name}")

    def api(self, method, path):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=b"{}" if method == "POST" else None,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read() or b"null")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def timestamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def cluster_run_seconds(pg, fw, scratch, name, manifest, num_hosts):
    """Starts `num_hosts` hosts on a fresh database, one run on the first; its stored duration."""
    workflows = os.path.join(scratch, name + "-workflows")
    os.makedirs(workflows, exist_ok=True)
    with open(os.path.join(workflows, "wf.yaml"), "w") as f:
        f.write(manifest)
    url = pg.new_database(name)
    hosts = [ServeHost(fw, scratch, f"{name}-h{i}", url, workflows) for i in range(num_hosts)]
    try:
        time.sleep(3)  # every host's heartbeat and claim workers up before the run starts
        run_id = hosts[0].api("POST", "/api/workflows/wf/runs")["run_id"]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            run = hosts[0].api("GET", f"/api/runs/{run_id}")
            if run["status"] not in ("RUNNING", "PENDING"):
                break
            time.sleep(0.2)
        if run["status"] != "COMPLETED":
            raise RuntimeError(f"{name}: the run ended {run['status']}")
        return (timestamp(run["finished_at"]) - timestamp(run["started_at"])).total_seconds()
    finally:
        for host in hosts:
            host.stop()


def independent_tasks(n, uses, max_workers):
    lines = ["name: wf", f"max_workers: {max_workers}", "tasks:"]
    lines += [f"  - {{name: t{i}, uses: {uses}}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def main():
    build = os.path.abspath(sys.argv[1])
    fw = os.path.join(build, "bin", "flowweaver")
    scratch = tempfile.mkdtemp(prefix="flowweaver-scale-out-")
    os.chmod(scratch, 0o755)
    pg = Postgres(scratch)
    try:
        reference = reference_commit_ms(pg, scratch)
        print(f"postgresql: one single-row commit over loopback {reference:.3f} ms (pgbench, "
              "2,000 transactions, one client, fsync on)")
        step = chain_step_ms(pg, fw, scratch)
        ratio = step / reference
        print(f"postgresql: chain of {CHAIN} no-op tasks, `run --state postgresql://`: "
              f"{step:.3f} ms per step, {ratio:.1f}x the raw commit (goal <= 3x)")
        seconds = cluster_run_seconds(pg, fw, scratch, "chainserve", chain_manifest(CHAIN, "wf"), 1)
        step = seconds * 1000 / CHAIN
        print(f"cluster: the same chain on one `serve` host, every task claimed through "
              f"task_claims: {step:.3f} ms per step, {step / reference:.1f}x the raw commit")
        # A run's max_workers caps its attempts in flight anywhere; above the 24 claim workers of
        # three hosts, a worker that frees up finds the next attempt offered already.
        sleeps = independent_tasks(TASKS, "builtin.sleep, with: {duration: 50ms}", 64)
        rates = {}
        for n in (1, 2, 3):
            seconds = cluster_run_seconds(pg, fw, scratch, f"sleep{n}", sleeps, n)
            rates[n] = TASKS / seconds
            print(f"cluster: {TASKS} tasks of 50 ms, {n} host(s) of 8 workers: {seconds:.2f} s, "
                  f"{rates[n]:.0f} tasks/s ({rates[n] / rates[1]:.2f}x one host; ideal "
                  f"{TASKS * 0.05 / (8 * n):.2f} s)")
        print(f"cluster: 3 hosts / 1 host = {rates[3] / rates[1]:.2f}x (goal >= 2.7x)")
        noops = independent_tasks(TASKS, "builtin.noop", 64)
        seconds = cluster_run_seconds(pg, fw, scratch, "claims", noops, 1)
        print(f"cluster: claim rate of one host of 8 workers: {TASKS / seconds:.0f} tasks/s "
              f"({TASKS} no-op tasks in {seconds:.2f} s)")
    finally:
        pg.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
