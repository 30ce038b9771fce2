//! `Integer.parseInt(s, radix)` as Java does it, because ACL ids are validated with it and the
//! quirks (a leading `+` or `-`, leading zeros) decide what ZooKeeper accepts.
//! Only ASCII digits are recognised (Java also takes other Unicode digits; no client sends those).

/// Java's `Integer.parseInt`: optional sign, at least one digit, no overflow past `i32`.
pub fn parse_java_int(s: &str, radix: u32) -> Option<i32> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)? as i64;
        value = value * radix as i64 + d;
        if value > i32::MAX as i64 + 1 {
            return None;
        }
    }
    let value = if negative { -value } else { value };
    i32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_java_int;

    #[test]
    fn like_java() {
        assert_eq!(parse_java_int("255", 10), Some(255));
        assert_eq!(parse_java_int("+8", 10), Some(8));
        assert_eq!(parse_java_int("-0", 10), Some(0));
        assert_eq!(parse_java_int("007", 10), Some(7));
        assert_eq!(parse_java_int("-2147483648", 10), Some(i32::MIN));
        assert_eq!(parse_java_int("2147483648", 10), None);
        assert_eq!(parse_java_int("99999999999999999999", 10), None);
        assert_eq!(parse_java_int("", 10), None);
        assert_eq!(parse_java_int("-", 10), None);
        assert_eq!(parse_java_int("+-1", 10), None);
        assert_eq!(parse_java_int(" 1", 10), None);
        assert_eq!(parse_java_int("fFfF", 16), Some(0xffff));
        assert_eq!(parse_java_int("-1", 16), Some(-1));
        assert_eq!(parse_java_int("g", 16), None);
    }
}
