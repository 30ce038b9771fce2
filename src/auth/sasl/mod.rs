//! Server side of SASL DIGEST-MD5 (RFC 2831) as the JDK's `DigestMD5Server` runs it for
//! ZooKeeper: protocol `zookeeper`, server name (and only realm) `zk-sasl-md5`, qop `auth`,
//! UTF-8 on, users and passwords from the JAAS `Server` section (see `jaas`).
//!
//! Exchange (op 102, `GetSASLRequest`/`SetSASLResponse`): the client's first token is empty and
//! gets the challenge; its second token is the digest-response, answered with `rspauth=...`,
//! which completes authentication as `sasl:<authorization id>`. Any further token is an error.
//! Randomness (the nonce) is supplied by the caller.

mod directives;
mod jaas;
mod response_value;

pub use directives::{parse_directives, Directives};
pub use jaas::{jaas_digest_users, JaasError, DEFAULT_SERVER_SECTION};
pub use response_value::{response_value, DigestInputs};

use super::kerberos_name::parse_kerberos_name;
use base64::Engine;
use std::collections::HashMap;

/// SASL protocol name ZooKeeper passes to `Sasl.createSaslServer`.
pub const PROTOCOL: &str = "zookeeper";
/// Server name ZooKeeper passes; also the only realm offered.
pub const SERVER_NAME: &str = "zk-sasl-md5";
/// Random bytes behind a nonce (Base64 makes them 40 characters).
pub const RAW_NONCE_LEN: usize = 30;
/// Longest digest-response accepted.
const MAX_RESPONSE_LENGTH: usize = 4096;
/// Kerberos default realm when no krb5 configuration exists (KerberosName falls back to "").
const DEFAULT_KERBEROS_REALM: &str = "";

/// A failed SASL step: the caller replies AuthFailed (-115) with a null token and closes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaslError {
    #[error("DIGEST-MD5: digest response format violation: {0}")]
    Format(String),
    #[error("DIGEST-MD5: authentication rejected: {0}")]
    Rejected(String),
    #[error("DIGEST-MD5: server at illegal state")]
    IllegalState,
}

/// The outcome of one client token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslStep {
    /// Send this token back; more client tokens follow.
    Challenge(Vec<u8>),
    /// Send this token back; the client is now authenticated as `authorization_id`.
    Complete { token: Vec<u8>, authorization_id: String },
}

#[derive(Debug, Clone)]
enum State {
    Initial,
    Challenged,
    Complete(String),
    Done,
}

/// One connection's DIGEST-MD5 server.
#[derive(Debug, Clone)]
pub struct SaslServer {
    users: HashMap<String, String>,
    nonce: Vec<u8>,
    state: State,
}

fn fail<T>(m: &str) -> Result<T, SaslError> {
    Err(SaslError::Format(m.to_string()))
}

impl SaslServer {
    /// `users`: (name, password) pairs, later duplicates winning (as the JAAS options map does).
    /// To emulate `zookeeper.SASLAuthenticationProvider.superPassword`, include `("super", pw)`.
    pub fn new(users: &[(String, String)], nonce: [u8; RAW_NONCE_LEN]) -> SaslServer {
        SaslServer {
            users: users.iter().cloned().collect(),
            nonce: base64::engine::general_purpose::STANDARD.encode(nonce).into_bytes(),
            state: State::Initial,
        }
    }

    pub fn is_complete(&self) -> bool {
        matches!(self.state, State::Complete(_))
    }

    /// The authorized id once complete (the id part of `sasl:<id>`).
    pub fn authorization_id(&self) -> Option<&str> {
        match &self.state {
            State::Complete(id) => Some(id),
            _ => None,
        }
    }

    /// Feeds one client token (`evaluateResponse`).
    pub fn step(&mut self, token: &[u8]) -> Result<SaslStep, SaslError> {
        if token.len() > MAX_RESPONSE_LENGTH {
            return fail("response too long");
        }
        match self.state {
            State::Initial => {
                // A non-empty first token ("subsequent authentication") is ignored, as in the JDK.
                self.state = State::Challenged;
                Ok(SaslStep::Challenge(self.challenge()))
            }
            State::Challenged => {
                self.state = State::Done;
                let (token, id) = self.verify(token)?;
                self.state = State::Complete(id.clone());
                Ok(SaslStep::Complete { token, authorization_id: id })
            }
            State::Complete(_) | State::Done => Err(SaslError::IllegalState),
        }
    }

    /// `realm="zk-sasl-md5",nonce="...",charset=utf-8,algorithm=md5-sess` (no qop directive:
    /// ZooKeeper passes no properties, so the default `auth` is implied).
    fn challenge(&self) -> Vec<u8> {
        let mut out = b"realm=\"".to_vec();
        directives::push_quoted(&mut out, SERVER_NAME.as_bytes());
        out.extend_from_slice(b"\",nonce=\"");
        directives::push_quoted(&mut out, &self.nonce);
        out.extend_from_slice(b"\",charset=utf-8,algorithm=md5-sess");
        out
    }

    /// `validateClientResponse`, in the JDK's order of checks. Returns (rspauth token, authz id).
    fn verify(&self, token: &[u8]) -> Result<(Vec<u8>, String), SaslError> {
        let d = parse_directives(token)?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        if let Some(cs) = d.get("charset") {
            if cs != b"utf-8" {
                return fail("incompatible charset value");
            }
        }
        if let Some(mb) = d.get("maxbuf") {
            if super::java_int::parse_java_int(&text(mb), 10).is_none() {
                return fail("bad maxbuf");
            }
        }
        let Some(username) = d.get("username").map(text) else { return fail("missing username") };
        let realm = d.get("realm").map(text).unwrap_or_default();
        if realm != SERVER_NAME {
            return fail("nonexistent realm");
        }
        let Some(nonce) = d.get("nonce") else { return fail("missing nonce") };
        if nonce != self.nonce.as_slice() {
            return fail("mismatched nonce");
        }
        let Some(cnonce) = d.get("cnonce") else { return fail("missing cnonce") };
        if let Some(nc) = d.get("nonce-count") {
            if super::java_int::parse_java_int(&text(nc), 16) != Some(1) {
                return fail("nonce count does not match");
            }
        }
        let qop = d.get("qop").map(text).unwrap_or_else(|| "auth".to_string());
        match qop.as_str() {
            "auth" => {}
            "auth-int" | "auth-conf" => return Err(SaslError::Rejected(format!("server does not support qop {qop}"))),
            _ => return fail("invalid qop"),
        }
        let uri = format!("{PROTOCOL}/{SERVER_NAME}");
        let client_uri = d.get("digest-uri").map(text);
        match &client_uri {
            Some(u) if u.eq_ignore_ascii_case(&uri) => {}
            _ => return fail("mismatched URI"),
        }
        let digest_uri = client_uri.unwrap_or(uri);
        let Some(response) = d.get("response") else { return fail("missing response") };
        let authzid = d.get("authzid");
        let authzid_from_client = authzid.map(text).unwrap_or_else(|| username.clone());
        let Some(password) = self.users.get(&username) else {
            return Err(SaslError::Rejected(format!("cannot acquire password for {username}")));
        };
        let inputs = DigestInputs {
            digest_uri: &digest_uri,
            qop: &qop,
            username: &username,
            realm: &realm,
            password,
            nonce: &self.nonce,
            cnonce,
            nonce_count: 1,
            authzid,
        };
        if response != response_value("AUTHENTICATE", &inputs).as_slice() {
            return Err(SaslError::Rejected("mismatched response".to_string()));
        }
        let id = authorized_id(&username, &authzid_from_client)?;
        let mut rspauth = b"rspauth=".to_vec();
        rspauth.extend(response_value("", &inputs));
        Ok((rspauth, id))
    }
}

/// `SaslServerCallbackHandler.handleAuthorizeCallback`: always authorized; the id is derived from
/// the authentication id via KerberosName (short name, then `/host` and `@realm` appended back),
/// falling back to the client's authzid when no auth_to_local rule applies (realm other than
/// the default one).
fn authorized_id(username: &str, authzid_from_client: &str) -> Result<String, SaslError> {
    let Some(k) = parse_kerberos_name(username) else {
        return Err(SaslError::Rejected(format!("malformed Kerberos name {username}")));
    };
    Ok(match k.realm {
        None => k.service.to_string(),
        Some(r) if r == DEFAULT_KERBEROS_REALM => username.to_string(),
        Some(_) => authzid_from_client.to_string(),
    })
}

#[cfg(test)]
mod tests;
