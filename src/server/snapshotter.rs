//! Background snapshot writing: the pipeline hands over a frozen tree state, a plain thread writes
//! and maps the file (never the pipeline's core: writes keep flowing), and the result comes back
//! through a channel the pipeline polls.

use crate::pipeline::BaseHandle;
use crate::tree::{FrozenView, SnapshotJob};
use std::cell::RefCell;
use crossbeam::channel::{unbounded, Receiver, Sender};
use std::path::PathBuf;
use std::sync::Arc;
use zkd_storage::snapshot::MappedSnapshot;

pub struct Snapshotter {
    dir: PathBuf,
    done_tx: Sender<Option<BaseHandle>>,
    done_rx: Receiver<Option<BaseHandle>>,
    /// A second reference to the job's frozen layer and old base, kept so that the last reference
    /// is dropped here, off the pipeline: freeing a layer of ~100k nodes (and trimming the heap
    /// after it) took ~10% of the pipeline's time in create-heavy runs (PERF.md).
    held: RefCell<Option<FrozenView>>,
}

impl Snapshotter {
    /// `dir` is `<dataDir>/version-2`.
    pub fn new(dir: PathBuf) -> Snapshotter {
        let (done_tx, done_rx) = unbounded();
        Snapshotter { dir, done_tx, done_rx, held: RefCell::new(None) }
    }

    /// Starts writing `job` on its own thread.
    pub fn start(&self, job: SnapshotJob) {
        *self.held.borrow_mut() = Some(job.view.clone());
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

    /// A finished snapshot, if one is ready. A failed one releases the held layer at once: the
    /// core folds the frozen layer back and wants to be its only owner then.
    pub fn try_finished(&self) -> Option<Option<BaseHandle>> {
        let done = self.done_rx.try_recv().ok()?;
        if done.is_none() {
            self.held.borrow_mut().take();
        }
        Some(done)
    }

    /// After the core installed the new base: drop the old frozen layer and base on a background
    /// thread and give the freed pages back to the OS there.
    pub fn retire(&self) {
        let Some(view) = self.held.borrow_mut().take() else { return };
        let spawned = std::thread::Builder::new().name("zkd-retire".into()).spawn(move || {
            drop(view);
            // SAFETY: malloc_trim only releases free heap memory.
            unsafe {
                libc::malloc_trim(0);
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(%e, "cannot start a thread to free the old snapshot layer; freeing it here");
        }
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
