"""Start zkd or Apache ZooKeeper 3.8 on a free loopback port, and run the external client programs.

Used by tests/conftest.py (fixtures) and by the test modules. Every wait has a deadline: a server that
exits or never answers ``ruok`` with ``imok`` raises ServerStartError carrying its log tail.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZKD_BIN = os.environ.get(
    "ZKD_BIN", str(Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "zkd"))
# The Debian package's own scripts (zkEnv.sh) use exactly this classpath; zookeeper.jar's manifest
# pulls in jute, netty, slf4j and the rest.
ZK_CLASSPATH = os.environ.get("ZK_CLASSPATH", "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar")
JAVA = os.environ.get("JAVA", shutil.which("java") or "/usr/bin/java")
ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")
CLI_MT = os.environ.get("CLI_MT", "/usr/lib/zookeeper/bin/cli_mt")
ALL_TARGETS = ("apache", "zkd")
STARTUP_TIMEOUT = {"apache": 45.0, "zkd": 20.0}
TICK_TIME_MS = 2000


def targets():
    """Targets selected by ZK_TARGETS (comma separated), default both."""
    raw = os.environ.get("ZK_TARGETS", ",".join(ALL_TARGETS))
    chosen = [t.strip() for t in raw.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in ALL_TARGETS]
    if unknown:
        raise ValueError(f"ZK_TARGETS has unknown target(s) {unknown}; known: {ALL_TARGETS}")
    return chosen


class ServerStartError(Exception):
    pass


def free_port():
    """A port the kernel just handed out on 127.0.0.1 (closed again; tiny reuse race accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(port, word, timeout=3.0):
    """Send a four-letter word and return the whole answer (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(word.encode("ascii"))
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode("utf-8", "replace")


def write_zoo_cfg(directory, port, extra=None):
    data_dir = Path(directory) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg = {
        "tickTime": str(TICK_TIME_MS),
        "dataDir": str(data_dir),
        "clientPort": str(port),
        "clientPortAddress": "127.0.0.1",
        "maxClientCnxns": "0",
        "4lw.commands.whitelist": "*",
        "extendedTypesEnabled": "true",
        "admin.enableServer": "false",
    }
    cfg.update(extra or {})
    path = Path(directory) / "zoo.cfg"
    path.write_text("".join(f"{k}={v}\n" for k, v in cfg.items()))
    return path


class Server:
    """One running server process (zkd or Apache ZooKeeper)."""

    def __init__(self, kind, workdir, extra_cfg=None, jvm_flags=None):
        # JVM system properties (e.g. -Djava.security.auth.login.config=<JAAS file>): Apache gets them on
        # its java command line, zkd the way zkServer.sh users hand them over, in SERVER_JVMFLAGS.
        self.jvm_flags = list(jvm_flags or [])
        self.kind = kind
        self.workdir = Path(workdir)
        self.port = free_port()
        self.cfg_path = write_zoo_cfg(self.workdir, self.port, extra_cfg)
        self.log_path = self.workdir / "server.log"
        self.proc = None

    @property
    def host(self):
        return "127.0.0.1"

    @property
    def hosts(self):
        """Connect string for clients."""
        return f"127.0.0.1:{self.port}"

    def command(self):
        if self.kind == "zkd":
            return [ZKD_BIN, str(self.cfg_path)]
        return [
            JAVA,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dzookeeper.4lw.commands.whitelist=*",
            "-Dzookeeper.extendedTypesEnabled=true",
            "-Dzookeeper.admin.enableServer=false",
            *self.jvm_flags,
            f"-Dzookeeper.log.dir={self.workdir}",
            "-cp",
            ZK_CLASSPATH,
            "org.apache.zookeeper.server.ZooKeeperServerMain",
            str(self.cfg_path),
        ]

    def _env(self):
        env = dict(os.environ)
        if self.kind == "zkd" and self.jvm_flags:
            env["SERVER_JVMFLAGS"] = " ".join(self.jvm_flags)
        return env

    def log_tail(self, lines=30):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(empty log)"

    def start(self, timeout=None):
        timeout = timeout or STARTUP_TIMEOUT[self.kind]
        cmd = self.command()
        if self.kind == "zkd" and not os.access(cmd[0], os.X_OK):
            raise ServerStartError(f"zkd binary not found or not executable: {cmd[0]} (set ZKD_BIN or run cargo build)")
        if self.kind == "apache" and not Path(ZK_CLASSPATH.split(":")[-1]).exists():
            raise ServerStartError(f"Apache ZooKeeper jar missing ({ZK_CLASSPATH}); install libzookeeper-java")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True, env=self._env(),
        )
        log.close()
        deadline = time.monotonic() + timeout
        last_err = "no answer yet"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerStartError(
                    f"{self.kind} exited with status {rc} before serving on port {self.port}\n"
                    f"command: {' '.join(cmd)}\n--- log tail ---\n{self.log_tail()}")
            try:
                answer = four_letter(self.port, "ruok", timeout=1.0)
                if answer == "imok":
                    return self
                last_err = f"ruok answered {answer!r}"
            except OSError as e:
                last_err = str(e)
            time.sleep(0.1)
        self.stop()
        raise ServerStartError(
            f"{self.kind} did not answer ruok with imok within {timeout:.0f}s on port {self.port} "
            f"({last_err})\n--- log tail ---\n{self.log_tail()}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def four_letter(self, word):
        return four_letter(self.port, word)

    def __repr__(self):
        return f"<{self.kind} server on {self.hosts}>"


def run_transcript(java_harness, server, timeout=180):
    """Run the Java transcript against a server; returns (exit status, stdout lines, stderr)."""
    res = subprocess.run(
        java_harness + ["ZkTranscript", server.hosts],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    return res.returncode, res.stdout.splitlines(), res.stderr
