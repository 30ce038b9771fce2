"""pytest plugin that points kazoo's own test harness at one standalone server.

kazoo's harness (kazoo/testing/common.py) always launches Java ZooKeeper
itself.  This plugin replaces how its ManagedZooKeeper starts a server so the
very same upstream tests run against either Apache ZooKeeper or zkd, started
the same way and with the same configuration.  Loaded with `-p zkd_kazoo_shim`
by scripts/kazoo-upstream.sh.

Environment:
  KAZOO_UPSTREAM_SERVER   "zookeeper" (default) or "zkd"
  ZKD_BIN                 zkd binary (default target/debug/zkd)
  ZK_CLASSPATH            classpath of Apache ZooKeeper (default Debian jars)
  KAZOO_UPSTREAM_TEST_TIMEOUT  seconds per test before it is failed (default 120)
  KAZOO_UPSTREAM_PASSED   file that receives the ids of the tests that passed
"""
import os
import signal
import socket
import subprocess
import time

import pytest

from kazoo.testing import common

SERVER = os.environ.get("KAZOO_UPSTREAM_SERVER", "zookeeper")
ZKD_BIN = os.environ.get("ZKD_BIN", "target/debug/zkd")
ZK_CLASSPATH = os.environ.get(
    "ZK_CLASSPATH", "/usr/share/java/zookeeper.jar:/etc/zookeeper/conf")
TEST_TIMEOUT = int(os.environ.get("KAZOO_UPSTREAM_TEST_TIMEOUT", "120"))

# kazoo's harness passes this super digest ("super:test") as a JVM property;
# zoo.cfg turns the key into the same property (zookeeper.<key>) for Apache
# ZooKeeper, and zkd reads the key from zoo.cfg.
SUPER_DIGEST = "super:D/InIHSb7yEEbrWz8b9l71RjZJU="


def _ruok(port, timeout=1.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"ruok")
            return s.recv(16) == b"imok"
    except OSError:
        return False


def _run(self):
    if self.running:
        return
    if self.peers:
        raise RuntimeError("zkd_kazoo_shim supports standalone only "
                           "(set ZOOKEEPER_CLUSTER_SIZE=1)")
    wp = self.working_path
    data_path = os.path.join(wp, "data")
    os.makedirs(data_path, exist_ok=True)
    with open(os.path.join(data_path, "myid"), "w") as f:
        f.write(str(self.server_info.server_id))
    cfg_path = os.path.join(wp, "zoo.cfg")
    jaas_path = os.path.join(wp, "jaas.conf")
    with open(jaas_path, "w") as f:
        f.write(self.jaas_config or "")
    lines = [
        "tickTime=2000",
        "dataDir=%s" % data_path,
        "clientPort=%d" % self.server_info.client_port,
        "clientPortAddress=127.0.0.1",
        "maxClientCnxns=0",
        "admin.enableServer=false",
        "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "4lw.commands.whitelist=*",
        "reconfigEnabled=true",
        "DigestAuthenticationProvider.superDigest=%s" % SUPER_DIGEST,
    ] + list(self.configuration_entries)
    with open(cfg_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    env = dict(os.environ)
    if SERVER == "zkd":
        args = [ZKD_BIN, cfg_path]
        if self.jaas_config:
            # zkd has no JVM; it takes the JAAS file the way zkServer.sh users
            # pass it, through SERVER_JVMFLAGS (and a plain variable).
            env["SERVER_JVMFLAGS"] = "-Djava.security.auth.login.config=%s" % jaas_path
            env["ZKD_JAAS_CONFIG"] = jaas_path
    else:
        args = ["java", "-cp", ZK_CLASSPATH, "-Dfile.encoding=UTF-8",
                "-Djava.awt.headless=true",
                "-Djava.security.auth.login.config=%s" % jaas_path,
                "org.apache.zookeeper.server.ZooKeeperServerMain", cfg_path]
    log = open(os.path.join(wp, "server.log"), "ab")
    self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env)
    log.close()
    self._running = True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if self.process.poll() is not None:
            with open(os.path.join(wp, "server.log"), "rb") as f:
                tail = f.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError("server exited with %s: %s\n--- log tail ---\n%s"
                               % (self.process.returncode, " ".join(args), tail))
        if _ruok(self.server_info.client_port):
            return
        time.sleep(0.1)
    _stop(self)
    raise RuntimeError("server did not answer ruok within 60 s: %s" % " ".join(args))


def _stop(self):
    if not self.running:
        return
    self.process.terminate()
    try:
        self.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        self.process.kill()
        self.process.wait(timeout=20)
    self._running = False


common.ManagedZooKeeper.run = _run
common.ManagedZooKeeper.stop = _stop


class _TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise _TestTimeout("test exceeded %d s (KAZOO_UPSTREAM_TEST_TIMEOUT)"
                       % TEST_TIMEOUT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # Covers setup, call and teardown: a hang anywhere fails that test only.
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_outcomes = {}


def pytest_runtest_logreport(report):
    # A test counts as passed only if setup, call and teardown all passed.
    ok = report.passed and not (report.when == "call" and hasattr(report, "wasxfail"))
    prev = _outcomes.get(report.nodeid, True)
    _outcomes[report.nodeid] = prev and ok and not report.skipped
    if report.when == "call" and report.passed:
        _outcomes.setdefault("__called__" + report.nodeid, True)


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("KAZOO_UPSTREAM_PASSED")
    if not path:
        return
    passed = sorted(n for n, ok in _outcomes.items()
                    if ok and not n.startswith("__called__")
                    and ("__called__" + n) in _outcomes)
    with open(path, "w") as f:
        f.write("".join(n + "\n" for n in passed))
