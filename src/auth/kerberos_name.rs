//! ZooKeeper's `KerberosName` parsing: `service[/host]@realm`, matched like Java's pattern
//! `([^/@]*)(/([^/@]*))?@([^/@]*)`. A name without `@` is a simple name; a name with `@` that does not
//! fit the pattern is malformed (Java's constructor throws IllegalArgumentException).

/// The parts of a principal name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KerberosName<'a> {
    pub service: &'a str,
    pub host: Option<&'a str>,
    /// `None` for a simple name (no `@`).
    pub realm: Option<&'a str>,
}

/// `None` when Java's `new KerberosName(name)` would throw.
pub fn parse_kerberos_name(name: &str) -> Option<KerberosName<'_>> {
    let Some((left, realm)) = name.split_once('@') else {
        return Some(KerberosName { service: name, host: None, realm: None });
    };
    if realm.contains(['@', '/']) {
        return None;
    }
    match left.split_once('/') {
        None => Some(KerberosName { service: left, host: None, realm: Some(realm) }),
        Some((_, host)) if host.contains('/') => None,
        Some((service, host)) => Some(KerberosName { service, host: Some(host), realm: Some(realm) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_java() {
        assert_eq!(parse_kerberos_name("bob"), Some(KerberosName { service: "bob", host: None, realm: None }));
        // No '@': simple name, even with slashes.
        assert_eq!(parse_kerberos_name("a/b/c"), Some(KerberosName { service: "a/b/c", host: None, realm: None }));
        assert_eq!(
            parse_kerberos_name("zookeeper/host.example@EXAMPLE"),
            Some(KerberosName { service: "zookeeper", host: Some("host.example"), realm: Some("EXAMPLE") })
        );
        assert_eq!(parse_kerberos_name("@"), Some(KerberosName { service: "", host: None, realm: Some("") }));
        assert_eq!(parse_kerberos_name("a@b@c"), None);
        assert_eq!(parse_kerberos_name("a/b/c@R"), None);
        assert_eq!(parse_kerberos_name("a@R/x"), None);
    }
}
