//! A quorum member's epoch files, `acceptedEpoch` and `currentEpoch` in `<dataDir>/version-2`,
//! in ZooKeeper's format (the number in decimal, nothing else) and with its start-up rules.
//!
//! Written atomically and durably (temp file, fsync, rename, fsync of the directory): the
//! replication core requires both to be on disk before it acts on them.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub const ACCEPTED_EPOCH: &str = "acceptedEpoch";
pub const CURRENT_EPOCH: &str = "currentEpoch";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epochs {
    pub accepted: i64,
    pub current: i64,
    /// Operator notes for the log (a missing file was created with a default).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EpochError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: not an epoch number: {text:?}")]
    Garbage { path: PathBuf, text: String },
    /// QuorumPeer.loadDataBase refuses to start on this.
    #[error("The current epoch, {current:x}, is after the accepted epoch, {accepted:x}")]
    CurrentAfterAccepted { current: i64, accepted: i64 },
}

/// Reads both files. A missing one is created with the epoch of `last_zxid` (the last logged zxid),
/// as ZooKeeper does on upgrade ("... not found! Creating with a reasonable default").
pub fn load(dir: &Path, last_zxid: i64) -> Result<Epochs, EpochError> {
    let default = last_zxid >> 32;
    let mut notes = Vec::new();
    let mut read_or_create = |name: &str| -> Result<i64, EpochError> {
        match read(dir, name)? {
            Some(v) => Ok(v),
            None => {
                notes.push(format!("{name} not found! Creating with a reasonable default of {default}. This should only happen when you are upgrading your installation"));
                store(dir, name, default)?;
                Ok(default)
            }
        }
    };
    let current = read_or_create(CURRENT_EPOCH)?;
    let accepted = read_or_create(ACCEPTED_EPOCH)?;
    if current > accepted {
        return Err(EpochError::CurrentAfterAccepted { current, accepted });
    }
    Ok(Epochs { accepted, current, notes })
}

/// The value in `dir/name`, None when the file does not exist.
pub fn read(dir: &Path, name: &str) -> Result<Option<i64>, EpochError> {
    let path = dir.join(name);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(EpochError::Io { path, source }),
    };
    // readLine + Long.parseLong: the first line, exactly a (signed) decimal number.
    let line = text.lines().next().unwrap_or("");
    let digits = line.strip_prefix(['+', '-']).unwrap_or(line);
    match line.parse::<i64>() {
        Ok(v) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v)),
        _ => Err(EpochError::Garbage { path, text: line.to_string() }),
    }
}

/// Replaces `dir/name` with `value`, durably (AtomicFileWritingIdiom plus the fsyncs).
pub fn store(dir: &Path, name: &str, value: i64) -> Result<(), EpochError> {
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.tmp"));
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| EpochError::Io { path: p, source }
    };
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(value.to_string().as_bytes()).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    fs::rename(&tmp, &path).map_err(io(&path))?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_get_the_last_zxids_epoch_and_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let e = load(d.path(), (7 << 32) | 42).unwrap();
        assert_eq!((e.accepted, e.current), (7, 7));
        assert_eq!(e.notes.len(), 2);
        assert_eq!(fs::read_to_string(d.path().join(CURRENT_EPOCH)).unwrap(), "7", "ZooKeeper's format: just the number");
        store(d.path(), ACCEPTED_EPOCH, 9).unwrap();
        let e = load(d.path(), 0).unwrap();
        assert_eq!((e.accepted, e.current, e.notes.len()), (9, 7, 0));
        assert!(!d.path().join("acceptedEpoch.tmp").exists());
    }

    #[test]
    fn bad_files_are_named_and_current_after_accepted_is_refused() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(CURRENT_EPOCH), "x1").unwrap();
        let err = load(d.path(), 0).unwrap_err().to_string();
        assert!(err.contains("currentEpoch") && err.contains("x1"), "{err}");
        fs::write(d.path().join(CURRENT_EPOCH), "5\n").unwrap();
        fs::write(d.path().join(ACCEPTED_EPOCH), "4").unwrap();
        assert_eq!(load(d.path(), 0).unwrap_err().to_string(), "The current epoch, 5, is after the accepted epoch, 4");
    }
}
