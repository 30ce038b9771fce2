//! An ensemble member's link to the storage log writer (a task of the member's executor): one
//! batch in flight at a time (group commit: what arrives during a sync forms the next batch), and
//! a writer that can be stopped and restarted around a TRUNC.

use glommio::channels::shared_channel::{self, ConnectedReceiver, ConnectedSender};
use glommio::Task;
use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::sync::Arc;
use zkd_storage::{LogNotice, LogOptions, LogStats};

type Batch = Vec<(i64, Vec<u8>)>;

pub struct MemberLog {
    dir: PathBuf,
    options: LogOptions,
    stats: Arc<LogStats>,
    tx: RefCell<Option<ConnectedSender<Batch>>>,
    pending: RefCell<Batch>,
    in_flight: Cell<bool>,
    /// Dropping it would cancel the writer mid-batch: kept until `stop` awaits it.
    writer: RefCell<Option<Task<()>>>,
}

impl MemberLog {
    /// `dir`: `<dataLogDir>/version-2`.
    pub fn new(dir: PathBuf, options: LogOptions, stats: Arc<LogStats>) -> MemberLog {
        MemberLog {
            dir,
            options,
            stats,
            tx: RefCell::new(None),
            pending: RefCell::new(Vec::new()),
            in_flight: Cell::new(false),
            writer: RefCell::new(None),
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Starts a writer continuing after `last_zxid`; returns its notices (Durable per batch).
    pub async fn start(&self, last_zxid: Option<i64>) -> ConnectedReceiver<LogNotice> {
        let (to_log_tx, to_log_rx) = shared_channel::new_bounded(4);
        let (from_log_tx, from_log_rx) = shared_channel::new_bounded(4);
        let task = glommio::spawn_local(zkd_storage::run_log_executor(
            self.dir.clone(),
            self.options.clone(),
            last_zxid,
            self.stats.clone(),
            to_log_rx,
            |data: &Vec<u8>, out: &mut Vec<u8>| out.extend_from_slice(data),
            from_log_tx,
        ));
        let notices = glommio::spawn_local(from_log_rx.connect());
        *self.tx.borrow_mut() = Some(to_log_tx.connect().await);
        *self.writer.borrow_mut() = Some(task);
        let notices = notices.await;
        self.flush();
        notices
    }

    /// Queues a record after everything queued before.
    pub fn push(&self, zxid: i64, data: Vec<u8>) {
        self.pending.borrow_mut().push((zxid, data));
        self.flush();
    }

    /// The writer answered the batch in flight.
    pub fn answered(&self) {
        self.in_flight.set(false);
        self.flush();
    }

    /// Nothing queued or in flight: every record pushed so far is durable.
    pub fn idle(&self) -> bool {
        !self.in_flight.get() && self.pending.borrow().is_empty()
    }

    /// Stops the writer (it closes its segment); call when `idle`.
    pub async fn stop(&self) {
        drop(self.tx.borrow_mut().take());
        let writer = self.writer.borrow_mut().take();
        if let Some(w) = writer {
            w.await;
        }
    }

    fn flush(&self) {
        if self.in_flight.get() || self.pending.borrow().is_empty() {
            return;
        }
        let tx = self.tx.borrow();
        let Some(tx) = tx.as_ref() else { return };
        let batch = std::mem::take(&mut *self.pending.borrow_mut());
        // One batch in flight in a channel of 4: only a writer that is gone refuses it.
        match tx.try_send(batch) {
            Ok(()) => self.in_flight.set(true),
            // Records that can never be durable: the member cannot go on.
            Err(e) => {
                tracing::error!("the transaction log writer is gone ({e}); exiting");
                eprintln!("zkd: the transaction log writer is gone ({e}); exiting");
                std::process::exit(1);
            }
        }
    }
}
