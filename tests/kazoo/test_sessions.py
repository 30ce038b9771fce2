"""Sessions: ephemeral cleanup on close and on expiry, re-attach to live, expired and forged sessions."""
import subprocess
import sys

from kazoo.protocol.states import EventType, KeeperState

from kzutil import Recorder, wait_for

# A client process that creates an ephemeral node, reports its session and
# then vanishes without closing the session (SIGKILL-like os._exit).
CHILD = r"""
import os, sys
from kazoo.client import KazooClient
c = KazooClient(hosts=sys.argv[1], timeout=float(sys.argv[3]))
c.start(timeout=30)
c.create(sys.argv[2], b"owned", ephemeral=True)
sid, pw = c.client_id
print("%d %s" % (sid, pw.hex()), flush=True)
sys.stdin.readline()
os._exit(0)
"""


def record_keeper_states(c):
    """Record kazoo's low-level KeeperState transitions (LOST is kazoo's initial
    KazooState, so a listener cannot see an expiry reported during start())."""
    states = []
    orig = c._session_callback

    def cb(state):
        states.append(state)
        return orig(state)

    c._session_callback = cb
    return states


def spawn_owner(server, path, timeout):
    p = subprocess.Popen([sys.executable, "-c", CHILD, server.hosts, path, str(timeout)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line, "child client failed"
    sid, pw = line.split()
    return p, int(sid), bytes.fromhex(pw)


def test_ephemerals_removed_on_session_close(make_client, base):
    owner = make_client()
    watcher = make_client()
    owner.create(base + "/e1", ephemeral=True)
    owner.create(base + "/e2", b"x", ephemeral=True)
    owner.create(base + "/keep")
    rec = Recorder()
    watcher.exists(base + "/e1", watch=rec)
    kids = Recorder()
    watcher.get_children(base, watch=kids)
    owner.stop()
    # closeSession commits before its reply, so the nodes are gone now
    assert watcher.exists(base + "/e1") is None
    assert watcher.exists(base + "/e2") is None
    assert watcher.exists(base + "/keep") is not None
    ev = rec.wait(1)[0]
    assert (ev.type, ev.path) == (EventType.DELETED, base + "/e1")
    assert kids.wait(1)[0].type == EventType.CHILD


def test_ephemeral_removed_on_session_expiry(server, make_client, base):
    watcher = make_client()
    proc, sid, _pw = spawn_owner(server, base + "/eph", timeout=4.0)
    try:
        st = watcher.exists(base + "/eph")
        assert st is not None and st.ephemeralOwner == sid
        rec = Recorder()
        watcher.exists(base + "/eph", watch=rec)
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)
        # the session expires after its negotiated timeout; wait for it
        ev = rec.wait(1, timeout=60)[0]
        assert (ev.type, ev.path) == (EventType.DELETED, base + "/eph")
        assert watcher.exists(base + "/eph") is None
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_reattach_to_expired_session_reports_lost(server, make_client, base):
    proc, sid, pw = spawn_owner(server, base + "/eph", timeout=4.0)
    watcher = make_client()
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=30)
    wait_for(lambda: watcher.exists(base + "/eph") is None, timeout=60, what="expiry")
    c = make_client(start=False, client_id=(sid, pw))
    states = record_keeper_states(c)
    c.start(timeout=30)
    # the server answered the re-attach with the "expired" ConnectResponse
    assert KeeperState.EXPIRED_SESSION in states
    # kazoo then opens a brand-new session
    wait_for(lambda: c.connected and c.client_id and c.client_id[0] != sid, what="new session")


def test_reattach_to_live_session_keeps_ephemerals(server, make_client, base):
    proc, sid, pw = spawn_owner(server, base + "/eph", timeout=10.0)
    try:
        c = make_client(client_id=(sid, pw))
        assert c.client_id[0] == sid
        assert c.exists(base + "/eph").ephemeralOwner == sid
        # the re-attached client owns the session now; closing it removes the node
        c.stop()
        other = make_client()
        assert other.exists(base + "/eph") is None
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_wrong_password_is_treated_as_expired(make_client):
    c1 = make_client()
    sid, pw = c1.client_id
    bad = bytes(b ^ 0xFF for b in pw)
    c2 = make_client(start=False, client_id=(sid, bad))
    states = record_keeper_states(c2)
    c2.start(timeout=30)
    assert KeeperState.EXPIRED_SESSION in states
    assert c2.client_id[0] != sid
    # the real owner is unaffected
    assert c1.exists("/") is not None


def test_session_ids_are_distinct_and_server_id_one(make_client):
    ids = [make_client().client_id[0] for _ in range(3)]
    assert len(set(ids)) == 3
    for sid in ids:
        assert sid >> 56 == 1  # standalone server id in the top byte
