//! Per-connection state: auth ids, handshake queue, and the FIFO that keeps replies in request order.

use super::ConnId;
use crate::wire::{ConnectResponse, Id, ReplyHeader, Request, RequestHeader, Response};
use std::collections::VecDeque;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// ConnectRequest seen, createSession txn `zxid` not yet applied; packets wait in `pre_queue`.
    AwaitingSession { zxid: i64 },
    Established,
}

/// One entry of the reply FIFO.
#[derive(Debug, Clone)]
pub enum Slot {
    /// A write waiting for its txn to be applied.
    Write { zxid: i64 },
    /// A fully built reply.
    Ready { header: ReplyHeader, body: Response, close: bool },
    /// An error reply whose zxid is taken when it leaves (last applied zxid at that moment).
    Deferred { xid: i32, err: i32, close: bool },
    /// A read (or other non-txn request) executed when it reaches the head.
    Read { xid: i32, op: i32, req: Request },
    /// A read whose effects happen but which then fails with `err` (setWatches hitting a null path).
    FailingRead { xid: i32, op: i32, req: Request, err: i32 },
    /// Like `Deferred`, with a body (a multi failing before prep answers with an empty MultiResponse).
    DeferredWithBody { xid: i32, err: i32, body: Response },
    /// A ConnectResponse answering a createSession packet sent after the handshake (ZooKeeper's
    /// finishSessionInit), written once its txn is applied.
    Handshake { resp: ConnectResponse },
    /// Follower: a packet forwarded to the leader, waiting for its answer.
    Remote,
    /// Follower: the leader's answer, sent once this server has applied `zxid`.
    RemoteReady { header: ReplyHeader, body: Response, close: bool, zxid: i64 },
    /// Follower: a createSession packet's ConnectResponse, sent once this server has applied `zxid`.
    RemoteHandshake { resp: ConnectResponse, zxid: i64 },
}

#[derive(Debug)]
pub struct Conn {
    pub id: ConnId,
    pub session: i64,
    pub timeout: i32,
    /// The connection's auth ids, in the order they were added (see `ids_in_java_order`).
    pub ids: Vec<Id>,
    pub remote: IpAddr,
    pub state: ConnState,
    /// Mirrors the ConnectRequest's optional readOnly byte.
    pub read_only_flag: Option<bool>,
    pub pre_queue: VecDeque<(RequestHeader, Vec<u8>)>,
    pub queue: VecDeque<Slot>,
    /// This connection's DIGEST-MD5 server, created by its first SASL packet.
    pub sasl: Option<crate::auth::sasl::SaslServer>,
}

impl Conn {
    pub fn new(id: ConnId, remote: IpAddr, timeout: i32, read_only_flag: Option<bool>) -> Conn {
        Conn {
            id,
            session: 0,
            timeout,
            ids: crate::auth::connection_ids(remote),
            remote,
            state: ConnState::Established,
            read_only_flag,
            pre_queue: VecDeque::new(),
            queue: VecDeque::new(),
            sasl: None,
        }
    }

    pub fn add_ids(&mut self, ids: Vec<Id>) {
        crate::auth::add_auth_ids(&mut self.ids, ids);
    }

    /// The ids as ZooKeeper hands out `cnxn.getAuthInfo()` (whoAmI, `auth` ACL expansion): its
    /// authInfo is a ConcurrentHashMap-backed set, so the order is the map's bin order.
    pub fn ids_in_java_order(&self) -> Vec<Id> {
        java_auth_info_order(&self.ids)
    }

    /// Replaces the Write slot for `zxid` with a ready reply.
    pub fn fill_write(&mut self, zxid: i64, header: ReplyHeader, body: Response, close: bool) {
        self.fill_write_with(zxid, Slot::Ready { header, body, close });
    }

    /// Replaces the oldest Remote slot with the leader's answer; false if none waits.
    pub fn fill_remote(&mut self, slot: Slot) -> bool {
        match self.queue.iter_mut().find(|s| matches!(s, Slot::Remote)) {
            Some(s) => {
                *s = slot;
                true
            }
            None => false,
        }
    }

    /// Replaces the Write slot for `zxid` with `slot`.
    pub fn fill_write_with(&mut self, zxid: i64, slot: Slot) {
        for s in self.queue.iter_mut() {
            if let Slot::Write { zxid: z } = s {
                if *z == zxid {
                    *s = slot;
                    return;
                }
            }
        }
    }
}

/// Java's `String.hashCode` (over UTF-16 code units).
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Iteration order of a ConcurrentHashMap-backed set holding `ids` (added in slice order): bin by bin
/// (jute `Id.hashCode`, CHM spread, table of 16 doubling at 3/4 load), insertion order within a bin.
fn java_auth_info_order(ids: &[Id]) -> Vec<Id> {
    let mut table = 16usize;
    while ids.len() >= table / 4 * 3 {
        table *= 2;
    }
    let bin = |i: &Id| {
        let h = 17i32.wrapping_mul(37).wrapping_add(java_string_hash(&i.scheme));
        let h = h.wrapping_mul(37).wrapping_add(java_string_hash(&i.id));
        let spread = (h ^ ((h as u32) >> 16) as i32) & 0x7fff_ffff;
        spread as usize & (table - 1)
    };
    let mut v = ids.to_vec();
    v.sort_by_key(bin);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::generate_digest;

    #[test]
    fn auth_info_lists_ids_in_java_hash_order() {
        // Observed on ZooKeeper 3.8: alice, user, zed (digest) and sasl:bob come before ip:127.0.0.1.
        let mut c = Conn::new(1, "127.0.0.1".parse().unwrap(), 4000, None);
        c.add_ids(vec![
            Id::new("digest", generate_digest("user:password")),
            Id::new("digest", generate_digest("alice:x")),
            Id::new("digest", generate_digest("zed:y")),
        ]);
        let users: Vec<String> = c.ids_in_java_order().iter().map(|i| i.id.split(':').next().unwrap_or("").to_string()).collect();
        assert_eq!(users, ["alice", "user", "zed", "127.0.0.1"]);
        let mut c = Conn::new(2, "127.0.0.1".parse().unwrap(), 4000, None);
        c.add_ids(vec![Id::new("sasl", "bob"), Id::new("sasl", "bob")]);
        let schemes: Vec<String> = c.ids_in_java_order().into_iter().map(|i| i.scheme).collect();
        assert_eq!(schemes, ["sasl", "ip"], "duplicates are not added twice");
    }
}
