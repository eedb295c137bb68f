"""pause(seconds): time.sleep that also works under libfaketime (`make test-future`), where
Python's sleep (clock_nanosleep) fails with EINVAL; select() with a timeout is not faked."""
import select


def pause(seconds):
    select.select([], [], [], seconds)


def wait_for_exit(process, seconds):
    """process.wait(timeout) without time.sleep; True when it exited in time."""
    for _ in range(int(seconds / 0.05)):
        if process.poll() is not None:
            return True
        pause(0.05)
    return process.poll() is not None
