//! Which authentication providers are registered (`ProviderRegistry`) and what each one says
//! about ids: validity, matching, user name, "authenticated".
//!
//! ZooKeeper always registers `ip`, registers `digest` unless
//! `zookeeper.DigestAuthenticationProvider.enabled=false`, and loads others (`sasl`, `x509`) only
//! when named by `authProvider.N=<class>` (zoo.cfg) / `zookeeper.authProvider.N` (system property).
//! A scheme without a provider makes ACL entries invalid and never matches.

use super::digest::{digest_is_valid, digest_user_name};
use super::ip::{ip_is_valid, ip_matches};
use super::kerberos_name::parse_kerberos_name;
use super::x500_name::x500_name_is_valid;

/// The provider set and the system properties that change provider behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Providers {
    /// `zookeeper.DigestAuthenticationProvider.enabled` (default true).
    pub digest: bool,
    /// `SASLAuthenticationProvider` registered.
    pub sasl: bool,
    /// `X509AuthenticationProvider` registered.
    pub x509: bool,
    /// IPv6 ACL ids understood (ZOOKEEPER-4240, newer than 3.9); false = 3.8/3.9: IPv4 only.
    pub ipv6_acls: bool,
    /// `zookeeper.letAnySaslUserDoX`: a `sasl` ACL id every SASL user matches.
    pub let_any_sasl_user_do_x: Option<String>,
    /// `zookeeper.X509AuthenticationProvider.superUser`: an x509 id that matches every x509 ACL.
    pub x509_super_user: Option<String>,
}

impl Default for Providers {
    /// ZooKeeper's defaults: `ip` and `digest` only.
    fn default() -> Providers {
        Providers { digest: true, sasl: false, x509: false, ipv6_acls: true, let_any_sasl_user_do_x: None, x509_super_user: None }
    }
}

impl Providers {
    /// Registers a provider named by its Java class (an `authProvider.N` value). Returns false
    /// for classes zkd does not implement (ZooKeeper would log "Problems loading").
    pub fn register_class(&mut self, class_name: &str) -> bool {
        match class_name.trim().rsplit('.').next().unwrap_or("") {
            "SASLAuthenticationProvider" => self.sasl = true,
            "X509AuthenticationProvider" => self.x509 = true,
            "DigestAuthenticationProvider" => self.digest = true,
            "IPAuthenticationProvider" => {}
            _ => return false,
        }
        true
    }

    /// Whether a provider exists for `scheme`.
    pub fn has(&self, scheme: &str) -> bool {
        match scheme {
            "ip" => true,
            "digest" => self.digest,
            "sasl" => self.sasl,
            "x509" => self.x509,
            _ => false,
        }
    }

    /// `isAuthenticated`: ids of such schemes are what an `auth` ACL entry expands to.
    pub fn is_authenticated(&self, scheme: &str) -> bool {
        self.has(scheme) && scheme != "ip"
    }

    /// `isValid` of the scheme's provider; false when there is none.
    pub fn is_valid(&self, scheme: &str, id: &str) -> bool {
        if !self.has(scheme) {
            return false;
        }
        match scheme {
            "ip" => ip_is_valid(id, self.ipv6_acls),
            "digest" => digest_is_valid(id),
            "sasl" => parse_kerberos_name(id).is_some(),
            "x509" => x500_name_is_valid(id),
            _ => false,
        }
    }

    /// `matches(callerId, aclExpr)` of the scheme's provider; false when there is none.
    pub fn matches(&self, scheme: &str, id: &str, acl_expr: &str) -> bool {
        if !self.has(scheme) {
            return false;
        }
        match scheme {
            "ip" => ip_matches(id, acl_expr, self.ipv6_acls),
            "digest" => id == acl_expr,
            "sasl" => id == "super" || id == acl_expr || self.let_any_sasl_user_do_x.as_deref() == Some(acl_expr),
            "x509" => id == acl_expr || self.x509_super_user.as_deref() == Some(id),
            _ => false,
        }
    }

    /// `getUserName` (via `AuthUtil.getUser`); `None` when the scheme has no provider.
    pub fn user_name(&self, scheme: &str, id: &str) -> Option<String> {
        if !self.has(scheme) {
            return None;
        }
        Some(match scheme {
            "digest" => digest_user_name(id),
            _ => id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_registry() {
        let p = Providers::default();
        assert!(p.has("ip") && p.has("digest"));
        assert!(!p.has("sasl") && !p.has("x509") && !p.has("world") && !p.has("super") && !p.has("auth"));
        assert!(p.is_authenticated("digest"));
        assert!(!p.is_authenticated("ip"));
        assert!(!p.is_authenticated("sasl"));
        assert!(!p.is_valid("sasl", "bob"));
    }

    #[test]
    fn register_classes() {
        let mut p = Providers { digest: false, ..Providers::default() };
        assert!(p.register_class("org.apache.zookeeper.server.auth.SASLAuthenticationProvider"));
        assert!(p.register_class("org.apache.zookeeper.server.auth.X509AuthenticationProvider"));
        assert!(p.register_class("org.apache.zookeeper.server.auth.DigestAuthenticationProvider"));
        assert!(!p.register_class("com.example.MyProvider"));
        assert!(p.sasl && p.x509 && p.digest);
    }

    #[test]
    fn sasl_rules() {
        let p = Providers { sasl: true, let_any_sasl_user_do_x: Some("anyone".into()), ..Providers::default() };
        assert!(p.is_valid("sasl", "bob"));
        assert!(p.is_valid("sasl", "zk/host@REALM"));
        assert!(!p.is_valid("sasl", "a@b@c"));
        assert!(p.matches("sasl", "bob", "bob"));
        assert!(!p.matches("sasl", "bob", "alice"));
        assert!(p.matches("sasl", "super", "alice"), "a SASL id named super matches everything");
        assert!(p.matches("sasl", "bob", "anyone"));
        assert_eq!(p.user_name("sasl", "bob").as_deref(), Some("bob"));
    }

    #[test]
    fn user_names() {
        let p = Providers::default();
        assert_eq!(p.user_name("digest", "u:hash").as_deref(), Some("u"));
        assert_eq!(p.user_name("ip", "10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(p.user_name("super", ""), None);
    }

    #[test]
    fn disabled_digest_is_unknown() {
        let p = Providers { digest: false, ..Providers::default() };
        assert!(!p.is_valid("digest", "u:h"));
        assert!(!p.matches("digest", "u:h", "u:h"));
    }
}
