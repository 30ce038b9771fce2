//! Segment files (pure): names and the header block. See FORMAT.md.

use xxhash_rust::xxh3::xxh3_64;

pub const MAGIC: &[u8; 8] = b"ZKDLOG\0\x01";
pub const VERSION: u32 = 1;
/// Bytes of the header that carry meaning; the rest of the header block is zero.
pub const HEADER_USED: usize = 40;
pub const PREFIX: &str = "zkdlog.";
/// Suffix of a segment being created; such files never hold acknowledged data.
pub const TMP_SUFFIX: &str = ".tmp";

/// The header at offset 0 of every segment; records start at `block_size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Write unit of the writer that made the segment: batches start on multiples of it.
    pub block_size: u32,
    /// Zxid of the first record (also in the file name).
    pub first_zxid: i64,
    /// Upper bound on the bytes the writer had in flight without a completed sync, rounded up to
    /// `block_size`: how far past a damaged record a torn tail may reach (recovery uses it).
    pub max_unsynced: u64,
}

impl SegmentHeader {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; self.block_size as usize];
        b[0..8].copy_from_slice(MAGIC);
        b[8..12].copy_from_slice(&VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&self.block_size.to_le_bytes());
        b[16..24].copy_from_slice(&self.first_zxid.to_le_bytes());
        b[24..32].copy_from_slice(&self.max_unsynced.to_le_bytes());
        let sum = xxh3_64(&b[0..32]);
        b[32..40].copy_from_slice(&sum.to_le_bytes());
        b
    }

    /// Parses and validates a header; `Err` says what is wrong.
    pub fn decode(buf: &[u8]) -> Result<SegmentHeader, &'static str> {
        if buf.len() < HEADER_USED {
            return Err("file shorter than the segment header");
        }
        if &buf[0..8] != MAGIC {
            return Err("bad magic");
        }
        let u32_at = |o: usize| u32::from_le_bytes([buf[o], buf[o + 1], buf[o + 2], buf[o + 3]]);
        let u64_at = |o: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&buf[o..o + 8]);
            u64::from_le_bytes(a)
        };
        if u64_at(32) != xxh3_64(&buf[0..32]) {
            return Err("header checksum mismatch");
        }
        if u32_at(8) != VERSION {
            return Err("unknown format version");
        }
        let block_size = u32_at(12);
        if block_size < 512 || !block_size.is_power_of_two() || (block_size as usize) < HEADER_USED
        {
            return Err("bad block size");
        }
        if buf.len() < block_size as usize {
            return Err("file shorter than the header block");
        }
        Ok(SegmentHeader {
            block_size,
            first_zxid: u64_at(16) as i64,
            max_unsynced: u64_at(24),
        })
    }
}

/// `zkdlog.<16 hex digits of the first zxid>`.
pub fn segment_name(first_zxid: i64) -> String {
    format!("{PREFIX}{:016x}", first_zxid as u64)
}

/// The first zxid a segment name stands for, or None if the name is not a segment's.
pub fn parse_segment_name(name: &str) -> Option<i64> {
    let hex = name.strip_prefix(PREFIX)?;
    if hex.len() != 16 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|v| v as i64)
}

/// Leftover of an interrupted segment creation.
pub fn is_tmp_segment(name: &str) -> bool {
    name.strip_suffix(TMP_SUFFIX)
        .is_some_and(|n| parse_segment_name(n).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_damage() {
        let h = SegmentHeader {
            block_size: 4096,
            first_zxid: 0x3_0000_0001,
            max_unsynced: 1 << 20,
        };
        let b = h.encode();
        assert_eq!(b.len(), 4096);
        assert_eq!(SegmentHeader::decode(&b), Ok(h));
        for i in 0..HEADER_USED {
            let mut c = b.clone();
            c[i] ^= 0x10;
            assert!(SegmentHeader::decode(&c).is_err(), "byte {i}");
        }
        assert!(SegmentHeader::decode(&b[..100]).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(segment_name(0x1_0000_00ab), "zkdlog.00000001000000ab");
        assert_eq!(
            parse_segment_name("zkdlog.00000001000000ab"),
            Some(0x1_0000_00ab)
        );
        assert_eq!(parse_segment_name("log.00000001000000ab"), None);
        assert_eq!(parse_segment_name("zkdlog.1"), None);
        assert_eq!(parse_segment_name("zkdlog.00000001000000ab.tmp"), None);
        assert!(is_tmp_segment("zkdlog.00000001000000ab.tmp"));
        assert!(!is_tmp_segment("zkdlog.00000001000000ab"));
    }
}
