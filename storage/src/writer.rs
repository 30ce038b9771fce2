//! `LogWriter`: carries out the planner's ops with glommio `DmaFile`s (O_DIRECT through io_uring).
//! Must be created and used inside a glommio executor (the log executor).
//!
//! Why DmaFile rather than BufferedFile: every batch is written once, as whole blocks, and never read
//! back while running, so the page cache only adds a copy and dirty-page writeback that competes with
//! our own fdatasync; with O_DIRECT the fdatasync has only the device cache and the extent metadata
//! to flush. Blocks are never rewritten (each batch starts on a fresh block), so O_DIRECT's alignment
//! rules cost padding, not read-modify-write.
//!
//! Any failed op makes the writer failed for good: after a failed fdatasync Linux may have dropped
//! the dirty data, so a later successful sync proves nothing (the "fsyncgate" lesson).

use crate::error::LogError;
use crate::executor::LogStats;
use crate::plan::{LogOptions, Op, Planner};
use crate::segment::TMP_SUFFIX;
use glommio::io::{Directory, DmaFile, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub struct LogWriter {
    dir: PathBuf,
    dir_handle: Directory,
    planner: Planner,
    file: Option<DmaFile>,
    file_name: String,
    durable: Option<i64>,
    failed: Option<String>,
    stats: Arc<LogStats>,
    ops: Vec<Op>,
}

fn gio<T>(op: &'static str, path: &Path, e: glommio::GlommioError<T>) -> LogError {
    LogError::io(op, path.display().to_string(), std::io::Error::from(e))
}

impl LogWriter {
    /// Opens the log directory `dir` (`<dataLogDir>/version-2`, created if missing) for appending
    /// after `last_zxid` (from `recover`). Recovery must have run first: the writer never reads.
    pub async fn open(
        dir: impl AsRef<Path>,
        opts: LogOptions,
        last_zxid: Option<i64>,
        stats: Arc<LogStats>,
    ) -> Result<LogWriter, LogError> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)
            .map_err(|e| LogError::io("creating directory", dir.display().to_string(), e))?;
        let dir_handle = Directory::open(&dir)
            .await
            .map_err(|e| gio("opening directory", &dir, e))?;
        if !opts.force_sync {
            tracing::warn!("forceSync=no: the transaction log is not fdatasync'ed; acknowledged writes can be lost in an OS crash or power loss");
        }
        Ok(LogWriter {
            dir,
            dir_handle,
            planner: Planner::new(opts, last_zxid)?,
            file: None,
            file_name: String::new(),
            durable: last_zxid,
            failed: None,
            stats,
            ops: Vec::new(),
        })
    }

    /// Newest zxid known durable.
    pub fn durable_zxid(&self) -> Option<i64> {
        self.durable
    }

    pub fn stats(&self) -> &Arc<LogStats> {
        &self.stats
    }

    /// The error that stopped the writer, if any.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// The next batch goes to a new segment (to be called when a snapshot starts).
    pub fn roll(&mut self) {
        self.planner.roll();
    }

    /// Writes `records` (zxids continuing the log) and returns once all of them are durable (one
    /// fdatasync per `max_unsynced` bytes; one for a typical batch). Returns the durable zxid.
    /// After any IO error the writer is failed: this and every later call return Err.
    pub async fn append_batch(
        &mut self,
        records: &[(i64, &[u8])],
    ) -> Result<Option<i64>, LogError> {
        if let Some(f) = &self.failed {
            return Err(LogError::Failed(f.clone()));
        }
        if records.is_empty() {
            return Ok(self.durable);
        }
        let mut ops = std::mem::take(&mut self.ops);
        ops.clear();
        // Order errors leave the writer usable: nothing was written.
        self.planner.plan(records, &mut ops)?;
        let mut bytes = 0u64;
        let mut syncs = 0u64;
        let mut sync_ns = 0u64;
        let mut result = Ok(());
        for op in ops.drain(..) {
            match &op {
                Op::Write { data, .. } => bytes += data.len() as u64,
                Op::Sync => syncs += 1,
                _ => {}
            }
            let t = matches!(op, Op::Sync).then(Instant::now);
            if let Err(e) = self.run(op).await {
                result = Err(e);
                break;
            }
            if let Some(t) = t {
                sync_ns += t.elapsed().as_nanos() as u64;
            }
        }
        self.ops = ops;
        if let Err(e) = result {
            let msg = e.to_string();
            tracing::error!("transaction log failed, no further write will be acknowledged: {msg}");
            self.failed = Some(msg);
            self.stats.record_failure();
            return Err(e);
        }
        self.stats
            .record_batch(records.len() as u64, bytes, syncs, sync_ns);
        Ok(self.durable)
    }

    async fn run(&mut self, op: Op) -> Result<(), LogError> {
        match op {
            Op::Create {
                name,
                header,
                prealloc,
            } => self.create(&name, &header, prealloc).await,
            Op::Extend { len } => {
                let (f, path) = self.current()?;
                f.pre_allocate(len, false)
                    .await
                    .map_err(|e| gio("preallocating", &path, e))
            }
            Op::Write { offset, data } => {
                let (f, path) = self.current()?;
                let mut buf = f.alloc_dma_buffer(data.len());
                buf.as_bytes_mut().copy_from_slice(&data);
                let n = f
                    .write_at(buf, offset)
                    .await
                    .map_err(|e| gio("writing", &path, e))?;
                if n != data.len() {
                    return Err(LogError::io(
                        "writing",
                        path.display().to_string(),
                        std::io::Error::other(format!("short write: {n} of {} bytes", data.len())),
                    ));
                }
                Ok(())
            }
            Op::Sync => {
                let (f, path) = self.current()?;
                f.fdatasync().await.map_err(|e| gio("fdatasync", &path, e))
            }
            Op::Durable { zxid } => {
                self.durable = Some(zxid);
                Ok(())
            }
        }
    }

    fn current(&self) -> Result<(&DmaFile, PathBuf), LogError> {
        let path = self.dir.join(&self.file_name);
        match &self.file {
            Some(f) => Ok((f, path)),
            None => Err(LogError::Failed("no open segment".into())),
        }
    }

    /// Creates a segment so that its name only ever appears with a complete, synced header.
    async fn create(&mut self, name: &str, header: &[u8], prealloc: u64) -> Result<(), LogError> {
        let tmp = self.dir.join(format!("{name}{TMP_SUFFIX}"));
        let path = self.dir.join(name);
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(LogError::io("removing", tmp.display().to_string(), e))
            }
            _ => {}
        }
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .dma_open(&tmp)
            .await
            .map_err(|e| gio("creating", &tmp, e))?;
        if f.align_up(header.len() as u64) != header.len() as u64 {
            return Err(LogError::Options(format!(
                "block_size {} is not a multiple of the O_DIRECT alignment {}",
                header.len(),
                f.alignment()
            )));
        }
        f.pre_allocate(prealloc, false)
            .await
            .map_err(|e| gio("preallocating", &tmp, e))?;
        let mut buf = f.alloc_dma_buffer(header.len());
        buf.as_bytes_mut().copy_from_slice(header);
        let n = f
            .write_at(buf, 0)
            .await
            .map_err(|e| gio("writing header", &tmp, e))?;
        if n != header.len() {
            return Err(LogError::io(
                "writing header",
                tmp.display().to_string(),
                std::io::Error::other("short write"),
            ));
        }
        f.fdatasync().await.map_err(|e| gio("fdatasync", &tmp, e))?;
        f.rename(&path)
            .await
            .map_err(|e| gio("renaming", &tmp, e))?;
        self.dir_handle
            .sync()
            .await
            .map_err(|e| gio("syncing directory", &self.dir, e))?;
        if let Some(old) = self.file.replace(f) {
            // The old segment is fully synced; a close error cannot lose acknowledged data.
            let _ = old.close().await;
        }
        self.file_name = name.to_string();
        tracing::debug!(segment = %path.display(), "started transaction log segment");
        Ok(())
    }

    pub async fn close(mut self) {
        if let Some(f) = self.file.take() {
            let _ = f.close().await;
        }
    }
}
