//! `<dataDir>/myid` of a quorum member, read as QuorumPeerConfig.setupMyId reads it (the edge
//! reads the file; the rules are here). Messages are ZooKeeper 3.8's, checked against it.

use super::server_spec::ServerSpec;

/// `contents`: the file's bytes, or None when `<dataDir>/myid` is not a regular file.
pub fn parse_myid(contents: Option<&[u8]>) -> Result<i64, String> {
    let missing = || "myid file is missing".to_string();
    let text = contents.ok_or_else(missing)?;
    // BufferedReader.readLine: the first line without its terminator; an empty file reads null.
    let text = String::from_utf8_lossy(text);
    let line = text.split(['\n', '\r']).next().filter(|_| !text.is_empty());
    let Some(line) = line else { return Err("serverid null is not a number".to_string()) };
    let id = java_parse_long(line).ok_or_else(|| format!("serverid {line} is not a number"))?;
    // -1 is ZooKeeper's "unset" id: it reports the file as missing.
    if id == -1 {
        return Err(missing());
    }
    Ok(id)
}

/// QuorumPeer.start: the id must name one of the `server.N` lines.
pub fn check_member(id: i64, servers: &[ServerSpec]) -> Result<(), String> {
    if servers.iter().any(|s| s.id == id) {
        Ok(())
    } else {
        Err(format!("My id {id} not in the peer list"))
    }
}

/// Long.parseLong: an optional sign, then ASCII digits only, within i64.
fn java_parse_long(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn myid_rules_match_zookeeper() {
        // Each verdict observed on ZooKeeper 3.8's QuorumPeerMain with a 3-server zoo.cfg.
        assert_eq!(parse_myid(None), Err("myid file is missing".into()));
        assert_eq!(parse_myid(Some(b"abc")), Err("serverid abc is not a number".into()));
        assert_eq!(parse_myid(Some(b" 1")), Err("serverid  1 is not a number".into()));
        assert_eq!(parse_myid(Some(b"3 ")), Err("serverid 3  is not a number".into()));
        assert_eq!(parse_myid(Some(b"")), Err("serverid null is not a number".into()));
        assert_eq!(parse_myid(Some(b"-1")), Err("myid file is missing".into()));
        assert_eq!(parse_myid(Some(b"+2")), Ok(2));
        assert_eq!(parse_myid(Some(b"2\njunk")), Ok(2));
        assert_eq!(parse_myid(Some(b"1\n")), Ok(1));
        assert_eq!(parse_myid(Some(b"99999999999999999999")), Err("serverid 99999999999999999999 is not a number".into()));
    }

    #[test]
    fn the_id_must_be_a_member() {
        let servers: Vec<ServerSpec> = (1..=3)
            .map(|i| super::super::server_spec::parse_server_spec(&i.to_string(), &format!("127.0.0.1:{}:{}", 2000 + i, 3000 + i), false).unwrap())
            .collect();
        assert_eq!(check_member(2, &servers), Ok(()));
        assert_eq!(check_member(7, &servers), Err("My id 7 not in the peer list".into()));
    }
}
