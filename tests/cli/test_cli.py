"""The shipped command-line clients against each target server.

- zkCli.sh (Java, Debian package `zookeeper`): commands fed on stdin, one session, outputs checked.
- cli_mt (C client, Debian package `zookeeper-bin`): batch mode (`-c CMD`), one session per command.
"""

import os
import re
import subprocess

import pytest

from zkharness import CLI_MT, ZKCLI

CLIENT_TIMEOUT = 60


def run(cmd, stdin_text=None, timeout=CLIENT_TIMEOUT):
    try:
        res = subprocess.run(
            cmd, input=stdin_text, capture_output=True, text=True, timeout=timeout,
            stdin=None if stdin_text is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        pytest.fail(f"{cmd[0]} did not finish within {timeout}s; output so far:\n{out[-3000:]}", pytrace=False)
    return res.returncode, res.stdout + res.stderr


def zkcli(server, script=None, args=()):
    if not os.access(ZKCLI, os.X_OK):
        pytest.fail(f"{ZKCLI} missing: install the Debian package 'zookeeper'", pytrace=False)
    env_cmd = [ZKCLI, "-server", server.hosts, *args]
    return run(env_cmd, stdin_text=script)


def cli_mt(server, command):
    if not os.access(CLI_MT, os.X_OK):
        pytest.fail(f"{CLI_MT} missing: install the Debian package 'zookeeper-bin'", pytrace=False)
    rc, out = run([CLI_MT, "-h", server.hosts, "-c", command], timeout=30)
    assert rc == 0, f"cli_mt -c {command!r} exited {rc}:\n{out}"
    assert re.search(r"Got a new session id: 0x[0-9a-f]*[1-9a-f][0-9a-f]*", out), f"no session established:\n{out}"
    return out


def stat_blocks(out):
    """The `key = value` stat blocks zkCli prints (one per stat command), in order."""
    blocks = []
    for m in re.finditer(r"^cZxid = .*?^numChildren = .*?$", out, re.M | re.S):
        blocks.append(dict(re.findall(r"^(\w+) = (.*)$", m.group(0), re.M)))
    return blocks


def test_zkcli_session(zk_server, zk_path):
    p = zk_path
    script = "\n".join([
        f"create {p} d1",
        f"create {p}/kid k",
        f"create -e {p}/eph e",
        f"create -s {p}/seq- s",
        f"ls {p}",
        f"get {p}",
        f"stat {p}",
        f"set {p} d2",
        f"stat {p}",
        f"get {p}",
        f"getAcl {p}",
        f"create {p} again",
        f"delete {p}",
        f"delete {p}/kid",
        f"ls {p}",
        f"get {p}/missing",
        "quit",
        "",
    ])
    rc, out = zkcli(zk_server, script)
    assert f"Created {p}\n" in out, out
    assert f"Created {p}/kid\n" in out
    assert f"Created {p}/eph\n" in out
    assert re.search(rf"Created {re.escape(p)}/seq-\d{{10}}\n", out), out
    listing = re.findall(r"^\[([^\]\n]*)\]$", out, re.M)
    assert listing, out
    first = sorted(x.strip() for x in listing[0].split(","))
    assert first[:2] == ["eph", "kid"] and re.fullmatch(r"seq-\d{10}", first[2]), listing
    assert "\nd1\n" in out and "\nd2\n" in out
    blocks = stat_blocks(out)
    assert len(blocks) == 2, out
    st1, st2 = blocks
    assert st1["dataVersion"] == "0" and st1["numChildren"] == "3" and st1["ephemeralOwner"] == "0x0", st1
    assert st1["cversion"] == "3" and st1["dataLength"] == "2" and st1["cZxid"].startswith("0x"), st1
    assert st2["dataVersion"] == "1" and st2["cZxid"] == st1["cZxid"] and st2["mZxid"] != st1["mZxid"], st2
    assert int(st2["mZxid"], 16) > int(st1["mZxid"], 16)
    assert "'world,'anyone\n: cdrwa" in out, out
    assert f"Node already exists: {p}" in out
    assert f"Node not empty: {p}" in out
    assert f"Node does not exist: {p}/missing" in out
    # after deleting kid: eph (our own ephemeral) and the sequential node remain
    last = sorted(x.strip() for x in listing[-1].split(","))
    assert last[0] == "eph" and len(last) == 2, listing


def test_zkcli_one_shot_commands(zk_server, zk_path):
    rc, out = zkcli(zk_server, args=("create", zk_path, "hello"))
    assert rc == 0 and f"Created {zk_path}" in out, out
    rc, out = zkcli(zk_server, args=("get", zk_path))
    assert rc == 0 and "\nhello\n" in out, out
    rc, out = zkcli(zk_server, args=("get", zk_path + "/nope"))
    assert rc != 0 and f"Node does not exist: {zk_path}/nope" in out, out
    rc, out = zkcli(zk_server, args=("delete", zk_path))
    assert rc == 0, out
    rc, out = zkcli(zk_server, args=("stat", zk_path))
    assert rc != 0 and f"Node does not exist: {zk_path}" in out, out


def test_zkcli_ephemeral_gone_after_quit(zk_server, zk_path):
    rc, out = zkcli(zk_server, f"create -e {zk_path} x\nstat {zk_path}\nquit\n")
    assert rc == 0 and f"Created {zk_path}" in out, out
    owner = stat_blocks(out)[0]["ephemeralOwner"]
    assert owner != "0x0" and int(owner, 16) >> 56 == 1, out  # session id carries server id 1 (standalone)
    # `quit` closed that session, so the ephemeral is gone now
    rc, out = zkcli(zk_server, args=("stat", zk_path))
    assert f"Node does not exist: {zk_path}" in out, out


def test_c_client_create_get_set_ls_delete(zk_server, zk_path):
    p = zk_path
    out = cli_mt(zk_server, f"create {p}")
    assert f"[{p}]: rc = 0\n\tname = {p}\n" in out, out
    out = cli_mt(zk_server, f"get {p}")
    assert f"{p}: rc = 0\n value_len = 3\nnew\n" in out, out  # cli_mt always writes "new"
    assert re.search(r"\tversion=0\taversion=0\n\tephemeralOwner = 0\n", out), out
    out = cli_mt(zk_server, f"set {p} world")
    assert f"{p}: rc = 0 Stat:" in out and "\tversion=1\t" in out, out
    out = cli_mt(zk_server, f"get {p}")
    assert f"{p}: rc = 0\n value_len = 5\nworld\n" in out, out
    out = cli_mt(zk_server, f"create +s {p}/s-")
    assert re.search(rf"\tname = {re.escape(p)}/s-0000000000\n", out), out
    out = cli_mt(zk_server, f"create {p}/kid")
    assert f"[{p}/kid]: rc = 0" in out, out
    out = cli_mt(zk_server, f"ls {p}")
    kids = sorted(re.findall(r"^\t(\S+)$", out.split(f"{p}: rc = 0", 1)[1], re.M))
    assert kids == ["kid", "s-0000000000"], out
    out = cli_mt(zk_server, f"ls2 {p}")
    assert f"{p}: rc = 0" in out and "\tversion=1\t" in out, out
    out = cli_mt(zk_server, f"create {p}")
    assert f"[{p}]: rc = -110" in out, out  # ZNODEEXISTS
    out = cli_mt(zk_server, f"delete {p}")
    assert f"{p}: rc = -111" in out, out  # ZNOTEMPTY
    for kid in ("kid", "s-0000000000"):
        out = cli_mt(zk_server, f"delete {p}/{kid}")
        assert f"{p}/{kid}: rc = 0" in out, out
    out = cli_mt(zk_server, f"delete {p}")
    assert f"{p}: rc = 0" in out, out
    out = cli_mt(zk_server, f"get {p}")
    assert f"{p}: rc = -101" in out, out  # ZNONODE
    out = cli_mt(zk_server, f"ls {p}")
    assert f"{p}: rc = -101" in out, out


def test_c_client_create2_ephemeral_and_sync(zk_server, zk_path):
    p = zk_path
    out = cli_mt(zk_server, f"create2 {p}")
    m = re.search(r"\tczxid=([0-9a-f]+)\n.*\tmzxid=([0-9a-f]+)\n", out, re.S)
    assert f"[{p}]: rc = 0" in out and m and m.group(1) == m.group(2) and m.group(1) != "0", out
    out = cli_mt(zk_server, f"create +e {p}/e")
    assert f"[{p}/e]: rc = 0" in out, out
    out = cli_mt(zk_server, f"ls {p}")  # the creating session is closed, so its ephemeral is gone
    assert f"{p}: rc = 0" in out and "\te\n" not in out.split(f"{p}: rc = 0", 1)[1], out
    out = cli_mt(zk_server, f"sync {p}")
    assert f"[{p}]: rc = 0" in out, out
