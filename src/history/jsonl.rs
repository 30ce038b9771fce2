//! The JSON Lines form of a history (README.md): one JSON object per line, either
//! `{"init": {"path": ..., "data": ..., "version": ...}}` or an [`Event`]. Blank lines and lines
//! starting with `#` are skipped. An event without `id` gets its line number.

use super::types::{Event, History, InitNode};
use std::fmt;

/// A line that is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct InitLine {
    init: InitNode,
}

/// Parses a whole JSONL history, then validates it (the first problem found is reported).
pub fn parse(text: &str) -> Result<History, ParseError> {
    let mut h = History::default();
    let mut lines = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(t).map_err(|e| ParseError { line, message: format!("not JSON: {e}") })?;
        if value.get("init").is_some() {
            let init: InitLine = serde_json::from_value(value).map_err(|e| ParseError { line, message: format!("bad init record: {e}") })?;
            h.init.push(init.init);
            continue;
        }
        let has_id = value.get("id").is_some();
        let mut ev: Event = serde_json::from_value(value).map_err(|e| ParseError { line, message: format!("bad event: {e}") })?;
        if !has_id {
            ev.id = line as u64;
        }
        if let Err(message) = ev.validate() {
            return Err(ParseError { line, message });
        }
        h.events.push(ev);
        lines.push(line);
    }
    let mut seen = std::collections::HashMap::new();
    for (ev, &line) in h.events.iter().zip(&lines) {
        if let Some(first) = seen.insert(ev.id, line) {
            return Err(ParseError { line, message: format!("event id {} already used on line {first}", ev.id) });
        }
    }
    Ok(h)
}

/// Writes `h` in the JSONL form (init records first).
pub fn write(h: &History, out: &mut impl std::io::Write) -> std::io::Result<()> {
    for n in &h.init {
        serde_json::to_writer(&mut *out, &serde_json::json!({ "init": n }))?;
        out.write_all(b"\n")?;
    }
    for e in &h.events {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `write` into a string.
pub fn to_string(h: &History) -> String {
    let mut buf = Vec::new();
    write(h, &mut buf).expect("writing to a Vec cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}
