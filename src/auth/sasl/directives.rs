//! DIGEST-MD5 directive lists (`key=value` or `key="quoted"`, comma separated), parsed the way
//! Java's `DigestMD5Base.parseDirectives` does, and quoting for the challenge.

use super::SaslError;

/// The directives a server reads from a digest-response. Java looks keys up case-insensitively
/// in a fixed table; note the table says `nonce-count`, so a client's `nc` is ignored.
pub const RESPONSE_KEYS: [&str; 13] = [
    "username", "realm", "nonce", "cnonce", "nonce-count", "qop", "digest-uri", "response", "maxbuf", "charset",
    "cipher", "authzid", "auth-param",
];

/// Raw values by `RESPONSE_KEYS` index.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Directives {
    values: [Option<Vec<u8>>; 13],
}

impl Directives {
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        let i = RESPONSE_KEYS.iter().position(|k| *k == key)?;
        self.values[i].as_deref()
    }

    fn put(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), SaslError> {
        let key = String::from_utf8_lossy(key);
        let Some(i) = RESPONSE_KEYS.iter().position(|k| k.eq_ignore_ascii_case(&key)) else {
            return Ok(()); // unknown directives are ignored
        };
        if self.values[i].is_some() {
            return Err(SaslError::Format(format!("peer sent more than one {key} directive")));
        }
        self.values[i] = Some(value);
        Ok(())
    }
}

fn is_lws(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | b' ' | b'\t')
}

fn skip_lws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && is_lws(buf[i]) {
        i += 1;
    }
    i
}

/// Parses a digest-response.
pub fn parse_directives(buf: &[u8]) -> Result<Directives, SaslError> {
    let bad = |m: &str| Err(SaslError::Format(m.to_string()));
    let mut out = Directives::default();
    let (mut key, mut value) = (Vec::new(), Vec::new());
    let (mut getting_key, mut quoted, mut expect_sep) = (true, false, false);
    let mut i = skip_lws(buf, 0);
    while i < buf.len() {
        let b = buf[i];
        if getting_key {
            if b == b',' {
                if !key.is_empty() {
                    return bad("directive key contains a ','");
                }
                i = skip_lws(buf, i + 1);
            } else if b == b'=' {
                if key.is_empty() {
                    return bad("empty directive key");
                }
                getting_key = false;
                i = skip_lws(buf, i + 1);
                if i >= buf.len() {
                    return bad("valueless directive");
                }
                if buf[i] == b'"' {
                    quoted = true;
                    i += 1;
                }
            } else if is_lws(b) {
                i = skip_lws(buf, i + 1);
                if i >= buf.len() || buf[i] != b'=' {
                    return bad("'=' expected after key");
                }
            } else {
                key.push(b);
                i += 1;
            }
        } else if quoted {
            if b == b'\\' {
                i += 1;
                if i >= buf.len() {
                    return bad("unmatched quote");
                }
                value.push(buf[i]);
                i += 1;
            } else if b == b'"' {
                i += 1;
                quoted = false;
                expect_sep = true;
            } else {
                value.push(b);
                i += 1;
            }
        } else if is_lws(b) || b == b',' {
            out.put(&key, std::mem::take(&mut value))?;
            key.clear();
            getting_key = true;
            expect_sep = false;
            i = skip_lws(buf, i + 1);
        } else if expect_sep {
            return bad("expecting comma or linear whitespace after quoted string");
        } else {
            value.push(b);
            i += 1;
        }
    }
    if quoted {
        return bad("unmatched quote");
    }
    if !key.is_empty() {
        out.put(&key, value)?;
    }
    Ok(out)
}

/// Appends `value` for use inside a quoted string: `"`, `\`, DEL and control characters other
/// than CR, HT, LF are backslash-escaped.
pub fn push_quoted(out: &mut Vec<u8>, value: &[u8]) {
    for &b in value {
        if b == b'"' || b == b'\\' || b == 127 || (b <= 31 && !matches!(b, b'\r' | b'\t' | b'\n')) {
            out.push(b'\\');
        }
        out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_plain() {
        let d = parse_directives(
            b"username=\"bob\",realm=\"zk-sasl-md5\",nonce=\"a\\\"b\",nc=00000001,qop=auth , Response = 0123",
        )
        .unwrap();
        assert_eq!(d.get("username"), Some(&b"bob"[..]));
        assert_eq!(d.get("realm"), Some(&b"zk-sasl-md5"[..]));
        assert_eq!(d.get("nonce"), Some(&b"a\"b"[..]));
        assert_eq!(d.get("qop"), Some(&b"auth"[..]));
        assert_eq!(d.get("response"), Some(&b"0123"[..]));
        assert_eq!(d.get("nonce-count"), None, "`nc` is not in Java's table");
        assert_eq!(d.get("cnonce"), None);
    }

    #[test]
    fn rejects_malformed() {
        assert!(parse_directives(b"username=\"bob\",username=\"eve\"").is_err());
        assert!(parse_directives(b"username=\"bob").is_err());
        assert!(parse_directives(b"=x").is_err());
        assert!(parse_directives(b"username=").is_err());
        assert!(parse_directives(b"user name=x").is_err());
        assert!(parse_directives(b"username=\"bob\"x").is_err());
        assert!(parse_directives(b"ab,=x").is_err());
        assert!(parse_directives(b",, username=bob ,").is_ok());
    }

    #[test]
    fn quoting() {
        let mut v = Vec::new();
        push_quoted(&mut v, b"a\"b\\c\x01\t");
        assert_eq!(v, b"a\\\"b\\\\c\\\x01\t");
    }
}
