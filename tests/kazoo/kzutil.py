"""Helpers shared by the kazoo tests: waiting without timing assertions."""
import threading
import time


def wait_for(cond, timeout=30.0, what="condition"):
    """Poll `cond` until it is truthy; fail after `timeout` seconds (no timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


class Recorder:
    """Collects watch callbacks and lets a test wait for a number of them."""

    def __init__(self):
        self.items = []
        self.cond = threading.Condition()

    def __call__(self, *args):
        with self.cond:
            self.items.append(args[0] if len(args) == 1 else args)
            self.cond.notify_all()

    def wait(self, n=1, timeout=30.0):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.items) >= n, timeout)
        assert ok, "expected %d callbacks, got %r" % (n, self.items)
        return self.items
