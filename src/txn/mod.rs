//! Transactions as ZooKeeper logs them: `TxnHeader` + one record per type (spec §9.2/§9.3).
//! `encode_entry`/`decode_entry` produce/consume exactly the bytes ZooKeeper puts inside a log entry
//! (the storage engine adds checksum, length and the trailing 'B').

mod bytes;

pub use bytes::TxnDecodeError;
use bytes::{Reader, Writer};

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

    fn write_record(&self, w: &mut Writer) {
        match self {
            Txn::CreateSession { timeout } => w.int(*timeout),
            Txn::CloseSession { paths } => w.strings(paths),
            Txn::Create { path, data, acl, ephemeral, parent_cversion, .. } => {
                w.string(path);
                w.buffer(data.as_deref());
                w.acls(acl);
                w.boolean(*ephemeral);
                w.int(*parent_cversion);
            }
            Txn::CreateContainer { path, data, acl, parent_cversion } => {
                w.string(path);
                w.buffer(data.as_deref());
                w.acls(acl);
                w.int(*parent_cversion);
            }
            Txn::CreateTtl { path, data, acl, parent_cversion, ttl } => {
                w.string(path);
                w.buffer(data.as_deref());
                w.acls(acl);
                w.int(*parent_cversion);
                w.long(*ttl);
            }
            Txn::Delete { path } | Txn::DeleteContainer { path } => w.string(path),
            Txn::SetData { path, data, version } => {
                w.string(path);
                w.buffer(data.as_deref());
                w.int(*version);
            }
            Txn::SetAcl { path, acl, version } => {
                w.string(path);
                w.acls(acl);
                w.int(*version);
            }
            Txn::Check { path, version } => {
                w.string(path);
                w.int(*version);
            }
            Txn::Error { err } => w.int(*err),
            Txn::Multi(txns) => {
                w.int(txns.len() as i32);
                for t in txns {
                    w.int(t.op_code());
                    let mut sub = Writer::new();
                    t.write_record(&mut sub);
                    w.buffer(Some(&sub.buf));
                }
            }
        }
    }

    /// Reads the record for type `op` (SerializeUtils.deserializeTxn rules, incl. legacy forms).
    fn read_record(op_code: i32, r: &mut Reader<'_>) -> Result<Txn, TxnDecodeError> {
        Ok(match op_code {
            op::CREATE_SESSION => Txn::CreateSession { timeout: r.int()? },
            op::CLOSE_SESSION => {
                if r.remaining() == 0 {
                    Txn::CloseSession { paths: Vec::new() }
                } else {
                    Txn::CloseSession { paths: r.strings()? }
                }
            }
            op::CREATE | op::CREATE2 => {
                let path = r.string()?;
                let data = r.buffer()?;
                let acl = r.acls()?;
                let ephemeral = r.boolean()?;
                // CreateTxnV0 has no parentCVersion; -1 means "old + 1" at apply time.
                let parent_cversion = if r.remaining() >= 4 { r.int()? } else { -1 };
                Txn::Create { path, data, acl, ephemeral, parent_cversion, create2: op_code == op::CREATE2 }
            }
            op::CREATE_CONTAINER => Txn::CreateContainer {
                path: r.string()?,
                data: r.buffer()?,
                acl: r.acls()?,
                parent_cversion: r.int()?,
            },
            op::CREATE_TTL => Txn::CreateTtl {
                path: r.string()?,
                data: r.buffer()?,
                acl: r.acls()?,
                parent_cversion: r.int()?,
                ttl: r.long()?,
            },
            op::DELETE => Txn::Delete { path: r.string()? },
            op::DELETE_CONTAINER => Txn::DeleteContainer { path: r.string()? },
            op::SET_DATA | op::RECONFIG => Txn::SetData { path: r.string()?, data: r.buffer()?, version: r.int()? },
            op::SET_ACL => Txn::SetAcl { path: r.string()?, acl: r.acls()?, version: r.int()? },
            op::CHECK => Txn::Check { path: r.string()?, version: r.int()? },
            op::ERROR => Txn::Error { err: r.int()? },
            op::MULTI => {
                let n = r.int()?;
                if n < 0 || n as usize > r.remaining() {
                    return Err(TxnDecodeError::BadLength(n));
                }
                let mut v = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let t = r.int()?;
                    let data = r.buffer()?.unwrap_or_default();
                    let mut sub = Reader::new(&data);
                    v.push(Txn::read_record(t, &mut sub)?);
                }
                Txn::Multi(v)
            }
            other => return Err(TxnDecodeError::UnknownType(other)),
        })
    }
}

impl TxnEntry {
    /// TxnHeader + record. The header's `op` is written as is (reconfig logs op 16 with a SetDataTxn).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        let h = &self.header;
        w.long(h.client_id);
        w.int(h.cxid);
        w.long(h.zxid);
        w.long(h.time);
        w.int(h.op);
        self.txn.write_record(&mut w);
        w.buf
    }

    /// Parses an entry; trailing bytes (ZooKeeper's optional `TxnDigest`) are ignored.
    pub fn decode(bytes: &[u8]) -> Result<TxnEntry, TxnDecodeError> {
        let mut r = Reader::new(bytes);
        let header = TxnHeader { client_id: r.long()?, cxid: r.int()?, zxid: r.long()?, time: r.long()?, op: r.int()? };
        let txn = Txn::read_record(header.op, &mut r)?;
        Ok(TxnEntry { header, txn })
    }
}

#[cfg(test)]
mod tests;
