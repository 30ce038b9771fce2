"""Fixtures for the kazoo suite, on top of tests/conftest.py: every test runs against each
target in ZK_TARGETS (Apache ZooKeeper 3.8 = the reference, and zkd)."""
import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kazoo.client import KazooClient  # noqa: E402

CLIENT_TIMEOUT = 10.0


@pytest.fixture
def server(zk_server):
    """The shared server of the current target (kind "apache" or "zkd")."""
    return zk_server


@pytest.fixture
def make_client(server):
    """Factory of started kazoo clients; all are stopped at teardown."""
    made = []

    def make(start=True, **kw):
        kw.setdefault("timeout", CLIENT_TIMEOUT)
        c = KazooClient(hosts=kw.pop("hosts", server.hosts), **kw)
        made.append(c)
        if start:
            c.start(timeout=30)
        return c

    yield make
    for c in made:
        try:
            c.stop()
        except Exception:
            pass
        c.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def base(client):
    """A fresh persistent node for the test to work under."""
    path = "/t-" + uuid.uuid4().hex[:12]
    client.create(path)
    return path
