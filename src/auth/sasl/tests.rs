use super::*;
use md5::{Digest, Md5};

const NONCE_RAW: [u8; RAW_NONCE_LEN] = [7; RAW_NONCE_LEN];

fn users() -> Vec<(String, String)> {
    vec![("bob".into(), "bobsecret".into()), ("super".into(), "adminsecret".into())]
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// An independent RFC 2831 client computation (qop=auth, nc=1).
#[allow(clippy::too_many_arguments)]
fn client_response(user: &str, realm: &str, pw: &str, nonce: &str, cnonce: &str, uri: &str, authzid: Option<&str>, a2_prefix: &str) -> String {
    let mut a1 = Md5::digest(format!("{user}:{realm}:{pw}").as_bytes()).to_vec();
    a1.extend_from_slice(format!(":{nonce}:{cnonce}").as_bytes());
    if let Some(z) = authzid {
        a1.extend_from_slice(format!(":{z}").as_bytes());
    }
    let ha1 = hex(&Md5::digest(&a1));
    let ha2 = hex(&Md5::digest(format!("{a2_prefix}:{uri}").as_bytes()));
    hex(&Md5::digest(format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}").as_bytes()))
}

fn nonce_of(challenge: &[u8]) -> String {
    let s = String::from_utf8(challenge.to_vec()).unwrap();
    let start = s.find("nonce=\"").unwrap() + 7;
    s[start..start + 40].to_string()
}

fn response_token(user: &str, pw: &str, nonce: &str, authzid: Option<&str>) -> Vec<u8> {
    let uri = "zookeeper/zk-sasl-md5";
    let r = client_response(user, "zk-sasl-md5", pw, nonce, "cn0nce", uri, authzid, "AUTHENTICATE");
    let mut t = format!(
        "charset=utf-8,username=\"{user}\",realm=\"zk-sasl-md5\",nonce=\"{nonce}\",nc=00000001,cnonce=\"cn0nce\",digest-uri=\"{uri}\",maxbuf=65536,response={r},qop=auth"
    );
    if let Some(z) = authzid {
        t.push_str(&format!(",authzid=\"{z}\""));
    }
    t.into_bytes()
}

#[test]
fn challenge_format() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!("expected challenge") };
    let nonce = base64::engine::general_purpose::STANDARD.encode(NONCE_RAW);
    assert_eq!(String::from_utf8(c).unwrap(), format!("realm=\"zk-sasl-md5\",nonce=\"{nonce}\",charset=utf-8,algorithm=md5-sess"));
    assert!(!s.is_complete());
}

#[test]
fn full_exchange() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
    let nonce = nonce_of(&c);
    let got = s.step(&response_token("bob", "bobsecret", &nonce, None)).unwrap();
    let rsp = client_response("bob", "zk-sasl-md5", "bobsecret", &nonce, "cn0nce", "zookeeper/zk-sasl-md5", None, "");
    assert_eq!(got, SaslStep::Complete { token: format!("rspauth={rsp}").into_bytes(), authorization_id: "bob".into() });
    assert!(s.is_complete());
    assert_eq!(s.authorization_id(), Some("bob"));
    assert_eq!(s.step(b""), Err(SaslError::IllegalState), "no third round");
}

#[test]
fn authzid_is_hashed_but_identity_comes_from_username() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
    let nonce = nonce_of(&c);
    let got = s.step(&response_token("bob", "bobsecret", &nonce, Some("alice"))).unwrap();
    let SaslStep::Complete { authorization_id, .. } = got else { panic!() };
    assert_eq!(authorization_id, "bob");
}

#[test]
fn wrong_password_or_user() {
    for (user, pw) in [("bob", "nope"), ("mallory", "x")] {
        let mut s = SaslServer::new(&users(), NONCE_RAW);
        let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
        let r = s.step(&response_token(user, pw, &nonce_of(&c), None));
        assert!(matches!(r, Err(SaslError::Rejected(_))), "{user}: {r:?}");
        assert!(!s.is_complete());
        assert_eq!(s.step(b""), Err(SaslError::IllegalState));
    }
}

#[test]
fn format_violations() {
    let base = |nonce: &str| String::from_utf8(response_token("bob", "bobsecret", nonce, None)).unwrap();
    type Mutation<'a> = Box<dyn Fn(&str) -> String + 'a>;
    let cases: Vec<Mutation<'_>> = vec![
        Box::new(|n| base(n).replace("realm=\"zk-sasl-md5\",", "")),
        Box::new(|n| base(n).replace("zk-sasl-md5\",nonce", "other\",nonce")),
        Box::new(|n| base(n).replace(n, "AAAA")),
        Box::new(|n| base(n).replace("cnonce=\"cn0nce\",", "")),
        Box::new(|n| base(n).replace("digest-uri=\"zookeeper/zk-sasl-md5\",", "")),
        Box::new(|n| base(n).replace("zookeeper/zk-sasl-md5", "ldap/zk-sasl-md5")),
        Box::new(|n| base(n).replace("username=\"bob\",", "")),
        Box::new(|n| base(n).replace("charset=utf-8", "charset=latin1")),
        Box::new(|n| base(n).replace("qop=auth", "qop=bogus")),
        Box::new(|n| base(n).replace("maxbuf=65536", "maxbuf=lots")),
        Box::new(|n| format!("{},username=\"bob\"", base(n))),
    ];
    for (i, make) in cases.iter().enumerate() {
        let mut s = SaslServer::new(&users(), NONCE_RAW);
        let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
        let r = s.step(make(&nonce_of(&c)).as_bytes());
        assert!(matches!(r, Err(SaslError::Format(_))), "case {i}: {r:?}");
    }
}

#[test]
fn qop_int_refused_and_uri_case_insensitive() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
    let t = String::from_utf8(response_token("bob", "bobsecret", &nonce_of(&c), None)).unwrap();
    assert!(matches!(s.step(t.replace("qop=auth", "qop=auth-int").as_bytes()), Err(SaslError::Rejected(_))));

    let mut s = SaslServer::new(&users(), NONCE_RAW);
    let SaslStep::Challenge(c) = s.step(b"").unwrap() else { panic!() };
    let nonce = nonce_of(&c);
    let uri = "ZooKeeper/ZK-SASL-MD5";
    let r = client_response("bob", "zk-sasl-md5", "bobsecret", &nonce, "c", uri, None, "AUTHENTICATE");
    let t = format!("username=\"bob\",realm=\"zk-sasl-md5\",nonce=\"{nonce}\",cnonce=\"c\",digest-uri=\"{uri}\",response={r}");
    assert!(matches!(s.step(t.as_bytes()), Ok(SaslStep::Complete { .. })), "qop defaults to auth; URI compared ignoring case");
}

#[test]
fn oversized_token_rejected() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    assert!(s.step(&vec![b'a'; 4097]).is_err());
}

#[test]
fn kerberos_style_names() {
    assert_eq!(authorized_id("bob", "bob").unwrap(), "bob");
    assert_eq!(authorized_id("svc/host@", "x").unwrap(), "svc/host@");
    assert_eq!(authorized_id("bob@EXAMPLE.COM", "bob@EXAMPLE.COM").unwrap(), "bob@EXAMPLE.COM");
    assert_eq!(authorized_id("bob@EXAMPLE.COM", "alice").unwrap(), "alice");
    assert!(authorized_id("a@b@c", "a").is_err());
}

/// A digest-response produced by kazoo's SASL library (pure-sasl 0.5.1, `random.seed(1)`) for the
/// challenge of `NONCE_RAW`; its client accepted the rspauth asserted here.
#[test]
fn pure_sasl_client_vector() {
    let mut s = SaslServer::new(&users(), NONCE_RAW);
    s.step(b"").unwrap();
    let resp = b"qop=auth,realm=\"zk-sasl-md5\",username=\"bob\",nonce=\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\",cnonce=\"13436424411240122\",nc=00000001,digest-uri=\"zookeeper/zk-sasl-md5\",response=f330554509523a4e18d4768ece2435f1";
    let SaslStep::Complete { token, authorization_id } = s.step(resp).unwrap() else { panic!("not complete") };
    assert_eq!(authorization_id, "bob");
    assert_eq!(String::from_utf8(token).unwrap(), "rspauth=4360df38a4423ac1686f9973fd443e77");
}
