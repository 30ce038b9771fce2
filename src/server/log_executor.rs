//! The log executor. Until the storage engine lands this is an in-memory log: it acknowledges each
//! batch as soon as it arrives, so nothing survives a restart (README says so plainly). The
//! message flow is the real one: the pipeline waits for `DurableUpTo` before anything commits.

use super::messages::DurableUpTo;
use crate::txn::TxnEntry;
use glommio::channels::shared_channel::{SharedReceiver, SharedSender};

pub async fn run(from_pipeline: SharedReceiver<Vec<(i64, TxnEntry)>>, to_pipeline: SharedSender<DurableUpTo>) {
    let (rx, tx) = futures_lite::future::zip(from_pipeline.connect(), to_pipeline.connect()).await;
    let mut appended: u64 = 0;
    while let Some(batch) = rx.recv().await {
        let Some(&(last, _)) = batch.last() else { continue };
        appended += batch.len() as u64;
        tracing::trace!(appended, last, "in-memory log batch");
        if tx.send(DurableUpTo { zxid: last }).await.is_err() {
            return;
        }
    }
}
