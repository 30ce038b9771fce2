//! Auth packets (`ZooKeeperServer.processPacket`, op `auth`) and a connection's id list.

use super::digest::digest_id;
use super::ip::ip_id_text;
use super::providers::Providers;
use crate::wire::Id;
use std::net::IpAddr;

/// Why an auth packet failed. Either way ZooKeeper replies AuthFailed (-115) and closes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no authentication provider for scheme {0}")]
    UnknownScheme(String),
    #[error("authentication failed for scheme {0}")]
    Failed(String),
}

/// The ids a new connection starts with: `ip:<remote address>`.
pub fn connection_ids(remote: IpAddr) -> Vec<Id> {
    vec![Id::new("ip", ip_id_text(remote))]
}

/// Handles `addauth scheme auth`: the ids to add to the connection (see `add_auth_ids`).
/// - `digest` → `[super:"" if it equals the superDigest, digest:user:hash]`
/// - `ip` → the connection's own ip id (already held; nothing new)
/// - `sasl`, `x509` providers reject auth packets (SASL runs over op 102; x509 needs TLS)
/// - anything else (`world`, `auth`, `super`, unregistered schemes) has no provider.
pub fn authenticate(
    providers: &Providers,
    scheme: &str,
    auth: &[u8],
    remote: IpAddr,
    super_digest: Option<&str>,
) -> Result<Vec<Id>, AuthError> {
    if !providers.has(scheme) {
        return Err(AuthError::UnknownScheme(scheme.to_string()));
    }
    match scheme {
        "digest" => {
            let id = digest_id(auth);
            let mut ids = Vec::with_capacity(2);
            if super_digest == Some(id.id.as_str()) {
                ids.push(Id::new("super", ""));
            }
            ids.push(id);
            Ok(ids)
        }
        "ip" => Ok(connection_ids(remote)),
        _ => Err(AuthError::Failed(scheme.to_string())),
    }
}

/// `ServerCnxn.addAuthInfo`: appends ids the connection does not hold yet, keeping order
/// (whoAmI lists them in this order).
pub fn add_auth_ids(conn_ids: &mut Vec<Id>, new_ids: impl IntoIterator<Item = Id>) {
    for id in new_ids {
        if !conn_ids.contains(&id) {
            conn_ids.push(id);
        }
    }
}

/// The ids a completed SASL exchange adds: `sasl:<authorizationID>`, plus `super:` when the id
/// is listed in `zookeeper.superUser` (or `zookeeper.superUser.*`).
pub fn sasl_ids(authorization_id: &str, super_users: &[String]) -> Vec<Id> {
    let mut ids = vec![Id::new("sasl", authorization_id)];
    if !authorization_id.is_empty() && super_users.iter().any(|u| u == authorization_id) {
        ids.push(Id::new("super", ""));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn digest_auth() {
        let p = Providers::default();
        let ids = authenticate(&p, "digest", b"user:password", LOCAL, None).unwrap();
        assert_eq!(ids, vec![Id::new("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")]);
        let ids = authenticate(&p, "digest", b"user:password", LOCAL, Some("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")).unwrap();
        assert_eq!(ids, vec![Id::new("super", ""), Id::new("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")]);
        let ids = authenticate(&p, "digest", b"user:wrong", LOCAL, Some("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")).unwrap();
        assert_eq!(ids.len(), 1);
    }

    #[test]
    fn ip_auth_adds_own_address() {
        let p = Providers::default();
        let ids = authenticate(&p, "ip", b"whatever", "::1".parse().unwrap(), None).unwrap();
        assert_eq!(ids, vec![Id::new("ip", "0:0:0:0:0:0:0:1")]);
        let mut held = connection_ids("::1".parse().unwrap());
        add_auth_ids(&mut held, ids);
        assert_eq!(held.len(), 1);
    }

    #[test]
    fn unknown_and_rejecting_schemes() {
        let p = Providers::default();
        for s in ["world", "auth", "super", "sasl", "x509", "kerberos", ""] {
            assert_eq!(authenticate(&p, s, b"x", LOCAL, None), Err(AuthError::UnknownScheme(s.to_string())));
        }
        let p = Providers { sasl: true, x509: true, ..Providers::default() };
        assert_eq!(authenticate(&p, "sasl", b"x", LOCAL, None), Err(AuthError::Failed("sasl".into())));
        assert_eq!(authenticate(&p, "x509", b"x", LOCAL, None), Err(AuthError::Failed("x509".into())));
        let p = Providers { digest: false, ..Providers::default() };
        assert!(matches!(authenticate(&p, "digest", b"u:p", LOCAL, None), Err(AuthError::UnknownScheme(_))));
    }

    #[test]
    fn add_ids_dedupes_in_order() {
        let mut held = connection_ids(LOCAL);
        add_auth_ids(&mut held, vec![Id::new("digest", "a:1"), Id::new("digest", "b:2")]);
        add_auth_ids(&mut held, vec![Id::new("digest", "a:1")]);
        assert_eq!(
            held,
            vec![Id::new("ip", "127.0.0.1"), Id::new("digest", "a:1"), Id::new("digest", "b:2")]
        );
    }

    #[test]
    fn sasl_super_users() {
        assert_eq!(sasl_ids("bob", &[]), vec![Id::new("sasl", "bob")]);
        assert_eq!(sasl_ids("admin", &["admin".into()]), vec![Id::new("sasl", "admin"), Id::new("super", "")]);
        assert_eq!(sasl_ids("", &["".into()]), vec![Id::new("sasl", "")]);
    }
}
