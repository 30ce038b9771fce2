//! System properties from `-Dkey=value` tokens in `SERVER_JVMFLAGS` / `JVMFLAGS`.
//!
//! zkServer.sh runs `java ... $JVMFLAGS` after `JVMFLAGS="$SERVER_JVMFLAGS $JVMFLAGS"`; the
//! unquoted expansion splits on blanks, and for a repeated `-D` the JVM keeps the last one.
//! Only the properties ZooKeeper's server reads (and zkd honours) are kept.

/// Where a system property came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyOrigin {
    /// A `-D` token in the named environment variable.
    Flags(&'static str),
    /// The zoo.cfg fall-through rule (`key` at this line became `zookeeper.key`).
    File { line: usize },
}

/// True for properties zkd takes from `-D` flags.
pub fn is_relevant_property(key: &str) -> bool {
    key.starts_with("zookeeper.")
        || key.starts_with("znode.container.")
        || key == "jute.maxbuffer"
        || key == "readonlymode.enabled"
        || key == "java.security.auth.login.config"
}

/// Extracts `(key, value, origin)` from both variables, SERVER_JVMFLAGS first so JVMFLAGS wins.
/// `-Dkey` without `=` sets the empty string, like the JVM.
pub fn jvm_flag_properties(server_jvmflags: &str, jvmflags: &str) -> Vec<(String, String, PropertyOrigin)> {
    let mut out: Vec<(String, String, PropertyOrigin)> = Vec::new();
    for (var, text) in [("SERVER_JVMFLAGS", server_jvmflags), ("JVMFLAGS", jvmflags)] {
        for token in text.split_ascii_whitespace() {
            let Some(def) = token.strip_prefix("-D") else { continue };
            let (key, value) = def.split_once('=').unwrap_or((def, ""));
            if key.is_empty() || !is_relevant_property(key) {
                continue;
            }
            out.retain(|(k, _, _)| k != key);
            out.push((key.to_string(), value.to_string(), PropertyOrigin::Flags(var)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_relevant_d_flags_last_wins() {
        let props = jvm_flag_properties(
            "-Xmx1000m -Dzookeeper.skipACL=yes -Djute.maxbuffer=4194304 -Dcom.sun.management.jmxremote",
            "-Dzookeeper.skipACL=no -Dreadonlymode.enabled -Djava.security.auth.login.config=/etc/jaas.conf -Dznode.container.checkIntervalMs=1000",
        );
        let get = |k: &str| props.iter().find(|(key, _, _)| key == k).map(|(_, v, o)| (v.as_str(), o.clone()));
        assert_eq!(get("zookeeper.skipACL"), Some(("no", PropertyOrigin::Flags("JVMFLAGS"))));
        assert_eq!(get("jute.maxbuffer"), Some(("4194304", PropertyOrigin::Flags("SERVER_JVMFLAGS"))));
        assert_eq!(get("readonlymode.enabled"), Some(("", PropertyOrigin::Flags("JVMFLAGS"))));
        assert_eq!(get("java.security.auth.login.config").map(|x| x.0), Some("/etc/jaas.conf"));
        assert_eq!(get("znode.container.checkIntervalMs").map(|x| x.0), Some("1000"));
        assert_eq!(get("com.sun.management.jmxremote"), None);
        assert_eq!(props.len(), 5);
    }
}
