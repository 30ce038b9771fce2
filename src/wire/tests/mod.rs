//! Tests of the wire codec: primitives, records, every request and reply, the byte-level examples
//! of the protocol spec, and property tests over arbitrary input.

mod appendix_a;
mod jute;
mod props;
mod records;
mod replies;
mod requests;
mod sheet;

/// Bytes from hex text; whitespace and `|` are ignored.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    assert!(digits.len() % 2 == 0, "odd hex length in {s:?}");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// A jute ustring/buffer: length then bytes.
pub fn lp(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as i32).to_be_bytes().to_vec();
    v.extend_from_slice(b);
    v
}

pub fn be32(v: i32) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

pub fn be64(v: i64) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// Concatenates byte pieces.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

pub const MAX: usize = 0xfffff * 2;
