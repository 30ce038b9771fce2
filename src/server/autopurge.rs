//! autopurge.purgeInterval / autopurge.snapRetainCount: ZooKeeper's DatadirCleanupManager runs the
//! purge at start and then every purgeInterval hours; so does this thread.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct AutoPurge {
    pub snap_dir: PathBuf,
    pub log_dir: PathBuf,
    pub retain: usize,
    pub interval: Duration,
}

pub fn spawn(p: AutoPurge) -> std::io::Result<()> {
    tracing::info!(retain = p.retain, interval_hours = p.interval.as_secs() / 3600, "autopurge enabled");
    std::thread::Builder::new().name("zkd-purge".into()).spawn(move || loop {
        match zkd_storage::snapshot::purge(&p.snap_dir, &p.log_dir, p.retain) {
            Ok(r) => tracing::info!(snapshots = r.removed_snapshots.len(), segments = r.removed_segments.len(), "purge done"),
            Err(e) => tracing::warn!(%e, "purge failed"),
        }
        std::thread::sleep(p.interval);
    })?;
    Ok(())
}
