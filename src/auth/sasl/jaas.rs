//! Reads DIGEST-MD5 users from a JAAS login configuration file, the way ZooKeeper does
//! (`ServerCnxnFactory.getDigestMd5Credentials`): every option `user_<name>="<password>"` of
//! every login module in the server section. Syntax as the JDK's `ConfigFile` (a
//! `StreamTokenizer`): `Name { module flag key=value ...; ... };`, with `//`, `/* */` and
//! lone-`/` comments. `${property}` expansion is not performed.

/// The section ZooKeeper reads (`zookeeper.sasl.serverconfig`, default `Server`).
pub const DEFAULT_SERVER_SECTION: &str = "Server";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JaasError {
    #[error("JAAS configuration line {line}: {msg}")]
    Syntax { line: usize, msg: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(String),
    Punct(char),
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '$' | '_' | '-' | '*' | '.') || (c as u32) >= 0xA0
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, JaasError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    let err = |line, msg: &str| Err(JaasError::Syntax { line, msg: msg.to_string() });
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if (c as u32) <= 0x20 {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += (chars[i] == '\n') as usize;
                i += 1;
            }
            i += 2;
        } else if c == '/' {
            // `//` and a lone `/` both comment out the rest of the line.
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let (s, next) = read_quoted(&chars, i + 1, c);
            if c == '\'' {
                return err(line, "single-quoted values are not accepted");
            }
            toks.push((Tok::Quoted(s), line));
            i = next;
        } else if is_word_char(c) {
            if c.is_ascii_digit() || c == '.' || c == '-' {
                return err(line, "a name or value may not start with a digit, '.' or '-'; quote it");
            }
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            toks.push((Tok::Word(chars[start..i].iter().collect()), line));
        } else {
            toks.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    Ok(toks)
}

/// A StreamTokenizer quoted string: ends at the quote, a line end or EOF; C-like escapes.
fn read_quoted(chars: &[char], mut i: usize, quote: char) -> (String, usize) {
    let mut s = String::new();
    while i < chars.len() && chars[i] != quote && chars[i] != '\n' && chars[i] != '\r' {
        if chars[i] == '\\' && i + 1 < chars.len() {
            i += 1;
            let e = chars[i];
            i += 1;
            match e {
                'a' => s.push('\u{7}'),
                'b' => s.push('\u{8}'),
                'f' => s.push('\u{c}'),
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                'v' => s.push('\u{b}'),
                '0'..='7' => {
                    let mut v = e as u32 - '0' as u32;
                    let max_digits = if e <= '3' { 2 } else { 1 };
                    for _ in 0..max_digits {
                        match chars.get(i) {
                            Some(d @ '0'..='7') => {
                                v = v * 8 + (*d as u32 - '0' as u32);
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                    s.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
                other => s.push(other),
            }
        } else {
            s.push(chars[i]);
            i += 1;
        }
    }
    if i < chars.len() && chars[i] == quote {
        i += 1;
    }
    (s, i)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn line(&self) -> usize {
        self.toks.get(self.pos).or(self.toks.last()).map(|t| t.1).unwrap_or(1)
    }

    fn err<T>(&self, msg: &str) -> Result<T, JaasError> {
        Err(JaasError::Syntax { line: self.line(), msg: msg.to_string() })
    }

    fn peek_punct(&self, c: char) -> bool {
        matches!(self.toks.get(self.pos), Some((Tok::Punct(p), _)) if *p == c)
    }

    fn punct(&mut self, c: char) -> Result<(), JaasError> {
        if self.peek_punct(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(&format!("expected '{c}'"))
        }
    }

    fn text(&mut self, what: &str) -> Result<String, JaasError> {
        match self.toks.get(self.pos) {
            Some((Tok::Word(s), _)) | Some((Tok::Quoted(s), _)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => self.err(&format!("expected {what}")),
        }
    }
}

/// Users of `section` (normally `Server`): `Ok(None)` when the file has no such section. The
/// whole file must parse, and a section name may appear only once, as in the JDK.
pub fn jaas_digest_users(text: &str, section: &str) -> Result<Option<Vec<(String, String)>>, JaasError> {
    let mut p = Parser { toks: tokenize(text)?, pos: 0 };
    let mut seen: Vec<String> = Vec::new();
    let mut found: Option<Vec<(String, String)>> = None;
    while p.pos < p.toks.len() {
        let app = p.text("application name")?;
        if seen.contains(&app) {
            return p.err(&format!("multiple entries for {app}"));
        }
        p.punct('{')?;
        let mut users: Vec<(String, String)> = Vec::new();
        while !p.peek_punct('}') {
            p.text("login module class name")?;
            let flag = p.text("control flag")?.to_ascii_uppercase();
            if !matches!(flag.as_str(), "REQUIRED" | "REQUISITE" | "SUFFICIENT" | "OPTIONAL") {
                return p.err(&format!("invalid control flag {flag}"));
            }
            while !p.peek_punct(';') {
                let key = p.text("option key")?;
                p.punct('=')?;
                let value = p.text("option value")?;
                if let Some(name) = key.strip_prefix("user_") {
                    // Later options with the same key replace earlier ones (a Java map).
                    users.retain(|(n, _)| n != name);
                    users.push((name.to_string(), value));
                }
            }
            p.punct(';')?;
        }
        p.punct('}')?;
        p.punct(';')?;
        if app == section {
            found = Some(users);
        }
        seen.push(app);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
// ZooKeeper server side
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="adminsecret"
    user_bob="bobsecret" /* inline */ user_eve=plain;
};
Client {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    username="bob"
    password="bobsecret";
};
"#;

    #[test]
    fn reads_server_users() {
        let users = jaas_digest_users(SAMPLE, DEFAULT_SERVER_SECTION).unwrap().unwrap();
        assert_eq!(
            users,
            vec![
                ("super".to_string(), "adminsecret".to_string()),
                ("bob".to_string(), "bobsecret".to_string()),
                ("eve".to_string(), "plain".to_string()),
            ]
        );
        assert_eq!(jaas_digest_users(SAMPLE, "Client").unwrap(), Some(vec![]));
        assert_eq!(jaas_digest_users(SAMPLE, "Other").unwrap(), None);
    }

    #[test]
    fn several_modules_and_escapes() {
        let text = "Server { a.B optional user_x=\"1\\\"2\\n\"; c.D Sufficient user_x=\"3\" user_y=\"\\101\"; };";
        let users = jaas_digest_users(text, "Server").unwrap().unwrap();
        assert_eq!(users, vec![("x".to_string(), "3".to_string()), ("y".to_string(), "A".to_string())]);
    }

    #[test]
    fn syntax_errors() {
        assert!(jaas_digest_users("Server { m required user_a=\"x\" };", "Server").is_err(), "missing ;");
        assert!(jaas_digest_users("Server { m mandatory; };", "Server").is_err(), "bad flag");
        assert!(jaas_digest_users("Server { m required; }", "Server").is_err(), "missing trailing ;");
        assert!(jaas_digest_users("Server { m required user_a=123; };", "Server").is_err(), "bare number");
        assert!(jaas_digest_users("Server { m required user_a='x'; };", "Server").is_err());
        assert!(jaas_digest_users("Server { }; Server { };", "Server").is_err(), "duplicate section");
        assert_eq!(jaas_digest_users("", "Server"), Ok(None));
        let e = jaas_digest_users("A {\n m required;\n};\nServer {\n m required x;\n};", "Server").unwrap_err();
        assert_eq!(e, JaasError::Syntax { line: 5, msg: "expected '='".to_string() });
    }
}
