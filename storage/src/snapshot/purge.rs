//! Retention (ZooKeeper's PurgeTxnLog): keep the newest `retain` snapshots and the log they need.

use super::files::list_snapshots;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub removed_snapshots: Vec<PathBuf>,
    pub removed_segments: Vec<PathBuf>,
}

/// Which segments (sorted by first zxid) only hold records at or before `zxid`: every one whose
/// successor starts at or before `zxid + 1`. The newest segment always stays.
pub fn segments_covered(first_zxids: &[i64], zxid: i64) -> usize {
    let mut n = 0;
    while n + 1 < first_zxids.len() && first_zxids[n + 1] <= zxid.saturating_add(1) {
        n += 1;
    }
    n
}

/// Deletes snapshots older than the `retain` newest (at least 3), then log segments that hold
/// nothing newer than the oldest kept snapshot. With no snapshot, nothing is deleted.
pub fn purge(snap_dir: &Path, log_dir: &Path, retain: usize) -> std::io::Result<PurgeReport> {
    let retain = retain.max(3);
    let snaps = list_snapshots(snap_dir)?;
    let mut report = PurgeReport::default();
    let keep = snaps.len().min(retain);
    if keep == 0 {
        return Ok(report);
    }
    let oldest_kept = snaps[keep - 1].0;
    for (_, p) in snaps.iter().skip(retain) {
        std::fs::remove_file(p)?;
        report.removed_snapshots.push(p.clone());
    }
    let mut segs: Vec<(i64, PathBuf)> = Vec::new();
    match std::fs::read_dir(log_dir) {
        Ok(rd) => {
            for e in rd {
                let e = e?;
                if let Some(z) = crate::segment::parse_segment_name(&e.file_name().to_string_lossy()) {
                    segs.push((z, e.path()));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    segs.sort();
    let firsts: Vec<i64> = segs.iter().map(|s| s.0).collect();
    for (_, p) in segs.iter().take(segments_covered(&firsts, oldest_kept)) {
        std::fs::remove_file(p)?;
        report.removed_segments.push(p.clone());
    }
    if !report.removed_snapshots.is_empty() || !report.removed_segments.is_empty() {
        for d in [snap_dir, log_dir] {
            std::fs::File::open(d)?.sync_all()?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::segments_covered;

    #[test]
    fn covered_segments() {
        assert_eq!(segments_covered(&[], 10), 0);
        assert_eq!(segments_covered(&[1], 100), 0, "the newest segment stays");
        assert_eq!(segments_covered(&[1, 50, 100], 49), 1);
        assert_eq!(segments_covered(&[1, 50, 100], 48), 0, "zxid 49 is still needed from the first");
        assert_eq!(segments_covered(&[1, 50, 100], 99), 2);
        assert_eq!(segments_covered(&[1, 50, 100], 1000), 2);
    }
}
