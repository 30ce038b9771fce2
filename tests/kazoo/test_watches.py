"""Watches through kazoo: one-shot data/exists/child watches and the DataWatch/ChildrenWatch recipes."""
from kazoo.exceptions import NoNodeError
from kazoo.protocol.states import EventType

from kzutil import Recorder, wait_for


def flush(client, base, tag):
    """Fire a fresh exists-watch behind everything sent so far and wait for it, so any
    earlier notification for this connection has been delivered (events are ordered)."""
    rec = Recorder()
    p = "%s/flush-%s" % (base, tag)
    client.exists(p, watch=rec)
    client.create(p)
    rec.wait(1)


def test_data_watch_fires_once_on_change(make_client, base):
    c = make_client()
    writer = make_client()
    c.create(base + "/n", b"v0")
    rec = Recorder()
    data, _ = c.get(base + "/n", watch=rec)
    assert data == b"v0"
    writer.set(base + "/n", b"v1")
    ev = rec.wait(1)[0]
    assert (ev.type, ev.path, ev.state) == (EventType.CHANGED, base + "/n", "CONNECTED")
    writer.set(base + "/n", b"v2")
    flush(c, base, "a")
    assert len(rec.items) == 1  # standard watches are one-shot


def test_exists_watch_on_missing_node_fires_created(make_client, base):
    c = make_client()
    rec = Recorder()
    assert c.exists(base + "/later", watch=rec) is None
    make_client().create(base + "/later")
    ev = rec.wait(1)[0]
    assert (ev.type, ev.path) == (EventType.CREATED, base + "/later")


def test_get_on_missing_node_leaves_no_watch(make_client, base):
    c = make_client()
    rec = Recorder()
    try:
        c.get(base + "/ghost", watch=rec)
        raise AssertionError("expected NoNodeError")
    except NoNodeError:
        pass
    try:
        c.get_children(base + "/ghost", watch=rec)
        raise AssertionError("expected NoNodeError")
    except NoNodeError:
        pass
    make_client().create(base + "/ghost")
    flush(c, base, "b")
    assert rec.items == []


def test_child_watch_fires_on_create_and_delete(make_client, base):
    c = make_client()
    w = make_client()
    rec = Recorder()
    assert c.get_children(base, watch=rec) == []
    w.create(base + "/k1")
    ev = rec.wait(1)[0]
    assert (ev.type, ev.path) == (EventType.CHILD, base)
    rec2 = Recorder()
    assert c.get_children(base, watch=rec2) == ["k1"]
    w.delete(base + "/k1")
    ev = rec2.wait(1)[0]
    assert (ev.type, ev.path) == (EventType.CHILD, base)
    # data changes of a child do not trigger the parent's child watch
    rec3 = Recorder()
    w.create(base + "/k2")
    c.get_children(base, watch=rec3)
    w.set(base + "/k2", b"x")
    flush(c, base + "/k2", "c")
    assert rec3.items == []


def test_delete_fires_data_and_child_watches_of_node_and_parent(make_client, base):
    c = make_client()
    w = make_client()
    c.create(base + "/d")
    data_rec, child_rec, parent_rec = Recorder(), Recorder(), Recorder()
    c.get(base + "/d", watch=data_rec)
    c.get_children(base + "/d", watch=child_rec)
    c.get_children(base, watch=parent_rec)
    w.delete(base + "/d")
    assert (data_rec.wait(1)[0].type, data_rec.items[0].path) == (EventType.DELETED, base + "/d")
    assert parent_rec.wait(1)[0].type == EventType.CHILD
    # kazoo delivers the single NodeDeleted event to every watcher of that path
    assert child_rec.wait(1)[0].type == EventType.DELETED


def test_set_acl_triggers_no_watch(make_client, base):
    from kazoo.security import OPEN_ACL_UNSAFE
    c = make_client()
    c.create(base + "/a")
    rec = Recorder()
    c.get(base + "/a", watch=rec)
    c.set_acls(base + "/a", OPEN_ACL_UNSAFE)
    flush(c, base, "d")
    assert rec.items == []


def test_own_write_event_arrives(make_client, base):
    c = make_client()
    c.create(base + "/self", b"0")
    rec = Recorder()
    c.get(base + "/self", watch=rec)
    c.set(base + "/self", b"1")
    assert rec.wait(1)[0].type == EventType.CHANGED


def test_data_watch_recipe(make_client, base):
    c = make_client()
    w = make_client()
    seen = []

    @c.DataWatch(base + "/dw")
    def watcher(data, stat):
        seen.append((data, stat.version if stat else None))

    wait_for(lambda: seen == [(None, None)], what="initial DataWatch call")
    w.create(base + "/dw", b"one")
    wait_for(lambda: seen[-1] == (b"one", 0), what="created")
    w.set(base + "/dw", b"two")
    wait_for(lambda: seen[-1] == (b"two", 1), what="changed")
    w.delete(base + "/dw")
    wait_for(lambda: seen[-1] == (None, None), what="deleted")


def test_children_watch_recipe(make_client, base):
    c = make_client()
    w = make_client()
    seen = []

    @c.ChildrenWatch(base)
    def watcher(children):
        seen.append(sorted(children))

    wait_for(lambda: seen and seen[-1] == [], what="initial")
    w.create(base + "/a")
    wait_for(lambda: seen[-1] == ["a"], what="a")
    w.create(base + "/b")
    wait_for(lambda: seen[-1] == ["a", "b"], what="a,b")
    w.delete(base + "/a")
    wait_for(lambda: seen[-1] == ["b"], what="b")


def test_many_watchers_one_event_each(make_client, base):
    writer = make_client()
    writer.create(base + "/hot", b"")
    clients = [make_client() for _ in range(5)]
    recs = []
    for c in clients:
        r = Recorder()
        c.get(base + "/hot", watch=r)
        recs.append(r)
    writer.set(base + "/hot", b"x")
    for r in recs:
        assert r.wait(1)[0].type == EventType.CHANGED


def test_chroot_client_sees_relative_paths(server, make_client, base):
    # chroot is client-side: the server sees full paths, kazoo strips the prefix
    plain = make_client()
    rooted = make_client(hosts=server.hosts + base)
    rec = Recorder()
    assert rooted.exists("/in", watch=rec) is None
    name = rooted.create("/in", b"x")
    assert name == "/in"
    ev = rec.wait(1)[0]
    assert (ev.type, ev.path) == (EventType.CREATED, "/in")
    assert plain.get(base + "/in")[0] == b"x"
    seq = rooted.create("/in/s-", sequence=True)
    assert seq == "/in/s-0000000000"
    assert plain.get_children(base + "/in") == ["s-0000000000"]
