//! Per-connection and server-wide counters for `stat`, `cons`, `srvr` and `mntr`, kept on the
//! pipeline executor because every packet and reply passes through it.

use crate::pipeline::{ConnId, Input, Output};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

#[derive(Debug, Clone, Default)]
pub struct Latency {
    pub count: u64,
    pub total_ms: i64,
    pub min_ms: i64,
    pub max_ms: i64,
}

impl Latency {
    fn record(&mut self, ms: i64) {
        if self.count == 0 || ms < self.min_ms {
            self.min_ms = ms;
        }
        self.max_ms = self.max_ms.max(ms);
        self.total_ms += ms;
        self.count += 1;
    }
}

#[derive(Debug, Clone)]
pub struct Conn {
    pub remote: SocketAddr,
    pub established_wall_ms: i64,
    pub received: u64,
    pub sent: u64,
    pub session_id: i64,
    pub timeout_ms: i32,
    pub last_op: i32,
    pub last_cxid: i32,
    pub last_zxid: i64,
    pub last_response_mono_ms: i64,
    pub last_latency_ms: i64,
    pub latency: Latency,
    /// Arrival times of requests still awaiting a reply, in order (replies are in order).
    in_flight: VecDeque<i64>,
}

#[derive(Debug, Default)]
pub struct ConnStats {
    pub conns: BTreeMap<ConnId, Conn>,
    pub packets_received: u64,
    pub packets_sent: u64,
    pub latency: Latency,
}

impl Conn {
    /// Requests received and not yet answered.
    pub fn outstanding(&self) -> usize {
        self.in_flight.len()
    }
}

impl ConnStats {
    /// A four-letter word's answer counts as `packets` sent, as ZooKeeper counts it.
    pub fn count_sent(&mut self, conn: ConnId, packets: u64) {
        self.packets_sent += packets;
        if let Some(c) = self.conns.get_mut(&conn) {
            c.sent += packets;
        }
    }

    /// A four-letter word is one received packet on its connection.
    pub fn count_four_letter_word(&mut self, conn: ConnId) {
        self.packets_received += 1;
        if let Some(c) = self.conns.get_mut(&conn) {
            c.received += 1;
        }
    }

    pub fn accepted(&mut self, conn: ConnId, remote: SocketAddr, wall_ms: i64) {
        self.conns.insert(
            conn,
            Conn {
                remote,
                established_wall_ms: wall_ms,
                received: 0,
                sent: 0,
                session_id: 0,
                timeout_ms: 0,
                last_op: 0,
                last_cxid: -1,
                last_zxid: -1,
                last_response_mono_ms: 0,
                last_latency_ms: 0,
                latency: Latency::default(),
                in_flight: VecDeque::new(),
            },
        );
    }

    pub fn closed(&mut self, conn: ConnId) {
        self.conns.remove(&conn);
    }

    pub fn outstanding(&self) -> usize {
        self.conns.values().map(|c| c.in_flight.len()).sum()
    }

    /// `now` is the step's monotonic ms (one clock read per step, not per packet).
    pub fn on_input(&mut self, input: &Input, now: i64) {
        match input {
            Input::Connect { conn, .. } => {
                self.packets_received += 1;
                if let Some(c) = self.conns.get_mut(conn) {
                    c.received += 1;
                    c.in_flight.push_back(now);
                }
            }
            Input::Packet { conn, header, .. } => {
                self.packets_received += 1;
                if let Some(c) = self.conns.get_mut(conn) {
                    c.received += 1;
                    c.last_op = header.op;
                    if header.xid >= 0 {
                        c.last_cxid = header.xid;
                    }
                    c.in_flight.push_back(now);
                }
            }
            Input::Disconnected { conn } => self.closed(*conn),
            Input::Tick
            | Input::Durable { .. }
            | Input::LogFailed
            | Input::TakeSnapshot
            | Input::SnapshotWritten { .. }
            | Input::Forwarded { .. }
            | Input::Touches { .. }
            | Input::Answer { .. }
            | Input::Committed { .. } => {}
        }
    }

    pub fn on_output(&mut self, out: &Output, now: i64) {
        let (conn, zxid, is_reply) = match out {
            Output::Connected { conn, resp, .. } => {
                if let Some(c) = self.conns.get_mut(conn) {
                    c.session_id = resp.session_id;
                    c.timeout_ms = resp.timeout;
                }
                (*conn, None, true)
            }
            Output::Reply { conn, header, .. } => (*conn, Some(header.zxid), true),
            Output::Event { conn, .. } => (*conn, None, false),
            Output::Close { .. } | Output::Append { .. } | Output::Snapshot(_) | Output::Forward(_) | Output::Touched(_) | Output::Answer { .. } => return,
        };
        self.packets_sent += 1;
        let Some(c) = self.conns.get_mut(&conn) else { return };
        c.sent += 1;
        if let Some(z) = zxid {
            c.last_zxid = z;
        }
        if is_reply {
            if let Some(start) = c.in_flight.pop_front() {
                let ms = now - start;
                c.last_latency_ms = ms;
                c.last_response_mono_ms = now;
                c.latency.record(ms);
                self.latency.record(ms);
            }
        }
    }

    /// `crst`: resets per-connection counters.
    pub fn reset_connections(&mut self) {
        for c in self.conns.values_mut() {
            c.received = 0;
            c.sent = 0;
            c.latency = Latency::default();
            c.last_latency_ms = 0;
        }
    }

    /// `srst`: resets server counters.
    pub fn reset_server(&mut self) {
        self.packets_received = 0;
        self.packets_sent = 0;
        self.latency = Latency::default();
    }
}
