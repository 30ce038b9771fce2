//! The configuration error: names the file, the line and the key where ZooKeeper's own parser
//! would have failed.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file name as given on the command line (or "zkd" for non-file problems).
    pub file: String,
    /// 1-based line of the offending entry, when one entry is to blame.
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn at(file: &str, line: usize, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError { file: file.to_string(), line: Some(line), key: Some(key.to_string()), message: message.into() }
    }

    pub fn whole_file(file: &str, message: impl Into<String>) -> ConfigError {
        ConfigError { file: file.to_string(), line: None, key: None, message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    /// `zoo.cfg:3: tickTime: invalid number "abc"`, or `zoo.cfg: dataDir is not set`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}
