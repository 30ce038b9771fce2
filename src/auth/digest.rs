//! The `digest` provider (`DigestAuthenticationProvider`): `addauth digest user:password` yields
//! `digest:user:Base64(SHA-1("user:password"))`.

use crate::wire::Id;
use base64::Engine;
use sha1::{Digest, Sha1};

/// `generateDigest`: the part before the first `:` (the whole text if none), `:`, then the
/// Base64 SHA-1 of the whole text.
pub fn generate_digest(id_password: &str) -> String {
    let user = id_password.split(':').next().unwrap_or("");
    let hash = Sha1::digest(id_password.as_bytes());
    format!("{user}:{}", base64::engine::general_purpose::STANDARD.encode(hash))
}

/// The id an auth packet `digest` with payload `auth` gives. Java decodes the bytes with the
/// platform charset (UTF-8); invalid sequences become U+FFFD.
pub fn digest_id(auth: &[u8]) -> Id {
    Id::new("digest", generate_digest(&String::from_utf8_lossy(auth)))
}

/// Java's `s.split(":").length`: trailing empty pieces are dropped.
fn java_split_len(s: &str) -> usize {
    let parts: Vec<&str> = s.split(':').collect();
    parts.iter().rposition(|p| !p.is_empty()).map(|i| i + 1).unwrap_or(0)
}

/// `isValid`: exactly two `:`-separated parts (Java split semantics, so `a:b:` is valid and
/// `a:` is not).
pub fn digest_is_valid(id: &str) -> bool {
    java_split_len(id) == 2
}

/// `getUserName`: the part before the first `:`.
pub fn digest_user_name(id: &str) -> String {
    id.split(':').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vector() {
        assert_eq!(generate_digest("user:password"), "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");
        assert_eq!(digest_id(b"user:password"), Id::new("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="));
    }

    #[test]
    fn whole_text_is_hashed() {
        // Only the user part is kept in clear; the password (even with ':') goes into the hash.
        let d = generate_digest("bob:pa:ss");
        assert!(d.starts_with("bob:"));
        assert_ne!(d, generate_digest("bob:pa"));
        assert!(generate_digest("nocolon").starts_with("nocolon:"));
        assert!(generate_digest("").starts_with(':'));
    }

    #[test]
    fn validity_follows_java_split() {
        assert!(digest_is_valid("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="));
        assert!(digest_is_valid(":hash"));
        assert!(digest_is_valid("a:b:"));
        assert!(digest_is_valid("a:b::"));
        assert!(!digest_is_valid("a:"));
        assert!(!digest_is_valid("a"));
        assert!(!digest_is_valid(""));
        assert!(!digest_is_valid(":"));
        assert!(!digest_is_valid("a:b:c"));
        assert!(!digest_is_valid("a::b"));
    }

    #[test]
    fn user_name() {
        assert_eq!(digest_user_name("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="), "user");
        assert_eq!(digest_user_name("nohash"), "nohash");
        assert_eq!(digest_user_name(":x"), "");
    }
}
