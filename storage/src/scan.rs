//! Scanning one segment's bytes (pure): its records up to the first damage, and where that damage is.

use crate::record::{align_down, decode_at, zxid_follows, Decoded, Invalid};
use crate::segment::SegmentHeader;

/// A valid record found by a scan: its zxid and where its payload lies in the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub zxid: i64,
    pub offset: usize,
    pub payload: std::ops::Range<usize>,
    /// Offset just past the record (padding included).
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Bytes that are not a record where one (or padding) must be.
    Invalid(Invalid),
    /// A record with a good checksum whose zxid does not continue the log.
    Gap { prev: i64, found: i64 },
    /// The segment's first record is not the zxid its header and name promise.
    NotFirst { expected: i64, found: i64 },
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Invalid(i) => write!(f, "{i}"),
            Damage::Gap { prev, found } => write!(f, "zxid 0x{found:x} does not follow 0x{prev:x}"),
            Damage::NotFirst { expected, found } => {
                write!(
                    f,
                    "first record has zxid 0x{found:x}, the segment header says 0x{expected:x}"
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentScan {
    pub header: SegmentHeader,
    pub records: Vec<Found>,
    /// Offset just past the last valid record (the header block's end if there is none).
    pub valid_end: usize,
    /// First damage, at `offset`; None when the segment reads cleanly to its end.
    pub damage: Option<(usize, Damage)>,
    /// Offset just past the last non-zero byte of the file.
    pub nonzero_end: usize,
}

impl SegmentScan {
    pub fn last_zxid(&self) -> Option<i64> {
        self.records.last().map(|r| r.zxid)
    }

    /// Whether the damage can only be the unsynced write in flight at a crash: everything from the
    /// start of the damaged block to the last non-zero byte fits in the writer's unsynced window.
    /// (Only meaningful for the newest segment: older ones were fully synced before the next began.)
    pub fn damage_is_torn_tail(&self) -> bool {
        let Some((off, _)) = &self.damage else {
            return false;
        };
        // The write in flight started at a block boundary at or before the damage.
        let start = align_down(*off, self.header.block_size as usize);
        let window = self.header.max_unsynced as usize;
        self.nonzero_end.saturating_sub(start) <= window
    }
}

/// Scans `buf` (a whole segment file). `prev` is the zxid of the last record of the previous segment.
/// Err: the header itself is unreadable.
/// One past the last non-zero byte (0 if none), a word at a time: segments are preallocated, so
/// most of a newest segment is zeros and a byte loop over them dominated restart time.
fn nonzero_end(buf: &[u8]) -> usize {
    let mut end = buf.len();
    // Unaligned tail bytes first, then whole 4 KiB pages from the back.
    while !end.is_multiple_of(4096) {
        if buf[end - 1] != 0 {
            return end;
        }
        end -= 1;
    }
    while end > 0 {
        let page = &buf[end - 4096..end];
        let any = page.chunks_exact(8).fold(0u64, |acc, w| acc | u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]));
        if any != 0 {
            return end - 4096 + page.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        }
        end -= 4096;
    }
    0
}

pub fn scan_segment(buf: &[u8], prev: Option<i64>) -> Result<SegmentScan, &'static str> {
    let header = SegmentHeader::decode(buf)?;
    let nonzero_end = nonzero_end(buf);
    let mut off = header.block_size as usize;
    let mut records = Vec::new();
    let mut last = prev;
    let mut damage = None;
    let mut valid_end = off;
    loop {
        // Only zeros from here on: all padding up to the end (a preallocated segment is mostly this).
        if off >= nonzero_end {
            break;
        }
        match decode_at(buf, off) {
            Decoded::End => break,
            Decoded::Padding { next } => off = next,
            Decoded::Invalid(i) => {
                damage = Some((off, Damage::Invalid(i)));
                break;
            }
            Decoded::Record {
                zxid,
                payload,
                next,
            } => {
                let bad = match last {
                    Some(p) if !zxid_follows(p, zxid) => Some(Damage::Gap {
                        prev: p,
                        found: zxid,
                    }),
                    // The first record of a segment is the one its header names.
                    _ if records.is_empty() && zxid != header.first_zxid => {
                        Some(Damage::NotFirst {
                            expected: header.first_zxid,
                            found: zxid,
                        })
                    }
                    _ => None,
                };
                if let Some(d) = bad {
                    damage = Some((off, d));
                    break;
                }
                let start = off + crate::record::HEADER_LEN;
                records.push(Found {
                    zxid,
                    offset: off,
                    payload: start..start + payload.len(),
                    end: next,
                });
                last = Some(zxid);
                off = next;
                valid_end = next;
            }
        }
    }
    Ok(SegmentScan {
        header,
        records,
        valid_end,
        damage,
        nonzero_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{encode_into, encoded_len};

    fn segment(first: i64, batches: &[&[(i64, &[u8])]]) -> Vec<u8> {
        let h = SegmentHeader {
            block_size: 4096,
            first_zxid: first,
            max_unsynced: 8192,
        };
        let mut buf = h.encode();
        for b in batches {
            let start = buf.len();
            for (z, p) in b.iter() {
                let at = buf.len();
                buf.resize(at + encoded_len(p.len()), 0);
                encode_into(&mut buf[at..], *z, p);
            }
            let end = crate::record::align_up(buf.len().max(start + 1), 4096);
            buf.resize(end, 0);
        }
        buf.resize(buf.len() + 4 * 4096, 0);
        buf
    }

    #[test]
    fn clean_segment_with_padding_between_batches() {
        let buf = segment(10, &[&[(10, b"a"), (11, b"bb")], &[(12, b"ccc")]]);
        let s = scan_segment(&buf, Some(9)).unwrap();
        assert_eq!(
            s.records.iter().map(|r| r.zxid).collect::<Vec<_>>(),
            vec![10, 11, 12]
        );
        assert_eq!(&buf[s.records[2].payload.clone()], b"ccc");
        assert_eq!(s.damage, None);
        assert_eq!(s.records[2].offset, 8192);
        assert_eq!(s.valid_end, s.records[2].end);
    }

    #[test]
    fn gap_and_name_mismatch_are_damage() {
        let buf = segment(10, &[&[(10, b"a"), (12, b"bb")]]);
        let s = scan_segment(&buf, None).unwrap();
        assert_eq!(s.records.len(), 1);
        assert_eq!(
            s.damage.as_ref().unwrap().1,
            Damage::Gap {
                prev: 10,
                found: 12
            }
        );
        let s = scan_segment(&buf, Some(5)).unwrap();
        assert_eq!(s.records.len(), 0);
        assert_eq!(
            s.damage.as_ref().unwrap().1,
            Damage::Gap { prev: 5, found: 10 }
        );
        let buf = segment(10, &[&[(11, b"a")]]);
        let s = scan_segment(&buf, Some(10)).unwrap();
        assert_eq!(
            s.damage.as_ref().unwrap().1,
            Damage::NotFirst {
                expected: 10,
                found: 11
            }
        );
    }

    #[test]
    fn torn_window() {
        let mut buf = segment(10, &[&[(10, b"a")], &[(11, b"b")]]);
        buf[8192 + 30] ^= 1; // damage the second batch's record
        let s = scan_segment(&buf, None).unwrap();
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.damage.as_ref().unwrap().0, 8192);
        assert!(s.damage_is_torn_tail());
        // Non-zero bytes far beyond the window: not a torn tail.
        let n = buf.len();
        buf[n - 1] = 1;
        let s = scan_segment(&buf, None).unwrap();
        assert!(!s.damage_is_torn_tail());
    }
}
