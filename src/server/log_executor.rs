//! The log executor: runs the storage engine's group-commit loop (one fdatasync per batch of
//! whatever arrived while the previous sync was in flight) and reports durability back.

use crate::txn::TxnEntry;
use glommio::channels::shared_channel::{SharedReceiver, SharedSender};
use std::path::PathBuf;
use std::sync::Arc;
use zkd_storage::{LogNotice, LogOptions, LogStats};

pub struct LogParams {
    /// `<dataLogDir>/version-2`
    pub dir: PathBuf,
    pub options: LogOptions,
    /// Newest zxid already in the log (from recovery).
    pub last_zxid: Option<i64>,
    pub stats: Arc<LogStats>,
}

pub async fn run(params: LogParams, from_pipeline: SharedReceiver<Vec<(i64, TxnEntry)>>, to_pipeline: SharedSender<LogNotice>) {
    zkd_storage::run_log_executor(
        params.dir,
        params.options,
        params.last_zxid,
        params.stats,
        from_pipeline,
        |entry: &TxnEntry, out: &mut Vec<u8>| out.extend_from_slice(&entry.encode()),
        to_pipeline,
    )
    .await;
}
