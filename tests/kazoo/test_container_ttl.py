"""Container (op 19) and TTL (op 21) nodes. kazoo 2.8 has no API for them, so the requests are
built with kazoo's own serializers and sent through its connection (client._call), exactly as
its create() does. The servers run with extendedTypesEnabled=true."""
import struct

import pytest
from kazoo.exceptions import (BadArgumentsError, MarshallingError, NodeExistsError,
                              NoNodeError)
from kazoo.protocol.serialization import Create2
from kazoo.protocol.states import EventType
from kazoo.security import OPEN_ACL_UNSAFE

from kzutil import Recorder, wait_for

CONTAINER, TTL, TTL_SEQ = 4, 5, 6


class CreateContainer(Create2):
    type = 19


class CreateTTL(Create2):
    type = 21

    def __new__(cls, path, data, acl, flags, ttl):
        self = super().__new__(cls, path, data, acl, flags)
        self.ttl = ttl
        return self

    def serialize(self):
        return super().serialize() + struct.pack("!q", self.ttl)


def call(client, request):
    result = client.handler.async_result()
    client._call(request, result)
    return result.get(timeout=30)


def create_container(client, path, data=b""):
    return call(client, CreateContainer(path, data, OPEN_ACL_UNSAFE, CONTAINER))


def create_ttl(client, path, ttl, flags=TTL, data=b""):
    return call(client, CreateTTL(path, data, OPEN_ACL_UNSAFE, flags, ttl))


def test_container_create_and_stat(client, base):
    path, st = create_container(client, base + "/box", b"c")
    assert path == base + "/box"
    assert st.ephemeralOwner == 0  # stored owner is 0x8000000000000000 but clients see 0
    assert (st.version, st.cversion, st.dataLength) == (0, 0, 1)
    assert client.exists(base + "/box") == st
    client.create(base + "/box/child", ephemeral=True)  # containers may have (ephemeral) children
    assert client.get_children(base + "/box") == ["child"]
    with pytest.raises(NodeExistsError):
        create_container(client, base + "/box")
    with pytest.raises(NoNodeError):
        create_container(client, base + "/nope/box")


def test_ttl_create_and_stat(client, base):
    path, st = create_ttl(client, base + "/ttl", 3600 * 1000, data=b"t")
    assert path == base + "/ttl"
    assert st.ephemeralOwner == 0
    assert st.dataLength == 1
    client.create(base + "/ttl/kid")
    path, st = create_ttl(client, base + "/tseq-", 60000, flags=TTL_SEQ)
    assert path == base + "/tseq-%010d" % 1
    assert st.ephemeralOwner == 0


@pytest.mark.parametrize("flags,ttl", [
    (TTL, 0),                  # ttl must be >= 1
    (TTL, -5),
    (TTL, 0xFF_FFFF_FFFF + 1),  # over the 40-bit limit
    (0, 1000),                 # non-TTL flags need ttl < 0
    (1, 1000),                 # ephemeral cannot carry a TTL
    (3, 1000),
    (7, 1000),                 # no such mode
])
def test_ttl_bad_arguments(client, base, flags, ttl):
    with pytest.raises(BadArgumentsError):
        create_ttl(client, base + "/bad", ttl, flags=flags)
    assert client.exists(base + "/bad") is None


def test_ttl_max_value_accepted(client, base):
    _, st = create_ttl(client, base + "/max", 0xFF_FFFF_FFFF)
    assert st.ephemeralOwner == 0


def test_reaper_removes_used_empty_containers_and_expired_ttl_nodes(make_client, base):
    """ZooKeeper's reaper runs every 60 s (znode.container.checkIntervalMs default); wait up to
    180 s for it. A used-then-emptied container and an expired childless TTL node go; a
    never-used container, a container with a child and a TTL node with a child stay."""
    c = make_client()
    create_container(c, base + "/used")
    c.create(base + "/used/x")
    c.delete(base + "/used/x")
    create_container(c, base + "/never-used")
    create_container(c, base + "/busy")
    c.create(base + "/busy/x")
    create_ttl(c, base + "/short", 1)
    create_ttl(c, base + "/short-busy", 1)
    c.create(base + "/short-busy/x")
    rec = Recorder()
    c.exists(base + "/used", watch=rec)
    wait_for(lambda: c.exists(base + "/used") is None and c.exists(base + "/short") is None,
             timeout=180, what="reaper")
    assert rec.wait(1)[0].type == EventType.DELETED
    for p in ("/never-used", "/busy", "/short-busy"):
        assert c.exists(base + p) is not None, p


def test_ttl_create_without_ttl_field_is_marshalling_error(client, base):
    # body cut before the ttl field: ZooKeeper answers MarshallingError (-5) and the
    # connection stays usable
    class TruncatedTTL(Create2):
        type = 21
    with pytest.raises(MarshallingError):
        call(client, TruncatedTTL(base + "/trunc", b"", OPEN_ACL_UNSAFE, TTL))
    assert client.connected
    assert client.exists(base + "/trunc") is None
