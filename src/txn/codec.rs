//! Log bytes of a `TxnEntry` (SerializeUtils.serializeRequest/deserializeTxn), written and read with
//! the shared jute primitives and record helpers of `crate::wire`.

use super::{Txn, TxnEntry, TxnHeader};
use crate::wire::jute::{DecodeError, JuteReader, JuteWriter};
use crate::wire::op;
use crate::wire::records_codec::{read_acls, read_strings, write_acls, write_strings};

/// Why a logged entry could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxnDecodeError {
    /// Truncated record, impossible length, …
    #[error(transparent)]
    Wire(#[from] DecodeError),
    /// A header type no txn record exists for (or a multi sub-txn ZooKeeper refuses to apply).
    #[error("unknown txn type {0}")]
    UnknownType(i32),
}

/// Each multi sub-txn costs at least its type and its buffer length.
const MIN_MULTI_SUB_TXN: usize = 4 + 4;

impl Txn {
    fn write_record(&self, w: &mut JuteWriter) {
        match self {
            Txn::CreateSession { timeout } => w.write_i32(*timeout),
            Txn::CloseSession { paths } => write_strings(w, paths),
            Txn::Create { path, data, acl, ephemeral, parent_cversion, .. } => {
                w.write_str(path);
                w.write_buffer(data.as_deref());
                write_acls(w, acl);
                w.write_bool(*ephemeral);
                w.write_i32(*parent_cversion);
            }
            Txn::CreateContainer { path, data, acl, parent_cversion } => {
                w.write_str(path);
                w.write_buffer(data.as_deref());
                write_acls(w, acl);
                w.write_i32(*parent_cversion);
            }
            Txn::CreateTtl { path, data, acl, parent_cversion, ttl } => {
                w.write_str(path);
                w.write_buffer(data.as_deref());
                write_acls(w, acl);
                w.write_i32(*parent_cversion);
                w.write_i64(*ttl);
            }
            Txn::Delete { path } | Txn::DeleteContainer { path } => w.write_str(path),
            Txn::SetData { path, data, version } => {
                w.write_str(path);
                w.write_buffer(data.as_deref());
                w.write_i32(*version);
            }
            Txn::SetAcl { path, acl, version } => {
                w.write_str(path);
                write_acls(w, acl);
                w.write_i32(*version);
            }
            Txn::Check { path, version } => {
                w.write_str(path);
                w.write_i32(*version);
            }
            Txn::Error { err } => w.write_i32(*err),
            Txn::Multi(txns) => w.write_vec(Some(txns), |w, t| {
                w.write_i32(t.op_code());
                let mut sub = Vec::new();
                t.write_record(&mut JuteWriter::new(&mut sub));
                w.write_buffer(Some(&sub));
            }),
        }
    }

    /// Reads the record for type `op` (SerializeUtils.deserializeTxn rules, incl. legacy forms).
    fn read_record(op_code: i32, r: &mut JuteReader) -> Result<Txn, TxnDecodeError> {
        Ok(match op_code {
            op::CREATE_SESSION => Txn::CreateSession { timeout: r.read_i32()? },
            // Old logs wrote closeSession without a body.
            op::CLOSE_SESSION if r.is_empty() => Txn::CloseSession { paths: Vec::new() },
            op::CLOSE_SESSION => Txn::CloseSession { paths: read_strings(r)? },
            op::CREATE | op::CREATE2 => {
                let path = r.read_string()?;
                let data = r.read_buffer()?;
                let acl = read_acls(r)?;
                let ephemeral = r.read_bool()?;
                // CreateTxnV0 has no parentCVersion; -1 means "old + 1" at apply time.
                let parent_cversion = if r.remaining() >= 4 { r.read_i32()? } else { -1 };
                Txn::Create { path, data, acl, ephemeral, parent_cversion, create2: op_code == op::CREATE2 }
            }
            op::CREATE_CONTAINER => Txn::CreateContainer {
                path: r.read_string()?,
                data: r.read_buffer()?,
                acl: read_acls(r)?,
                parent_cversion: r.read_i32()?,
            },
            op::CREATE_TTL => Txn::CreateTtl {
                path: r.read_string()?,
                data: r.read_buffer()?,
                acl: read_acls(r)?,
                parent_cversion: r.read_i32()?,
                ttl: r.read_i64()?,
            },
            op::DELETE => Txn::Delete { path: r.read_string()? },
            op::DELETE_CONTAINER => Txn::DeleteContainer { path: r.read_string()? },
            op::SET_DATA | op::RECONFIG => {
                Txn::SetData { path: r.read_string()?, data: r.read_buffer()?, version: r.read_i32()? }
            }
            op::SET_ACL => Txn::SetAcl { path: r.read_string()?, acl: read_acls(r)?, version: r.read_i32()? },
            op::CHECK => Txn::Check { path: r.read_string()?, version: r.read_i32()? },
            op::ERROR => Txn::Error { err: r.read_i32()? },
            op::MULTI => {
                let mut sub_txns = Vec::new();
                let entries = r.read_vec(MIN_MULTI_SUB_TXN, |r| Ok((r.read_i32()?, r.read_buffer_ref()?)))?;
                for (t, data) in entries.ok_or(DecodeError::Invalid("null txn list in multi"))? {
                    // ZooKeeper refuses a multi inside a multi; refusing it here also bounds recursion.
                    if t == op::MULTI {
                        return Err(TxnDecodeError::UnknownType(t));
                    }
                    let data = data.unwrap_or_default();
                    sub_txns.push(Txn::read_record(t, &mut JuteReader::new(data, data.len()))?);
                }
                Txn::Multi(sub_txns)
            }
            other => return Err(TxnDecodeError::UnknownType(other)),
        })
    }
}

impl TxnEntry {
    /// TxnHeader + record. The header's `op` is written as is (reconfig logs op 16 with a SetDataTxn).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        let w = &mut JuteWriter::new(&mut out);
        let h = &self.header;
        w.write_i64(h.client_id);
        w.write_i32(h.cxid);
        w.write_i64(h.zxid);
        w.write_i64(h.time);
        w.write_i32(h.op);
        self.txn.write_record(w);
        out
    }

    /// Parses an entry; trailing bytes (ZooKeeper's optional `TxnDigest`) are ignored. Lengths are
    /// bounded by the entry itself.
    pub fn decode(bytes: &[u8]) -> Result<TxnEntry, TxnDecodeError> {
        let r = &mut JuteReader::new(bytes, bytes.len());
        let header = TxnHeader {
            client_id: r.read_i64()?,
            cxid: r.read_i32()?,
            zxid: r.read_i64()?,
            time: r.read_i64()?,
            op: r.read_i32()?,
        };
        let txn = Txn::read_record(header.op, r)?;
        Ok(TxnEntry { header, txn })
    }
}
