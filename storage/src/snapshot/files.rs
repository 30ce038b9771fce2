//! Snapshot files in `<dataDir>/version-2`: `zkdsnap.<16 hex digits of the zxid>`, written as
//! `.tmp`, fdatasync'ed, renamed, directory fsync'ed; so a name only ever shows a complete file.

use super::encode::stream_snapshot;
use super::format::HEADER_LEN;
use super::mapped::MappedSnapshot;
use super::{SnapError, SnapshotInput};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const PREFIX: &str = "zkdsnap.";
const TMP: &str = ".tmp";

pub fn snapshot_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("version-2")
}

pub fn snapshot_file_name(zxid: i64) -> String {
    format!("{PREFIX}{:016x}", zxid as u64)
}

pub fn parse_snapshot_name(name: &str) -> Option<i64> {
    let hex = name.strip_prefix(PREFIX)?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|z| z as i64)
}

fn sync_dir(dir: &Path) -> Result<(), SnapError> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| SnapError::io(dir, e))
}

/// Writes the snapshot atomically; returns its final path.
pub fn write_snapshot(dir: &Path, input: &SnapshotInput) -> Result<PathBuf, SnapError> {
    std::fs::create_dir_all(dir).map_err(|e| SnapError::io(dir, e))?;
    let name = snapshot_file_name(input.last_zxid);
    let tmp = dir.join(format!("{name}{TMP}"));
    let dst = dir.join(&name);
    let written = (|| -> Result<(), SnapError> {
        let io = |e| SnapError::io(&tmp, e);
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&[0u8; HEADER_LEN]).map_err(io)?;
        // The archive streams to the file; the header (length, checksum) goes in last.
        let header = stream_snapshot(input, std::io::BufWriter::with_capacity(1 << 20, &f))?;
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        f.write_all(&header.encode()).map_err(io)?;
        f.sync_data().map_err(io)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &dst).map_err(|e| SnapError::io(&dst, e))?;
    sync_dir(dir)?;
    Ok(dst)
}

/// Every `zkdsnap.*` file with its zxid, newest first.
pub fn list_snapshots(dir: &Path) -> std::io::Result<Vec<(i64, PathBuf)>> {
    let mut v = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            for e in rd {
                let e = e?;
                if let Some(z) = parse_snapshot_name(&e.file_name().to_string_lossy()) {
                    v.push((z, e.path()));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    v.sort_by_key(|s| std::cmp::Reverse(s.0));
    Ok(v)
}

/// The newest snapshot that opens and validates, plus one message per newer one skipped.
/// Ok(None) only when there is no snapshot at all: if snapshots exist and none is valid, that is an
/// error (starting empty could silently drop data the purged log no longer holds).
pub fn open_newest_valid(dir: &Path) -> Result<(Option<MappedSnapshot>, Vec<String>), SnapError> {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with(PREFIX) && n.ends_with(TMP) {
                std::fs::remove_file(e.path()).map_err(|err| SnapError::io(&e.path(), err))?;
            }
        }
    }
    let snaps = list_snapshots(dir).map_err(|e| SnapError::io(dir, e))?;
    let mut skipped = Vec::new();
    for (_, path) in &snaps {
        match MappedSnapshot::open(path) {
            Ok(s) => return Ok((Some(s), skipped)),
            Err(e) => skipped.push(e.to_string()),
        }
    }
    if snaps.is_empty() {
        Ok((None, skipped))
    } else {
        Err(SnapError::Corrupt { file: dir.display().to_string(), reason: format!("no valid snapshot: {}", skipped.join("; ")) })
    }
}
