"""kazoo's high-level recipes: Lock, ReadLock/WriteLock, Semaphore, Election, Queue, LockingQueue,
Barrier, DoubleBarrier, Counter, Party, ShallowParty. Every wait is bounded."""
import threading

from kzutil import wait_for


def test_lock_mutual_exclusion_and_handover(make_client, base):
    a, b = make_client(), make_client()
    la = a.Lock(base + "/lock", "a")
    lb = b.Lock(base + "/lock", "b")
    assert la.acquire(timeout=10)
    assert not lb.acquire(blocking=False)
    got = threading.Event()

    def contender():
        if lb.acquire(timeout=30):
            got.set()

    t = threading.Thread(target=contender, daemon=True)
    t.start()
    wait_for(lambda: len(la.contenders()) == 2, what="second contender queued")
    assert la.contenders() == ["a", "b"]
    assert not got.is_set()
    la.release()
    assert got.wait(30)
    assert lb.contenders() == ["b"]
    lb.release()
    t.join(10)


def test_lock_released_when_holder_session_closes(make_client, base):
    a, b = make_client(), make_client()
    la = a.Lock(base + "/lock")
    assert la.acquire(timeout=10)
    lb = b.Lock(base + "/lock")
    done = threading.Event()
    threading.Thread(target=lambda: lb.acquire(timeout=30) and done.set(), daemon=True).start()
    wait_for(lambda: len(b.get_children(base + "/lock")) == 2, what="waiter")
    a.stop()
    assert done.wait(30)
    lb.release()


def test_read_write_locks(make_client, base):
    a, b, c = make_client(), make_client(), make_client()
    r1 = a.ReadLock(base + "/rw")
    r2 = b.ReadLock(base + "/rw")
    w = c.WriteLock(base + "/rw")
    assert r1.acquire(timeout=10)
    assert r2.acquire(timeout=10)  # readers share
    assert not w.acquire(blocking=False)
    r1.release()
    r2.release()
    assert w.acquire(timeout=10)
    assert not a.ReadLock(base + "/rw").acquire(blocking=False)
    w.release()


def test_semaphore(make_client, base):
    clients = [make_client() for _ in range(3)]
    sems = [c.Semaphore(base + "/sem", identifier="id%d" % i, max_leases=2)
            for i, c in enumerate(clients)]
    assert sems[0].acquire(timeout=10)
    assert sems[1].acquire(timeout=10)
    assert not sems[2].acquire(blocking=False)
    assert sorted(sems[2].lease_holders()) == ["id0", "id1"]
    sems[0].release()
    assert sems[2].acquire(timeout=30)
    assert sorted(sems[1].lease_holders()) == ["id1", "id2"]
    sems[1].release()
    sems[2].release()


def test_election_leader_and_succession(make_client, base):
    clients = [make_client() for _ in range(3)]
    elections = [c.Election(base + "/election", "node%d" % i) for i, c in enumerate(clients)]
    leader = []
    stop = [threading.Event() for _ in clients]

    def lead(i):
        leader.append(i)
        stop[i].wait(60)

    def run(e, i):
        try:
            e.run(lead, i)
        except Exception:
            pass  # the contender whose client was stopped cannot clean up; expected

    threads = []
    for i, e in enumerate(elections):
        t = threading.Thread(target=run, args=(e, i), daemon=True)
        t.start()
        threads.append(t)
        # start contenders one at a time so their queue order is known
        wait_for(lambda: len(elections[0].contenders()) == i + 1, what="contender %d" % i)
        if i == 0:
            wait_for(lambda: leader == [0], what="first leader")
    assert elections[1].contenders() == ["node0", "node1", "node2"]
    stop[0].set()
    wait_for(lambda: leader == [0, 1], what="second leader")
    clients[1].stop()  # leader dies with its session
    wait_for(lambda: leader == [0, 1, 2], what="third leader")
    stop[1].set()
    stop[2].set()
    elections[2].cancel()


def test_queue_fifo_and_priority(make_client, base):
    p, q = make_client(), make_client()
    producer = p.Queue(base + "/queue")
    consumer = q.Queue(base + "/queue")
    for i in range(5):
        producer.put(b"item%d" % i)
    producer.put(b"urgent", priority=1)
    assert len(consumer) == 6
    got = [consumer.get() for _ in range(6)]
    assert got == [b"urgent"] + [b"item%d" % i for i in range(5)]
    assert consumer.get() is None


def test_locking_queue(make_client, base):
    p, q = make_client(), make_client()
    lq = p.LockingQueue(base + "/lq")
    lq.put_all([b"a", b"b"])
    lq.put(b"first", priority=0)
    consumer = q.LockingQueue(base + "/lq")
    assert consumer.get(timeout=10) == b"first"
    assert consumer.holds_lock()
    assert consumer.consume()
    assert consumer.get(timeout=10) == b"a"
    assert consumer.release()  # put back
    assert consumer.get(timeout=10) == b"a"
    assert consumer.consume()
    assert len(consumer) == 1


def test_barrier(make_client, base):
    a, b = make_client(), make_client()
    bar = a.Barrier(base + "/barrier")
    bar.create()
    waiter = b.Barrier(base + "/barrier")
    assert waiter.wait(timeout=0.2) is False
    passed = threading.Event()
    threading.Thread(target=lambda: waiter.wait(timeout=30) and passed.set(), daemon=True).start()
    bar.remove()
    assert passed.wait(30)
    assert waiter.wait(timeout=1) is True


def test_double_barrier(make_client, base):
    clients = [make_client() for _ in range(3)]
    barriers = [c.DoubleBarrier(base + "/db", 3) for c in clients]
    entered = []
    left = []

    def worker(i):
        barriers[i].enter()
        entered.append(i)
        barriers[i].leave()
        left.append(i)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(3)]
    for t in threads[:2]:
        t.start()
    # two of three participants cannot pass the entry barrier
    wait_for(lambda: clients[0].exists(base + "/db") and
             len(clients[0].get_children(base + "/db")) >= 2, what="two waiting")
    assert entered == []
    threads[2].start()
    for t in threads:
        t.join(30)
    assert sorted(entered) == [0, 1, 2]
    assert sorted(left) == [0, 1, 2]


def test_counter(make_client, base):
    a, b = make_client(), make_client()
    ca = a.Counter(base + "/counter")
    cb = b.Counter(base + "/counter")
    ca += 5
    cb += 3
    ca -= 1
    assert ca.value == 7 and cb.value == 7
    threads = []

    def bump(c):
        for _ in range(10):
            c += 1

    for c in (ca, cb):
        t = threading.Thread(target=bump, args=(c,), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(60)
    assert ca.value == 27
    fc = a.Counter(base + "/fcounter", default=0.5)
    fc += 0.25
    assert fc.value == 0.75


def test_party_and_shallow_party(make_client, base):
    a, b = make_client(), make_client()
    pa = a.Party(base + "/party", "alice")
    pb = b.Party(base + "/party", "bob")
    pa.join()
    pb.join()
    assert sorted(pa) == ["alice", "bob"]
    assert len(pb) == 2
    pb.leave()
    assert list(pa) == ["alice"]
    b.stop()
    sa = a.ShallowParty(base + "/shallow", "s1")
    sa.join()
    c = make_client()
    sc = c.ShallowParty(base + "/shallow", "s2")
    sc.join()
    assert sorted(sa) == ["s1", "s2"]
    c.stop()  # ephemeral membership ends with the session
    wait_for(lambda: list(sa) == ["s1"], what="member gone")
