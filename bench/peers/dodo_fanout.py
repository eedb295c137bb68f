"""doit's version of bench/gen_workflow's fan-out: a root task, N - 2 tasks depending on it and
a sink depending on all of those, each a Python no-op. bench/run.sh times it against flowweaver
on the same shape, interleaved (FLOWWEAVER_BENCH_TASKS sets N)."""
import os

NUM_TASKS = int(os.environ.get("FLOWWEAVER_BENCH_TASKS", "10000"))


def noop():
    return True


def task_t0():
    return {"actions": [noop], "verbosity": 0}


def task_middle():
    for i in range(1, NUM_TASKS - 1):
        yield {"name": str(i), "actions": [noop], "task_dep": ["t0"], "verbosity": 0}


def task_sink():
    return {"actions": [noop], "task_dep": ["middle"], "verbosity": 0}
