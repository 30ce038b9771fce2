//! Errors of the log.

/// Where and why a segment is corrupt; the message names segment, offset and zxid for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corruption {
    pub segment: String,
    pub offset: u64,
    /// The last zxid that was read intact before the damage (None: none in this run).
    pub after_zxid: Option<i64>,
    /// The zxid the damaged record claims, when its header was readable.
    pub found_zxid: Option<i64>,
    pub reason: String,
}

impl std::fmt::Display for Corruption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "transaction log segment {} is corrupt at offset {}",
            self.segment, self.offset
        )?;
        match self.after_zxid {
            Some(z) => write!(f, " (after zxid 0x{z:x}")?,
            None => write!(f, " (before any valid record")?,
        }
        if let Some(z) = self.found_zxid {
            write!(f, ", damaged record claims zxid 0x{z:x}")?;
        }
        write!(f, "): {}", self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("transaction log I/O error during {op} on {path}: {source}")]
    Io {
        op: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Corrupt(Box<Corruption>),
    /// A batch's zxids do not continue the log (a caller bug; nothing was written).
    #[error("zxid 0x{next:x} does not follow 0x{prev:x} in the transaction log")]
    ZxidOrder { prev: i64, next: i64 },
    #[error("record of {len} bytes is larger than the log accepts")]
    RecordTooLarge { len: usize },
    /// An earlier write or sync failed; the log acknowledges nothing more until restarted.
    #[error("transaction log is failed after an earlier error: {0}")]
    Failed(String),
    #[error("invalid log options: {0}")]
    Options(String),
}

impl LogError {
    pub fn io(op: &'static str, path: impl Into<String>, source: std::io::Error) -> LogError {
        LogError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// True for out-of-space errors (ENOSPC, EDQUOT).
    pub fn is_no_space(&self) -> bool {
        // ENOSPC = 28, EDQUOT = 122 on Linux.
        matches!(self, LogError::Io { source, .. } if matches!(source.raw_os_error(), Some(28) | Some(122)))
    }
}
