//! A light check of X.500 distinguished names (`new X500Principal(id)` in the `x509` provider's
//! `isValid`). It follows RFC 2253 / RFC 1779 syntax and Java's keyword list; the value encodings
//! Java additionally checks (BER of `#hex` values) are not verified.

const KEYWORDS: &[&str] = &[
    "CN", "C", "L", "S", "ST", "O", "OU", "T", "IP", "STREET", "DC", "DNQUALIFIER", "DNQ", "SURNAME",
    "GIVENNAME", "INITIALS", "GENERATION", "EMAIL", "EMAILADDRESS", "UID", "SERIALNUMBER",
];

/// Splits at unquoted, unescaped occurrences of any of `seps`.
fn split_top(s: &str, seps: &[char]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            cur.push(c);
            escaped = true;
        } else if c == '"' {
            cur.push(c);
            quoted = !quoted;
        } else if !quoted && seps.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if quoted || escaped {
        return None;
    }
    out.push(cur);
    Some(out)
}

fn keyword_ok(k: &str) -> bool {
    let k = k.trim();
    let oid = k.strip_prefix("OID.").or_else(|| k.strip_prefix("oid.")).unwrap_or(k);
    let is_oid = !oid.is_empty() && oid.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    is_oid || KEYWORDS.iter().any(|w| w.eq_ignore_ascii_case(k))
}

fn value_ok(v: &str) -> bool {
    let v = v.trim_start();
    if let Some(rest) = v.strip_prefix('"') {
        // Closing quote, then only spaces.
        return match rest.rfind('"') {
            Some(end) => rest[end + 1..].trim().is_empty(),
            None => false,
        };
    }
    if let Some(hex) = v.strip_prefix('#') {
        let hex = hex.trim_end();
        return !hex.is_empty() && hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) if ",=+<>#;\"\\ ".contains(n) => {}
                Some(n) if n.is_ascii_hexdigit() => {
                    if !chars.next().is_some_and(|m| m.is_ascii_hexdigit()) {
                        return false;
                    }
                }
                _ => return false,
            },
            '"' | '<' | '>' => return false,
            _ => {}
        }
    }
    true
}

/// Whether Java would accept `dn` as an `X500Principal` name.
pub fn x500_name_is_valid(dn: &str) -> bool {
    if dn.trim().is_empty() {
        return true;
    }
    let Some(rdns) = split_top(dn, &[',', ';']) else { return false };
    for rdn in rdns {
        let Some(avas) = split_top(&rdn, &['+']) else { return false };
        for ava in avas {
            let Some((k, v)) = ava.split_once('=') else { return false };
            if !keyword_ok(k) || !value_ok(v) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::x500_name_is_valid;

    #[test]
    fn accepts_common_dns() {
        assert!(x500_name_is_valid("CN=client,OU=eng,O=Example,C=US"));
        assert!(x500_name_is_valid("cn=a; o=b"));
        assert!(x500_name_is_valid("CN=a+UID=42,DC=example,DC=com"));
        assert!(x500_name_is_valid("CN=\"quoted, with comma\""));
        assert!(x500_name_is_valid("CN=a\\,b"));
        assert!(x500_name_is_valid("2.5.4.3=x"));
        assert!(x500_name_is_valid("OID.2.5.4.3=x"));
        assert!(x500_name_is_valid("CN=#0403616263"));
        assert!(x500_name_is_valid(""));
    }

    #[test]
    fn rejects_garbage() {
        assert!(!x500_name_is_valid("client"));
        assert!(!x500_name_is_valid("FOO=bar"));
        assert!(!x500_name_is_valid("CN=\"open"));
        assert!(!x500_name_is_valid("CN=a,"));
        assert!(!x500_name_is_valid("CN=a\\"));
        assert!(!x500_name_is_valid("CN=#abc"));
    }
}
