//! Record framing (pure). See FORMAT.md for the layout and the reasons behind it.
//!
//! A record is a 24-byte header followed by the payload, padded with zeros to a multiple of 8 bytes:
//! `u32 len | u32 flags (0) | i64 zxid | u64 xxh3-64(len ‖ zxid ‖ payload)`, little-endian, where
//! `len` counts header + payload (so it is >= 24 even for an empty payload). `len == 0` never starts
//! a record: it marks padding up to the next 512-byte sector.

use xxhash_rust::xxh3::Xxh3;

/// Record header size in bytes.
pub const HEADER_LEN: usize = 24;
/// Records start at multiples of this.
pub const RECORD_ALIGN: usize = 8;
/// Padding (a zero length field) extends to the next multiple of this.
pub const SECTOR: usize = 512;
/// Largest payload the format accepts (keeps `len` well clear of u32 overflow).
pub const MAX_PAYLOAD: usize = 1 << 30;

pub fn align_up(v: usize, a: usize) -> usize {
    v.div_ceil(a) * a
}

pub fn align_down(v: usize, a: usize) -> usize {
    v / a * a
}

/// Bytes a record with `payload_len` bytes of payload takes, padding included.
pub fn encoded_len(payload_len: usize) -> usize {
    align_up(HEADER_LEN + payload_len, RECORD_ALIGN)
}

pub fn checksum(zxid: i64, payload: &[u8]) -> u64 {
    let mut h = Xxh3::new();
    h.update(&((HEADER_LEN + payload.len()) as u32).to_le_bytes());
    h.update(&zxid.to_le_bytes());
    h.update(payload);
    h.digest()
}

/// Writes one record at the start of `out` (which must hold `encoded_len(payload.len())` bytes and be
/// zeroed past the payload) and returns the bytes used.
pub fn encode_into(out: &mut [u8], zxid: i64, payload: &[u8]) -> usize {
    let n = encoded_len(payload.len());
    out[0..4].copy_from_slice(&((HEADER_LEN + payload.len()) as u32).to_le_bytes());
    out[4..8].copy_from_slice(&0u32.to_le_bytes());
    out[8..16].copy_from_slice(&zxid.to_le_bytes());
    out[16..24].copy_from_slice(&checksum(zxid, payload).to_le_bytes());
    out[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    out[HEADER_LEN + payload.len()..n].fill(0);
    n
}

/// Why the bytes at an offset are not a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A zero length field, but non-zero bytes before the next sector boundary.
    DirtyPadding,
    /// The reserved flags field is not zero.
    BadFlags,
    /// The length field is smaller than a header or larger than the format allows.
    BadLength { len: u64 },
    /// The record runs past the end of the file.
    Truncated { zxid: i64, len: u64 },
    /// The checksum does not match.
    Checksum { zxid: i64 },
}

impl Invalid {
    /// The zxid the damaged header claims, if the header was readable.
    pub fn claimed_zxid(&self) -> Option<i64> {
        match self {
            Invalid::Truncated { zxid, .. } if *zxid != 0 => Some(*zxid),
            Invalid::Checksum { zxid } => Some(*zxid),
            _ => None,
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::DirtyPadding => write!(f, "non-zero bytes in padding"),
            Invalid::BadFlags => write!(f, "reserved header field is not zero"),
            Invalid::BadLength { len } => write!(f, "impossible record length {len}"),
            Invalid::Truncated { zxid, len } => {
                write!(
                    f,
                    "record (zxid 0x{zxid:x}, {len} bytes) runs past the end of the file"
                )
            }
            Invalid::Checksum { zxid } => {
                write!(f, "checksum mismatch (header says zxid 0x{zxid:x})")
            }
        }
    }
}

/// What `decode_at` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a> {
    Record {
        zxid: i64,
        payload: &'a [u8],
        next: usize,
    },
    /// Zero padding; scanning goes on at `next`.
    Padding {
        next: usize,
    },
    /// Nothing left.
    End,
    Invalid(Invalid),
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Decodes what starts at `off` (a multiple of `RECORD_ALIGN`).
pub fn decode_at(buf: &[u8], off: usize) -> Decoded<'_> {
    if off >= buf.len() {
        return Decoded::End;
    }
    let rest = &buf[off..];
    if rest.len() < 4 || le_u32(rest) == 0 {
        // Padding: everything up to the next sector boundary (or the end) must be zero.
        let next = align_up(off + 1, SECTOR).min(buf.len());
        return if buf[off..next].iter().all(|&b| b == 0) {
            Decoded::Padding { next }
        } else {
            Decoded::Invalid(Invalid::DirtyPadding)
        };
    }
    let total = le_u32(rest) as u64;
    if total < HEADER_LEN as u64 || total as usize > HEADER_LEN + MAX_PAYLOAD {
        return Decoded::Invalid(Invalid::BadLength { len: total });
    }
    let len = total - HEADER_LEN as u64;
    if rest.len() < HEADER_LEN {
        return Decoded::Invalid(Invalid::Truncated { zxid: 0, len });
    }
    if le_u32(&rest[4..]) != 0 {
        return Decoded::Invalid(Invalid::BadFlags);
    }
    let zxid = le_u64(&rest[8..]) as i64;
    let n = encoded_len(len as usize);
    if rest.len() < n {
        return Decoded::Invalid(Invalid::Truncated { zxid, len });
    }
    let payload = &rest[HEADER_LEN..HEADER_LEN + len as usize];
    if le_u64(&rest[16..]) != checksum(zxid, payload)
        || rest[HEADER_LEN + len as usize..n].iter().any(|&b| b != 0)
    {
        return Decoded::Invalid(Invalid::Checksum { zxid });
    }
    Decoded::Record {
        zxid,
        payload,
        next: off + n,
    }
}

/// Zxid order the log accepts: consecutive within an epoch (high 32 bits), any increase across epochs.
pub fn zxid_follows(prev: i64, next: i64) -> bool {
    if (prev >> 32) == (next >> 32) {
        prev.checked_add(1) == Some(next)
    } else {
        next > prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(zxid: i64, p: &[u8]) -> Vec<u8> {
        let mut v = vec![0u8; encoded_len(p.len())];
        encode_into(&mut v, zxid, p);
        v
    }

    #[test]
    fn round_trip_and_alignment() {
        for len in [0usize, 1, 7, 8, 9, 100, 1000] {
            let p: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            let v = enc(0x1_0000_0005, &p);
            assert_eq!(v.len() % RECORD_ALIGN, 0);
            assert_eq!(
                decode_at(&v, 0),
                Decoded::Record {
                    zxid: 0x1_0000_0005,
                    payload: &p[..],
                    next: v.len()
                }
            );
        }
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let v = enc(42, b"hello world, this is a payload");
        for bit in 0..v.len() * 8 {
            let mut w = v.clone();
            w[bit / 8] ^= 1 << (bit % 8);
            if let Decoded::Record { zxid, payload, .. } = decode_at(&w, 0) {
                panic!("bit {bit} undetected: {zxid} {payload:?}")
            }
        }
    }

    #[test]
    fn padding_skips_to_next_sector_and_end() {
        let mut buf = vec![0u8; 2 * SECTOR];
        let r = enc(7, b"x");
        buf[SECTOR..SECTOR + r.len()].copy_from_slice(&r);
        assert_eq!(decode_at(&buf, 8), Decoded::Padding { next: SECTOR });
        assert!(matches!(
            decode_at(&buf, SECTOR),
            Decoded::Record { zxid: 7, .. }
        ));
        assert_eq!(
            decode_at(&buf, SECTOR + r.len()),
            Decoded::Padding { next: 2 * SECTOR }
        );
        assert_eq!(decode_at(&buf, 2 * SECTOR), Decoded::End);
        buf[100] = 1;
        assert_eq!(decode_at(&buf, 8), Decoded::Invalid(Invalid::DirtyPadding));
    }

    #[test]
    fn truncated_record_is_reported() {
        let r = enc(9, &[1u8; 50]);
        assert_eq!(
            decode_at(&r[..40], 0),
            Decoded::Invalid(Invalid::Truncated { zxid: 9, len: 50 })
        );
        assert!(matches!(
            decode_at(&r[..10], 0),
            Decoded::Invalid(Invalid::Truncated { .. })
        ));
    }

    #[test]
    fn zxid_order() {
        assert!(zxid_follows(5, 6));
        assert!(!zxid_follows(5, 7));
        assert!(!zxid_follows(5, 5));
        assert!(zxid_follows(0x1_0000_0009, 0x2_0000_0001));
        assert!(!zxid_follows(0x2_0000_0001, 0x1_0000_0002));
    }
}
