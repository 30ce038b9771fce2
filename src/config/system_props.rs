//! Typed values read from system properties with the Java call ZooKeeper uses for each one
//! (`Integer.getInteger` falls back to the default on a bad number; zkd says so in a warning).

use super::java_values::{decode_int, decode_long, java_bool, parse_long};
use super::jvm_flags::PropertyOrigin;
use std::collections::BTreeMap;

/// The effective system properties with their origins.
pub struct SystemProps<'a> {
    pub values: &'a BTreeMap<String, (String, PropertyOrigin)>,
    pub file: &'a str,
}

impl SystemProps<'_> {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(v, _)| v.as_str())
    }

    fn origin(&self, key: &str) -> String {
        match self.values.get(key).map(|(_, o)| o) {
            Some(PropertyOrigin::File { line }) => {
                format!("{}:{}: {}", self.file, line, key.strip_prefix("zookeeper.").unwrap_or(key))
            }
            Some(PropertyOrigin::Flags(var)) => format!("{var}: -D{key}"),
            None => key.to_string(),
        }
    }

    /// `Integer.getInteger(key, default)`.
    pub fn integer(&self, key: &str, default: i32, warnings: &mut Vec<String>) -> i32 {
        match self.get(key) {
            None => default,
            Some(v) => decode_int(v).unwrap_or_else(|| {
                warnings.push(format!("{}: invalid number \"{v}\", using the default {default}", self.origin(key)));
                default
            }),
        }
    }

    /// `Long.getLong(key, default)`.
    pub fn long(&self, key: &str, default: i64, warnings: &mut Vec<String>) -> i64 {
        match self.get(key) {
            None => default,
            Some(v) => decode_long(v).unwrap_or_else(|| {
                warnings.push(format!("{}: invalid number \"{v}\", using the default {default}", self.origin(key)));
                default
            }),
        }
    }

    /// `Long.parseLong(System.getProperty(key))` guarded like FileTxnLog's preAllocSize.
    pub fn parsed_long(&self, key: &str, default: i64, warnings: &mut Vec<String>) -> i64 {
        match self.get(key) {
            None => default,
            Some(v) => parse_long(v).unwrap_or_else(|| {
                warnings.push(format!("{}: invalid number \"{v}\", using the default {default}", self.origin(key)));
                default
            }),
        }
    }

    /// `Boolean.parseBoolean(System.getProperty(key, default))`.
    pub fn boolean(&self, key: &str, default: bool) -> bool {
        self.get(key).map(java_bool).unwrap_or(default)
    }

    /// `System.getProperty(key, default)`.
    pub fn string(&self, key: &str, default: &str) -> String {
        self.get(key).unwrap_or(default).to_string()
    }
}
