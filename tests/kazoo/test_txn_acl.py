"""multi (kazoo transactions) and ACLs with digest/auth schemes."""
import pytest
from kazoo.exceptions import (AuthFailedError, BadVersionError, InvalidACLError, NoAuthError,
                              NodeExistsError, NoNodeError, NotEmptyError, RolledBackError,
                              RuntimeInconsistency)
from kazoo.security import (ACL, Id, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, Permissions,
                            make_digest_acl, make_digest_acl_credential)


# ---------------------------------------------------------------- transactions

def test_transaction_success_applies_everything_with_one_zxid(client, base):
    client.create(base + "/existing", b"old")
    client.create(base + "/doomed")
    t = client.transaction()
    t.create(base + "/new", b"n")
    t.set_data(base + "/existing", b"new")
    t.check(base + "/existing", 1)  # later ops see earlier ops' effects
    t.delete(base + "/doomed")
    t.create(base + "/seq-", sequence=True)
    results = t.commit()
    assert results[0] == base + "/new"
    assert results[1].version == 1
    assert results[2] is True
    assert results[3] is True
    assert results[4].startswith(base + "/seq-") and len(results[4]) == len(base + "/seq-") + 10
    new_st = client.exists(base + "/new")
    assert results[1].mzxid == new_st.czxid
    assert client.get(base + "/existing")[0] == b"new"
    assert client.exists(base + "/doomed") is None


def test_transaction_failure_rolls_back_with_result_pattern(client, base):
    client.create(base + "/a", b"a")
    before = client.exists(base + "/a")
    t = client.transaction()
    t.create(base + "/b")
    t.set_data(base + "/a", b"changed")
    t.check(base + "/a", 99)
    t.create(base + "/c")
    t.delete(base + "/a")
    results = t.commit()
    assert [type(r) for r in results] == [RolledBackError, RolledBackError, BadVersionError,
                                          RuntimeInconsistency, RuntimeInconsistency]
    assert client.exists(base + "/b") is None
    assert client.exists(base + "/c") is None
    assert client.get(base + "/a") == (b"a", before)


@pytest.mark.parametrize("op,exc", [
    ("create_exists", NodeExistsError),
    ("create_noparent", NoNodeError),
    ("delete_missing", NoNodeError),
    ("delete_nonempty", NotEmptyError),
    ("check_missing", NoNodeError),
])
def test_transaction_first_op_errors(client, base, op, exc):
    client.create(base + "/p/c", makepath=True)
    t = client.transaction()
    if op == "create_exists":
        t.create(base + "/p")
    elif op == "create_noparent":
        t.create(base + "/none/x")
    elif op == "delete_missing":
        t.delete(base + "/none")
    elif op == "delete_nonempty":
        t.delete(base + "/p")
    else:
        t.check(base + "/none", 0)
    t.create(base + "/after")
    results = t.commit()
    assert [type(r) for r in results] == [exc, RuntimeInconsistency]
    assert client.exists(base + "/after") is None


def test_failed_transaction_consumes_a_zxid(client, base):
    # x, failed multi, y: y.czxid == x.czxid + 2 unless a foreign txn (say another test's
    # session expiring on this shared server) slips in; retry a few times
    for attempt in range(5):
        _, x = client.create("%s/x%d" % (base, attempt), include_data=True)
        t = client.transaction()
        t.check(base, 42)
        t.commit()
        _, y = client.create("%s/y%d" % (base, attempt), include_data=True)
        if y.czxid == x.czxid + 2:
            return
        assert y.czxid > x.czxid + 2
    raise AssertionError("failed multi did not consume exactly one zxid")


def test_transaction_sequential_creates_number_in_order(client, base):
    t = client.transaction()
    for _ in range(3):
        t.create(base + "/s-", sequence=True)
    res = t.commit()
    assert res == [base + "/s-%010d" % i for i in range(3)]


# ---------------------------------------------------------------- ACLs

def test_digest_credential_format():
    # spec test vector: user:password -> user:base64(sha1("user:password"))
    assert make_digest_acl_credential("user", "password") == "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="


def test_digest_acl_enforced(make_client, base):
    owner = make_client(auth_data=[("digest", "alice:secret")])
    other = make_client()
    friend = make_client(auth_data=[("digest", "alice:secret")])
    wrong = make_client(auth_data=[("digest", "alice:wrong")])
    acl = [make_digest_acl("alice", "secret", all=True)]
    owner.create(base + "/priv", b"hidden", acl=acl)
    for c in (other, wrong):
        with pytest.raises(NoAuthError):
            c.get(base + "/priv")
        with pytest.raises(NoAuthError):
            c.set(base + "/priv", b"x")
        with pytest.raises(NoAuthError):
            c.get_children(base + "/priv")
        with pytest.raises(NoAuthError):
            c.create(base + "/priv/child")
        with pytest.raises(NoAuthError):
            c.get_acls(base + "/priv")
    assert friend.get(base + "/priv")[0] == b"hidden"
    acls, st = friend.get_acls(base + "/priv")
    assert acls == acl and st.aversion == 0
    # delete is governed by the parent's ACL (open here)
    other.delete(base + "/priv")
    assert owner.exists(base + "/priv") is None


def test_add_auth_after_connect(make_client, base):
    owner = make_client()
    owner.add_auth("digest", "bob:pw")
    owner.create(base + "/n", acl=[make_digest_acl("bob", "pw", read=True, write=True)])
    late = make_client()
    with pytest.raises(NoAuthError):
        late.get(base + "/n")
    late.add_auth("digest", "bob:pw")
    assert late.get(base + "/n")[0] == b""
    # no ADMIN permission: set_acls refused, and get_acls (READ is enough) works
    with pytest.raises(NoAuthError):
        late.set_acls(base + "/n", OPEN_ACL_UNSAFE)
    assert late.get_acls(base + "/n")[0][0].perms == Permissions.READ | Permissions.WRITE


def test_auth_scheme_expands_to_digest_identities(make_client, base):
    c = make_client(auth_data=[("digest", "carol:pw1"), ("digest", "dave:pw2")])
    c.create(base + "/n", acl=[ACL(Permissions.ALL, Id("auth", ""))])
    acls, _ = c.get_acls(base + "/n")
    got = sorted((a.perms, a.id.scheme, a.id.id) for a in acls)
    assert got == sorted([
        (31, "digest", make_digest_acl_credential("carol", "pw1")),
        (31, "digest", make_digest_acl_credential("dave", "pw2")),
    ])


def test_auth_scheme_without_credentials_is_invalid(client, base):
    with pytest.raises(InvalidACLError):
        client.create(base + "/n", acl=[ACL(Permissions.ALL, Id("auth", ""))])


@pytest.mark.parametrize("acl", [
    [ACL(Permissions.ALL, Id("world", "someone"))],
    [ACL(Permissions.ALL, Id("digest", "no-colon"))],
    [ACL(Permissions.ALL, Id("nosuchscheme", "x"))],
    [ACL(Permissions.ALL, Id("ip", "not-an-ip"))],
])
def test_invalid_acls(client, base, acl):
    with pytest.raises(InvalidACLError):
        client.create(base + "/n", acl=acl)
    assert client.exists(base + "/n") is None


def test_read_only_world_acl(make_client, base):
    owner = make_client()
    owner.create(base + "/ro", b"r", acl=READ_ACL_UNSAFE)
    other = make_client()
    assert other.get(base + "/ro")[0] == b"r"
    with pytest.raises(NoAuthError):
        other.set(base + "/ro", b"w")
    with pytest.raises(NoAuthError):
        other.create(base + "/ro/child")
    with pytest.raises(NoAuthError):
        other.set_acls(base + "/ro", OPEN_ACL_UNSAFE)


def test_set_acl_bumps_only_aversion(client, base):
    _, st0 = client.create(base + "/n", b"d", include_data=True)
    st1 = client.set_acls(base + "/n", OPEN_ACL_UNSAFE + [make_digest_acl("e", "f", all=True)])
    assert st1.aversion == 1
    assert (st1.version, st1.mzxid, st1.mtime, st1.cversion) == (st0.version, st0.mzxid, st0.mtime, 0)
    with pytest.raises(BadVersionError):
        client.set_acls(base + "/n", OPEN_ACL_UNSAFE, version=0)
    acls, st2 = client.get_acls(base + "/n")
    assert st2.aversion == 1 and len(acls) == 2


def test_get_acl_redacts_digest_without_admin(make_client, base):
    owner = make_client(auth_data=[("digest", "erin:pw")])
    owner.create(base + "/n", acl=READ_ACL_UNSAFE + [make_digest_acl("erin", "pw", all=True)])
    other = make_client()
    acls, _ = other.get_acls(base + "/n")
    ids = sorted((a.id.scheme, a.id.id) for a in acls)
    assert ids == [("digest", "erin:x"), ("world", "anyone")]
    acls, _ = owner.get_acls(base + "/n")
    assert ("digest", make_digest_acl_credential("erin", "pw")) in [(a.id.scheme, a.id.id) for a in acls]


def test_ip_acl(make_client, base):
    c = make_client()
    c.create(base + "/mine", acl=[ACL(Permissions.ALL, Id("ip", "127.0.0.1"))])
    assert c.get(base + "/mine")[0] == b""
    c.create(base + "/net", acl=[ACL(Permissions.ALL, Id("ip", "127.0.0.0/8"))])
    assert c.get(base + "/net")[0] == b""
    c.create(base + "/elsewhere", acl=[ACL(Permissions.ALL, Id("ip", "10.1.2.3"))])
    with pytest.raises(NoAuthError):
        c.get(base + "/elsewhere")


def test_unknown_auth_scheme_fails_the_connection(make_client):
    c = make_client()
    with pytest.raises(AuthFailedError):
        c.add_auth("nosuchscheme", "whatever")


def test_super_digest_from_zoo_cfg(server, server_factory):
    # zoo.cfg's DigestAuthenticationProvider.superDigest becomes the system property
    # zookeeper.DigestAuthenticationProvider.superDigest ("super:test" here)
    from kazoo.client import KazooClient
    fresh = server_factory(server.kind, {
        "DigestAuthenticationProvider.superDigest": "super:D/InIHSb7yEEbrWz8b9l71RjZJU="})
    clients = []

    def make(auth=None):
        c = KazooClient(hosts=fresh.hosts, timeout=10, auth_data=auth)
        clients.append(c)
        c.start(timeout=30)
        return c

    try:
        owner = make([("digest", "frank:pw")])
        owner.create("/locked", b"s", acl=[make_digest_acl("frank", "pw", read=True)])
        with pytest.raises(NoAuthError):
            make().get("/locked")
        with pytest.raises(NoAuthError):
            make([("digest", "super:wrong")]).get("/locked")
        root = make([("digest", "super:test")])
        assert root.get("/locked")[0] == b"s"
        root.set("/locked", b"t")  # super bypasses every ACL check
        root.delete("/locked")
    finally:
        for c in clients:
            c.stop()
            c.close()
