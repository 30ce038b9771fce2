//! Start-up recovery and truncation over a `Backend` (no IO of its own, so crash images can be fed in).
//!
//! Rules (FORMAT.md, "Recovery"): segments are read oldest first; every record's checksum and zxid
//! continuity is checked. Damage in the newest segment that lies entirely within that segment's
//! unsynced window (the bytes a writer may have had in flight without a completed fdatasync) is a torn
//! tail: it is cut off with one log line. Any other damage stops recovery with an error that names
//! the segment, the offset and the zxids around it.

use crate::backend::Backend;
use crate::error::{Corruption, LogError};
use crate::scan::{scan_segment, Damage, SegmentScan};
use crate::segment::{is_tmp_segment, parse_segment_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    pub name: String,
    pub first_zxid: i64,
    /// None: the segment holds no record, or it was not read (`skipped`).
    pub last_zxid: Option<i64>,
    /// Not read: every record in it is at or before the zxid recovery started after (a newer
    /// segment starts no later than that zxid + 1), so a snapshot already holds them.
    pub skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    pub segment: String,
    /// Where the kept data ends (the file was cut there).
    pub offset: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryInfo {
    /// Zxid of the newest record in the log (None: empty log).
    pub last_zxid: Option<i64>,
    /// Segments that remain, oldest first.
    pub segments: Vec<SegmentInfo>,
    pub torn_tail: Option<TornTail>,
    /// Files removed: leftovers of interrupted segment creation and an empty newest segment.
    pub removed: Vec<String>,
}

fn io_err(b: &impl Backend, op: &'static str, name: &str, e: std::io::Error) -> LogError {
    LogError::io(op, b.describe(name), e)
}

/// Segment names with their first zxids, oldest first; removes leftovers of interrupted creation.
fn segments(
    b: &mut impl Backend,
    removed: &mut Vec<String>,
) -> Result<Vec<(i64, String)>, LogError> {
    let names = b.list().map_err(|e| io_err(b, "listing", "", e))?;
    let mut segs = Vec::new();
    for n in names {
        if is_tmp_segment(&n) {
            b.remove(&n).map_err(|e| io_err(b, "removing", &n, e))?;
            removed.push(n);
        } else if let Some(z) = parse_segment_name(&n) {
            segs.push((z, n));
        }
    }
    segs.sort();
    Ok(segs)
}

fn corrupt(
    b: &impl Backend,
    name: &str,
    offset: usize,
    after: Option<i64>,
    found: Option<i64>,
    reason: String,
) -> LogError {
    LogError::Corrupt(Box::new(Corruption {
        segment: b.describe(name),
        offset: offset as u64,
        after_zxid: after,
        found_zxid: found,
        reason,
    }))
}

fn scan_checked(
    b: &impl Backend,
    name: &str,
    first: i64,
    buf: &[u8],
    prev: Option<i64>,
) -> Result<SegmentScan, LogError> {
    let scan = scan_segment(buf, prev)
        .map_err(|why| corrupt(b, name, 0, prev, None, format!("bad segment header: {why}")))?;
    if scan.header.first_zxid != first {
        return Err(corrupt(
            b,
            name,
            0,
            prev,
            Some(scan.header.first_zxid),
            format!(
                "header names first zxid 0x{:x}, the file name 0x{first:x}",
                scan.header.first_zxid
            ),
        ));
    }
    Ok(scan)
}

/// Recovers the log: checks every segment, cuts a torn tail, and calls `replay(zxid, payload)` for
/// every record with zxid > `after_zxid`, in order. On `Err` nothing delivered to `replay` may be used.
pub fn recover_with<B: Backend>(
    b: &mut B,
    after_zxid: i64,
    mut replay: impl FnMut(i64, &[u8]),
) -> Result<RecoveryInfo, LogError> {
    let mut info = RecoveryInfo::default();
    let segs = segments(b, &mut info.removed)?;
    let mut prev: Option<i64> = None;
    for (i, (first, name)) in segs.iter().enumerate() {
        let is_last = i + 1 == segs.len();
        // Restart cost must not grow with the log a snapshot already covers: skip such segments.
        if let Some((next_first, _)) = segs.get(i + 1) {
            if after_zxid < i64::MAX && *next_first <= after_zxid.saturating_add(1) {
                info.segments.push(SegmentInfo { name: name.clone(), first_zxid: *first, last_zxid: None, skipped: true });
                prev = None;
                continue;
            }
        }
        let buf = b.read(name).map_err(|e| io_err(b, "reading", name, e))?;
        let scan = scan_checked(b, name, *first, &buf, prev)?;
        if let Some((off, dmg)) = &scan.damage {
            if !(is_last && scan.damage_is_torn_tail()) {
                let found = match dmg {
                    Damage::Invalid(i) => i.claimed_zxid(),
                    Damage::Gap { found, .. } | Damage::NotFirst { found, .. } => Some(*found),
                };
                return Err(corrupt(
                    b,
                    name,
                    *off,
                    scan.last_zxid().or(prev),
                    found,
                    dmg.to_string(),
                ));
            }
            tracing::warn!(
                segment = %b.describe(name), offset = off, kept_up_to = scan.valid_end,
                "cutting torn tail of the transaction log (unsynced at the crash): {dmg}"
            );
            b.truncate(name, scan.valid_end as u64)
                .map_err(|e| io_err(b, "truncating", name, e))?;
            info.torn_tail = Some(TornTail {
                segment: name.clone(),
                offset: scan.valid_end as u64,
                reason: dmg.to_string(),
            });
        }
        if !is_last && scan.records.is_empty() {
            // The writer creates a segment only to write into it, and an empty newest one is removed
            // below; so an empty older segment lost its records.
            return Err(corrupt(
                b,
                name,
                scan.header.block_size as usize,
                prev,
                None,
                "segment holds no record but newer segments follow".into(),
            ));
        }
        if is_last && scan.records.is_empty() {
            // Nothing acknowledged can live here; the writer will create its own next segment.
            b.remove(name).map_err(|e| io_err(b, "removing", name, e))?;
            info.removed.push(name.clone());
            continue;
        }
        for r in &scan.records {
            if r.zxid > after_zxid {
                replay(r.zxid, &buf[r.payload.clone()]);
            }
        }
        prev = scan.last_zxid().or(prev);
        info.segments.push(SegmentInfo {
            name: name.clone(),
            first_zxid: *first,
            last_zxid: scan.last_zxid(),
            skipped: false,
        });
    }
    info.last_zxid = prev;
    Ok(info)
}

/// Records as `(zxid, payload)`.
pub type Records = Vec<(i64, Vec<u8>)>;

/// `recover_with`, collecting the records after `after_zxid`.
pub fn recover<B: Backend>(
    b: &mut B,
    after_zxid: i64,
) -> Result<(RecoveryInfo, Records), LogError> {
    let mut recs = Vec::new();
    let info = recover_with(b, after_zxid, |z, p| recs.push((z, p.to_vec())))?;
    Ok((info, recs))
}

/// Removes every record with zxid > `zxid` (ZooKeeper's TRUNC). The log must recover cleanly first.
/// Newer segments go first, so a crash part-way leaves a log that is still a prefix.
/// Returns the last zxid that remains.
pub fn truncate_after<B: Backend>(b: &mut B, zxid: i64) -> Result<Option<i64>, LogError> {
    let info = recover_with(b, i64::MAX, |_, _| {})?;
    let mut last = None;
    for seg in info.segments.iter().rev() {
        if seg.first_zxid > zxid {
            b.remove(&seg.name)
                .map_err(|e| io_err(b, "removing", &seg.name, e))?;
            continue;
        }
        let buf = b
            .read(&seg.name)
            .map_err(|e| io_err(b, "reading", &seg.name, e))?;
        let scan = scan_checked(b, &seg.name, seg.first_zxid, &buf, None)?;
        match scan.records.iter().position(|r| r.zxid > zxid) {
            Some(0) => b
                .remove(&seg.name)
                .map_err(|e| io_err(b, "removing", &seg.name, e))?,
            Some(k) => {
                b.truncate(&seg.name, scan.records[k].offset as u64)
                    .map_err(|e| io_err(b, "truncating", &seg.name, e))?;
                last = Some(scan.records[k - 1].zxid);
                break;
            }
            None => {
                last = scan.last_zxid();
                break;
            }
        }
    }
    Ok(last)
}
