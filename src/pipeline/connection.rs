//! Per-connection state: auth ids, handshake queue, and the FIFO that keeps replies in request order.

use super::ConnId;
use crate::wire::{ConnectResponse, Id, ReplyHeader, Request, RequestHeader, Response};
use std::collections::VecDeque;

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
}

#[derive(Debug)]
pub struct Conn {
    pub id: ConnId,
    pub session: i64,
    pub timeout: i32,
    pub ids: Vec<Id>,
    pub remote_ip: String,
    pub state: ConnState,
    /// Mirrors the ConnectRequest's optional readOnly byte.
    pub read_only_flag: Option<bool>,
    pub pre_queue: VecDeque<(RequestHeader, Vec<u8>)>,
    pub queue: VecDeque<Slot>,
    /// This connection's DIGEST-MD5 server, created by its first SASL packet.
    pub sasl: Option<crate::auth::sasl::SaslServer>,
}

impl Conn {
    pub fn new(id: ConnId, remote_ip: String, timeout: i32, read_only_flag: Option<bool>) -> Conn {
        Conn {
            id,
            session: 0,
            timeout,
            ids: vec![Id::new("ip", remote_ip.clone())],
            remote_ip,
            state: ConnState::Established,
            read_only_flag,
            pre_queue: VecDeque::new(),
            queue: VecDeque::new(),
            sasl: None,
        }
    }

    pub fn add_ids(&mut self, ids: Vec<Id>) {
        for i in ids {
            if !self.ids.contains(&i) {
                self.ids.push(i);
            }
        }
    }

    /// Replaces the Write slot for `zxid` with a ready reply.
    pub fn fill_write(&mut self, zxid: i64, header: ReplyHeader, body: Response, close: bool) {
        self.fill_write_with(zxid, Slot::Ready { header, body, close });
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

/// Java's textual form of an address for `ip:` ids (IPv6 in the long, uncompressed form).
pub fn java_ip_string(addr: &std::net::SocketAddr) -> String {
    match addr.ip() {
        std::net::IpAddr::V4(v) => v.to_string(),
        std::net::IpAddr::V6(v) => {
            if let Some(v4) = v.to_ipv4_mapped() {
                return v4.to_string();
            }
            v.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":")
        }
    }
}
