//! Znode path rules (PathUtils.validatePath) and parent/child splitting.

/// The reason a path was rejected; the server turns any of these into BadArguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    Empty,
    NotAbsolute,
    TrailingSlash,
    NulChar,
    EmptyComponent,
    Relative,
    InvalidChar,
}

/// Java validates UTF-16 code units; every non-BMP character is a surrogate pair there and therefore invalid.
fn invalid_char(c: char) -> bool {
    let u = c as u32;
    (0x01..=0x1f).contains(&u)
        || (0x7f..=0x9f).contains(&u)
        || (0xd800..=0xf8ff).contains(&u)
        || (0xfff0..=0xffff).contains(&u)
        || u >= 0x10000
}

/// Full path validation, exactly as ZooKeeper's `PathUtils.validatePath`.
pub fn validate_path(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    // Java walks UTF-16 chars; for ASCII paths (nearly all) the bytes are those chars, and
    // checking them in place saves collecting the path into a Vec<char> per request.
    if path.is_ascii() {
        validate_chars(path.as_bytes())
    } else {
        validate_chars(&path.chars().collect::<Vec<char>>())
    }
}

fn validate_chars<T: Copy + Into<char>>(chars: &[T]) -> Result<(), PathError> {
    let at = |i: usize| -> char { chars[i].into() };
    if at(0) != '/' {
        return Err(PathError::NotAbsolute);
    }
    let n = chars.len();
    if n == 1 {
        return Ok(());
    }
    if at(n - 1) == '/' {
        return Err(PathError::TrailingSlash);
    }
    let mut lastc = '/';
    for i in 1..n {
        let c = at(i);
        let at_end_or_slash = i + 1 == n || at(i + 1) == '/';
        if c == '\0' {
            return Err(PathError::NulChar);
        } else if c == '/' && lastc == '/' {
            return Err(PathError::EmptyComponent);
        } else if c == '.' && lastc == '.' {
            if i >= 2 && at(i - 2) == '/' && at_end_or_slash {
                return Err(PathError::Relative);
            }
        } else if c == '.' {
            if at(i - 1) == '/' && at_end_or_slash {
                return Err(PathError::Relative);
            }
        } else if invalid_char(c) {
            return Err(PathError::InvalidChar);
        }
        lastc = c;
    }
    Ok(())
}

/// The light check used by create before the sequence suffix is appended and by delete:
/// the path must contain a `/` and no NUL. Returns the parent part (`""` for children of the root).
pub fn parent_for_create(path: &str) -> Option<&str> {
    if path.contains('\0') {
        return None;
    }
    path.rfind('/').map(|i| &path[..i])
}

/// Splits `/a/b` into (`/a`, `b`); the root's children have parent `""` (which the tree aliases to `/`).
pub fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// The parent path in the form watches and lookups use (`""` becomes `/`).
pub fn parent_display(parent: &str) -> &str {
    if parent.is_empty() {
        "/"
    } else {
        parent
    }
}

/// The four paths ZooKeeper itself owns; they can never be deleted.
pub fn is_special_path(path: &str) -> bool {
    matches!(path, "/" | "/zookeeper" | "/zookeeper/quota" | "/zookeeper/config")
}

/// Sequence suffix: the parent's stored cversion as Java's `%010d` (sign counts towards the width).
pub fn sequence_suffix(cversion: i32) -> String {
    format!("{:010}", cversion)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The in-place ASCII walk agrees with the char-by-char one on every path.
        #[test]
        fn ascii_fast_path_matches_the_char_walk(parts in proptest::collection::vec(
            prop_oneof![Just("/"), Just("."), Just(".."), Just("a"), Just("\0"), Just("\u{1}"), Just("\u{7f}"), Just("ü")], 0..8)) {
            let path: String = parts.concat();
            let reference = if path.is_empty() { Err(PathError::Empty) } else { validate_chars(&path.chars().collect::<Vec<char>>()) };
            prop_assert_eq!(validate_path(&path), reference);
        }
    }

    #[test]
    fn valid_paths() {
        for p in ["/", "/a", "/a/b", "/...", "/.a", "/a.", "/a/..b", "/a..", "/zookeeper", "/ü", "/a b"] {
            assert_eq!(validate_path(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn invalid_paths() {
        let cases = [
            ("", PathError::Empty),
            ("a", PathError::NotAbsolute),
            ("/a/", PathError::TrailingSlash),
            ("//", PathError::TrailingSlash),
            ("/a//b", PathError::EmptyComponent),
            ("/.", PathError::Relative),
            ("/..", PathError::Relative),
            ("/a/./b", PathError::Relative),
            ("/a/../b", PathError::Relative),
            ("/a\0b", PathError::NulChar),
            ("/a\u{1}", PathError::InvalidChar),
            ("/a\u{7f}", PathError::InvalidChar),
            ("/a\u{9f}", PathError::InvalidChar),
            ("/\u{e000}", PathError::InvalidChar),
            ("/\u{f8ff}", PathError::InvalidChar),
            ("/\u{fffd}", PathError::InvalidChar),
            ("/\u{fff0}", PathError::InvalidChar),
            ("/\u{1F600}", PathError::InvalidChar),
        ];
        for (p, e) in cases {
            assert_eq!(validate_path(p), Err(e), "{p:?}");
        }
        assert_eq!(validate_path("/\u{f900}"), Ok(()));
    }

    #[test]
    fn sequence_suffix_format() {
        assert_eq!(sequence_suffix(0), "0000000000");
        assert_eq!(sequence_suffix(7), "0000000007");
        assert_eq!(sequence_suffix(i32::MAX), "2147483647");
        assert_eq!(sequence_suffix(i32::MIN), "-2147483648");
        assert_eq!(sequence_suffix(-1), "-000000001");
    }

    #[test]
    fn parent_split() {
        assert_eq!(split("/a"), ("", "a"));
        assert_eq!(split("/a/b"), ("/a", "b"));
        assert_eq!(parent_for_create("/parent/"), Some("/parent"));
        assert_eq!(parent_for_create("noslash"), None);
        assert_eq!(parent_for_create("/a\0"), None);
        assert!(is_special_path("/zookeeper/config"));
        assert!(!is_special_path("/zookeeper/quota/x"));
    }
}
