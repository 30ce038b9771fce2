//! Simulated clients: each has one request in flight. Writes go to a leader, which prepares a
//! real `Txn` against its speculative tree (applied state + its uncommitted proposals, as
//! ZooKeeper's PrepRequestProcessor does with outstanding changes) and replies once it applies
//! the commit. Reads are served by any broadcasting replica that has applied at least what the
//! session already saw (ZooKeeper's rule for a session's server).

use crate::history::{OpHandle, Op, Outcome};
use crate::tree::DataTree;
use crate::txn::{Txn, TxnEntry, TxnHeader};
use crate::wire::{Acl, ErrorCode};
use crate::replication::zxid::Zxid;
use zkd_storage::sim::Rng;

pub const PATHS: [&str; 3] = ["/k0", "/k1", "/k2"];

#[derive(Debug)]
pub struct Client {
    pub name: String,
    pub session: i64,
    pub cxid: i32,
    pub busy: Option<(OpHandle, u64)>,
    /// Newest zxid this session saw (write replies and reads).
    pub last_zxid: Zxid,
    pub ops: u64,
    index: usize,
    generation: u32,
}

impl Client {
    pub fn new(i: usize) -> Client {
        Client { name: format!("c{i}"), session: i as i64 + 1, cxid: 0, busy: None, last_zxid: 0, ops: 0, index: i, generation: 0 }
    }

    /// Gives up the request in flight and goes on as a new session.
    pub fn abandon(&mut self) {
        self.busy = None;
        self.generation += 1;
        self.name = format!("c{}.{}", self.index, self.generation);
    }

    pub fn next_write(&mut self, rng: &mut Rng) -> Op {
        self.ops += 1;
        let path = PATHS[rng.below(PATHS.len() as u64) as usize].to_string();
        let data = format!("{}-{}", self.name, self.ops);
        match rng.below(10) {
            0..=2 => Op::Create { path, data },
            3..=7 => {
                let version = if rng.below(2) == 0 { -1 } else { rng.below(3) as i32 };
                Op::Set { path, data, version }
            }
            _ => Op::Delete { path, version: -1 },
        }
    }
}

fn error(e: ErrorCode) -> Txn {
    Txn::Error { err: e.code() }
}

/// The txn a leader logs for `op`, judged against `spec` (errors become ErrorTxn, as in ZooKeeper).
pub fn prepare(spec: &DataTree, op: &Op) -> Txn {
    match op {
        Op::Create { path, data } => {
            if spec.exists(path) {
                return error(ErrorCode::NodeExists);
            }
            let cversion = spec.get("/").map(|n| n.stat.cversion).unwrap_or(0) + 1;
            Txn::Create {
                path: path.clone(),
                data: Some(data.as_bytes().to_vec()),
                acl: Acl::open_unsafe(),
                ephemeral: false,
                parent_cversion: cversion,
                create2: false,
            }
        }
        Op::Set { path, data, version } => match spec.get(path) {
            None => error(ErrorCode::NoNode),
            Some(n) if *version != -1 && *version != n.stat.version => error(ErrorCode::BadVersion),
            Some(n) => Txn::SetData { path: path.clone(), data: Some(data.as_bytes().to_vec()), version: n.stat.version + 1 },
        },
        Op::Delete { path, version } => match spec.get(path) {
            None => error(ErrorCode::NoNode),
            Some(n) if *version != -1 && *version != n.stat.version => error(ErrorCode::BadVersion),
            Some(n) if !n.children.is_empty() => error(ErrorCode::NotEmpty),
            Some(_) => Txn::Delete { path: path.clone() },
        },
        _ => unreachable!("only writes are prepared"),
    }
}

/// The log payload: a ZooKeeper txn entry (its header zxid is set from the log entry on apply).
pub fn payload(session: i64, cxid: i32, time: i64, txn: Txn) -> Vec<u8> {
    let header = TxnHeader { client_id: session, cxid, zxid: 0, time, op: txn.op_code() };
    TxnEntry { header, txn }.encode()
}

pub fn outcome_of(err: i32) -> Outcome {
    match ErrorCode::from_code(err) {
        _ if err == 0 => Outcome::Ok,
        Some(ErrorCode::NoNode) => Outcome::NoNode,
        Some(ErrorCode::NodeExists) => Outcome::NodeExists,
        Some(ErrorCode::BadVersion) => Outcome::BadVersion,
        Some(ErrorCode::NotEmpty) => Outcome::NotEmpty,
        _ => Outcome::Unknown,
    }
}

/// Background session churn (not in the history, which does not model ephemerals): open
/// sessions, create ephemerals under them, close them.
pub fn churn(spec: &DataTree, rng: &mut Rng, next_session: &mut i64, n: u64) -> TxnEntry {
    let open: Vec<i64> = spec.sessions().keys().copied().filter(|s| *s >= 1000).collect();
    let (session, txn) = if open.len() < 2 || rng.below(4) == 0 {
        *next_session += 1;
        (*next_session, Txn::CreateSession { timeout: 30_000 })
    } else {
        let s = open[rng.below(open.len() as u64) as usize];
        if rng.below(3) == 0 {
            (s, Txn::CloseSession { paths: spec.ephemerals(s) })
        } else {
            let path = format!("/eph-{s}-{n}");
            let parent_cversion = spec.get("/").map(|n| n.stat.cversion).unwrap_or(0) + 1;
            let txn = Txn::Create { path, data: Some(vec![1, 2, 3]), acl: Acl::open_unsafe(), ephemeral: true, parent_cversion, create2: false };
            (s, txn)
        }
    };
    TxnEntry { header: TxnHeader { client_id: session, cxid: 0, zxid: 0, time: 0, op: txn.op_code() }, txn }
}
