"""CRUD through kazoo with exact Stat bookkeeping (spec §6.3-6.6)."""
import time

import pytest
from kazoo.exceptions import (BadArgumentsError, BadVersionError, NoChildrenForEphemeralsError,
                              NodeExistsError, NoNodeError, NotEmptyError)


def test_create_sets_every_stat_field(client, base):
    path, st = client.create(base + "/n", b"abc", include_data=True)
    assert path == base + "/n"
    assert st.czxid == st.mzxid == st.pzxid > 0
    assert st.ctime == st.mtime
    # ctime is wall-clock milliseconds (generous window; not a timing assertion)
    assert abs(st.ctime / 1000.0 - time.time()) < 600
    assert (st.version, st.cversion, st.aversion) == (0, 0, 0)
    assert st.ephemeralOwner == 0
    assert (st.dataLength, st.numChildren) == (3, 0)
    data, st2 = client.get(path)
    assert data == b"abc"
    assert st2 == st
    assert client.exists(path) == st


def test_create_reply_zxid_is_the_node_czxid(client, base):
    _, st = client.create(base + "/z", include_data=True)
    assert client.last_zxid == st.czxid


def test_set_data_updates_version_mzxid_mtime_only(client, base):
    p = base + "/n"
    _, st0 = client.create(p, b"a", include_data=True)
    st1 = client.set(p, b"bcde")
    assert st1.version == 1
    assert st1.mzxid > st0.mzxid
    assert st1.mtime >= st0.mtime
    assert (st1.czxid, st1.ctime, st1.pzxid) == (st0.czxid, st0.ctime, st0.pzxid)
    assert (st1.cversion, st1.aversion, st1.ephemeralOwner) == (0, 0, 0)
    assert st1.dataLength == 4
    st2 = client.set(p, b"", version=1)
    assert st2.version == 2 and st2.dataLength == 0
    with pytest.raises(BadVersionError):
        client.set(p, b"x", version=1)
    assert client.get(p)[1] == st2


def test_null_and_empty_data_are_distinct(client, base):
    client.create(base + "/null", None)
    client.create(base + "/empty", b"")
    d_null, st_null = client.get(base + "/null")
    d_empty, st_empty = client.get(base + "/empty")
    assert d_null is None
    assert d_empty == b""
    assert st_null.dataLength == 0 and st_empty.dataLength == 0


def test_child_create_delete_bookkeeping_on_parent(client, base):
    p = base + "/parent"
    _, st = client.create(p, include_data=True)
    assert (st.cversion, st.numChildren) == (0, 0)

    _, c1 = client.create(p + "/c1", include_data=True)
    st = client.exists(p)
    assert (st.cversion, st.numChildren, st.pzxid) == (1, 1, c1.czxid)
    _, c2 = client.create(p + "/c2", include_data=True)
    st = client.exists(p)
    assert (st.cversion, st.numChildren, st.pzxid) == (2, 2, c2.czxid)
    # parent's own data version and mzxid are untouched by child changes
    assert (st.version, st.mzxid) == (0, st.czxid)

    client.delete(p + "/c1")
    delete_zxid = client.last_zxid
    st = client.exists(p)
    # visible cversion = 2 * creates - live children: a delete raises it by one
    assert (st.cversion, st.numChildren) == (3, 1)
    assert st.pzxid == delete_zxid > c2.czxid
    client.delete(p + "/c2")
    st = client.exists(p)
    assert (st.cversion, st.numChildren) == (4, 0)
    assert sorted(client.get_children(p)) == []


def test_get_children2_returns_parent_stat(client, base):
    client.create(base + "/a")
    client.create(base + "/b", b"xy")
    children, st = client.get_children(base, include_data=True)
    assert sorted(children) == ["a", "b"]
    assert st == client.exists(base)
    assert st.numChildren == 2


def test_system_nodes(client):
    assert "zookeeper" in client.get_children("/")
    assert sorted(client.get_children("/zookeeper")) == ["config", "quota"]
    st = client.exists("/zookeeper")
    assert (st.czxid, st.mzxid, st.pzxid, st.ctime, st.mtime) == (0, 0, 0, 0, 0)
    assert (st.version, st.aversion, st.ephemeralOwner, st.dataLength) == (0, 0, 0, 0)
    assert (st.cversion, st.numChildren) == (-2, 2)
    acl, _ = client.get_acls("/zookeeper/config")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acl] == [(1, "world", "anyone")]
    acl, _ = client.get_acls("/")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acl] == [(31, "world", "anyone")]
    with pytest.raises(NodeExistsError):
        client.create("/zookeeper")
    with pytest.raises(BadArgumentsError):
        client.delete("/zookeeper/quota")


def test_root_cversion_follows_children(client):
    st0 = client.exists("/")
    name = "/rootchild-%d" % time.monotonic_ns()
    client.create(name)
    st1 = client.exists("/")
    assert st1.cversion == st0.cversion + 1 and st1.numChildren == st0.numChildren + 1
    client.delete(name)
    st2 = client.exists("/")
    assert st2.cversion == st0.cversion + 2 and st2.numChildren == st0.numChildren


def test_error_codes(client, base):
    with pytest.raises(NoNodeError):
        client.create(base + "/missing/child")
    client.create(base + "/a")
    with pytest.raises(NodeExistsError):
        client.create(base + "/a")
    client.create(base + "/a/b")
    with pytest.raises(NotEmptyError):
        client.delete(base + "/a")
    # version is checked before emptiness
    with pytest.raises(BadVersionError):
        client.delete(base + "/a", version=7)
    with pytest.raises(NoNodeError):
        client.delete(base + "/nope")
    with pytest.raises(NoNodeError):
        client.get(base + "/nope")
    with pytest.raises(NoNodeError):
        client.get_children(base + "/nope")
    with pytest.raises(NoNodeError):
        client.set(base + "/nope", b"")
    assert client.exists(base + "/nope") is None
    client.create(base + "/eph", ephemeral=True)
    with pytest.raises(NoChildrenForEphemeralsError):
        client.create(base + "/eph/child")
    client.delete(base + "/a/b", version=0)
    client.delete(base + "/a", version=0)
    assert client.exists(base + "/a") is None


def test_recursive_delete_and_makepath(client, base):
    client.create(base + "/x/y/z", b"deep", makepath=True)
    assert client.get(base + "/x/y/z")[0] == b"deep"
    client.ensure_path(base + "/x/y/w")
    assert sorted(client.get_children(base + "/x/y")) == ["w", "z"]
    client.delete(base + "/x", recursive=True)
    assert client.exists(base + "/x") is None


def test_large_data_round_trip(client, base):
    blob = bytes(range(256)) * 2048  # 512 KiB, below jute.maxbuffer
    client.create(base + "/big", blob)
    data, st = client.get(base + "/big")
    assert data == blob and st.dataLength == len(blob)


def test_sync_answers(client, base):
    assert client.sync(base) == base


def test_sequential_names_use_parent_create_counter(client, base):
    p = base + "/q"
    client.create(p)
    names = [client.create(p + "/item-", b"%d" % i, sequence=True) for i in range(12)]
    assert names == [p + "/item-%010d" % i for i in range(12)]
    # the counter counts all creates under the parent, sequential or not
    client.create(p + "/plain")
    assert client.create(p + "/x", sequence=True) == p + "/x%010d" % 13
    # and is not reset by deleting children
    for c in client.get_children(p):
        client.delete(p + "/" + c)
    assert client.create(p + "/y-", sequence=True) == p + "/y-%010d" % 14
    eph = client.create(p + "/e-", ephemeral=True, sequence=True)
    assert eph == p + "/e-%010d" % 15
    assert client.exists(eph).ephemeralOwner == client.client_id[0]


def test_sequential_string_order_is_creation_order(client, base):
    created = [client.create(base + "/s-", sequence=True) for _ in range(25)]
    kids = sorted(client.get_children(base))
    assert [base + "/" + k for k in kids] == created


def test_ephemeral_owner_is_session_id(client, base):
    _, st = client.create(base + "/e", ephemeral=True, include_data=True)
    assert st.ephemeralOwner == client.client_id[0] != 0
    _, st = client.create(base + "/p", include_data=True)
    assert st.ephemeralOwner == 0
