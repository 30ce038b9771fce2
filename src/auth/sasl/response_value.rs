//! The RFC 2831 response-value (client `response=` and server `rspauth=`), computed as Java's
//! `DigestMD5Base.generateResponseValue` does with UTF-8 enabled.

use md5::{Digest, Md5};

/// What both sides hash.
#[derive(Debug, Clone)]
pub struct DigestInputs<'a> {
    pub digest_uri: &'a str,
    pub qop: &'a str,
    pub username: &'a str,
    pub realm: &'a str,
    pub password: &'a str,
    pub nonce: &'a [u8],
    pub cnonce: &'a [u8],
    pub nonce_count: u32,
    pub authzid: Option<&'a [u8]>,
}

/// Java's `stringToByte_8859_1` with UTF-8 on: Latin-1 when every char fits, else UTF-8.
fn latin1_or_utf8(s: &str) -> Vec<u8> {
    if s.chars().all(|c| (c as u32) <= 0xFF) {
        s.chars().map(|c| c as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

fn hex(d: &[u8]) -> Vec<u8> {
    d.iter().flat_map(|b| format!("{b:02x}").into_bytes()).collect()
}

/// Lower-case hex response-value. `auth_method` is `"AUTHENTICATE"` for the client's response
/// and `""` for the server's rspauth.
pub fn response_value(auth_method: &str, v: &DigestInputs<'_>) -> Vec<u8> {
    let mut a2 = format!("{auth_method}:{}", v.digest_uri).into_bytes();
    if v.qop == "auth-int" || v.qop == "auth-conf" {
        a2.extend_from_slice(b":00000000000000000000000000000000");
    }
    let hex_a2 = hex(&Md5::digest(&a2));

    let mut begin_a1 = latin1_or_utf8(v.username);
    begin_a1.push(b':');
    begin_a1.extend(latin1_or_utf8(v.realm));
    begin_a1.push(b':');
    begin_a1.extend(latin1_or_utf8(v.password));
    let mut a1 = Md5::digest(&begin_a1).to_vec();
    a1.push(b':');
    a1.extend_from_slice(v.nonce);
    a1.push(b':');
    a1.extend_from_slice(v.cnonce);
    if let Some(z) = v.authzid {
        a1.push(b':');
        a1.extend_from_slice(z);
    }
    let hex_a1 = hex(&Md5::digest(&a1));

    let mut kd = hex_a1;
    for part in [v.nonce, format!("{:08x}", v.nonce_count).as_bytes(), v.cnonce, v.qop.as_bytes(), &hex_a2] {
        kd.push(b':');
        kd.extend_from_slice(part);
    }
    hex(&Md5::digest(&kd))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 2831 §4 (IMAP, user chris, password secret).
    #[test]
    fn rfc2831_example() {
        let v = DigestInputs {
            digest_uri: "imap/elwood.innosoft.com",
            qop: "auth",
            username: "chris",
            realm: "elwood.innosoft.com",
            password: "secret",
            nonce: b"OA6MG9tEQGm2hh",
            cnonce: b"OA6MHXh6VqTrRk",
            nonce_count: 1,
            authzid: None,
        };
        assert_eq!(response_value("AUTHENTICATE", &v), b"d388dad90d4bbd760a152321f2143af7");
        assert_eq!(response_value("", &v), b"ea40f60335c427b5527b84dbabcdfffd");
    }

    #[test]
    fn latin1_vs_utf8() {
        assert_eq!(latin1_or_utf8("é"), vec![0xE9]);
        assert_eq!(latin1_or_utf8("é€"), "é€".as_bytes().to_vec());
    }
}
