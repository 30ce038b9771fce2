// A scripted ZooKeeper client session, run with the official Java client against any server.
//
// It prints one line per operation (session, op, arguments, result code, normalised result) and, after
// every operation, the watch events that operation caused (sorted). The transcript is normalised so that
// two correct servers produce byte-identical output: zxids become Z<rank of first appearance>, times
// become T(Z<n>) after checking that every txn has one consistent, plausible, monotone time, and session
// ids become the owner names S1, S2, ... Each line also carries the result code ZooKeeper 3.8 gives; a
// mismatch is flagged with "!! expected" and makes the exit status 1.
//
// Usage: java -cp <zookeeper jars>:<dir> ZkTranscript 127.0.0.1:PORT
// Exit status: 0 all expectations met, 1 some unexpected result, 2 usage/connection failure, 3 watchdog.

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

public final class ZkTranscript {
    private static final int SESSION_TIMEOUT_MS = 8000;
    private static final long WAIT_SECONDS = 8;
    private static final long WATCHDOG_MS = 150_000;
    // digest of "user:password" (SHA-1, base64), as ZooKeeper's DigestAuthenticationProvider computes it
    private static final String USER_DIGEST = "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=";

    private final String connect;
    private final long startWallMs = System.currentTimeMillis();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final Map<String, ZooKeeper> sessions = new LinkedHashMap<>();
    private final Map<Long, String> sessionNames = new HashMap<>();
    private final Map<Long, String> zxidNames = new HashMap<>();
    private final TreeMap<Long, Long> zxidTimes = new TreeMap<>();
    private int opCount;
    private int failures;
    private int lostInARow;
    private int barrierTimeouts;

    private ZkTranscript(String connect) {
        this.connect = connect;
    }

    /** A watcher that records every event it gets, tagged with its session and its own name. */
    private final class Recorder implements Watcher {
        final String session;
        final String name;

        Recorder(String session, String name) {
            this.session = session;
            this.name = name;
        }

        @Override
        public void process(WatchedEvent e) {
            events.add("  EVENT " + session + " " + name + " " + e.getType() + " " + e.getState() + " "
                    + e.getPath());
        }
    }

    private Recorder w(String session, String name) {
        return new Recorder(session, name);
    }

    @FunctionalInterface
    private interface Call {
        String run() throws Exception;
    }

    // ------------------------------------------------------------------ output helpers

    private void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private String zxid(long z) {
        if (z == 0 || z == -1) {
            return Long.toString(z);
        }
        return zxidNames.computeIfAbsent(z, k -> "Z" + (zxidNames.size() + 1));
    }

    /** Times are only comparable through the txn that set them: check consistency, print the txn. */
    private String time(long t, long z) {
        if (z == 0) {
            return t == 0 ? "0" : "T!nonzero-for-zxid0";
        }
        Long seen = zxidTimes.get(z);
        if (seen != null && seen != t) {
            return "T!differs-within-" + zxid(z);
        }
        long now = System.currentTimeMillis();
        if (t < startWallMs - 600_000 || t > now + 600_000) {
            return "T!implausible";
        }
        Map.Entry<Long, Long> lower = zxidTimes.lowerEntry(z);
        Map.Entry<Long, Long> higher = zxidTimes.higherEntry(z);
        if ((lower != null && lower.getValue() > t) || (higher != null && higher.getValue() < t)) {
            return "T!not-monotone";
        }
        zxidTimes.put(z, t);
        return "T(" + zxid(z) + ")";
    }

    private String owner(long id) {
        if (id == 0) {
            return "0";
        }
        String name = sessionNames.get(id);
        return name != null ? name : "unknown-session";
    }

    private String stat(Stat s) {
        if (s == null) {
            return "stat=null";
        }
        return "stat{czxid=" + zxid(s.getCzxid()) + " mzxid=" + zxid(s.getMzxid()) + " pzxid=" + zxid(s.getPzxid())
                + " ctime=" + time(s.getCtime(), s.getCzxid()) + " mtime=" + time(s.getMtime(), s.getMzxid())
                + " version=" + s.getVersion() + " cversion=" + s.getCversion() + " aversion=" + s.getAversion()
                + " owner=" + owner(s.getEphemeralOwner()) + " dataLength=" + s.getDataLength()
                + " numChildren=" + s.getNumChildren() + "}";
    }

    private static String data(byte[] d) {
        if (d == null) {
            return "data=null";
        }
        StringBuilder b = new StringBuilder("data=\"");
        for (byte x : d) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        return b.append('"').toString();
    }

    private static String sorted(List<String> l) {
        if (l == null) {
            return "null";
        }
        List<String> c = new ArrayList<>(l);
        Collections.sort(c);
        return c.toString();
    }

    private static String acls(List<ACL> l) {
        List<String> out = new ArrayList<>();
        for (ACL a : l) {
            out.add(a.getPerms() + ":" + a.getId().getScheme() + ":" + a.getId().getId());
        }
        return sorted(out);
    }

    private String opResult(OpResult r) {
        if (r instanceof OpResult.CreateResult) {
            OpResult.CreateResult c = (OpResult.CreateResult) r;
            return "create(" + c.getPath() + (c.getStat() != null ? " " + stat(c.getStat()) : "") + ")";
        } else if (r instanceof OpResult.DeleteResult) {
            return "delete";
        } else if (r instanceof OpResult.SetDataResult) {
            return "setData(" + stat(((OpResult.SetDataResult) r).getStat()) + ")";
        } else if (r instanceof OpResult.CheckResult) {
            return "check";
        } else if (r instanceof OpResult.GetDataResult) {
            OpResult.GetDataResult g = (OpResult.GetDataResult) r;
            return "getData(" + data(g.getData()) + " " + stat(g.getStat()) + ")";
        } else if (r instanceof OpResult.GetChildrenResult) {
            return "getChildren(" + sorted(((OpResult.GetChildrenResult) r).getChildren()) + ")";
        } else if (r instanceof OpResult.ErrorResult) {
            return "error(" + Code.get(((OpResult.ErrorResult) r).getErr()) + ")";
        }
        return "unknown(" + r.getClass().getSimpleName() + ")";
    }

    private String opResults(List<OpResult> rs) {
        if (rs == null) {
            return "results=null";
        }
        List<String> out = new ArrayList<>();
        for (OpResult r : rs) {
            out.add(opResult(r));
        }
        return "results=" + out;
    }

    // ------------------------------------------------------------------ the op runner

    /** Run one operation, print its line, then print the events it caused. */
    private void op(String who, String desc, Code expect, Call call) {
        opCount++;
        Code code;
        String result;
        try {
            result = call.run();
            code = Code.OK;
        } catch (KeeperException e) {
            code = e.code();
            result = e.getResults() != null ? opResults(e.getResults()) : "";
        } catch (IllegalArgumentException e) {
            code = null;
            result = "client-rejected " + e.getClass().getSimpleName();
        } catch (Exception e) {
            code = null;
            result = "exception " + e.getClass().getSimpleName();
        }
        String line = String.format("%03d %s %s -> %s", opCount, who, desc, code == null ? "CLIENT_ERROR" : code);
        if (result != null && !result.isEmpty()) {
            line += " " + result;
        }
        if (code != expect) {
            line += "   !! expected " + expect;
            failures++;
        }
        print(line);
        // an unresponsive server would otherwise cost a client timeout per remaining op
        boolean lost = code == Code.CONNECTIONLOSS || code == Code.SESSIONEXPIRED || code == Code.OPERATIONTIMEOUT;
        lostInARow = lost && code != expect ? lostInARow + 1 : 0;
        if (lostInARow >= 2) {
            print("ABORTED: server unresponsive (2 operations in a row lost the connection)");
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
        barrier();
    }

    /**
     * Make every event caused so far visible, then print them sorted. A sync round trip on each live
     * session works as a fence: the server sends a connection's notifications before replies to later
     * requests, and the client runs watchers and async callbacks in arrival order on one thread.
     */
    private void barrier() {
        List<ZooKeeper> live = new ArrayList<>();
        for (ZooKeeper zk : sessions.values()) {
            if (zk.getState().isAlive()) {
                live.add(zk);
            }
        }
        CountDownLatch latch = new CountDownLatch(live.size());
        for (ZooKeeper zk : live) {
            zk.sync("/", (rc, path, ctx) -> latch.countDown(), null);
        }
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                print("  BARRIER TIMEOUT");
                failures++;
                if (++barrierTimeouts >= 1) {
                    print("ABORTED: server unresponsive (sync fences time out)");
                    System.out.flush();
                    Runtime.getRuntime().halt(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
    }

    private void drain() {
        List<String> got = new ArrayList<>();
        events.drainTo(got);
        Collections.sort(got);
        for (String e : got) {
            print(e);
        }
    }

    private ZooKeeper open(String name, boolean admin) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Recorder rec = new Recorder(name, "default");
        Watcher watcher = e -> {
            rec.process(e);
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZooKeeper zk = admin ? new ZooKeeperAdmin(connect, SESSION_TIMEOUT_MS, watcher)
                : new ZooKeeper(connect, SESSION_TIMEOUT_MS, watcher);
        if (!connected.await(WAIT_SECONDS * 2, TimeUnit.SECONDS)) {
            print("CONNECT " + name + " FAILED: no SyncConnected");
            System.exit(2);
        }
        sessions.put(name, zk);
        sessionNames.put(zk.getSessionId(), name);
        opCount++;
        print(String.format("%03d %s connect -> OK timeout=%d", opCount, name, zk.getSessionTimeout()));
        barrier();
        return zk;
    }

    /** Close a session and wait for its client threads, so its local Closed events are all in. */
    private void close(String name) throws InterruptedException {
        ZooKeeper zk = sessions.get(name);
        opCount++;
        boolean stopped = zk.close((int) (WAIT_SECONDS * 1000));
        print(String.format("%03d %s close -> OK%s", opCount, name, stopped ? "" : " (client threads still running)"));
        barrier();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<ACL> acl(Object... permSchemeId) {
        List<ACL> l = new ArrayList<>();
        for (int i = 0; i < permSchemeId.length; i += 3) {
            l.add(new ACL((Integer) permSchemeId[i], new Id((String) permSchemeId[i + 1], (String) permSchemeId[i + 2])));
        }
        return l;
    }

    private static final List<ACL> OPEN = Ids.OPEN_ACL_UNSAFE;

    // ------------------------------------------------------------------ the script

    private void run() throws Exception {
        print("# ZkTranscript v1");
        ZooKeeper s1 = open("S1", true);
        ZooKeeper s2 = open("S2", false);
        ZooKeeper s3 = open("S3", false);
        ZooKeeperAdmin admin = (ZooKeeperAdmin) s1;

        // --- fresh server facts
        op("S1", "whoAmI", Code.OK, () -> whoAmI(s1));
        op("S1", "getChildren /", Code.OK, () -> sorted(s1.getChildren("/", false)));
        op("S1", "exists /", Code.OK, () -> stat(s1.exists("/", false)));
        op("S1", "exists /zookeeper", Code.OK, () -> stat(s1.exists("/zookeeper", false)));
        op("S1", "getChildren2 /zookeeper", Code.OK, () -> {
            Stat st = new Stat();
            return sorted(s1.getChildren("/zookeeper", false, st)) + " " + stat(st);
        });
        op("S1", "getData /zookeeper/config", Code.OK, () -> getData(s1, "/zookeeper/config", null));
        op("S1", "getConfig", Code.OK, () -> {
            Stat st = new Stat();
            return data(s1.getConfig(false, st)) + " " + stat(st);
        });
        op("S1", "getACL /zookeeper/config", Code.OK, () -> getAcl(s1, "/zookeeper/config"));
        op("S1", "getACL /", Code.OK, () -> getAcl(s1, "/"));
        op("S1", "getAllChildrenNumber /", Code.OK, () -> "n=" + s1.getAllChildrenNumber("/"));
        op("S1", "exists /h", Code.OK, () -> stat(s1.exists("/h", false)));

        // --- create in every mode, with watches set by a second session
        op("S2", "exists /h watch=wE1", Code.OK, () -> stat(s2.exists("/h", w("S2", "wE1"))));
        op("S2", "addWatch /h PERSISTENT_RECURSIVE wR", Code.OK, () -> {
            s2.addWatch("/h", w("S2", "wR"), AddWatchMode.PERSISTENT_RECURSIVE);
            return "";
        });
        op("S1", "create /h PERSISTENT", Code.OK, () -> s1.create("/h", b("root"), OPEN, CreateMode.PERSISTENT));
        op("S1", "create2 /h/a PERSISTENT", Code.OK, () -> create2(s1, "/h/a", b("A"), CreateMode.PERSISTENT));
        op("S1", "create /h/a again", Code.NODEEXISTS, () -> s1.create("/h/a", b("x"), OPEN, CreateMode.PERSISTENT));
        op("S1", "create /missing/child", Code.NONODE,
                () -> s1.create("/missing/child", b("x"), OPEN, CreateMode.PERSISTENT));
        op("S1", "create /zookeeper", Code.NODEEXISTS, () -> s1.create("/zookeeper", b("x"), OPEN, CreateMode.PERSISTENT));
        for (int i = 0; i < 3; i++) {
            op("S1", "create2 /h/seq- PERSISTENT_SEQUENTIAL", Code.OK,
                    () -> create2(s1, "/h/seq-", b("s"), CreateMode.PERSISTENT_SEQUENTIAL));
        }
        op("S1", "create2 /h/c CONTAINER", Code.OK, () -> create2(s1, "/h/c", b("C"), CreateMode.CONTAINER));
        op("S1", "create /h/c/kid PERSISTENT", Code.OK, () -> s1.create("/h/c/kid", b(""), OPEN, CreateMode.PERSISTENT));
        op("S1", "create2 /h/ttl PERSISTENT_WITH_TTL 600000", Code.OK, () -> {
            Stat st = new Stat();
            return s1.create("/h/ttl", b("T"), OPEN, CreateMode.PERSISTENT_WITH_TTL, st, 600_000) + " " + stat(st);
        });
        op("S1", "create2 /h/ttls- PERSISTENT_SEQUENTIAL_WITH_TTL 600000", Code.OK, () -> {
            Stat st = new Stat();
            return s1.create("/h/ttls-", b("T"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, st, 600_000) + " "
                    + stat(st);
        });
        op("S1", "create /h/ttl/kid PERSISTENT", Code.OK, () -> s1.create("/h/ttl/kid", null, OPEN, CreateMode.PERSISTENT));
        op("S3", "create2 /h/e EPHEMERAL", Code.OK, () -> create2(s3, "/h/e", b("E"), CreateMode.EPHEMERAL));
        op("S3", "create2 /h/es- EPHEMERAL_SEQUENTIAL", Code.OK,
                () -> create2(s3, "/h/es-", b("ES"), CreateMode.EPHEMERAL_SEQUENTIAL));
        op("S3", "create /h/e/kid under ephemeral", Code.NOCHILDRENFOREPHEMERALS,
                () -> s3.create("/h/e/kid", b("x"), OPEN, CreateMode.PERSISTENT));
        op("S3", "create /h/e/kid- seq under ephemeral", Code.NOCHILDRENFOREPHEMERALS,
                () -> s3.create("/h/e/kid-", b("x"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL));
        op("S3", "getEphemerals", Code.OK, () -> sorted(s3.getEphemerals()));
        op("S3", "getEphemerals /h/es", Code.OK, () -> sorted(s3.getEphemerals("/h/es")));
        op("S3", "getEphemerals /nope", Code.OK, () -> sorted(s3.getEphemerals("/nope")));
        op("S1", "getEphemerals", Code.OK, () -> sorted(s1.getEphemerals()));
        op("S1", "exists /h/e", Code.OK, () -> stat(s1.exists("/h/e", false)));
        op("S1", "exists /h/c", Code.OK, () -> stat(s1.exists("/h/c", false)));
        op("S1", "exists /h/ttl", Code.OK, () -> stat(s1.exists("/h/ttl", false)));
        op("S1", "getChildren2 /h", Code.OK, () -> children2(s1, "/h"));
        op("S1", "getAllChildrenNumber /h", Code.OK, () -> "n=" + s1.getAllChildrenNumber("/h"));
        op("S1", "getAllChildrenNumber /missing", Code.NONODE, () -> "n=" + s1.getAllChildrenNumber("/missing"));
        op("S1", "create /h/nul null data", Code.OK, () -> s1.create("/h/nul", null, OPEN, CreateMode.PERSISTENT));
        op("S1", "getData /h/nul", Code.OK, () -> getData(s1, "/h/nul", null));
        op("S1", "create /h/empty empty data", Code.OK, () -> s1.create("/h/empty", new byte[0], OPEN, CreateMode.PERSISTENT));
        op("S1", "getData /h/empty", Code.OK, () -> getData(s1, "/h/empty", null));
        op("S1", "create /h/bin binary data", Code.OK,
                () -> s1.create("/h/bin", new byte[] {0, 1, (byte) 0xff, '"', 'z'}, OPEN, CreateMode.PERSISTENT));
        op("S1", "getData /h/bin", Code.OK, () -> getData(s1, "/h/bin", null));

        // --- data, versions and the one-shot watches they fire
        op("S2", "getData /h/a watch=wD1", Code.OK, () -> getData(s2, "/h/a", w("S2", "wD1")));
        op("S2", "getChildren /h watch=wC1", Code.OK, () -> sorted(s2.getChildren("/h", w("S2", "wC1"))));
        op("S2", "getChildren2 /h/a", Code.OK, () -> children2(s2, "/h/a"));
        op("S2", "getData /missing watch=wD0", Code.NONODE, () -> getData(s2, "/missing", w("S2", "wD0")));
        op("S2", "getChildren /missing watch=wC0", Code.NONODE, () -> sorted(s2.getChildren("/missing", w("S2", "wC0"))));
        op("S1", "setData /h/a v=0", Code.OK, () -> stat(s1.setData("/h/a", b("A2"), 0)));
        op("S1", "setData /h/a v=0 (stale)", Code.BADVERSION, () -> stat(s1.setData("/h/a", b("A3"), 0)));
        op("S1", "setData /h/a v=-1", Code.OK, () -> stat(s1.setData("/h/a", b("A3"), -1)));
        op("S1", "setData /h/a v=7", Code.BADVERSION, () -> stat(s1.setData("/h/a", b("A4"), 7)));
        op("S1", "setData /missing", Code.NONODE, () -> stat(s1.setData("/missing", b("x"), -1)));
        op("S1", "getData /h/a", Code.OK, () -> getData(s1, "/h/a", null));
        op("S1", "getData /missing", Code.NONODE, () -> getData(s1, "/missing", null));
        op("S1", "delete /h/a v=5", Code.BADVERSION, () -> delete(s1, "/h/a", 5));
        op("S1", "delete /h/missing", Code.NONODE, () -> delete(s1, "/h/missing", -1));
        op("S1", "delete /missing/kid", Code.NONODE, () -> delete(s1, "/missing/kid", -1));
        op("S1", "delete /h (has children)", Code.NOTEMPTY, () -> delete(s1, "/h", -1));
        op("S1", "delete /h v=9 (has children, bad version)", Code.BADVERSION, () -> delete(s1, "/h", 9));
        op("S1", "delete /zookeeper", Code.BADARGUMENTS, () -> delete(s1, "/zookeeper", -1));
        op("S1", "delete /zookeeper/config", Code.BADARGUMENTS, () -> delete(s1, "/zookeeper/config", -1));
        op("S1", "delete /h/a v=2", Code.OK, () -> delete(s1, "/h/a", 2));
        op("S1", "delete /h/c/kid", Code.OK, () -> delete(s1, "/h/c/kid", -1));
        op("S1", "exists /h/c (container, now empty)", Code.OK, () -> stat(s1.exists("/h/c", false)));
        // delete the emptied container now, before a reaper could race the script
        op("S1", "delete /h/c", Code.OK, () -> delete(s1, "/h/c", -1));
        op("S1", "getChildren2 /h", Code.OK, () -> children2(s1, "/h"));
        op("S1", "sync /h", Code.OK, () -> sync(s1, "/h"));
        op("S1", "sync /missing", Code.OK, () -> sync(s1, "/missing"));

        // --- every watch event type
        op("S2", "exists /h/w watch=wE2", Code.OK, () -> stat(s2.exists("/h/w", w("S2", "wE2"))));
        op("S1", "create /h/w", Code.OK, () -> s1.create("/h/w", b("w0"), OPEN, CreateMode.PERSISTENT));
        op("S2", "getData /h/w watch=wD2", Code.OK, () -> getData(s2, "/h/w", w("S2", "wD2")));
        op("S2", "exists /h/w watch=wE3", Code.OK, () -> stat(s2.exists("/h/w", w("S2", "wE3"))));
        op("S2", "getChildren /h/w watch=wC2", Code.OK, () -> sorted(s2.getChildren("/h/w", w("S2", "wC2"))));
        op("S1", "setData /h/w", Code.OK, () -> stat(s1.setData("/h/w", b("w1"), -1)));
        op("S1", "create /h/w/k", Code.OK, () -> s1.create("/h/w/k", b("k"), OPEN, CreateMode.PERSISTENT));
        op("S2", "getData /h/w/k watch=wD3", Code.OK, () -> getData(s2, "/h/w/k", w("S2", "wD3")));
        op("S2", "getChildren /h/w/k watch=wC3", Code.OK, () -> sorted(s2.getChildren("/h/w/k", w("S2", "wC3"))));
        op("S2", "getChildren /h/w watch=wC4", Code.OK, () -> sorted(s2.getChildren("/h/w", w("S2", "wC4"))));
        op("S1", "delete /h/w/k", Code.OK, () -> delete(s1, "/h/w/k", -1));
        op("S1", "setData /h/w (no watch left)", Code.OK, () -> stat(s1.setData("/h/w", b("w2"), -1)));
        // S1 watches itself: its own writes notify it before the reply
        op("S1", "exists /h/self watch=wS", Code.OK, () -> stat(s1.exists("/h/self", w("S1", "wS"))));
        op("S1", "create /h/self", Code.OK, () -> s1.create("/h/self", b(""), OPEN, CreateMode.PERSISTENT));
        op("S1", "getData /h/self watch=default", Code.OK, () -> {
            Stat st = new Stat();
            return data(s1.getData("/h/self", true, st)) + " " + stat(st);
        });
        op("S1", "delete /h/self", Code.OK, () -> delete(s1, "/h/self", -1));

        // --- persistent watches
        op("S2", "addWatch /h/p PERSISTENT wP", Code.OK, () -> {
            s2.addWatch("/h/p", w("S2", "wP"), AddWatchMode.PERSISTENT);
            return "";
        });
        op("S1", "create /h/p", Code.OK, () -> s1.create("/h/p", b("p"), OPEN, CreateMode.PERSISTENT));
        op("S1", "create /h/p/q", Code.OK, () -> s1.create("/h/p/q", b("q"), OPEN, CreateMode.PERSISTENT));
        op("S1", "create /h/p/q/r", Code.OK, () -> s1.create("/h/p/q/r", b("r"), OPEN, CreateMode.PERSISTENT));
        op("S1", "setData /h/p", Code.OK, () -> stat(s1.setData("/h/p", b("p1"), -1)));
        op("S1", "setData /h/p again", Code.OK, () -> stat(s1.setData("/h/p", b("p2"), -1)));
        op("S1", "setData /h/p/q/r", Code.OK, () -> stat(s1.setData("/h/p/q/r", b("r1"), -1)));
        op("S1", "delete /h/p/q/r", Code.OK, () -> delete(s1, "/h/p/q/r", -1));

        // --- removing watches (client-local events DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved)
        Recorder wD5 = w("S2", "wD5");
        Recorder wC5 = w("S2", "wC5");
        op("S2", "getData /h/w watch=wD5", Code.OK, () -> getData(s2, "/h/w", wD5));
        op("S2", "getChildren /h/w watch=wC5", Code.OK, () -> sorted(s2.getChildren("/h/w", wC5)));
        op("S2", "removeWatches /h/w wD5 Data", Code.OK, () -> {
            s2.removeWatches("/h/w", wD5, WatcherType.Data, false);
            return "";
        });
        op("S2", "removeWatches /h/w wD5 Data (already gone)", Code.NOWATCHER, () -> {
            s2.removeWatches("/h/w", wD5, WatcherType.Data, false);
            return "";
        });
        op("S2", "removeAllWatches /h/w Children", Code.OK, () -> {
            s2.removeAllWatches("/h/w", WatcherType.Children, false);
            return "";
        });
        op("S2", "removeAllWatches /h/w Any (none left)", Code.NOWATCHER, () -> {
            s2.removeAllWatches("/h/w", WatcherType.Any, false);
            return "";
        });
        op("S2", "removeAllWatches /nowatch Data", Code.NOWATCHER, () -> {
            s2.removeAllWatches("/nowatch", WatcherType.Data, false);
            return "";
        });
        Recorder wD6 = w("S2", "wD6");
        op("S2", "exists /h/w watch=wD6", Code.OK, () -> stat(s2.exists("/h/w", wD6)));
        op("S2", "removeWatches /h/w wD6 Any local=true", Code.OK, () -> {
            s2.removeWatches("/h/w", wD6, WatcherType.Any, true);
            return "";
        });
        op("S1", "setData /h/w (watches removed)", Code.OK, () -> stat(s1.setData("/h/w", b("w3"), -1)));
        op("S2", "removeAllWatches /h/p Any", Code.OK, () -> {
            s2.removeAllWatches("/h/p", WatcherType.Any, false);
            return "";
        });
        op("S1", "setData /h/p (persistent removed)", Code.OK, () -> stat(s1.setData("/h/p", b("p3"), -1)));

        // --- multi and multiRead
        op("S1", "multi ok [create /h/m, create /h/m/s- seq x2, setData /h/m v0, check /h/m v1, delete /h/nul]",
                Code.OK, () -> opResults(s1.multi(Arrays.asList(
                        Op.create("/h/m", b("m"), OPEN, CreateMode.PERSISTENT),
                        Op.create("/h/m/s-", b("s"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
                        Op.create("/h/m/s-", b("s"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
                        Op.setData("/h/m", b("m1"), 0),
                        Op.check("/h/m", 1),
                        Op.delete("/h/nul", -1)))));
        op("S1", "multi fail [create /h/m3, setData /h/m v99, create /h/m4]", Code.BADVERSION,
                () -> opResults(s1.multi(Arrays.asList(
                        Op.create("/h/m3", b(""), OPEN, CreateMode.PERSISTENT),
                        Op.setData("/h/m", b("x"), 99),
                        Op.create("/h/m4", b(""), OPEN, CreateMode.PERSISTENT)))));
        op("S1", "exists /h/m3 (rolled back)", Code.OK, () -> stat(s1.exists("/h/m3", false)));
        op("S1", "multi fail [check /missing v0]", Code.NONODE,
                () -> opResults(s1.multi(Arrays.asList(Op.check("/missing", 0)))));
        op("S1", "multi fail [create /h/m5, create /h/m5]", Code.NODEEXISTS,
                () -> opResults(s1.multi(Arrays.asList(
                        Op.create("/h/m5", b(""), OPEN, CreateMode.PERSISTENT),
                        Op.create("/h/m5", b(""), OPEN, CreateMode.PERSISTENT)))));
        op("S1", "multi fail [delete /h/m (not empty)]", Code.NOTEMPTY,
                () -> opResults(s1.multi(Arrays.asList(Op.delete("/h/m", -1)))));
        op("S1", "multi empty", Code.OK, () -> opResults(s1.multi(new ArrayList<>())));
        op("S1", "transaction [create /h/tx ephemeral, setData /h/m, check /h/m v2, delete /h/empty]", Code.OK,
                () -> opResults(s1.transaction()
                        .create("/h/tx", b("tx"), OPEN, CreateMode.EPHEMERAL)
                        .setData("/h/m", b("m2"), -1)
                        .check("/h/m", 2)
                        .delete("/h/empty", -1)
                        .commit()));
        op("S1", "multiRead [getData /h/m, getChildren /h/m, getData /h/bin]", Code.OK,
                () -> opResults(s1.multi(Arrays.asList(
                        Op.getData("/h/m"), Op.getChildren("/h/m"), Op.getData("/h/bin")))));
        op("S1", "multiRead [getData /missing, getChildren /h/m, getChildren /missing]", Code.OK,
                () -> opResults(s1.multi(Arrays.asList(
                        Op.getData("/missing"), Op.getChildren("/h/m"), Op.getChildren("/missing")))));

        // --- ACLs and authentication (under /acl, where S2 has no watches)
        op("S1", "create /acl", Code.OK, () -> s1.create("/acl", b(""), OPEN, CreateMode.PERSISTENT));
        op("S1", "create /acl/d digest ALL", Code.OK,
                () -> s1.create("/acl/d", b("secret"), acl(Perms.ALL, "digest", USER_DIGEST), CreateMode.PERSISTENT));
        op("S2", "getData /acl/d", Code.NOAUTH, () -> getData(s2, "/acl/d", null));
        op("S2", "getACL /acl/d", Code.NOAUTH, () -> getAcl(s2, "/acl/d"));
        op("S2", "setData /acl/d", Code.NOAUTH, () -> stat(s2.setData("/acl/d", b("x"), -1)));
        op("S2", "getChildren /acl/d", Code.NOAUTH, () -> sorted(s2.getChildren("/acl/d", false)));
        op("S2", "create /acl/d/kid", Code.NOAUTH, () -> s2.create("/acl/d/kid", b(""), OPEN, CreateMode.PERSISTENT));
        op("S2", "setACL /acl/d", Code.NOAUTH, () -> stat(s2.setACL("/acl/d", OPEN, -1)));
        op("S2", "multiRead [getData /acl/d, getData /acl]", Code.OK,
                () -> opResults(s2.multi(Arrays.asList(Op.getData("/acl/d"), Op.getData("/acl")))));
        op("S2", "addAuthInfo digest user:password", Code.OK, () -> {
            s2.addAuthInfo("digest", b("user:password"));
            return "";
        });
        op("S2", "whoAmI", Code.OK, () -> whoAmI(s2));
        op("S2", "getData /acl/d", Code.OK, () -> getData(s2, "/acl/d", null));
        op("S2", "getACL /acl/d", Code.OK, () -> getAcl(s2, "/acl/d"));
        op("S2", "setACL /acl/d v=5", Code.BADVERSION,
                () -> stat(s2.setACL("/acl/d", acl(Perms.ALL, "digest", USER_DIGEST, Perms.READ, "world", "anyone"), 5)));
        op("S2", "setACL /acl/d v=0 digest ALL + world READ", Code.OK,
                () -> stat(s2.setACL("/acl/d", acl(Perms.ALL, "digest", USER_DIGEST, Perms.READ, "world", "anyone"), 0)));
        op("S3", "getData /acl/d (world READ)", Code.OK, () -> getData(s3, "/acl/d", null));
        op("S3", "getACL /acl/d (READ, no ADMIN: redacted)", Code.OK, () -> getAcl(s3, "/acl/d"));
        op("S3", "setData /acl/d", Code.NOAUTH, () -> stat(s3.setData("/acl/d", b("x"), -1)));
        op("S3", "delete /acl/d (DELETE on parent /acl is open)", Code.OK, () -> delete(s3, "/acl/d", -1));
        op("S1", "create /acl/auth CREATOR_ALL without auth", Code.INVALIDACL,
                () -> s1.create("/acl/auth", b(""), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        op("S2", "create /acl/auth CREATOR_ALL with digest", Code.OK,
                () -> s2.create("/acl/auth", b("a"), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
        op("S2", "getACL /acl/auth", Code.OK, () -> getAcl(s2, "/acl/auth"));
        op("S1", "create /acl/bad world:bogus", Code.INVALIDACL,
                () -> s1.create("/acl/bad", b(""), acl(Perms.ALL, "world", "bogus"), CreateMode.PERSISTENT));
        op("S1", "create /acl/bad digest:nocolon", Code.INVALIDACL,
                () -> s1.create("/acl/bad", b(""), acl(Perms.ALL, "digest", "nocolon"), CreateMode.PERSISTENT));
        op("S1", "create /acl/bad ip:999.1.1.1", Code.INVALIDACL,
                () -> s1.create("/acl/bad", b(""), acl(Perms.ALL, "ip", "999.1.1.1"), CreateMode.PERSISTENT));
        op("S1", "create /acl/bad unknown scheme", Code.INVALIDACL,
                () -> s1.create("/acl/bad", b(""), acl(Perms.ALL, "nosuchscheme", "x"), CreateMode.PERSISTENT));
        op("S1", "create /acl/ip ip:127.0.0.1 ALL", Code.OK,
                () -> s1.create("/acl/ip", b("ip"), acl(Perms.ALL, "ip", "127.0.0.1"), CreateMode.PERSISTENT));
        op("S1", "getData /acl/ip", Code.OK, () -> getData(s1, "/acl/ip", null));
        op("S1", "getACL /acl/ip", Code.OK, () -> getAcl(s1, "/acl/ip"));
        op("S1", "create /acl/ip8 ip:127.0.0.0/8 ALL", Code.OK,
                () -> s1.create("/acl/ip8", b("ip8"), acl(Perms.ALL, "ip", "127.0.0.0/8"), CreateMode.PERSISTENT));
        op("S1", "getData /acl/ip8", Code.OK, () -> getData(s1, "/acl/ip8", null));
        op("S1", "create /acl/ip10 ip:10.0.0.0/8 ALL", Code.OK,
                () -> s1.create("/acl/ip10", b("x"), acl(Perms.ALL, "ip", "10.0.0.0/8"), CreateMode.PERSISTENT));
        op("S1", "getData /acl/ip10", Code.NOAUTH, () -> getData(s1, "/acl/ip10", null));
        op("S1", "setACL /acl/ip10", Code.NOAUTH, () -> stat(s1.setACL("/acl/ip10", OPEN, -1)));
        op("S1", "setACL /missing", Code.NONODE, () -> stat(s1.setACL("/missing", OPEN, -1)));
        op("S1", "setACL /acl/ip empty list", Code.INVALIDACL, () -> stat(s1.setACL("/acl/ip", new ArrayList<>(), -1)));
        op("S1", "create /acl/ro world READ", Code.OK,
                () -> s1.create("/acl/ro", b("ro"), Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT));
        op("S1", "create /acl/ro/kid", Code.NOAUTH, () -> s1.create("/acl/ro/kid", b(""), OPEN, CreateMode.PERSISTENT));
        op("S1", "setData /acl/ro", Code.NOAUTH, () -> stat(s1.setData("/acl/ro", b("x"), -1)));
        op("S1", "getData /acl/ro", Code.OK, () -> getData(s1, "/acl/ro", null));
        op("S1", "setACL /acl/ro (needs ADMIN)", Code.NOAUTH, () -> stat(s1.setACL("/acl/ro", OPEN, -1)));
        op("S1", "create /acl/cd world CREATE|DELETE", Code.OK, () -> s1.create("/acl/cd", b(""),
                acl(Perms.CREATE | Perms.DELETE, "world", "anyone"), CreateMode.PERSISTENT));
        op("S1", "create /acl/cd/kid", Code.OK, () -> s1.create("/acl/cd/kid", b("k"), OPEN, CreateMode.PERSISTENT));
        op("S1", "getChildren /acl/cd (no READ)", Code.NOAUTH, () -> sorted(s1.getChildren("/acl/cd", false)));
        op("S1", "getData /acl/cd/kid (own ACL open)", Code.OK, () -> getData(s1, "/acl/cd/kid", null));
        op("S1", "delete /acl/cd/kid", Code.OK, () -> delete(s1, "/acl/cd/kid", -1));
        op("S1", "multi fail [create /acl/x, create /acl/ro/kid]", Code.NOAUTH,
                () -> opResults(s1.multi(Arrays.asList(
                        Op.create("/acl/x", b(""), OPEN, CreateMode.PERSISTENT),
                        Op.create("/acl/ro/kid", b(""), OPEN, CreateMode.PERSISTENT)))));
        op("S1", "getChildren2 /acl", Code.OK, () -> children2(s1, "/acl"));

        // --- admin / config
        op("S1", "reconfig (disabled)", Code.RECONFIGDISABLED, () -> {
            Stat st = new Stat();
            return data(admin.reconfigure(null, "2", null, -1, st));
        });
        op("S1", "getConfig watch=default", Code.OK, () -> {
            Stat st = new Stat();
            return data(s1.getConfig(true, st)) + " " + stat(st);
        });

        // --- session close: ephemerals disappear, observed by another session's watches
        op("S2", "exists /h/e watch=wX1", Code.OK, () -> stat(s2.exists("/h/e", w("S2", "wX1"))));
        op("S2", "getChildren /h watch=wX2", Code.OK, () -> sorted(s2.getChildren("/h", w("S2", "wX2"))));
        op("S2", "addWatch /h/e PERSISTENT wX3", Code.OK, () -> {
            s2.addWatch("/h/e", w("S2", "wX3"), AddWatchMode.PERSISTENT);
            return "";
        });
        op("S3", "getEphemerals", Code.OK, () -> sorted(s3.getEphemerals()));
        close("S3");
        op("S2", "exists /h/e", Code.OK, () -> stat(s2.exists("/h/e", false)));
        op("S2", "getChildren2 /h", Code.OK, () -> children2(s2, "/h"));
        op("S1", "getEphemerals", Code.OK, () -> sorted(s1.getEphemerals()));
        op("S1", "exists /h/tx", Code.OK, () -> stat(s1.exists("/h/tx", false)));

        // a short-lived session whose ephemeral S1 watches
        ZooKeeper s4 = open("S4", false);
        op("S4", "create /h/e4 EPHEMERAL", Code.OK, () -> s4.create("/h/e4", b(""), OPEN, CreateMode.EPHEMERAL));
        op("S1", "getData /h/e4 watch=wY", Code.OK, () -> getData(s1, "/h/e4", w("S1", "wY")));
        close("S4");
        op("S1", "exists /h/e4", Code.OK, () -> stat(s1.exists("/h/e4", false)));

        // --- final state
        op("S1", "getAllChildrenNumber /", Code.OK, () -> "n=" + s1.getAllChildrenNumber("/"));
        op("S1", "getChildren2 /", Code.OK, () -> children2(s1, "/"));
        op("S1", "exists /h", Code.OK, () -> stat(s1.exists("/h", false)));
        op("S2", "removeAllWatches /h Any (recursive)", Code.OK, () -> {
            s2.removeAllWatches("/h", WatcherType.Any, false);
            return "";
        });
        close("S2");
        close("S1");
        print("# ops=" + opCount + " unexpected=" + failures);
    }

    private String whoAmI(ZooKeeper zk) throws Exception {
        List<String> out = new ArrayList<>();
        for (ClientInfo ci : zk.whoAmI()) {
            out.add(ci.getAuthScheme() + ":" + ci.getUser());
        }
        return sorted(out);
    }

    private String getData(ZooKeeper zk, String path, Watcher watcher) throws Exception {
        Stat st = new Stat();
        byte[] d = watcher == null ? zk.getData(path, false, st) : zk.getData(path, watcher, st);
        return data(d) + " " + stat(st);
    }

    private String getAcl(ZooKeeper zk, String path) throws Exception {
        Stat st = new Stat();
        return acls(zk.getACL(path, st)) + " " + stat(st);
    }

    private String create2(ZooKeeper zk, String path, byte[] d, CreateMode mode) throws Exception {
        Stat st = new Stat();
        return zk.create(path, d, OPEN, mode, st) + " " + stat(st);
    }

    private String children2(ZooKeeper zk, String path) throws Exception {
        Stat st = new Stat();
        return sorted(zk.getChildren(path, false, st)) + " " + stat(st);
    }

    private static String delete(ZooKeeper zk, String path, int version) throws Exception {
        zk.delete(path, version);
        return "";
    }

    private static String sync(ZooKeeper zk, String path) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        final int[] rc = {Integer.MIN_VALUE};
        final String[] got = {null};
        zk.sync(path, (r, p, ctx) -> {
            rc[0] = r;
            got[0] = p;
            done.countDown();
        }, null);
        if (!done.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw KeeperException.create(Code.OPERATIONTIMEOUT);
        }
        if (rc[0] != 0) {
            throw KeeperException.create(Code.get(rc[0]), path);
        }
        return "path=" + got[0];
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ZkTranscript host:port");
            System.exit(2);
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(WATCHDOG_MS);
                System.out.println("WATCHDOG: transcript did not finish in " + WATCHDOG_MS + " ms");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // finished in time
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        ZkTranscript t = new ZkTranscript(args[0]);
        try {
            t.run();
        } catch (Exception e) {
            System.out.println("ABORTED after op " + t.opCount + ": " + e);
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
        Runtime.getRuntime().halt(t.failures == 0 ? 0 : 1);
    }
}
