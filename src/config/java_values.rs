//! Number and boolean parsing with the exact acceptance rules of the Java calls ZooKeeper
//! uses, so a value ZooKeeper accepts is accepted here and vice versa.

/// `Integer.parseInt` / `Long.parseLong` (radix 10): optional sign, then ASCII digits.
fn parse_decimal(s: &str, min: i128, max: i128) -> Option<i128> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    parse_radix(digits, 10, neg, min, max)
}

fn parse_radix(digits: &str, radix: u32, neg: bool, min: i128, max: i128) -> Option<i128> {
    if digits.is_empty() || digits.len() > 40 {
        return None;
    }
    let mut v: i128 = 0;
    for c in digits.chars() {
        v = v.checked_mul(radix as i128)?.checked_add(c.to_digit(radix)? as i128)?;
    }
    let v = if neg { -v } else { v };
    (min..=max).contains(&v).then_some(v)
}

/// `Integer.parseInt(s)`.
pub fn parse_int(s: &str) -> Option<i32> {
    parse_decimal(s, i32::MIN as i128, i32::MAX as i128).map(|v| v as i32)
}

/// `Long.parseLong(s)`.
pub fn parse_long(s: &str) -> Option<i64> {
    parse_decimal(s, i64::MIN as i128, i64::MAX as i128).map(|v| v as i64)
}

/// `Long.decode` / `Integer.decode` (what `Integer.getInteger` and `Long.getLong` use):
/// sign, then `0x`/`0X`/`#` hex, leading `0` octal, or decimal.
fn decode(s: &str, min: i128, max: i128) -> Option<i128> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, h)
    } else if let Some(h) = rest.strip_prefix('#') {
        (16, h)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    // Java refuses a second sign after the prefix.
    if digits.starts_with('-') || digits.starts_with('+') {
        return None;
    }
    parse_radix(digits, radix, neg, min, max)
}

/// `Integer.decode(s)`.
pub fn decode_int(s: &str) -> Option<i32> {
    decode(s, i32::MIN as i128, i32::MAX as i128).map(|v| v as i32)
}

/// `Long.decode(s)`.
pub fn decode_long(s: &str) -> Option<i64> {
    decode(s, i64::MIN as i128, i64::MAX as i128).map(|v| v as i64)
}

/// `Boolean.parseBoolean(s)` / `Boolean.getBoolean`: true only for "true", any case.
pub fn java_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// `String.trim()`: strips every char <= U+0020 at both ends.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_rules() {
        assert_eq!(parse_int("2000"), Some(2000));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("-5"), Some(-5));
        assert_eq!(parse_int("2147483647"), Some(i32::MAX));
        assert_eq!(parse_int("2147483648"), None);
        assert_eq!(parse_int("0x10"), None);
        assert_eq!(parse_int("abc"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("1 "), None);
        assert_eq!(parse_long("9223372036854775807"), Some(i64::MAX));
    }

    #[test]
    fn decode_rules() {
        assert_eq!(decode_int("0x100000"), Some(0x100000));
        assert_eq!(decode_int("#ff"), Some(255));
        assert_eq!(decode_int("010"), Some(8));
        assert_eq!(decode_int("0"), Some(0));
        assert_eq!(decode_int("-0x10"), Some(-16));
        assert_eq!(decode_int("0x-10"), None);
        assert_eq!(decode_int("09"), None);
        assert_eq!(decode_long("60000"), Some(60000));
        assert_eq!(decode_long("0xffffffffffffffffffffffffffffffffffffff"), None, "no overflow panic");
    }

    #[test]
    fn booleans_and_trim() {
        assert!(java_bool("TRUE") && java_bool("true") && !java_bool("yes") && !java_bool(" true"));
        assert_eq!(java_trim("\t a b \x01"), "a b");
    }
}
