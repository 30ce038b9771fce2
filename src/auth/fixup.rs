//! `PrepRequestProcessor.fixupACL`: validates and expands the ACL of create/setACL.

use super::providers::Providers;
use crate::wire::{Acl, Id};

/// The request's ACL is invalid (InvalidACL, -114).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid ACL")]
pub struct InvalidAcl;

/// Removes duplicates (first occurrence kept); empty ⇒ invalid. Then per entry: `world:anyone`
/// kept; `auth:*` replaced by one entry per caller id whose provider is "authenticated"
/// (digest, sasl, x509 — not ip), same perms, invalid if there is none; any other scheme must
/// have a provider that calls the id valid (so `super:` and other `world` ids are invalid).
/// The expansion is not de-duplicated again, as in ZooKeeper.
pub fn fixup_acl(providers: &Providers, ids: &[Id], acl: &[Acl]) -> Result<Vec<Acl>, InvalidAcl> {
    let mut unique: Vec<&Acl> = Vec::with_capacity(acl.len());
    for a in acl {
        if !unique.contains(&a) {
            unique.push(a);
        }
    }
    if unique.is_empty() {
        return Err(InvalidAcl);
    }
    let mut out = Vec::with_capacity(unique.len());
    for a in unique {
        if a.id.scheme == "world" && a.id.id == "anyone" {
            out.push(a.clone());
        } else if a.id.scheme == "auth" {
            let before = out.len();
            for cid in ids.iter().filter(|c| providers.is_authenticated(&c.scheme)) {
                out.push(Acl { perms: a.perms, id: cid.clone() });
            }
            if out.len() == before {
                return Err(InvalidAcl);
            }
        } else if providers.is_valid(&a.id.scheme, &a.id.id) {
            out.push(a.clone());
        } else {
            return Err(InvalidAcl);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::perms::*;

    fn acl(perms: i32, scheme: &str, id: &str) -> Acl {
        Acl { perms, id: Id::new(scheme, id) }
    }

    #[test]
    fn empty_is_invalid() {
        assert_eq!(fixup_acl(&Providers::default(), &[], &[]), Err(InvalidAcl));
    }

    #[test]
    fn dedupes() {
        let a = [acl(ALL, "world", "anyone"), acl(ALL, "world", "anyone"), acl(READ, "world", "anyone")];
        assert_eq!(
            fixup_acl(&Providers::default(), &[], &a),
            Ok(vec![acl(ALL, "world", "anyone"), acl(READ, "world", "anyone")])
        );
    }

    #[test]
    fn world_only_anyone() {
        assert_eq!(fixup_acl(&Providers::default(), &[], &[acl(ALL, "world", "everyone")]), Err(InvalidAcl));
        assert_eq!(fixup_acl(&Providers::default(), &[], &[acl(ALL, "world", "")]), Err(InvalidAcl));
    }

    #[test]
    fn auth_expands_to_authenticated_ids() {
        let p = Providers { sasl: true, ..Providers::default() };
        let ids = [
            Id::new("ip", "127.0.0.1"),
            Id::new("super", ""),
            Id::new("digest", "u:h"),
            Id::new("sasl", "bob"),
        ];
        assert_eq!(
            fixup_acl(&p, &ids, &[acl(READ | ADMIN, "auth", "ignored")]),
            Ok(vec![acl(READ | ADMIN, "digest", "u:h"), acl(READ | ADMIN, "sasl", "bob")])
        );
        // sasl ids are not expanded when the sasl provider is not registered.
        assert_eq!(
            fixup_acl(&Providers::default(), &ids, &[acl(ALL, "auth", "")]),
            Ok(vec![acl(ALL, "digest", "u:h")])
        );
        // Only ip (and super): nothing authenticated.
        assert_eq!(
            fixup_acl(&p, &[Id::new("ip", "127.0.0.1"), Id::new("super", "")], &[acl(ALL, "auth", "")]),
            Err(InvalidAcl)
        );
    }

    #[test]
    fn other_schemes_validated_by_provider() {
        let p = Providers::default();
        assert!(fixup_acl(&p, &[], &[acl(ALL, "digest", "u:h")]).is_ok());
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "digest", "u")]), Err(InvalidAcl));
        assert!(fixup_acl(&p, &[], &[acl(ALL, "ip", "10.0.0.0/8")]).is_ok());
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "ip", "10.0.0.0/40")]), Err(InvalidAcl));
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "super", "")]), Err(InvalidAcl));
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "sasl", "bob")]), Err(InvalidAcl));
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "madeup", "x")]), Err(InvalidAcl));
        // One bad entry spoils the list.
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "world", "anyone"), acl(ALL, "ip", "bad")]), Err(InvalidAcl));
        let p = Providers { sasl: true, ..Providers::default() };
        assert!(fixup_acl(&p, &[], &[acl(ALL, "sasl", "bob")]).is_ok());
        assert_eq!(fixup_acl(&p, &[], &[acl(ALL, "sasl", "a@b@c")]), Err(InvalidAcl));
    }

    #[test]
    fn expansion_is_not_deduped_again() {
        let ids = [Id::new("digest", "u:h")];
        let a = [acl(ALL, "digest", "u:h"), acl(ALL, "auth", "")];
        assert_eq!(
            fixup_acl(&Providers::default(), &ids, &a),
            Ok(vec![acl(ALL, "digest", "u:h"), acl(ALL, "digest", "u:h")])
        );
    }
}
