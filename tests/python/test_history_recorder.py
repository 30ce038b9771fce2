"""Concurrent kazoo clients against a real server, recorded with history_recorder and judged by
`zkd check-history` (the same checker the replication tests use). Runs on every target in
ZK_TARGETS: Apache ZooKeeper validates the recorder and the checker, zkd is what is tested."""
import json
import os
import random
import subprocess
import threading

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import KazooException

from history_recorder import HistoryRecorder
from zkharness import ZKD_BIN, targets

CLIENTS = 4
OPS_PER_CLIENT = 80
BASE = "/hist"
PATHS = [BASE + "/p%d" % i for i in range(3)]


def check_history(path, *args):
    res = subprocess.run([ZKD_BIN, "check-history", *args, str(path)], capture_output=True, text=True, timeout=120)
    return res.returncode, res.stdout, res.stderr


def workload(rc, seed, errors):
    """Random create/set/get/exists/delete/multi on a few shared paths; expected errors are part
    of the history, anything else fails the test."""
    rnd = random.Random(seed)
    try:
        for i in range(OPS_PER_CLIENT):
            p = rnd.choice(PATHS)
            value = ("c%d-%d" % (seed, i)).encode()
            kind = rnd.choice(["create", "create", "set", "set", "set", "setv", "get", "get", "exists",
                               "children", "delete", "multi", "sync"])
            try:
                if kind == "create":
                    rc.create(p, value)
                elif kind == "set":
                    rc.set(p, value)
                elif kind == "setv":
                    # Compare-and-set on the version just read: often races with the others.
                    _, stat = rc.get(p)
                    rc.set(p, value, version=stat.version)
                elif kind == "get":
                    rc.get(p)
                elif kind == "exists":
                    rc.exists(p)
                elif kind == "children":
                    rc.get_children(BASE)
                elif kind == "delete":
                    rc.delete(p, version=rnd.choice([-1, 0, 1]))
                elif kind == "multi":
                    q = rnd.choice(PATHS)
                    rc.transaction([("check", p, rnd.choice([0, 1, 2])), ("set", q, value, -1)])
                else:
                    rc.sync(p)
            except KazooException:
                pass
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(e)


def record(server, tmp_path):
    setup = KazooClient(hosts=server.hosts, timeout=10.0)
    setup.start(timeout=30)
    try:
        setup.create(BASE, b"")
        rec = HistoryRecorder()
        rec.declare(BASE, b"", 0)
        clients = [KazooClient(hosts=server.hosts, timeout=10.0) for _ in range(CLIENTS)]
        for c in clients:
            c.start(timeout=30)
        errors = []
        threads = [threading.Thread(target=workload, args=(rec.wrap(c), seed, errors)) for seed, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "workload threads hung"
        assert not errors, errors
        for c in clients:
            c.stop()
            c.close()
    finally:
        setup.stop()
        setup.close()
    path = tmp_path / "history.jsonl"
    rec.write(path)
    return rec, path


@pytest.mark.parametrize("kind", targets())
def test_concurrent_clients_are_linearizable(kind, server_factory, tmp_path):
    server = server_factory(kind)
    rec, path = record(server, tmp_path)
    events = rec.events
    assert len(events) >= CLIENTS * OPS_PER_CLIENT
    outcomes = {e["outcome"] for e in events}
    assert "ok" in outcomes and "node_exists" in outcomes, outcomes
    assert len({e["session"] for e in events}) == CLIENTS
    code, out, err = check_history(path)
    assert code == 0, "%s\n%s\nhistory kept at %s" % (out, err, path)
    assert out.startswith("linearizable:"), out

    # The same history with one read made stale must be caught: the recorder and the checker agree
    # on the format end to end.
    reads = [i for i, e in enumerate(events) if e["op"]["type"] == "get" and e["outcome"] == "ok"]
    assert reads, "the workload read nothing"
    last = max(e["return"] for e in events)
    victim = events[reads[-1]]
    stale = dict(victim, id=len(events) + 1, session="tamper", invoke=last + 1, **{"return": last + 2})
    stale["data"] = "never written"
    stale.pop("zxid", None)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(stale) + "\n")
    code, out, err = check_history(path)
    assert code == 1, "%s\n%s" % (out, err)
    assert "NOT LINEARIZABLE" in out and "session=tamper" in out, out


@pytest.mark.parametrize("kind", targets())
def test_pipelined_sessions_keep_fifo(kind, server_factory, tmp_path):
    """Each writer pipelines bursts of sets (and a read of its own) on one connection; readers
    poll. The history must be linearizable with per-session FIFO — the pipelined ops overlap in
    time, so only the session order says which of a burst landed last."""
    server = server_factory(kind)
    setup = KazooClient(hosts=server.hosts, timeout=10.0)
    setup.start(timeout=30)
    rec = HistoryRecorder()
    try:
        setup.create(BASE, b"")
        for p in PATHS:
            setup.create(p, b"")
            rec.declare(p, b"", 0)
        rec.declare(BASE, b"", 0)
        clients = [KazooClient(hosts=server.hosts, timeout=10.0) for _ in range(4)]
        for c in clients:
            c.start(timeout=30)
        errors = []

        def writer(rc, seed):
            rnd = random.Random(seed)
            try:
                for burst in range(15):
                    p = rnd.choice(PATHS)
                    ops = [("set", p, ("w%d-%d-%d" % (seed, burst, k)).encode(), -1) for k in range(4)]
                    ops.append(("get", p))
                    results = rc.pipeline(ops)
                    # Own writes in order: the read sees the last set of the burst or something newer.
                    assert all(not isinstance(r, Exception) for r in results), results
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        def reader(rc):
            try:
                for _ in range(40):
                    rc.pipeline([("get", p) for p in PATHS])
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(rec.wrap(c), i)) for i, c in enumerate(clients[:3])]
        threads.append(threading.Thread(target=reader, args=(rec.wrap(clients[3]),)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "workload threads hung"
        assert not errors, errors
        for c in clients:
            c.stop()
            c.close()
    finally:
        setup.stop()
        setup.close()
    path = tmp_path / "pipelined.jsonl"
    rec.write(path)
    code, out, err = check_history(path)
    assert code == 0, "%s\n%s\nhistory kept at %s" % (out, err, path)
    # Claim one burst was issued in another order: swap the data of its first and last set.
    # Its own pipelined read (issued after the burst) saw the last set's data, which now belongs
    # to the first set: session order (and the versions) make that impossible.
    events = rec.events
    own_reads = [e for e in events if e["op"]["type"] == "get" and e.get("data", "").endswith("-3")
                 and e["data"].startswith("w")]
    by_data = {e["op"]["data"]: e for e in events if e["op"]["type"] == "set"}
    candidates = []
    for r in own_reads:
        last = by_data.get(r["data"])
        first = by_data.get(r["data"][:-1] + "0")
        if last and first and last["session"] == r["session"] == first["session"]:
            candidates.append((first, last))
    assert candidates, "no burst was read back by its own session unchanged"
    first, last = candidates[0]
    first["op"]["data"], last["op"]["data"] = last["op"]["data"], first["op"]["data"]
    bad = tmp_path / "reordered.jsonl"
    rec.write(bad)
    code, out, err = check_history(bad)
    assert code == 1, "%s\n%s" % (out, err)
    assert "NOT LINEARIZABLE" in out, out
