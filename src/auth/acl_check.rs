//! `ZooKeeperServer.checkACL` (skipACL is the caller's business).

use super::providers::Providers;
use crate::wire::{Acl, Id};

/// Whether a caller holding `ids` has any of the `required` permission bits on a node with `acl`.
/// Empty ACL ⇒ allowed; a `super` id ⇒ allowed; otherwise some entry granting the bit must be
/// `world:anyone` or match one of the caller's ids of the same scheme per that scheme's provider.
pub fn check_acl(providers: &Providers, acl: &[Acl], ids: &[Id], required: i32) -> bool {
    if acl.is_empty() || ids.iter().any(|i| i.scheme == "super") {
        return true;
    }
    acl.iter().filter(|a| a.perms & required != 0).any(|a| {
        (a.id.scheme == "world" && a.id.id == "anyone")
            || ids
                .iter()
                .filter(|i| i.scheme == a.id.scheme)
                .any(|i| providers.matches(&a.id.scheme, &i.id, &a.id.id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::perms::*;

    fn acl(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl { perms, id: Id::new(scheme, id) }
    }

    #[test]
    fn empty_acl_and_super() {
        let p = Providers::default();
        assert!(check_acl(&p, &[], &[], ADMIN));
        let locked = [acl(READ, "digest", "u:h")];
        assert!(!check_acl(&p, &locked, &[Id::new("ip", "1.2.3.4")], READ));
        assert!(check_acl(&p, &locked, &[Id::new("super", "")], ADMIN));
    }

    #[test]
    fn world_anyone_by_perm() {
        let p = Providers::default();
        let a = [acl(READ | WRITE, "world", "anyone")];
        assert!(check_acl(&p, &a, &[], READ));
        assert!(check_acl(&p, &a, &[], WRITE));
        assert!(!check_acl(&p, &a, &[], DELETE));
        assert!(check_acl(&p, &a, &[], READ | ADMIN), "any requested bit suffices (getACL)");
        assert!(!check_acl(&p, &[acl(ALL, "world", "someone")], &[], READ));
    }

    #[test]
    fn digest_and_ip_matching() {
        let p = Providers::default();
        let a = [acl(READ, "digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="), acl(WRITE, "ip", "10.0.0.0/8")];
        let me = [Id::new("ip", "10.1.2.3"), Id::new("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")];
        assert!(check_acl(&p, &a, &me, READ));
        assert!(check_acl(&p, &a, &me, WRITE));
        assert!(!check_acl(&p, &a, &me, CREATE));
        let other = [Id::new("ip", "11.0.0.1"), Id::new("digest", "user:other")];
        assert!(!check_acl(&p, &a, &other, READ));
        assert!(!check_acl(&p, &a, &other, WRITE));
        // Same id text but different scheme never matches.
        assert!(!check_acl(&p, &[acl(READ, "digest", "10.1.2.3")], &[Id::new("ip", "10.1.2.3")], READ));
    }

    #[test]
    fn unregistered_scheme_never_matches() {
        let a = [acl(READ, "sasl", "bob")];
        let ids = [Id::new("sasl", "bob")];
        assert!(!check_acl(&Providers::default(), &a, &ids, READ));
        assert!(check_acl(&Providers { sasl: true, ..Providers::default() }, &a, &ids, READ));
    }
}
