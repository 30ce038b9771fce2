"""Shared pytest fixtures: start zkd or Apache ZooKeeper 3.8 on a free loopback port.

Fixtures
- ``apache_zk``  a running Apache ZooKeeper (session scope, shared by tests)
- ``zkd``        a running zkd (session scope); ZKD_BIN picks the binary, default target/debug/zkd
- ``zk_server``  parameterised over the targets in ZK_TARGETS (default "apache,zkd")
- ``server_factory``  starts fresh servers for tests that need an untouched tree (stopped at test end)
- ``zk_path``    a unique znode path prefix for the current test (shared servers keep state)

Every wait has a deadline: a server that exits or never answers ``ruok`` fails the test with its log tail.
"""

import itertools
import shutil
import subprocess

import pytest

from zkharness import JAVA, REPO, ZK_CLASSPATH, Server, ServerStartError, targets


def _start_or_fail(kind, workdir, extra_cfg=None, jvm_flags=None):
    try:
        return Server(kind, workdir, extra_cfg, jvm_flags).start()
    except ServerStartError as e:
        message = f"could not start {kind}: {e}"
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def apache_zk(tmp_path_factory):
    server = _start_or_fail("apache", tmp_path_factory.mktemp("apache-zk"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def zkd(tmp_path_factory):
    server = _start_or_fail("zkd", tmp_path_factory.mktemp("zkd"))
    yield server
    server.stop()


@pytest.fixture(params=targets(), scope="session")
def zk_server(request):
    """A running server of each selected target (shared across tests of the session)."""
    return request.getfixturevalue("apache_zk" if request.param == "apache" else "zkd")


@pytest.fixture
def server_factory(tmp_path_factory):
    """start(kind, extra_cfg=None, jvm_flags=None) -> a fresh Server; all are stopped when the test ends."""
    started = []

    def start(kind, extra_cfg=None, jvm_flags=None):
        server = _start_or_fail(kind, tmp_path_factory.mktemp(f"fresh-{kind}"), extra_cfg, jvm_flags)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


_path_counter = itertools.count(1)


@pytest.fixture
def zk_path(request):
    """A znode path unique to this test invocation, e.g. /t-test_create-apache-3 (not created)."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    return f"/t-{name}-{next(_path_counter)}"


@pytest.fixture(scope="session")
def java_harness(tmp_path_factory):
    """Compile tests/java/*.java against the official client jar; returns the java command prefix."""
    javac = shutil.which("javac")
    if not javac:
        pytest.fail("javac not found: install default-jdk-headless", pytrace=False)
    out = tmp_path_factory.mktemp("java-classes")
    sources = sorted(str(p) for p in (REPO / "tests" / "java").glob("*.java"))
    res = subprocess.run(
        [javac, "-nowarn", "-d", str(out), "-cp", ZK_CLASSPATH] + sources,
        capture_output=True, text=True, timeout=180,
    )
    if res.returncode != 0:
        pytest.fail(f"javac failed:\n{res.stdout}\n{res.stderr}", pytrace=False)
    return [JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", f"{ZK_CLASSPATH}:{out}"]
