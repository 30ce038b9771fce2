//! `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`,
//! parsed like ZooKeeper's `QuorumPeer.QuorumServer` (3.8): same splitting, same refusals.

use super::java_values::{java_trim, parse_int, parse_long};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnerType {
    Participant,
    Observer,
}

/// One quorum/election address pair of a server line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumAddress {
    pub host: String,
    pub quorum_port: u16,
    pub election_port: u16,
}

/// A parsed `server.N` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    pub id: i64,
    /// Several only with `zookeeper.multiAddress.enabled=true` (separated by `|`).
    pub addresses: Vec<QuorumAddress>,
    pub learner_type: LearnerType,
    /// `;[host:]port` part; host defaults to `0.0.0.0`.
    pub client: Option<(String, u16)>,
}

/// Java's `String.split` with a literal one-char separator: trailing empty strings removed,
/// but a string without the separator is returned whole.
pub fn java_split(s: &str, sep: char) -> Vec<&str> {
    if !s.contains(sep) {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(sep).collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// `ConfigUtils.getHostAndPort`: `[v6]:a:b` or `host:a:b`.
fn host_and_port(s: &str) -> Result<Vec<String>, String> {
    if let Some(rest) = s.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(format!("{s} starts with '[' but has no matching ']:'"));
        };
        let host = &rest[..close];
        let after = &rest[close + 1..];
        if after.len() == 1 {
            return Err(format!("{s} doesn't have a port after colon"));
        }
        if after.len() > 1 {
            let mut out = vec![host.to_string()];
            out.extend(java_split(&after[1..], ':').into_iter().map(str::to_string));
            return Ok(out);
        }
        return Ok(vec![host.to_string()]);
    }
    Ok(java_split(s, ':').into_iter().map(str::to_string).collect())
}

/// `new InetSocketAddress(host, Integer.parseInt(p))`: a number in 0..=65535.
fn port(host: &str, p: &str) -> Result<u16, String> {
    let n = parse_int(p).ok_or_else(|| format!("Address unresolved: {host}:{p}"))?;
    u16::try_from(n).map_err(|_| format!("port out of range:{n}"))
}

const WRONG_FORMAT: &str = " does not have the form server_config or server_config;client_config";

/// Parses the value of `server.<id_text>`. Errors carry ZooKeeper's message text.
pub fn parse_server_spec(id_text: &str, value: &str, multi_address_enabled: bool) -> Result<ServerSpec, String> {
    let id = parse_long(id_text).ok_or_else(|| format!("For input string: \"{id_text}\""))?;
    let server_client = java_split(value, ';');
    if server_client.len() > 2 {
        return Err(format!("{value}{WRONG_FORMAT}"));
    }
    let mut client = None;
    if server_client.len() == 2 {
        let parts = host_and_port(server_client[1])?;
        if parts.len() > 2 {
            return Err(format!("{value}{WRONG_FORMAT}"));
        }
        let host = if parts.len() == 2 { parts[0].clone() } else { "0.0.0.0".to_string() };
        let p = port(&host, &parts[parts.len() - 1])?;
        client = Some((host, p));
    }
    let first = server_client.first().copied().unwrap_or("");
    let addresses_text = java_split(first, '|');
    if !multi_address_enabled && addresses_text.len() > 1 {
        return Err(format!("Multiple address feature is disabled, but multiple addresses were specified for sid {id}"));
    }
    let mut addresses = Vec::new();
    let mut learner_type: Option<LearnerType> = None;
    for text in addresses_text {
        let parts = host_and_port(text)?;
        if parts.len() < 3 || parts.len() > 4 {
            return Err(format!("{value}{WRONG_FORMAT}"));
        }
        let host = parts[0].clone();
        let quorum_port = port(&host, &parts[1])?;
        let election_port = port(&host, &parts[2])?;
        if quorum_port == election_port {
            return Err(format!("Client and election port must be different! Please update the configuration file on server.{id}"));
        }
        if parts.len() == 4 {
            let t = match java_trim(&parts[3]).to_ascii_lowercase().as_str() {
                "observer" => LearnerType::Observer,
                "participant" => LearnerType::Participant,
                _ => return Err(format!("Unrecognised peertype: {}", parts[3])),
            };
            if learner_type.is_some_and(|prev| prev != t) {
                return Err("Multiple addresses should have similar roles".to_string());
            }
            learner_type = Some(t);
        }
        addresses.push(QuorumAddress { host, quorum_port, election_port });
    }
    Ok(ServerSpec { id, addresses, learner_type: learner_type.unwrap_or(LearnerType::Participant), client })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_typed_lines() {
        let s = parse_server_spec("1", "zk1:2888:3888", false).unwrap();
        assert_eq!(s.id, 1);
        assert_eq!(s.addresses, vec![QuorumAddress { host: "zk1".into(), quorum_port: 2888, election_port: 3888 }]);
        assert_eq!(s.learner_type, LearnerType::Participant);
        assert_eq!(s.client, None);
        let s = parse_server_spec("2", "zk2:2888:3888:observer;2181", false).unwrap();
        assert_eq!(s.learner_type, LearnerType::Observer);
        assert_eq!(s.client, Some(("0.0.0.0".into(), 2181)));
        let s = parse_server_spec("3", "[::1]:2888:3888:participant;10.0.0.1:2182", false).unwrap();
        assert_eq!(s.addresses[0].host, "::1");
        assert_eq!(s.client, Some(("10.0.0.1".into(), 2182)));
        // Java's split drops a trailing empty part.
        assert!(parse_server_spec("4", "h:1:2;", false).unwrap().client.is_none());
    }

    #[test]
    fn refusals() {
        assert!(parse_server_spec("x", "h:1:2", false).unwrap_err().contains("For input string"));
        assert!(parse_server_spec("1", "h:1", false).unwrap_err().contains("does not have the form"));
        assert!(parse_server_spec("1", "h:1:2:3:4", false).is_err());
        assert!(parse_server_spec("1", "h:1:2;a;b", false).is_err());
        assert!(parse_server_spec("1", "h:1:1", false).unwrap_err().contains("must be different"));
        assert!(parse_server_spec("1", "h:1:2:leader", false).unwrap_err().contains("Unrecognised peertype"));
        assert!(parse_server_spec("1", "h:x:2", false).unwrap_err().contains("Address unresolved"));
        assert!(parse_server_spec("1", "h:70000:2", false).unwrap_err().contains("port out of range"));
        assert!(parse_server_spec("1", "a:1:2|b:1:2", false).unwrap_err().contains("Multiple address"));
        assert_eq!(parse_server_spec("1", "a:1:2|b:1:2", true).unwrap().addresses.len(), 2);
    }
}
