"""SASL DIGEST-MD5 logins (kazoo + pure-sasl) against a server whose JAAS `Server` section lists users,
and the `sasl` ACL scheme. Each server gets the JAAS file the way it is deployed: Apache ZooKeeper as
-Djava.security.auth.login.config on its command line, zkd through SERVER_JVMFLAGS."""
import uuid

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import AuthFailedError, InvalidACLError, NoAuthError
from kazoo.protocol.states import KeeperState
from kazoo.security import ACL, Id, Permissions, make_acl
from kzutil import wait_for

from zkharness import Server, ServerStartError, targets

pytest.importorskip("puresasl")

JAAS = """
// users for DIGEST-MD5 logins
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_bob="bob secret"
    user_admin="admin-pw";
};
Client {
    org.apache.zookeeper.server.auth.DigestLoginModule required username="bob" password="bob secret";
};
"""


@pytest.fixture(params=targets(), scope="module")
def sasl_server(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sasl-" + request.param)
    jaas = workdir / "jaas.conf"
    jaas.write_text(JAAS)
    flags = ["-Djava.security.auth.login.config=%s" % jaas, "-Dzookeeper.superUser=admin"]
    extra = {"authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}
    try:
        server = Server(request.param, workdir, extra, flags).start()
    except ServerStartError as e:
        pytest.fail("could not start %s: %s" % (request.param, e), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def connect(sasl_server):
    made = []

    def make(user=None, password=None, **kw):
        if user is not None:
            kw["sasl_options"] = {"mechanism": "DIGEST-MD5", "username": user, "password": password}
        c = KazooClient(hosts=sasl_server.hosts, timeout=10.0, **kw)
        made.append(c)
        c.start(timeout=30)
        return c

    yield make
    for c in made:
        try:
            c.stop()
        except Exception:
            pass
        c.close()


def fresh_path():
    return "/sasl-" + uuid.uuid4().hex[:12]


def test_digest_md5_login_and_sasl_acl(connect):
    bob = connect("bob", "bob secret")
    anon = connect()
    path = fresh_path()
    bob.create(path, b"mine", acl=[make_acl("sasl", "bob", all=True)])
    assert bob.get(path)[0] == b"mine"
    with pytest.raises(NoAuthError):
        anon.get(path)
    acls, _ = bob.get_acls(path)
    assert acls == [ACL(Permissions.ALL, Id("sasl", "bob"))]


def test_auth_scheme_expands_to_sasl_id(connect):
    bob = connect("bob", "bob secret")
    path = fresh_path()
    bob.create(path, acl=[make_acl("auth", "", read=True, write=True)])
    acls, _ = bob.get_acls(path)
    assert acls == [ACL(Permissions.READ | Permissions.WRITE, Id("sasl", "bob"))]


def test_legacy_sasl_auth_data(connect):
    bob = connect(auth_data=[("sasl", "bob:bob secret")])
    path = fresh_path()
    bob.create(path, acl=[make_acl("sasl", "bob", all=True)])
    assert bob.exists(path) is not None
    assert bob.get(path)[0] == b""


# Unknown users get passwords no JAAS user has: ZooKeeper before ZOOKEEPER-4839 (e.g. Debian's 3.8.0)
# checks an unknown user against the password of the previous login on the server.
@pytest.mark.parametrize("user,password", [("bob", "wrong"), ("nobody", "nobody-pw"), ("Bob", "Bob-pw")])
def test_bad_credentials_fail_the_connection(sasl_server, user, password):
    c = KazooClient(hosts=sasl_server.hosts, timeout=10.0,
                    sasl_options={"mechanism": "DIGEST-MD5", "username": user, "password": password})
    # kazoo reports CONNECTED before its SASL exchange and then moves on to CLOSED, so start() may
    # return or fail depending on timing; the state transitions show the AUTH_FAILED answer.
    seen = []
    session_callback = c._session_callback

    def spy(state):
        seen.append(state)
        session_callback(state)

    c._session_callback = spy
    try:
        try:
            c.start(timeout=30)
        except (AuthFailedError, c.handler.timeout_exception):
            pass
        wait_for(lambda: KeeperState.AUTH_FAILED in seen, what="AUTH_FAILED")
        assert not c.connected
    finally:
        c.stop()
        c.close()


def test_super_user_reads_everything(connect):
    bob = connect("bob", "bob secret")
    admin = connect("admin", "admin-pw")
    path = fresh_path()
    bob.create(path, b"private", acl=[make_acl("sasl", "bob", all=True)])
    assert admin.get(path)[0] == b"private"
    admin.set(path, b"changed")
    assert bob.get(path)[0] == b"changed"


def test_invalid_sasl_acl_id(connect):
    bob = connect("bob", "bob secret")
    with pytest.raises(InvalidACLError):
        bob.create(fresh_path(), acl=[make_acl("sasl", "a@b@c", all=True)])
    # Kerberos-style names are valid ids.
    path = fresh_path()
    bob.create(path, acl=[make_acl("sasl", "client@EXAMPLE.ORG", all=True)])
    with pytest.raises(NoAuthError):
        bob.get(path)
