"""Malformed and hostile input on raw sockets, against Apache ZooKeeper 3.8 and zkd.

Each expectation below was recorded from Apache ZooKeeper 3.8.0 (Debian libzookeeper-java
3.8.0-11+deb12u2, NIO connection factory, jute.maxbuffer default 0xfffff) and is asserted
for every target. After each case a fresh kazoo client must still create and read a node.
Every socket read has a deadline; nothing asserts how fast the server is.
"""
import os
import socket
import struct
import time
import uuid

import pytest
from kazoo.client import KazooClient

from zkharness import Server, ServerStartError, targets

MAXBUF = 0xFFFFF          # jute.maxbuffer default: 1 048 575
READ_TIMEOUT = 10.0       # a server answer or close must come within this
QUIET = 1.0               # how long "no answer yet" is observed for still-open sockets

ERR_OK, ERR_MARSHALLING, ERR_UNIMPLEMENTED = 0, -5, -6
ERR_BADARGUMENTS, ERR_BADVERSION, ERR_INVALIDACL = -8, -103, -114


# ------------------------------------------------------------------ wire helpers

def frame(payload):
    return struct.pack("!i", len(payload)) + payload


def ustring(s):
    b = s.encode()
    return struct.pack("!i", len(b)) + b


def connect_payload(timeout=30000, session_id=0, passwd=b"\0" * 16, read_only=False,
                    last_zxid=0):
    b = struct.pack("!iqiq", 0, last_zxid, timeout, session_id)
    b += struct.pack("!i", len(passwd)) + passwd
    if read_only is not None:
        b += b"\1" if read_only else b"\0"
    return b


def request(xid, op, body=b""):
    return frame(struct.pack("!ii", xid, op) + body)


class Closed(Exception):
    pass


class Raw:
    """One raw client connection."""

    def __init__(self, server):
        self.sock = socket.create_connection((server.host, server.port), timeout=READ_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)
        self.session_id = None
        self.passwd = None

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _exact(self, n):
        out = b""
        while len(out) < n:
            try:
                b = self.sock.recv(n - len(out))
            except ConnectionResetError:
                b = b""
            if not b:
                raise Closed("closed after %d of %d bytes" % (len(out), n))
            out += b
        return out

    def read_frame(self):
        (n,) = struct.unpack("!i", self._exact(4))
        assert 0 <= n <= MAXBUF
        return self._exact(n)

    def handshake(self, **kw):
        self.send(frame(connect_payload(**kw)))
        resp = self.read_frame()
        proto, timeout, sid, plen = struct.unpack_from("!iiqi", resp, 0)
        self.session_id, self.passwd = sid, resp[20:20 + plen]
        return resp

    def reply(self):
        """Next reply (xid, zxid, err, body), skipping watch notifications (xid -1)."""
        while True:
            p = self.read_frame()
            xid, zxid, err = struct.unpack_from("!iqi", p, 0)
            if xid != -1:
                return xid, zxid, err, p[16:]

    def ping_zxid(self):
        self.send(request(-2, 11))
        xid, zxid, err, _ = self.reply()
        assert (xid, err) == (-2, 0)
        return zxid

    def rest_until_close(self):
        """All bytes until the server closes (raises if it stays open past the deadline)."""
        out = b""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                b = self.sock.recv(65536)
            except ConnectionResetError:
                return out
            except socket.timeout:
                raise AssertionError("server kept the connection open; got %r" % out)
            if not b:
                return out
            out += b

    def quiet(self, seconds=QUIET):
        """True if nothing arrives and the socket stays open for `seconds`."""
        self.sock.settimeout(seconds)
        try:
            b = self.sock.recv(1)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(READ_TIMEOUT)
        raise AssertionError("expected silence, got %r" % b)


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module", params=targets())
def srv(request, tmp_path_factory):
    """A fresh server per target for this module (its zxids move only with our requests)."""
    try:
        s = Server(request.param, tmp_path_factory.mktemp("badinput-" + request.param)).start()
    except ServerStartError as e:
        pytest.fail("could not start %s: %s" % (request.param, e), pytrace=False)
    yield s
    s.stop()


def still_serves(server):
    """Another client can still create and read a node."""
    assert server.proc.poll() is None, "server process died"
    c = KazooClient(hosts=server.hosts, timeout=10)
    try:
        c.start(timeout=30)
        p = "/bad-" + uuid.uuid4().hex[:10]
        c.create(p, b"ok")
        assert c.get(p)[0] == b"ok"
        c.delete(p)
    finally:
        c.stop()
        c.close()


@pytest.fixture
def raw(srv):
    conns = []

    def make(handshake=True):
        r = Raw(srv)
        conns.append(r)
        if handshake:
            r.handshake()
        return r

    yield make
    for r in conns:
        r.close()
    still_serves(srv)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


# ------------------------------------------------------------------ before the handshake

@pytest.mark.parametrize("length", [-1, -0x80000000, 0, MAXBUF + 1, 0x7FFFFFFF])
def test_first_length_out_of_range_closes_without_reply(raw, length):
    r = raw(handshake=False)
    r.send(struct.pack("!i", length))
    assert r.rest_until_close() == b""


def test_first_length_equal_to_maxbuffer_is_accepted_and_awaited(raw):
    r = raw(handshake=False)
    r.send(struct.pack("!i", MAXBUF) + b"\0" * 64)
    assert r.quiet()
    r.sock.shutdown(socket.SHUT_WR)
    assert r.rest_until_close() == b""


def test_truncated_connect_request_waits_then_closes_on_eof(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload())[:20])
    assert r.quiet()
    r.sock.shutdown(socket.SHUT_WR)
    assert r.rest_until_close() == b""


def test_connect_request_too_short_for_its_record_closes(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload()[:20]))
    assert r.rest_until_close() == b""


def test_connect_request_with_absurd_password_length_closes(raw):
    r = raw(handshake=False)
    r.send(frame(struct.pack("!iqiqi", 0, 0, 30000, 0, 0x7FFFFFFF) + b"\0"))
    assert r.rest_until_close() == b""


def test_http_request_instead_of_handshake_closes(raw):
    r = raw(handshake=False)
    r.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert r.rest_until_close() == b""


def test_connect_request_trailing_bytes_are_ignored(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload(read_only=False) + b"JUNKJUNK"))
    resp = r.read_frame()
    assert len(resp) == 37  # readOnly byte mirrored
    assert struct.unpack_from("!ii", resp, 0) == (0, 30000)
    r.ping_zxid()


def test_connect_request_null_password_creates_session(raw):
    r = raw(handshake=False)
    r.send(frame(struct.pack("!iqiqi", 0, 0, 30000, 0, -1) + b"\0"))
    resp = r.read_frame()
    proto, timeout, sid, plen = struct.unpack_from("!iiqi", resp, 0)
    assert (proto, timeout, plen, len(resp)) == (0, 30000, 16, 37)
    assert sid >> 56 == 1
    r.ping_zxid()


def test_connect_without_read_only_byte_gets_short_response(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload(read_only=None)))
    resp = r.read_frame()
    assert len(resp) == 36
    r.ping_zxid()


@pytest.mark.parametrize("asked,granted", [(1, 4000), (0, 4000), (-5, 4000), (10000, 10000),
                                           (10 ** 9, 40000)])
def test_session_timeout_negotiation(raw, asked, granted):
    # tickTime 2000: min 2 ticks, max 20 ticks
    r = raw(handshake=False)
    resp = r.handshake(timeout=asked)
    assert struct.unpack_from("!i", resp, 4)[0] == granted


def test_last_zxid_from_the_future_is_refused_without_reply(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload(last_zxid=1 << 40)))
    assert r.rest_until_close() == b""


def test_unknown_session_gets_expired_answer_then_close(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload(session_id=0x01000000DEADBEEF, passwd=b"\1" * 16)))
    resp = r.read_frame()
    assert resp == struct.pack("!iiqi", 0, 0, 0, 16) + b"\0" * 16 + b"\0"
    assert r.rest_until_close() == b""


def test_second_connect_request_is_read_as_unknown_opcode(raw):
    # bytes 0-3 (protocolVersion 0) become xid 0, bytes 4-7 (high half of lastZxid) op 0.
    # Apache ZooKeeper 3.8 answers ConnectResponse then {xid 0, zxid -1, err -6} and closes,
    # though when both arrive in one segment it sometimes closes before writing anything.
    r = raw(handshake=False)
    r.send(frame(connect_payload()) + frame(connect_payload()))
    frames = split_frames(r.rest_until_close())
    if frames:
        assert len(frames[0]) == 37
        assert frames[1:] in ([], [struct.pack("!iqi", 0, -1, ERR_UNIMPLEMENTED)])


def test_second_connect_request_after_handshake_is_unknown_opcode(raw):
    r = raw()
    r.ping_zxid()
    r.send(frame(connect_payload()))
    assert r.reply() == (0, -1, ERR_UNIMPLEMENTED, b"")
    assert r.rest_until_close() == b""


def test_requests_pipelined_behind_handshake_are_answered(raw):
    r = raw(handshake=False)
    r.send(frame(connect_payload()) + request(1, 3, ustring("/zookeeper") + b"\0"))
    r.read_frame()
    xid, zxid, err, body = r.reply()
    assert (xid, err, len(body)) == (1, 0, 68)


# ------------------------------------------------------------------ after the handshake

@pytest.mark.parametrize("length", [-5, -1, 0, MAXBUF + 1, 0x7FFFFFFF])
def test_length_out_of_range_after_handshake_closes_without_reply(raw, length):
    r = raw()
    r.send(struct.pack("!i", length))
    assert r.rest_until_close() == b""


def test_frame_shorter_than_request_header_closes(raw):
    r = raw()
    r.send(frame(b"\0\0\0\1"))
    assert r.rest_until_close() == b""


def test_truncated_request_then_eof_closes_and_session_survives(srv, raw):
    r = raw()
    r.send(struct.pack("!i", 30) + struct.pack("!ii", 5, 4) + b"\0\0")
    assert r.quiet()
    r.sock.shutdown(socket.SHUT_WR)
    assert r.rest_until_close() == b""
    # a TCP close does not end the session: re-attach with its id and password
    again = raw(handshake=False)
    resp = again.handshake(session_id=r.session_id, passwd=r.passwd)
    assert struct.unpack_from("!q", resp, 8)[0] == r.session_id
    again.ping_zxid()


def test_http_garbage_after_handshake_closes(raw):
    r = raw()
    r.send(b"GET / HTTP/1.1\r\n\r\n")
    assert r.rest_until_close() == b""


@pytest.mark.parametrize("op", [0, 10, 23, 99, 108, -1, 0x7FFFFFFF, -0x80000000])
def test_unknown_opcode_answers_unimplemented_then_closes(raw, op):
    r = raw()
    r.send(request(9, op, b"xyz"))
    assert r.reply() == (9, -1, ERR_UNIMPLEMENTED, b"")
    assert r.rest_until_close() == b""


def split_frames(data):
    frames = []
    while len(data) >= 4:
        (n,) = struct.unpack_from("!i", data, 0)
        frames.append(data[4:4 + n])
        data = data[4 + n:]
    assert data == b"", "partial frame before close"
    return frames


def test_request_after_unknown_opcode_connection_closes(raw):
    # Sent in one segment, Apache ZooKeeper 3.8 races here: it may write the -6 reply and
    # close, close first, or even answer the request queued behind the bad one before
    # closing. Always: the connection closes and the first answer, if any, is the -6.
    r = raw()
    r.send(request(9, 99) + request(10, 3, ustring("/") + b"\0"))
    frames = split_frames(r.rest_until_close())
    if frames:
        assert frames[0] == struct.pack("!iqi", 9, -1, ERR_UNIMPLEMENTED)
        assert [struct.unpack_from("!i", f, 0)[0] for f in frames[1:]] in ([], [10])


def test_check_alone(srv, raw):
    """check (op 13) outside multi.

    Apache ZooKeeper 3.8.0 treats it as a write txn: it consumes a zxid, a failing check is
    answered with its error and the connection stays open, and a *passing* check gets no
    reply at all. Newer releases (and the protocol spec zkd follows) answer -6 and close.
    zkd is held to the spec; Apache 3.8.0 is checked for the recorded behaviour.
    """
    r = raw()
    before = r.ping_zxid()
    r.send(request(6, 13, ustring("/") + struct.pack("!i", 5)))
    if srv.kind == "apache":
        xid, zxid, err, body = r.reply()
        assert (xid, err, body) == (6, ERR_BADVERSION, b"")
        assert zxid == before + 1
        r.send(request(7, 13, ustring("/") + struct.pack("!i", -1)))
        assert r.ping_zxid() == before + 2   # passing check: no reply, zxid consumed
    else:
        assert r.reply() == (6, -1, ERR_UNIMPLEMENTED, b"")
        assert r.rest_until_close() == b""


MALFORMED = {
    # name: (op, body, expected err)
    "getData no body": (4, b"", ERR_MARSHALLING),
    "getData truncated path": (4, struct.pack("!i", 100) + b"/ab", ERR_MARSHALLING),
    "getData null path": (4, struct.pack("!i", -1) + b"\0", ERR_MARSHALLING),
    "getData path length huge": (4, struct.pack("!i", 0x7FFFFFFF) + b"/", ERR_MARSHALLING),
    "exists without watch flag": (3, ustring("/"), ERR_MARSHALLING),
    "create ACL count huge": (1, ustring("/x") + struct.pack("!ii", -1, 0x7FFFFFFF),
                              ERR_MARSHALLING),
    "create null ACL vector": (1, ustring("/x") + struct.pack("!iii", -1, -1, 0), ERR_INVALIDACL),
    "multi truncated": (14, struct.pack("!i", 1) + b"\0" + struct.pack("!i", -1),
                        ERR_MARSHALLING),
    "multi unknown op type": (14, struct.pack("!ibi", 999, 0, -1) + struct.pack("!ibi", -1, 1, -1),
                              ERR_MARSHALLING),
    "client sends createSession": (-10, b"", ERR_MARSHALLING),
    "reconfig empty body": (16, b"", ERR_MARSHALLING),
    "deleteContainer of root": (20, ustring("/"), ERR_BADARGUMENTS),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_record_body_gets_error_reply_and_connection_stays(raw, name):
    op, body, expected = MALFORMED[name]
    r = raw()
    before = r.ping_zxid()
    r.send(request(21, op, body))
    xid, zxid, err, rest = r.reply()
    assert (xid, err, rest) == (21, expected, b"")
    after = r.ping_zxid()
    assert before <= zxid <= after
    # the connection keeps working
    r.send(request(22, 3, ustring("/zookeeper") + b"\0"))
    assert r.reply()[0:3:2] == (22, ERR_OK)


def test_trailing_bytes_after_a_record_are_ignored(raw):
    r = raw()
    r.send(request(5, 4, ustring("/") + b"\0" + b"extra-bytes"))
    xid, zxid, err, body = r.reply()
    assert (xid, err) == (5, ERR_OK)
    # GetDataResponse for "/": empty data (length 0) then the root Stat (68 bytes)
    assert struct.unpack_from("!i", body, 0)[0] == 0 and len(body) == 4 + 68


def test_request_of_exactly_maxbuffer_bytes_is_accepted(raw):
    r = raw()
    body = struct.pack("!ii", 7, 4) + ustring("/") + b"\0"
    r.send(struct.pack("!i", MAXBUF) + body + b"\0" * (MAXBUF - len(body)))
    xid, zxid, err, _ = r.reply()
    assert (xid, err) == (7, ERR_OK)
    r.ping_zxid()


def test_close_session_reply_then_close(raw):
    r = raw()
    r.send(request(3, -11))
    xid, zxid, err, body = r.reply()
    assert (xid, err, body) == (3, ERR_OK, b"")
    assert r.rest_until_close() == b""


# ------------------------------------------------------------------ connection churn (last)

CHURN = int(os.environ.get("ZKD_BADINPUT_CHURN", "3000"))


def test_zz_connection_churn_keeps_server_healthy(srv):
    """Open and drop CHURN connections in bounded batches, in four styles: bare connect,
    partial ConnectRequest, full handshake then abortive close (RST), garbage length."""
    still_serves(srv)
    start_rss = rss_kb(srv.proc.pid)
    style_payload = [
        None,
        frame(connect_payload())[:17],
        frame(connect_payload(timeout=4000)),
        struct.pack("!i", -7),
    ]
    batch = 100
    done = 0
    deadline = time.monotonic() + 600
    while done < CHURN:
        assert time.monotonic() < deadline, "churn did not finish within 600 s"
        socks = []
        for i in range(min(batch, CHURN - done)):
            s = socket.create_connection((srv.host, srv.port), timeout=READ_TIMEOUT)
            payload = style_payload[(done + i) % 4]
            if payload:
                s.sendall(payload)
            socks.append(((done + i) % 4, s))
        for style, s in socks:
            if style == 2:
                s.settimeout(READ_TIMEOUT)
                try:
                    s.recv(41)
                except OSError:
                    pass
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        done += len(socks)
        if done % 1000 == 0:
            still_serves(srv)
    still_serves(srv)
    end_rss = rss_kb(srv.proc.pid)
    assert end_rss <= 2 * start_rss + 256 * 1024, (start_rss, end_rss)
