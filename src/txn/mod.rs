//! Transactions as ZooKeeper logs them: `TxnHeader` + one record per type (spec §9.2/§9.3).
//! `TxnEntry::encode`/`decode` (`codec.rs`) produce/consume exactly the bytes ZooKeeper puts inside a
//! log entry (the storage engine adds checksum, length and the trailing 'B').

mod codec;

pub use codec::TxnDecodeError;

use crate::wire::{op, Acl};

/// `TxnHeader { long clientId; int cxid; long zxid; long time; int type }`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxnHeader {
    pub client_id: i64,
    pub cxid: i32,
    pub zxid: i64,
    /// Wall-clock ms; becomes ctime/mtime.
    pub time: i64,
    pub op: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnEntry {
    pub header: TxnHeader,
    pub txn: Txn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Txn {
    /// -10 `CreateSessionTxn { int timeOut }` (header clientId = the new session)
    CreateSession { timeout: i32 },
    /// -11 `CloseSessionTxn { vector<ustring> paths2Delete }` (old logs: no body, read as empty)
    CloseSession { paths: Vec<String> },
    /// 1 / 15 `CreateTxn`; `create2` records which opcode (15) it came from. parent_cversion -1 = legacy V0.
    Create { path: String, data: Option<Vec<u8>>, acl: Vec<Acl>, ephemeral: bool, parent_cversion: i32, create2: bool },
    /// 19 `CreateContainerTxn`
    CreateContainer { path: String, data: Option<Vec<u8>>, acl: Vec<Acl>, parent_cversion: i32 },
    /// 21 `CreateTTLTxn`
    CreateTtl { path: String, data: Option<Vec<u8>>, acl: Vec<Acl>, parent_cversion: i32, ttl: i64 },
    /// 2 `DeleteTxn`
    Delete { path: String },
    /// 20 `DeleteTxn`
    DeleteContainer { path: String },
    /// 5 `SetDataTxn` (16 reconfig uses the same record; the header keeps op 16)
    SetData { path: String, data: Option<Vec<u8>>, version: i32 },
    /// 7 `SetACLTxn`
    SetAcl { path: String, acl: Vec<Acl>, version: i32 },
    /// 13 `CheckVersionTxn`
    Check { path: String, version: i32 },
    /// -1 `ErrorTxn`
    Error { err: i32 },
    /// 14 `MultiTxn { vector<Txn{int type; buffer data}> }`
    Multi(Vec<Txn>),
}

impl Txn {
    /// The type code this record is logged under.
    pub fn op_code(&self) -> i32 {
        match self {
            Txn::CreateSession { .. } => op::CREATE_SESSION,
            Txn::CloseSession { .. } => op::CLOSE_SESSION,
            Txn::Create { create2: false, .. } => op::CREATE,
            Txn::Create { create2: true, .. } => op::CREATE2,
            Txn::CreateContainer { .. } => op::CREATE_CONTAINER,
            Txn::CreateTtl { .. } => op::CREATE_TTL,
            Txn::Delete { .. } => op::DELETE,
            Txn::DeleteContainer { .. } => op::DELETE_CONTAINER,
            Txn::SetData { .. } => op::SET_DATA,
            Txn::SetAcl { .. } => op::SET_ACL,
            Txn::Check { .. } => op::CHECK,
            Txn::Error { .. } => op::ERROR,
            Txn::Multi(_) => op::MULTI,
        }
    }
}

#[cfg(test)]
mod tests;
