//! Background snapshot writing: the pipeline hands over a frozen tree state, a plain thread writes
//! and maps the file (never the pipeline's core: writes keep flowing), and the result comes back
//! through a channel the pipeline polls.

use crate::pipeline::BaseHandle;
use crate::tree::SnapshotJob;
use crossbeam::channel::{unbounded, Receiver, Sender};
use std::path::PathBuf;
use std::sync::Arc;
use zkd_storage::snapshot::MappedSnapshot;

pub struct Snapshotter {
    dir: PathBuf,
    done_tx: Sender<Option<BaseHandle>>,
    done_rx: Receiver<Option<BaseHandle>>,
}

impl Snapshotter {
    /// `dir` is `<dataDir>/version-2`.
    pub fn new(dir: PathBuf) -> Snapshotter {
        let (done_tx, done_rx) = unbounded();
        Snapshotter { dir, done_tx, done_rx }
    }

    /// Starts writing `job` on its own thread.
    pub fn start(&self, job: SnapshotJob) {
        let (dir, done) = (self.dir.clone(), self.done_tx.clone());
        let spawned = std::thread::Builder::new().name("zkd-snapshot".into()).spawn(move || {
            // Below the executors in priority: a snapshot may take longer, requests may not.
            // SAFETY: setpriority on the calling thread (who = 0) only changes its nice value.
            unsafe {
                libc::setpriority(libc::PRIO_PROCESS, 0, 10);
            }
            let result = write_and_map(&dir, &job);
            // Release the frozen layer and the old mapping before the pipeline hears back, so that
            // installing (or aborting) finds itself the only owner and nothing lingers.
            drop(job);
            let _ = done.send(result);
        });
        if let Err(e) = spawned {
            tracing::error!(%e, "cannot start the snapshot thread");
            let _ = self.done_tx.send(None);
        }
    }

    /// A finished snapshot, if one is ready.
    pub fn try_finished(&self) -> Option<Option<BaseHandle>> {
        self.done_rx.try_recv().ok()
    }
}

fn write_and_map(dir: &std::path::Path, job: &SnapshotJob) -> Option<BaseHandle> {
    let started = std::time::Instant::now();
    let written = crate::snapshot::write_job(dir, job).and_then(|p| MappedSnapshot::open(&p).map(|s| (p, s)));
    match written {
        Ok((path, snap)) => {
            tracing::info!(
                file = %path.display(),
                zxid = format_args!("0x{:x}", job.last_zxid),
                nodes = job.node_count,
                bytes = snap.file_len(),
                ms = started.elapsed().as_millis() as u64,
                "snapshot written"
            );
            Some(BaseHandle(Arc::new(snap)))
        }
        Err(e) => {
            tracing::error!(zxid = format_args!("0x{:x}", job.last_zxid), error = %e, "snapshot failed; the tree stays in memory");
            None
        }
    }
}
