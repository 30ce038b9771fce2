"""Record a kazoo client's operations as a JSONL history for `zkd check-history`.

The format is documented in src/history/README.md. Usage::

    rec = HistoryRecorder()
    rec.declare("/base", b"", 0)            # nodes that exist before the history starts
    c = rec.wrap(kazoo_client)              # one wrapper per client; use it from one thread
    c.create("/base/x", b"a")               # same results and exceptions as kazoo
    c.set("/base/x", b"b", version=0)
    c.transaction([("check", "/base/x", 1), ("set", "/base/x", b"c", -1)])
    rec.write("history.jsonl")

Every call records its invoke and return times (one monotonic clock for the whole process), the
outcome and the reply zxid. ConnectionLoss, timeouts and session expiry are recorded as
``unknown`` (the op may or may not have taken effect). Errors the checker does not model
(NoAuth, ...) are re-raised without being recorded as a known outcome: they are recorded as
unknown too, which never causes a false alarm.
"""
import json
import threading
import time

from kazoo.exceptions import (BadVersionError, ConnectionClosedError, ConnectionLoss, NodeExistsError,
                              NoNodeError, NotEmptyError, OperationTimeoutError, RolledBackError,
                              RuntimeInconsistency, SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError

KNOWN_ERRORS = {
    NoNodeError: "no_node",
    NodeExistsError: "node_exists",
    BadVersionError: "bad_version",
    NotEmptyError: "not_empty",
}
UNKNOWN_ERRORS = (ConnectionLoss, ConnectionClosedError, OperationTimeoutError, SessionExpiredError,
                  KazooTimeoutError)


def encode_data(value):
    """Bytes as the JSONL data string: UTF-8 text as is, anything else as "hex:<hex>"."""
    value = value or b""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + value.hex()


def outcome_of(exc):
    for cls, name in KNOWN_ERRORS.items():
        if isinstance(exc, cls):
            return name
    return "unknown"


class HistoryRecorder:
    """Collects events from any number of wrapped clients (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.init = []
        self.events = []

    @staticmethod
    def now():
        return time.monotonic_ns()

    def declare(self, path, data=b"", version=0):
        """A node that exists before the history starts (data/version None: unknown)."""
        node = {"path": path}
        if data is not None:
            node["data"] = encode_data(data)
        if version is not None:
            node["version"] = version
        self.init.append(node)

    def wrap(self, client, name=None):
        return RecordingClient(self, client, name)

    def add(self, event):
        with self._lock:
            event["id"] = len(self.events) + 1
            self.events.append(event)

    def lines(self):
        out = [json.dumps({"init": n}, sort_keys=True) for n in self.init]
        with self._lock:
            out += [json.dumps(e, sort_keys=True) for e in self.events]
        return out

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            for line in self.lines():
                f.write(line + "\n")


class RecordingClient:
    """A kazoo client whose create/set/delete/get/exists/get_children/sync/transaction calls are
    recorded. Use each wrapper from one thread at a time (a session issues its ops in order)."""

    def __init__(self, recorder, client, name=None):
        self.rec = recorder
        self.client = client
        self.name = name
        self._last_session = None

    def session(self):
        cid = self.client.client_id
        if cid is not None:
            self._last_session = "0x%x" % cid[0]
        if self.name is not None:
            return self.name
        return self._last_session or "unconnected"

    def _run(self, op, call, on_ok):
        session = self.session()
        invoke = self.rec.now()
        event = {"session": session, "invoke": invoke, "op": op}
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - recorded, then re-raised unchanged
            outcome = outcome_of(exc)
            event["outcome"] = outcome
            if outcome != "unknown":
                # The reply zxid is read before the return time is taken: it is at most the
                # server's zxid at that time, never a later one.
                event["zxid"] = self.client.last_zxid
            event["return"] = self.rec.now()
            if op["type"] == "multi" and outcome != "unknown":
                event["failed_op"] = getattr(exc, "_zkd_failed_op", None)
                if event["failed_op"] is None:
                    del event["failed_op"]
            self.rec.add(event)
            raise
        event["outcome"] = "ok"
        zxid = self.client.last_zxid
        on_ok(event, result)
        event.setdefault("zxid", zxid)
        event["return"] = self.rec.now()
        self.rec.add(event)
        return result

    def create(self, path, value=b""):
        def ok(event, result):
            _path, stat = result
            event["zxid"] = stat.czxid
        op = {"type": "create", "path": path, "data": encode_data(value)}
        return self._run(op, lambda: self.client.create(path, value, include_data=True), ok)[0]

    def set(self, path, value, version=-1):
        def ok(event, stat):
            event["version"] = stat.version
            event["zxid"] = stat.mzxid
        op = {"type": "set", "path": path, "data": encode_data(value), "version": version}
        return self._run(op, lambda: self.client.set(path, value, version=version), ok)

    def delete(self, path, version=-1):
        return self._run({"type": "delete", "path": path, "version": version},
                         lambda: self.client.delete(path, version=version), lambda e, r: None)

    def get(self, path):
        def ok(event, result):
            data, stat = result
            event["data"] = encode_data(data)
            event["version"] = stat.version
        return self._run({"type": "get", "path": path}, lambda: self.client.get(path), ok)

    def exists(self, path):
        """kazoo answers None for a missing node; recorded as no_node."""
        def call():
            stat = self.client.exists(path)
            if stat is None:
                raise _Absent()
            return stat
        def ok(event, stat):
            event["version"] = stat.version
        try:
            return self._run({"type": "exists", "path": path}, call, ok)
        except _Absent:
            return None

    def get_children(self, path):
        def ok(event, names):
            event["children"] = sorted(names)
        return self._run({"type": "children", "path": path}, lambda: self.client.get_children(path), ok)

    def sync(self, path="/"):
        return self._run({"type": "sync", "path": path}, lambda: self.client.sync(path), lambda e, r: None)

    def transaction(self, ops):
        """ops: ("create", path, data) | ("set", path, data, version) | ("delete", path, version)
        | ("check", path, version). Returns kazoo's result list; a failed multi raises the failing
        op's exception (after recording it)."""
        spec = []
        for o in ops:
            kind = o[0]
            if kind == "create":
                spec.append({"type": "create", "path": o[1], "data": encode_data(o[2])})
            elif kind == "set":
                spec.append({"type": "set", "path": o[1], "data": encode_data(o[2]), "version": o[3]})
            elif kind == "delete":
                spec.append({"type": "delete", "path": o[1], "version": o[2]})
            elif kind == "check":
                spec.append({"type": "check", "path": o[1], "version": o[2]})
            else:
                raise ValueError("unsupported multi op %r" % (kind,))

        def call():
            t = self.client.transaction()
            for o in ops:
                getattr(t, {"set": "set_data"}.get(o[0], o[0]))(*o[1:])
            results = t.commit()
            for i, r in enumerate(results):
                if isinstance(r, Exception) and not isinstance(r, (RolledBackError, RuntimeInconsistency)):
                    r._zkd_failed_op = i
                    raise r
            return results
        return self._run({"type": "multi", "ops": spec}, call, lambda e, r: None)

    def pipeline(self, ops):
        """Issues ops back to back without waiting (async kazoo calls on one connection), then
        waits for each in issue order. ops: ("create", path, data) | ("set", path, data, version)
        | ("delete", path, version) | ("get", path) | ("exists", path). Returns, per op, kazoo's
        result or the exception. Return times are taken when each reply is collected (no earlier
        than it arrived: a wider interval never causes a false alarm). Reads and deletes record no
        zxid here: the client's last zxid may already reflect later pipelined replies."""
        session = self.session()
        issued = []
        for o in ops:
            kind, path = o[0], o[1]
            invoke = self.rec.now()
            if kind == "create":
                op = {"type": "create", "path": path, "data": encode_data(o[2])}
                a = self.client.create_async(path, o[2], include_data=True)
            elif kind == "set":
                op = {"type": "set", "path": path, "data": encode_data(o[2]), "version": o[3]}
                a = self.client.set_async(path, o[2], version=o[3])
            elif kind == "delete":
                op = {"type": "delete", "path": path, "version": o[2]}
                a = self.client.delete_async(path, version=o[2])
            elif kind == "get":
                op = {"type": "get", "path": path}
                a = self.client.get_async(path)
            elif kind == "exists":
                op = {"type": "exists", "path": path}
                a = self.client.exists_async(path)
            else:
                raise ValueError("unsupported pipelined op %r" % (kind,))
            issued.append((kind, op, invoke, a))
        results = []
        for kind, op, invoke, a in issued:
            event = {"session": session, "invoke": invoke, "op": op}
            try:
                r = a.get(timeout=30)
            except Exception as exc:  # noqa: BLE001 - recorded and returned
                event["outcome"] = outcome_of(exc)
                event["return"] = self.rec.now()
                self.rec.add(event)
                results.append(exc)
                continue
            event["outcome"] = "ok"
            if kind == "create":
                event["zxid"] = r[1].czxid
            elif kind == "set":
                event["version"] = r.version
                event["zxid"] = r.mzxid
            elif kind == "get":
                event["data"] = encode_data(r[0])
                event["version"] = r[1].version
            elif kind == "exists":
                if r is None:
                    event["outcome"] = "no_node"
                else:
                    event["version"] = r.version
            event["return"] = self.rec.now()
            self.rec.add(event)
            results.append(r)
        return results


class _Absent(NoNodeError):
    """exists() found no node (kazoo does not raise; the wrapper does, internally)."""
