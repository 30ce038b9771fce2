//! Which four-letter words exist and which are enabled (`FourLetterCommands` in ZooKeeper).

use std::collections::BTreeSet;

/// Every word ZooKeeper 3.8 knows, with its code (the first 4 bytes of a connection read as a
/// big-endian int). "telnet close" is the telnet IAC sequence ZooKeeper also recognises.
pub const KNOWN_WORDS: [(&str, u32); 19] = [
    ("conf", 0x636f_6e66),
    ("cons", 0x636f_6e73),
    ("crst", 0x6372_7374),
    ("dirs", 0x6469_7273),
    ("dump", 0x6475_6d70),
    ("envi", 0x656e_7669),
    ("gtmk", 0x6774_6d6b),
    ("ruok", 0x7275_6f6b),
    ("stmk", 0x7374_6d6b),
    ("srst", 0x7372_7374),
    ("srvr", 0x7372_7672),
    ("stat", 0x7374_6174),
    ("wchc", 0x7763_6863),
    ("wchp", 0x7763_6870),
    ("wchs", 0x7763_6873),
    ("mntr", 0x6d6e_7472),
    ("isro", 0x6973_726f),
    ("hash", 0x6861_7368),
    ("telnet close", 0xfff4_fffd),
];

/// The word for the first 4 bytes of a connection, if they are a known command.
pub fn word_for_code(code: u32) -> Option<&'static str> {
    KNOWN_WORDS.iter().find(|(_, c)| *c == code).map(|(w, _)| *w)
}

/// The enabled words. Built once at start-up, like ZooKeeper's lazily initialised set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FourLwWhitelist {
    enabled: BTreeSet<String>,
}

impl FourLwWhitelist {
    /// `whitelist`: value of `zookeeper.4lw.commands.whitelist` (comma-separated, `*` = every
    /// known word, entries trimmed, empty entries ignored, unknown names kept harmlessly).
    /// `readonlymode`: value of the `readonlymode.enabled` property; exactly "true" adds `isro`.
    /// `srvr` is always enabled (zkServer.sh status needs it).
    pub fn new(whitelist: Option<&str>, readonlymode: Option<&str>) -> FourLwWhitelist {
        let mut enabled = BTreeSet::new();
        if let Some(list) = whitelist {
            for item in list.split(',') {
                // Java's trim(): every char <= U+0020.
                let item = item.trim_matches(|c: char| c <= ' ');
                if item == "*" {
                    enabled.extend(KNOWN_WORDS.iter().map(|(w, _)| w.to_string()));
                    break;
                }
                if !item.is_empty() {
                    enabled.insert(item.to_string());
                }
            }
        }
        if readonlymode == Some("true") {
            enabled.insert("isro".to_string());
        }
        enabled.insert("srvr".to_string());
        FourLwWhitelist { enabled }
    }

    /// Every known word enabled (tests, `*`).
    pub fn all() -> FourLwWhitelist {
        FourLwWhitelist::new(Some("*"), None)
    }

    pub fn is_enabled(&self, word: &str) -> bool {
        self.enabled.contains(word)
    }

    /// Same as [`FourLwWhitelist::is_enabled`] (the name the config brief uses).
    pub fn allows(&self, word: &str) -> bool {
        self.is_enabled(word)
    }

    /// The enabled names, sorted.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.enabled.iter().map(String::as_str)
    }
}

impl Default for FourLwWhitelist {
    /// ZooKeeper's default: only `srvr`.
    fn default() -> FourLwWhitelist {
        FourLwWhitelist::new(None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_ascii_of_the_word() {
        for (w, c) in KNOWN_WORDS.iter().filter(|(w, _)| w.len() == 4) {
            assert_eq!(u32::from_be_bytes(w.as_bytes().try_into().unwrap()), *c, "{w}");
            assert_eq!(word_for_code(*c), Some(*w));
        }
        assert_eq!(word_for_code(0xfff4fffd), Some("telnet close"));
        assert_eq!(word_for_code(0x0000_002d), None);
    }

    #[test]
    fn default_is_srvr_only() {
        let w = FourLwWhitelist::default();
        assert_eq!(w.words().collect::<Vec<_>>(), vec!["srvr"]);
        assert!(!w.is_enabled("ruok"));
    }

    #[test]
    fn list_star_and_readonly() {
        let w = FourLwWhitelist::new(Some(" ruok , mntr,,stat "), None);
        assert_eq!(w.words().collect::<Vec<_>>(), vec!["mntr", "ruok", "srvr", "stat"]);
        let w = FourLwWhitelist::new(Some("ruok, *"), None);
        assert!(KNOWN_WORDS.iter().all(|(k, _)| w.is_enabled(k)));
        assert!(FourLwWhitelist::new(None, Some("true")).is_enabled("isro"));
        // FourLetterCommands compares with equals("true"): case matters here.
        assert!(!FourLwWhitelist::new(None, Some("TRUE")).is_enabled("isro"));
    }
}
