//! getACL without ADMIN permission hides digest password hashes (`FinalRequestProcessor`,
//! since 3.4.14/3.5.5): each digest id becomes `user:x`.

use super::acl_check::check_acl;
use super::providers::Providers;
use crate::wire::{perms, Acl, Id};

/// Java regex `.` does not match line terminators.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `id.replaceAll(":.*", ":x")`: every `:` and the rest of its line become `:x`.
fn replace_password(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut in_match = false;
    for c in id.chars() {
        if in_match && !is_line_terminator(c) {
            continue;
        }
        in_match = false;
        if c == ':' {
            out.push_str(":x");
            in_match = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces the password hash of every `digest` entry with `x`; other entries are unchanged.
pub fn redact_digests(acl: &[Acl]) -> Vec<Acl> {
    acl.iter()
        .map(|a| {
            if a.id.scheme == "digest" {
                Acl { perms: a.perms, id: Id::new("digest", replace_password(&a.id.id)) }
            } else {
                a.clone()
            }
        })
        .collect()
}

/// The ACL list a getACL reply carries, once READ|ADMIN has been granted: as stored for callers
/// with ADMIN, redacted otherwise. (With skipACL the caller sends it as stored.)
pub fn acl_for_get_acl(providers: &Providers, acl: &[Acl], ids: &[Id]) -> Vec<Acl> {
    if check_acl(providers, acl, ids, perms::ADMIN) {
        acl.to_vec()
    } else {
        redact_digests(acl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::perms::*;

    fn acl(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl { perms, id: Id::new(scheme, id) }
    }

    #[test]
    fn replaces_from_first_colon() {
        assert_eq!(replace_password("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="), "user:x");
        assert_eq!(replace_password("a:b:c"), "a:x");
        assert_eq!(replace_password("nocolon"), "nocolon");
        assert_eq!(replace_password(":"), ":x");
        assert_eq!(replace_password("a:b\nc:d"), "a:x\nc:x");
    }

    #[test]
    fn only_digest_entries_change() {
        let a = [acl(READ, "digest", "u:hash"), acl(ALL, "ip", "1.2.3.4"), acl(READ, "world", "anyone")];
        assert_eq!(
            redact_digests(&a),
            vec![acl(READ, "digest", "u:x"), acl(ALL, "ip", "1.2.3.4"), acl(READ, "world", "anyone")]
        );
    }

    #[test]
    fn admin_sees_hashes() {
        let p = Providers::default();
        let a = [acl(READ, "world", "anyone"), acl(ALL, "digest", "u:hash")];
        assert_eq!(acl_for_get_acl(&p, &a, &[Id::new("digest", "u:hash")]), a.to_vec());
        assert_eq!(acl_for_get_acl(&p, &a, &[Id::new("super", "")]), a.to_vec());
        assert_eq!(
            acl_for_get_acl(&p, &a, &[Id::new("ip", "127.0.0.1")]),
            vec![acl(READ, "world", "anyone"), acl(ALL, "digest", "u:x")]
        );
    }
}
