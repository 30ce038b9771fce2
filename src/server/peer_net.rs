//! Server-to-server transport for replication: length-framed messages over TCP between ensemble
//! members, on the replication executor.
//!
//! Each member dials every other member for its own sends and accepts their dials for its
//! receives, so a pair uses two connections, one per direction, and nobody has to settle which
//! duplicate survives. A connection starts with a hello (magic, sender id). Each stream is FIFO
//! without gaps; when anything breaks the link with a peer (either stream fails, the peer redials,
//! a send queue overflows, or the host calls `reset`) both directions are torn down, queued
//! messages dropped, `PeerEvent::Lost` reported once, and the dialer redials after a pause. That is
//! the transport contract of the replication core (`src/replication/README.md`): it re-syncs after
//! a loss, and a follower notices a dead leader before its timeout.

use crate::wire::frame::FrameSplitter;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use glommio::channels::local_channel::{self, LocalReceiver, LocalSender};
use glommio::net::{TcpListener, TcpStream};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::os::fd::{AsRawFd, RawFd};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// First bytes of every peer connection.
const MAGIC: &[u8; 8] = b"zkdpeer1";
const HELLO_LEN: usize = 16;
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct PeerNetConfig {
    pub my_id: u64,
    /// Every other member: id and quorum address (`server.N=host:quorumPort:...`).
    pub peers: Vec<(u64, SocketAddr)>,
    /// Largest accepted message; a bigger frame closes the connection.
    pub max_message: usize,
    /// Queued bytes per destination before the queue (and connection) is dropped as too slow.
    pub max_queued: usize,
    pub connect_timeout: Duration,
    pub redial_pause: Duration,
}

impl PeerNetConfig {
    pub fn new(my_id: u64, peers: Vec<(u64, SocketAddr)>) -> PeerNetConfig {
        PeerNetConfig {
            my_id,
            peers,
            max_message: 64 << 20,
            max_queued: 256 << 20,
            connect_timeout: Duration::from_millis(500),
            redial_pause: Duration::from_millis(100),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerEvent {
    Message { from: u64, bytes: Vec<u8> },
    /// The link with `peer` broke, in either direction (it crashed or restarted, a stream failed,
    /// a send queue overflowed, or `reset` was called): messages to or from it may have been lost.
    /// Both directions are torn down and redialled; nothing of the old incoming stream follows.
    Lost { peer: u64 },
}

/// One destination's queue; its dialer task drains it.
struct Outgoing {
    queue: VecDeque<Vec<u8>>,
    queued_bytes: usize,
    wake: LocalSender<()>,
    /// Bumped by a reset: the dialer drops a connection made under an older value.
    epoch: u64,
}

/// The live incoming stream of each peer: its generation and socket (to shut it on a reset).
struct IncomingLink {
    generation: u64,
    fd: RawFd,
}

/// State shared by the sender, the dialers and the receivers of one member.
struct Net {
    out: HashMap<u64, Outgoing>,
    incoming: HashMap<u64, IncomingLink>,
    next_generation: u64,
    events: LocalSender<PeerEvent>,
}

type Shared = Rc<RefCell<Net>>;

impl Net {
    /// Tears down both directions with `peer` and reports the loss once.
    fn lose(&mut self, peer: u64) {
        if let Some(link) = self.incoming.remove(&peer) {
            super::connection::shutdown_fd(link.fd);
        }
        if let Some(o) = self.out.get_mut(&peer) {
            o.queue.clear();
            o.queued_bytes = 0;
            o.epoch += 1;
            let _ = o.wake.try_send(());
        }
        let _ = self.events.try_send(PeerEvent::Lost { peer });
    }
}

/// The sending half: cheap to call from the host's step loop, never blocks.
#[derive(Clone)]
pub struct PeerSender {
    net: Shared,
    max_queued: usize,
}

impl PeerSender {
    /// Queues `bytes` for `to`. False for an unknown peer, or when the queue is full: then the
    /// link is reset (a stream with a gap is useless) and `Lost` is reported.
    pub fn send(&self, to: u64, bytes: Vec<u8>) -> bool {
        let mut net = self.net.borrow_mut();
        let Some(o) = net.out.get_mut(&to) else { return false };
        if o.queued_bytes + bytes.len() > self.max_queued {
            net.lose(to);
            return false;
        }
        o.queued_bytes += bytes.len();
        o.queue.push_back(bytes);
        let _ = o.wake.try_send(());
        true
    }

    /// Drops both connections with `peer` (e.g. it sent bytes that do not decode); reports `Lost`.
    pub fn reset(&self, peer: u64) {
        self.net.borrow_mut().lose(peer);
    }
}

/// Starts accepting on `listener` and dialing every peer; must run inside a glommio executor.
/// Tasks live as long as the executor; incoming traffic arrives on the returned receiver.
pub fn start(listener: std::net::TcpListener, cfg: PeerNetConfig) -> (PeerSender, LocalReceiver<PeerEvent>) {
    let (events_tx, events_rx) = local_channel::new_unbounded();
    let net: Shared = Rc::new(RefCell::new(Net { out: HashMap::new(), incoming: HashMap::new(), next_generation: 0, events: events_tx }));
    let cfg = Rc::new(cfg);
    for &(id, addr) in &cfg.peers {
        let (wake_tx, wake_rx) = local_channel::new_bounded(1);
        net.borrow_mut().out.insert(id, Outgoing { queue: VecDeque::new(), queued_bytes: 0, wake: wake_tx, epoch: 0 });
        glommio::spawn_local(dial_loop(id, addr, net.clone(), wake_rx, cfg.clone())).detach();
    }
    let listener = {
        use std::os::fd::{FromRawFd, IntoRawFd};
        // SAFETY: the fd comes from a std listener we own and give up here.
        unsafe { TcpListener::from_raw_fd(listener.into_raw_fd()) }
    };
    glommio::spawn_local(accept_loop(listener, net.clone(), cfg.clone())).detach();
    (PeerSender { net, max_queued: cfg.max_queued }, events_rx)
}

fn hello(my_id: u64) -> [u8; HELLO_LEN] {
    let mut h = [0u8; HELLO_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8..].copy_from_slice(&my_id.to_be_bytes());
    h
}

/// The sender id of a valid hello from a known member.
fn parse_hello(h: &[u8], known: &[(u64, SocketAddr)]) -> Option<u64> {
    if h.len() != HELLO_LEN || &h[..8] != MAGIC {
        return None;
    }
    let id = u64::from_be_bytes(h[8..].try_into().ok()?);
    known.iter().any(|&(k, _)| k == id).then_some(id)
}

async fn dial_loop(to: u64, addr: SocketAddr, net: Shared, wake: LocalReceiver<()>, cfg: Rc<PeerNetConfig>) {
    loop {
        let epoch = net.borrow().out.get(&to).map(|o| o.epoch).unwrap_or(0);
        let connected = match TcpStream::connect_timeout(addr, cfg.connect_timeout).await {
            Ok(mut stream) => {
                let _ = stream.set_nodelay(true);
                if stream.write_all(&hello(cfg.my_id)).await.is_ok() {
                    let _ = send_queued(&mut stream, to, epoch, &net, &wake).await;
                }
                true
            }
            Err(_) => false,
        };
        {
            let mut n = net.borrow_mut();
            let reset_meanwhile = n.out.get(&to).map(|o| o.epoch != epoch).unwrap_or(true);
            let dropped_messages = n.out.get(&to).map(|o| !o.queue.is_empty()).unwrap_or(false);
            // A broken connection, or messages that could not be sent, is a gap: report it (unless
            // a reset already did). A peer that is simply down with nothing queued stays quiet.
            if !reset_meanwhile && (connected || dropped_messages) {
                n.lose(to);
            }
        }
        glommio::timer::sleep(cfg.redial_pause).await;
    }
}

/// Writes queued messages (all that are queued in one write) until the connection fails or the
/// link is reset.
async fn send_queued(stream: &mut TcpStream, to: u64, epoch: u64, net: &Shared, wake: &LocalReceiver<()>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        {
            let mut n = net.borrow_mut();
            let Some(o) = n.out.get_mut(&to) else { return Ok(()) };
            if o.epoch != epoch {
                return Ok(());
            }
            for m in o.queue.drain(..) {
                buf.extend_from_slice(&(m.len() as u32).to_be_bytes());
                buf.extend_from_slice(&m);
            }
            o.queued_bytes = 0;
        }
        if buf.is_empty() {
            if wake.recv().await.is_none() {
                return Ok(());
            }
            continue;
        }
        stream.write_all(&buf).await?;
    }
}

async fn accept_loop(listener: TcpListener, net: Shared, cfg: Rc<PeerNetConfig>) {
    loop {
        match listener.accept().await {
            Ok(stream) => {
                glommio::spawn_local(receive(stream, net.clone(), cfg.clone())).detach();
            }
            Err(_) => glommio::timer::sleep(cfg.redial_pause).await,
        }
    }
}

/// One incoming connection: hello, then frames, each delivered as a `PeerEvent::Message`.
///
/// Stream contract (the replication core relies on it): messages of one connection arrive in
/// order and without gaps; when the link breaks (this stream ends, a newer one from the same peer
/// replaces it, or the outgoing side fails) `Lost` is delivered before anything of a newer
/// connection, and nothing of the old one after.
async fn receive(mut stream: TcpStream, net: Shared, cfg: Rc<PeerNetConfig>) {
    let mut h = [0u8; HELLO_LEN];
    if stream.read_exact(&mut h).await.is_err() {
        return;
    }
    let Some(from) = parse_hello(&h, &cfg.peers) else { return };
    let generation = {
        let mut n = net.borrow_mut();
        if n.incoming.contains_key(&from) {
            // The peer redialled: whatever its old stream carried may be incomplete.
            n.lose(from);
        }
        n.next_generation += 1;
        let g = n.next_generation;
        n.incoming.insert(from, IncomingLink { generation: g, fd: stream.as_raw_fd() });
        g
    };
    let live = || net.borrow().incoming.get(&from).map(|l| l.generation) == Some(generation);
    let mut frames = FrameSplitter::new(cfg.max_message);
    'conn: loop {
        let n = match stream.read(frames.read_buf(READ_CHUNK)).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        frames.commit(n);
        loop {
            if !live() {
                return; // superseded or reset: its Lost was already delivered
            }
            match frames.next_frame() {
                Ok(Some(m)) => {
                    let ev = PeerEvent::Message { from, bytes: m.to_vec() };
                    if net.borrow().events.try_send(ev).is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(_) => break 'conn,
            }
        }
    }
    if live() {
        net.borrow_mut().lose(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflowing_queue_or_a_reset_breaks_both_directions_and_both_sides_hear_of_it() {
        glommio::LocalExecutorBuilder::default()
            .spawn(|| async move {
                let (la, lb) = (listener(), listener());
                let (aa, ab) = (la.local_addr().unwrap(), lb.local_addr().unwrap());
                let mut ca = PeerNetConfig::new(1, vec![(2, ab)]);
                ca.max_queued = 100;
                let (a, a_rx) = start(la, ca);
                let (b, b_rx) = start(lb, PeerNetConfig::new(2, vec![(1, aa)]));
                assert!(a.send(2, b"first".to_vec()));
                assert!(b.send(1, b"back".to_vec()));
                assert_eq!(next(&b_rx).await, PeerEvent::Message { from: 1, bytes: b"first".to_vec() });
                assert_eq!(next(&a_rx).await, PeerEvent::Message { from: 2, bytes: b"back".to_vec() });
                // More than the queue may hold: refused, the link resets, both ends report it.
                assert!(!a.send(2, vec![7; 200]));
                assert_eq!(next(&a_rx).await, PeerEvent::Lost { peer: 2 });
                assert_eq!(next(&b_rx).await, PeerEvent::Lost { peer: 1 });
                // Redialled: traffic flows again both ways. Messages sent while the two halves of
                // the old link are still being torn down may be dropped (with a Lost), so resend
                // until one arrives.
                async fn deliver(tx: &PeerSender, to: u64, rx: &LocalReceiver<PeerEvent>, from: u64, bytes: &[u8]) {
                    for _ in 0..60 {
                        tx.send(to, bytes.to_vec());
                        let got = futures_lite::future::or(
                            async {
                                loop {
                                    if let PeerEvent::Message { from: f, bytes: b } = next(rx).await {
                                        return Some((f, b));
                                    }
                                }
                            },
                            async {
                                glommio::timer::sleep(Duration::from_millis(500)).await;
                                None
                            },
                        )
                        .await;
                        if let Some(m) = got {
                            assert_eq!(m, (from, bytes.to_vec()));
                            return;
                        }
                    }
                    panic!("the link never recovered");
                }
                deliver(&a, 2, &b_rx, 1, b"again").await;
                deliver(&b, 1, &a_rx, 2, b"too").await;
                // A host reset (undecodable bytes, say) does the same.
                b.reset(1);
                // Either side may still hold a stray resend from above; its Lost must follow.
                for (rx, other) in [(&b_rx, 1), (&a_rx, 2)] {
                    loop {
                        match next(rx).await {
                            PeerEvent::Lost { peer } => break assert_eq!(peer, other),
                            PeerEvent::Message { from, .. } => assert_eq!(from, other),
                        }
                    }
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn hello_names_a_known_sender_only() {
        let known = vec![(2, "127.0.0.1:1".parse().unwrap()), (3, "127.0.0.1:2".parse().unwrap())];
        assert_eq!(parse_hello(&hello(2), &known), Some(2));
        assert_eq!(parse_hello(&hello(9), &known), None);
        let mut bad = hello(2);
        bad[0] = b'x';
        assert_eq!(parse_hello(&bad, &known), None);
        assert_eq!(parse_hello(&hello(2)[..10], &known), None);
    }

    fn listener() -> std::net::TcpListener {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap()
    }

    /// Next event within a generous deadline (a hang fails the test instead of blocking CI).
    async fn next(rx: &LocalReceiver<PeerEvent>) -> PeerEvent {
        let deadline = glommio::timer::sleep(Duration::from_secs(30));
        futures_lite::future::or(async { rx.recv().await.expect("channel open") }, async {
            deadline.await;
            panic!("no peer event within 30 s")
        })
        .await
    }

    #[test]
    fn members_exchange_messages_and_bad_or_lost_connections_are_contained() {
        glommio::LocalExecutorBuilder::default()
            .spawn(|| async move {
                let ls: Vec<_> = (0..3).map(|_| listener()).collect();
                let addrs: Vec<SocketAddr> = ls.iter().map(|l| l.local_addr().unwrap()).collect();
                // Member 4 never runs: the test speaks for it over raw sockets.
                let absent: SocketAddr = listener().local_addr().unwrap();
                let mut nodes = Vec::new();
                for (i, l) in ls.into_iter().enumerate() {
                    let id = i as u64 + 1;
                    let mut peers: Vec<(u64, SocketAddr)> = (0..3).filter(|&j| j != i).map(|j| (j as u64 + 1, addrs[j])).collect();
                    peers.push((4, absent));
                    nodes.push(start(l, PeerNetConfig::new(id, peers)));
                }
                // Everyone to everyone, plus a message bigger than one read.
                let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
                for (i, (tx, _)) in nodes.iter().enumerate() {
                    for j in 1..=3u64 {
                        if j != i as u64 + 1 {
                            assert!(tx.send(j, format!("{}->{}", i + 1, j).into_bytes()));
                        }
                    }
                }
                assert!(nodes[0].0.send(2, big.clone()));
                assert!(!nodes[0].0.send(7, b"nobody".to_vec()), "unknown peer");
                for (i, (_, rx)) in nodes.iter().enumerate() {
                    let me = i as u64 + 1;
                    let want = if me == 2 { 3 } else { 2 };
                    let mut got = Vec::new();
                    while got.len() < want {
                        match next(rx).await {
                            PeerEvent::Message { from, bytes } => got.push((from, bytes)),
                            PeerEvent::Lost { peer } => panic!("unexpected loss of {peer}"),
                        }
                    }
                    for (from, bytes) in &got {
                        if bytes.len() == big.len() {
                            assert_eq!((*from, bytes), (1, &big));
                        } else {
                            assert_eq!(String::from_utf8_lossy(bytes), format!("{from}->{me}"));
                        }
                    }
                }
                // A stranger's hello is refused; a member's connection that ends is reported.
                let mut junk = TcpStream::connect(addrs[0]).await.unwrap();
                junk.write_all(&hello(99)).await.unwrap();
                let mut buf = [0u8; 1];
                assert_eq!(junk.read(&mut buf).await.unwrap(), 0, "closed without a reply");
                let mut fake = TcpStream::connect(addrs[0]).await.unwrap();
                fake.write_all(&hello(4)).await.unwrap();
                fake.write_all(&[0, 0, 0, 2, b'h', b'i']).await.unwrap();
                drop(fake);
                assert_eq!(next(&nodes[0].1).await, PeerEvent::Message { from: 4, bytes: b"hi".to_vec() });
                assert_eq!(next(&nodes[0].1).await, PeerEvent::Lost { peer: 4 });
                // An oversized frame closes that connection only; real traffic goes on.
                let mut huge = TcpStream::connect(addrs[0]).await.unwrap();
                huge.write_all(&hello(4)).await.unwrap();
                huge.write_all(&[0x7f, 0xff, 0xff, 0xff]).await.unwrap();
                assert_eq!(next(&nodes[0].1).await, PeerEvent::Lost { peer: 4 });
                assert!(nodes[2].0.send(1, b"still here".to_vec()));
                assert_eq!(next(&nodes[0].1).await, PeerEvent::Message { from: 3, bytes: b"still here".to_vec() });
                // A second stream from a peer supersedes the first: Lost comes first, and bytes the
                // old stream sends afterwards are never delivered.
                let mut old = TcpStream::connect(addrs[1]).await.unwrap();
                old.write_all(&hello(4)).await.unwrap();
                old.write_all(&[0, 0, 0, 3, b'o', b'n', b'e']).await.unwrap();
                assert_eq!(next(&nodes[1].1).await, PeerEvent::Message { from: 4, bytes: b"one".to_vec() });
                let mut new = TcpStream::connect(addrs[1]).await.unwrap();
                new.write_all(&hello(4)).await.unwrap();
                new.write_all(&[0, 0, 0, 3, b't', b'w', b'o']).await.unwrap();
                assert_eq!(next(&nodes[1].1).await, PeerEvent::Lost { peer: 4 });
                assert_eq!(next(&nodes[1].1).await, PeerEvent::Message { from: 4, bytes: b"two".to_vec() });
                old.write_all(&[0, 0, 0, 5, b's', b't', b'a', b'l', b'e']).await.unwrap();
                drop(old);
                new.write_all(&[0, 0, 0, 5, b'l', b'a', b't', b'e', b'r']).await.unwrap();
                assert_eq!(next(&nodes[1].1).await, PeerEvent::Message { from: 4, bytes: b"later".to_vec() });
            })
            .unwrap()
            .join()
            .unwrap();
    }
}

