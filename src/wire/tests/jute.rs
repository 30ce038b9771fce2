use super::{be32, cat, hex, lp};
use crate::wire::jute::*;

#[test]
fn integers_are_big_endian() {
    let buf = hex("7f 00000001 fffffffe 0102030405060708 80");
    let mut r = JuteReader::new(&buf, 100);
    assert_eq!(r.read_byte().unwrap(), 0x7f);
    assert_eq!(r.read_i32().unwrap(), 1);
    assert_eq!(r.read_i32().unwrap(), -2);
    assert_eq!(r.read_i64().unwrap(), 0x0102030405060708);
    assert_eq!(r.read_byte().unwrap(), -128);
    assert!(r.is_empty());
    assert_eq!(r.position(), buf.len());

    let mut out = Vec::new();
    let mut w = JuteWriter::new(&mut out);
    w.write_byte(0x7f);
    w.write_i32(1);
    w.write_i32(-2);
    w.write_i64(0x0102030405060708);
    w.write_byte(-128);
    assert_eq!(out, buf);
}

#[test]
fn any_nonzero_byte_is_true() {
    let buf = [0u8, 1, 2, 0xff];
    let mut r = JuteReader::new(&buf, 10);
    assert!(!r.read_bool().unwrap());
    assert!(r.read_bool().unwrap());
    assert!(r.read_bool().unwrap());
    assert!(r.read_bool().unwrap());
    let mut out = Vec::new();
    JuteWriter::new(&mut out).write_bool(true);
    assert_eq!(out, [1]);
}

#[test]
fn null_and_empty_strings_and_buffers_are_distinct() {
    let buf = cat(&[&be32(-1), &be32(0), &lp(b"ab"), &be32(-1), &be32(0)]);
    let mut r = JuteReader::new(&buf, 100);
    assert_eq!(r.read_ustring().unwrap(), None);
    assert_eq!(r.read_ustring().unwrap(), Some(String::new()));
    assert_eq!(r.read_ustring().unwrap(), Some("ab".to_string()));
    assert_eq!(r.read_buffer().unwrap(), None);
    assert_eq!(r.read_buffer().unwrap(), Some(vec![]));

    let mut out = Vec::new();
    let mut w = JuteWriter::new(&mut out);
    w.write_ustring(None);
    w.write_ustring(Some(""));
    w.write_str("ab");
    w.write_buffer(None);
    w.write_buffer(Some(&[]));
    assert_eq!(out, buf);
}

#[test]
fn read_string_maps_null_to_empty() {
    let buf = be32(-1);
    assert_eq!(JuteReader::new(&buf, 10).read_string().unwrap(), "");
}

#[test]
fn malformed_utf8_is_replaced() {
    // An unpaired surrogate in Java's CESU-8 form, a lone continuation byte, then valid text.
    let buf = lp(&[0xed, 0xa0, 0x80, b'/', 0x80, b'a']);
    let s = JuteReader::new(&buf, 100).read_ustring().unwrap().unwrap();
    assert!(s.contains('\u{fffd}'));
    assert!(s.ends_with("/\u{fffd}a"));
    let buf = lp("/zé\u{1F600}".as_bytes());
    assert_eq!(JuteReader::new(&buf, 100).read_string().unwrap(), "/zé\u{1F600}");
}

#[test]
fn lengths_are_checked_against_the_limit() {
    // 0 <= len <= limit; -1 is null; anything else negative is an error.
    let ok = lp(&[1; 8]);
    assert_eq!(JuteReader::new(&ok, 8).read_buffer().unwrap(), Some(vec![1; 8]));
    assert_eq!(JuteReader::new(&ok, 7).read_buffer(), Err(DecodeError::BadLength(8)));
    assert_eq!(JuteReader::new(&ok, 7).read_ustring(), Err(DecodeError::BadLength(8)));
    let neg = be32(-2);
    assert_eq!(JuteReader::new(&neg, 100).read_buffer(), Err(DecodeError::BadLength(-2)));
    assert_eq!(JuteReader::new(&neg, 100).read_ustring(), Err(DecodeError::BadLength(-2)));
    let min = be32(i32::MIN);
    assert_eq!(JuteReader::new(&min, 100).read_buffer(), Err(DecodeError::BadLength(i32::MIN as i64)));
}

#[test]
fn huge_lengths_within_the_limit_fail_without_allocating() {
    // The length passes the limit check but the bytes are not there.
    let buf = be32(i32::MAX);
    let err = JuteReader::new(&buf, usize::MAX).read_buffer().unwrap_err();
    assert_eq!(err, DecodeError::Truncated { needed: i32::MAX as usize, left: 0 });
}

#[test]
fn truncated_primitives() {
    assert!(matches!(JuteReader::new(&[0, 0, 0], 10).read_i32(), Err(DecodeError::Truncated { needed: 4, left: 3 })));
    assert!(matches!(JuteReader::new(&[0; 7], 10).read_i64(), Err(DecodeError::Truncated { needed: 8, left: 7 })));
    assert!(JuteReader::new(&[], 10).read_bool().is_err());
    assert!(JuteReader::new(&[], 10).read_byte().is_err());
    let short = cat(&[&be32(3), b"ab"]);
    assert!(matches!(JuteReader::new(&short, 10).read_buffer(), Err(DecodeError::Truncated { needed: 3, left: 2 })));
}

fn read_ints(buf: &[u8]) -> Result<Option<Vec<i32>>, DecodeError> {
    JuteReader::new(buf, 100).read_vec(4, |r| r.read_i32())
}

#[test]
fn vectors_null_empty_and_negative_counts() {
    assert_eq!(read_ints(&be32(-1)).unwrap(), None);
    assert_eq!(read_ints(&be32(0)).unwrap(), Some(vec![]));
    // Java's BinaryIndex treats any count <= 0 as done: other negative counts are empty vectors.
    assert_eq!(read_ints(&be32(-7)).unwrap(), Some(vec![]));
    assert_eq!(read_ints(&cat(&[&be32(2), &be32(5), &be32(-5)])).unwrap(), Some(vec![5, -5]));

    let mut out = Vec::new();
    let mut w = JuteWriter::new(&mut out);
    w.write_vec::<i32>(None, |w, v| w.write_i32(*v));
    w.write_vec(Some(&[5, -5][..]), |w, v| w.write_i32(*v));
    assert_eq!(out, cat(&[&be32(-1), &be32(2), &be32(5), &be32(-5)]));
}

#[test]
fn vector_counts_beyond_the_input_fail_before_allocating() {
    assert_eq!(read_ints(&be32(i32::MAX)), Err(DecodeError::BadLength(i32::MAX as i64)));
    // Two elements announced, one present.
    assert!(matches!(read_ints(&cat(&[&be32(2), &be32(1), &[0, 0]])), Err(DecodeError::BadLength(2))));
    assert!(matches!(read_ints(&cat(&[&be32(2), &be32(1), &be32(1)[..3]])), Err(DecodeError::BadLength(2))));
}

#[test]
fn frames_are_length_prefixed() {
    let mut out = vec![9, 9];
    let at = begin_frame(&mut out);
    out.extend_from_slice(b"hello");
    end_frame(&mut out, at);
    assert_eq!(out, cat(&[&[9, 9], &be32(5), b"hello"]));
}
