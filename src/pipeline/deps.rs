//! The only place the core touches sibling modules (wire codec, auth providers, session password).
//! Until those modules land, minimal local versions of the same rules live here; swapping to the
//! sibling implementations only changes this file.

use crate::wire::{perms, Acl, ClientInfo, Id, Request};
use std::net::IpAddr;

/// Why a request body could not be turned into a `Request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeFailure {
    UnknownOp,
    Bad,
}

/// Decodes a request body (after the RequestHeader) with the wire codec.
pub fn decode_request(op: i32, body: &[u8], max: usize) -> Result<Request, DecodeFailure> {
    crate::wire::codec::decode_request(op, body, max).map_err(|e| match e {
        crate::wire::DecodeError::UnknownOp(_) => DecodeFailure::UnknownOp,
        _ => DecodeFailure::Bad,
    })
}

/// ZooKeeperServer.checkACL (skipACL handled by the caller).
pub fn check_acl(acl: &[Acl], ids: &[Id], perm: i32) -> bool {
    if acl.is_empty() || ids.iter().any(|i| i.scheme == "super") {
        return true;
    }
    for a in acl {
        if a.perms & perm == 0 {
            continue;
        }
        if a.id.scheme == "world" && a.id.id == "anyone" {
            return true;
        }
        for i in ids.iter().filter(|i| i.scheme == a.id.scheme) {
            let ok = match a.id.scheme.as_str() {
                "ip" => ip_matches(&i.id, &a.id.id),
                "digest" | "x509" => i.id == a.id.id,
                // SASLAuthenticationProvider.matches: a SASL login named `super` matches every sasl ACL.
                "sasl" => i.id == "super" || i.id == a.id.id,
                _ => false,
            };
            if ok {
                return true;
            }
        }
    }
    false
}

fn parse_ip_acl(s: &str) -> Option<(IpAddr, u32)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    if bits > max {
        return None;
    }
    Some((ip, bits))
}

fn ip_bytes(ip: &IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v) => v.octets().to_vec(),
        IpAddr::V6(v) => v.octets().to_vec(),
    }
}

/// IPAuthenticationProvider.matches: masked byte comparison, v4 never matches v6.
fn ip_matches(client: &str, acl: &str) -> bool {
    let (Some((a, bits)), Ok(c)) = (parse_ip_acl(acl), client.parse::<IpAddr>()) else { return false };
    let (ab, cb) = (ip_bytes(&a), ip_bytes(&c));
    if ab.len() != cb.len() {
        return false;
    }
    let mut left = bits as i64;
    for (x, y) in ab.iter().zip(cb.iter()) {
        let mask: u8 = if left >= 8 { 0xff } else if left <= 0 { 0 } else { 0xffu8 << (8 - left) };
        if x & mask != y & mask {
            return false;
        }
        left -= 8;
    }
    true
}

fn id_valid(id: &Id) -> bool {
    match id.scheme.as_str() {
        "digest" => id.id.split(':').count() == 2,
        "ip" => parse_ip_acl(&id.id).is_some(),
        "sasl" => crate::auth::parse_kerberos_name(&id.id).is_some(),
        "x509" => true,
        _ => false,
    }
}

/// PrepRequestProcessor.fixupACL: `Err(())` means InvalidACL.
pub fn fixup_acl(ids: &[Id], acl: &[Acl]) -> Result<Vec<Acl>, ()> {
    let mut uniq: Vec<Acl> = Vec::new();
    for a in acl {
        if !uniq.contains(a) {
            uniq.push(a.clone());
        }
    }
    if uniq.is_empty() {
        return Err(());
    }
    let mut rv = Vec::new();
    for a in uniq {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            rv.push(a);
        } else if a.id.scheme == "auth" {
            let mut any = false;
            for cid in ids {
                if matches!(cid.scheme.as_str(), "digest" | "sasl" | "x509") {
                    any = true;
                    rv.push(Acl { perms: a.perms, id: cid.clone() });
                }
            }
            if !any {
                return Err(());
            }
        } else {
            if !id_valid(&a.id) {
                return Err(());
            }
            rv.push(a);
        }
    }
    Ok(rv)
}

/// `user:password` -> `user:base64(sha1(user:password))`
pub fn digest_id(auth: &str) -> String {
    use base64::Engine;
    use sha1::Digest;
    let user = auth.split(':').next().unwrap_or("");
    let hash = sha1::Sha1::digest(auth.as_bytes());
    format!("{user}:{}", base64::engine::general_purpose::STANDARD.encode(hash))
}

/// Handles an auth packet: the ids to add, or `None` for AuthFailed.
pub fn authenticate(scheme: &str, auth: &[u8], remote_ip: &str, super_digest: Option<&str>) -> Option<Vec<Id>> {
    match scheme {
        "digest" => {
            let text = String::from_utf8_lossy(auth);
            let id = digest_id(&text);
            // ZooKeeper adds the super id before the digest id (whoAmI lists them in that order).
            let mut v = Vec::new();
            if super_digest == Some(id.as_str()) {
                v.push(Id::new("super", ""));
            }
            v.push(Id::new("digest", id));
            Some(v)
        }
        "ip" => Some(vec![Id::new("ip", remote_ip)]),
        _ => None,
    }
}

/// getACL without ADMIN: digest ids lose their hash.
pub fn redact_digests(acl: Vec<Acl>) -> Vec<Acl> {
    acl.into_iter()
        .map(|mut a| {
            if a.id.scheme == "digest" {
                let user = a.id.id.split(':').next().unwrap_or("").to_string();
                a.id.id = format!("{user}:x");
            }
            a
        })
        .collect()
}

/// Java's `String.hashCode` (over UTF-16 code units).
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The order ZooKeeper lists a connection's ids in: its authInfo is a ConcurrentHashMap-backed set,
/// iterated bin by bin (jute `Id.hashCode`, CHM spread, table of 16 growing at 3/4 load), insertion
/// order within a bin.
fn java_auth_info_order(ids: &[Id]) -> Vec<&Id> {
    let mut table = 16usize;
    while ids.len() >= table / 4 * 3 {
        table *= 2;
    }
    let bin = |i: &Id| {
        let h = 17i32.wrapping_mul(37).wrapping_add(java_string_hash(&i.scheme));
        let h = h.wrapping_mul(37).wrapping_add(java_string_hash(&i.id));
        let spread = (h ^ ((h as u32) >> 16) as i32) & 0x7fff_ffff;
        spread as usize & (table - 1)
    };
    let mut v: Vec<&Id> = ids.iter().collect();
    v.sort_by_key(|i| bin(i));
    v
}

/// whoAmI: scheme + user name per id.
pub fn who_am_i(ids: &[Id]) -> Vec<ClientInfo> {
    java_auth_info_order(ids)
        .into_iter()
        .map(|i| ClientInfo {
            auth_scheme: i.scheme.clone(),
            user: match i.scheme.as_str() {
                "digest" => i.id.split(':').next().unwrap_or("").to_string(),
                "ip" | "sasl" | "x509" | "super" => i.id.clone(),
                _ => String::new(),
            },
        })
        .collect()
}

/// `java.util.Random(id ^ 0xB3415C00).nextBytes(16)`
pub fn session_password(id: i64) -> [u8; 16] {
    const MULT: i64 = 0x5DEECE66D;
    const MASK: i64 = (1 << 48) - 1;
    let mut seed = ((id ^ 0xB341_5C00) ^ MULT) & MASK;
    let mut out = [0u8; 16];
    for chunk in out.chunks_mut(4) {
        seed = (seed.wrapping_mul(MULT).wrapping_add(0xB)) & MASK;
        let mut r = (seed >> 16) as i32;
        for b in chunk.iter_mut() {
            *b = r as u8;
            r >>= 8;
        }
    }
    out
}

/// Perms needed for getACL.
pub const READ_OR_ADMIN: i32 = perms::READ | perms::ADMIN;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_vector() {
        let p = session_password(0x0100_0000_0000_0001);
        let hex: String = p.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "054cc74a37327db215e702e20c73f005");
    }

    #[test]
    fn digest_vector() {
        assert_eq!(digest_id("user:password"), "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");
    }

    #[test]
    fn who_am_i_lists_ids_in_java_hash_order() {
        // Observed on ZooKeeper 3.8: alice, user, zed (digest) and sasl:bob come before ip:127.0.0.1.
        let ids = vec![
            Id::new("ip", "127.0.0.1"),
            Id::new("digest", digest_id("user:password")),
            Id::new("digest", digest_id("alice:x")),
            Id::new("digest", digest_id("zed:y")),
        ];
        let users: Vec<String> = who_am_i(&ids).into_iter().map(|c| c.user).collect();
        assert_eq!(users, ["alice", "user", "zed", "127.0.0.1"]);
        let ids = vec![Id::new("ip", "127.0.0.1"), Id::new("sasl", "bob")];
        let schemes: Vec<String> = who_am_i(&ids).into_iter().map(|c| c.auth_scheme).collect();
        assert_eq!(schemes, ["sasl", "ip"]);
    }

    #[test]
    fn ip_acl_matching() {
        assert!(ip_matches("10.1.2.3", "10.1.0.0/16"));
        assert!(!ip_matches("10.2.2.3", "10.1.0.0/16"));
        assert!(ip_matches("127.0.0.1", "127.0.0.1"));
        assert!(!ip_matches("::1", "127.0.0.1"));
    }
}
