//! Reads a `.properties` text the way `java.util.Properties.load(InputStream)` does, keeping
//! the line number where every entry starts so errors can point at it.
//!
//! Java rules reproduced: bytes are ISO-8859-1; lines end at `\n`, `\r` or `\r\n`; a line whose
//! first non-blank character is `#` or `!` is a comment (and never continues); an odd number
//! of trailing backslashes joins the next line (its leading blanks dropped); the key ends at the
//! first unescaped `=`, `:` or blank; escapes `\t \n \r \f \uXXXX` and `\x` = `x`.

/// One `key=value` entry as Java would store it (before ZooKeeper's trimming).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// 1-based line where the logical line starts.
    pub line: usize,
}

/// A `\uXXXX` escape that is not four hex digits (Java throws IllegalArgumentException).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedEscape {
    pub line: usize,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\x0c'
}

/// Splits the text into natural lines (without terminators), numbered from 1.
fn natural_lines(text: &[char]) -> Vec<(usize, &[char])> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut number = 1;
    while i < text.len() {
        match text[i] {
            '\n' => {
                out.push((number, &text[start..i]));
                i += 1;
            }
            '\r' => {
                out.push((number, &text[start..i]));
                i += if text.get(i + 1) == Some(&'\n') { 2 } else { 1 };
            }
            _ => {
                i += 1;
                continue;
            }
        }
        start = i;
        number += 1;
    }
    if start < text.len() {
        out.push((number, &text[start..]));
    }
    out
}

/// True when the line ends with an odd number of backslashes (a continuation).
fn continues(line: &[char]) -> bool {
    line.iter().rev().take_while(|c| **c == '\\').count() % 2 == 1
}

fn skip_leading_blanks(line: &[char]) -> &[char] {
    let n = line.iter().take_while(|c| is_blank(**c)).count();
    &line[n..]
}

/// Joins natural lines into logical lines: (first line number, characters).
fn logical_lines(text: &[char]) -> Vec<(usize, Vec<char>)> {
    let lines = natural_lines(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (number, raw) = lines[i];
        i += 1;
        let first = skip_leading_blanks(raw);
        if first.is_empty() || first[0] == '#' || first[0] == '!' {
            continue;
        }
        let mut buf: Vec<char> = Vec::new();
        let mut part = first;
        loop {
            if continues(part) {
                buf.extend_from_slice(&part[..part.len() - 1]);
                match lines.get(i) {
                    Some((_, next)) => {
                        i += 1;
                        part = skip_leading_blanks(next);
                    }
                    // Java drops a backslash at the very end of the input.
                    None => break,
                }
            } else {
                buf.extend_from_slice(part);
                break;
            }
        }
        out.push((number, buf));
    }
    out
}

/// Java's `loadConvert`: resolves backslash escapes.
fn unescape(chars: &[char], line: usize) -> Result<String, MalformedEscape> {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else { break };
        i += 1;
        match e {
            'u' => {
                let mut value: u32 = 0;
                for _ in 0..4 {
                    let digit = chars.get(i).and_then(|d| d.to_digit(16)).ok_or(MalformedEscape { line })?;
                    value = value * 16 + digit;
                    i += 1;
                }
                // Java strings are UTF-16; a lone surrogate has no `char`, keep U+FFFD.
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'n' => out.push('\n'),
            'f' => out.push('\x0c'),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Splits one logical line into key and value (Java's `Properties.load0`).
fn split_entry(line: &[char], number: usize) -> Result<Entry, MalformedEscape> {
    let mut key_len = 0;
    let mut value_start = line.len();
    let mut has_sep = false;
    let mut preceding_backslash = false;
    while key_len < line.len() {
        let c = line[key_len];
        if (c == '=' || c == ':') && !preceding_backslash {
            value_start = key_len + 1;
            has_sep = true;
            break;
        } else if is_blank(c) && !preceding_backslash {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < line.len() {
        let c = line[value_start];
        if !is_blank(c) {
            if !has_sep && (c == '=' || c == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    Ok(Entry {
        key: unescape(&line[..key_len], number)?,
        value: unescape(&line[value_start.min(line.len())..], number)?,
        line: number,
    })
}

/// Parses the whole file. Later duplicates replace earlier ones but keep the position of the
/// first occurrence out of the picture: the result is in the order of the *winning* lines.
pub fn parse_properties(bytes: &[u8]) -> Result<Vec<Entry>, MalformedEscape> {
    // ISO-8859-1: every byte is the code point of the same value.
    let text: Vec<char> = bytes.iter().map(|b| *b as char).collect();
    let mut entries: Vec<Entry> = Vec::new();
    for (number, line) in logical_lines(&text) {
        let entry = split_entry(&line, number)?;
        entries.retain(|e| e.key != entry.key);
        entries.push(entry);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String, usize)> {
        parse_properties(text.as_bytes()).unwrap().into_iter().map(|e| (e.key, e.value, e.line)).collect()
    }

    fn one(k: &str, v: &str, l: usize) -> (String, String, usize) {
        (k.to_string(), v.to_string(), l)
    }

    #[test]
    fn separators_and_blanks() {
        assert_eq!(
            kv("a=1\nb: 2\nc 3\n  d  =  4  \ne\tx\nf==g\nh\n"),
            vec![one("a", "1", 1), one("b", "2", 2), one("c", "3", 3), one("d", "4  ", 4), one("e", "x", 5), one("f", "=g", 6), one("h", "", 7)]
        );
    }

    #[test]
    fn comments_and_blank_lines_keep_numbering() {
        assert_eq!(kv("# c\n\n! bang\n   \nk=v\n  # indented comment\n"), vec![one("k", "v", 5)]);
    }

    #[test]
    fn continuation_lines() {
        assert_eq!(kv("a=one\\\n    two\\\n three\nb=x\n"), vec![one("a", "onetwothree", 1), one("b", "x", 4)]);
        // An even number of backslashes is an escaped backslash, not a continuation.
        assert_eq!(kv("a=x\\\\\nb=y"), vec![one("a", "x\\", 1), one("b", "y", 2)]);
        // A comment never continues.
        assert_eq!(kv("# c \\\nb=y"), vec![one("b", "y", 2)]);
        // A continued line starting with # is not a comment.
        assert_eq!(kv("a=1\\\n#2"), vec![one("a", "1#2", 1)]);
        // Backslash at end of input is dropped.
        assert_eq!(kv("a=1\\"), vec![one("a", "1", 1)]);
    }

    #[test]
    fn line_endings() {
        assert_eq!(kv("a=1\r\nb=2\rc=3"), vec![one("a", "1", 1), one("b", "2", 2), one("c", "3", 3)]);
    }

    #[test]
    fn escapes() {
        assert_eq!(kv(r"k\ ey=v\tx\u0041\q"), vec![one("k ey", "v\txAq", 1)]);
        assert_eq!(kv(r"a\=b=c"), vec![one("a=b", "c", 1)]);
        assert_eq!(parse_properties(b"\n\nk=\\u00g1"), Err(MalformedEscape { line: 3 }));
    }

    #[test]
    fn later_duplicates_win() {
        assert_eq!(kv("a=1\nb=2\na=3\n"), vec![one("b", "2", 2), one("a", "3", 3)]);
    }

    #[test]
    fn latin1_bytes() {
        let e = parse_properties(b"k=\xc3\xa9").unwrap();
        assert_eq!(e[0].value, "\u{c3}\u{a9}");
    }
}
