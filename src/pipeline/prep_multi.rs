//! multi preparation: ops validated in order against one scratch view (later ops see earlier ones).
//! On the first failure the remaining ops become `error(-2)` txns and the caller drops the scratch
//! (rollback); ops before the failure keep their real txns in the log, as ZooKeeper writes them.

use super::overlay::Scratch;
use super::prep::{self, PrepCtx};
use crate::txn::Txn;
use crate::wire::{ErrorCode, MultiOp};

/// Returns the MultiTxn and whether an op failed; `Err` = a read op inside a write multi (MarshallingError).
pub fn prep_multi(ctx: &PrepCtx, s: &mut Scratch, ops: &[MultiOp]) -> Result<(Txn, bool), ErrorCode> {
    let mut subs = Vec::with_capacity(ops.len());
    let mut failed = false;
    for o in ops {
        if failed {
            subs.push(Txn::Error { err: ErrorCode::RuntimeInconsistency.code() });
            continue;
        }
        let r = match o {
            MultiOp::Create { op, req } => prep::prep_create(ctx, s, *op, req),
            MultiOp::Delete(pv) => prep::prep_delete(ctx, s, &pv.path, pv.version),
            MultiOp::SetData(r) => prep::prep_set_data(ctx, s, &r.path, &r.data, r.version),
            MultiOp::Check(pv) => prep::prep_check(ctx, s, &pv.path, pv.version),
            MultiOp::GetChildren(_) | MultiOp::GetData(_) => return Err(ErrorCode::MarshallingError),
        };
        match r {
            Ok(t) => subs.push(t),
            Err(e) => {
                failed = true;
                subs.push(Txn::Error { err: e.code() });
            }
        }
    }
    Ok((Txn::Multi(subs), failed))
}
