//! SASL (op 102) through the core: DIGEST-MD5 exchange, failures, ids and sasl ACLs.
//! The client side is computed here independently with the RFC 2831 formulas.

use super::harness::*;
use crate::pipeline::{ConnId, CoreConfig, Input, Output};
use crate::wire::*;
use md5::{Digest, Md5};

const SASL_PROVIDER: &str = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";

/// A JAAS `Server` section plus `authProvider.1=SASLAuthenticationProvider`, as deployments pair them.
fn sasl_cfg() -> CoreConfig {
    CoreConfig {
        auth_providers: vec![SASL_PROVIDER.into()],
        sasl_enabled: true,
        sasl_users: vec![("bob".into(), "bobsecret".into()), ("super".into(), "jaas-super".into())],
        random_seed: [7; 32],
        ..cfg()
    }
}

fn packet(conn: ConnId, xid: i32, op_code: i32, body: Vec<u8>) -> Input {
    Input::Packet { conn, header: RequestHeader { xid, op: op_code }, body }
}

fn sasl_body(token: Option<&[u8]>) -> Vec<u8> {
    match token {
        None => (-1i32).to_be_bytes().to_vec(),
        Some(t) => {
            let mut b = (t.len() as i32).to_be_bytes().to_vec();
            b.extend_from_slice(t);
            b
        }
    }
}

fn hex_md5(data: &[u8]) -> String {
    Md5::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 2831 response-value with qop=auth, md5-sess, nc=00000001, no authzid.
fn response_value(a2_prefix: &str, user: &str, pw: &str, nonce: &str, cnonce: &str) -> String {
    let mut a1 = Md5::digest(format!("{user}:zk-sasl-md5:{pw}").as_bytes()).to_vec();
    a1.extend_from_slice(format!(":{nonce}:{cnonce}").as_bytes());
    let ha2 = hex_md5(format!("{a2_prefix}:zookeeper/zk-sasl-md5").as_bytes());
    hex_md5(format!("{}:{nonce}:00000001:{cnonce}:auth:{ha2}", hex_md5(&a1)).as_bytes())
}

fn sasl_reply(out: &[Output]) -> (ReplyHeader, Option<Vec<u8>>) {
    match reply(out) {
        (h, Response::Sasl(t)) => (h, t),
        r => panic!("not a SASL reply: {r:?}"),
    }
}

/// Runs the exchange as `user`/`pw`; returns the outputs of the second step.
fn login(h: &mut H, conn: ConnId, user: &str, pw: &str) -> Vec<Output> {
    let (hd, challenge) = sasl_reply(&h.input(packet(conn, 1, op::SASL, sasl_body(Some(b"")))));
    assert_eq!((hd.xid, hd.zxid, hd.err), (1, 0, 0));
    let challenge = String::from_utf8(challenge.expect("challenge")).unwrap();
    let nonce = challenge.split("nonce=\"").nth(1).and_then(|r| r.split('"').next()).expect("nonce").to_string();
    assert_eq!(challenge, format!("realm=\"zk-sasl-md5\",nonce=\"{nonce}\",charset=utf-8,algorithm=md5-sess"));
    assert_eq!(nonce.len(), 40, "30 random bytes in Base64, like Java");
    let cnonce = "c1i3nt";
    let resp = response_value("AUTHENTICATE", user, pw, &nonce, cnonce);
    let token = format!(
        "qop=auth,realm=\"zk-sasl-md5\",username=\"{user}\",nonce=\"{nonce}\",cnonce=\"{cnonce}\",nc=00000001,digest-uri=\"zookeeper/zk-sasl-md5\",response={resp}"
    );
    let out = h.input(packet(conn, 2, op::SASL, sasl_body(Some(token.as_bytes()))));
    if let (ReplyHeader { err: 0, .. }, Some(t)) = sasl_reply(&out) {
        assert_eq!(String::from_utf8(t).unwrap(), format!("rspauth={}", response_value("", user, pw, &nonce, cnonce)));
    }
    out
}

fn who_am_i(h: &mut H, conn: ConnId) -> Vec<(String, String)> {
    match reply(&h.input(packet(conn, 50, op::WHO_AM_I, vec![]))) {
        (_, Response::WhoAmI(v)) => v.into_iter().map(|c| (c.auth_scheme, c.user)).collect(),
        r => panic!("{r:?}"),
    }
}

#[test]
fn digest_md5_login_adds_sasl_id() {
    let mut h = H::new(sasl_cfg());
    h.connect(1);
    let out = login(&mut h, 1, "bob", "bobsecret");
    let (hd, token) = sasl_reply(&out);
    assert_eq!((hd.xid, hd.zxid, hd.err), (2, 0, 0));
    assert!(token.is_some());
    assert!(!out.iter().any(|o| matches!(o, Output::Close { .. })));
    let ids = who_am_i(&mut h, 1);
    assert!(ids.contains(&("sasl".into(), "bob".into())), "{ids:?}");
    assert!(!ids.iter().any(|(s, _)| s == "super"));
    // The exchange is over: another token fails the connection.
    let out = h.input(packet(1, 3, op::SASL, sasl_body(Some(b""))));
    assert_eq!(sasl_reply(&out).0.err, ErrorCode::AuthFailed.code());
    assert!(matches!(out.last(), Some(Output::Close { conn: 1 })));
}

#[test]
fn wrong_password_or_unknown_user_fails_and_closes() {
    for (user, pw) in [("bob", "wrong"), ("nobody", "bobsecret")] {
        let mut h = H::new(sasl_cfg());
        h.connect(1);
        let out = login(&mut h, 1, user, pw);
        let (hd, token) = sasl_reply(&out);
        assert_eq!((hd.xid, hd.zxid, hd.err), (2, 0, ErrorCode::AuthFailed.code()));
        assert_eq!(token, None, "failure carries a null token");
        assert!(matches!(out.last(), Some(Output::Close { conn: 1 })), "{out:?}");
    }
}

#[test]
fn super_users_and_super_password() {
    let mut h = H::new(CoreConfig { sasl_super_users: vec!["bob".into()], ..sasl_cfg() });
    h.connect(1);
    assert_eq!(sasl_reply(&login(&mut h, 1, "bob", "bobsecret")).0.err, 0);
    assert!(who_am_i(&mut h, 1).contains(&("super".into(), "".into())));

    // superPassword replaces the JAAS password of `super`.
    let mut h = H::new(CoreConfig { sasl_super_password: Some("override".into()), ..sasl_cfg() });
    h.connect(1);
    assert_eq!(sasl_reply(&login(&mut h, 1, "super", "override")).0.err, 0);
    h.connect(2);
    assert_eq!(sasl_reply(&login(&mut h, 2, "super", "jaas-super")).0.err, ErrorCode::AuthFailed.code());
}

#[test]
fn nonces_differ_between_connections() {
    let mut h = H::new(sasl_cfg());
    h.connect(1);
    h.connect(2);
    let a = sasl_reply(&h.input(packet(1, 1, op::SASL, sasl_body(Some(b""))))).1;
    let b = sasl_reply(&h.input(packet(2, 1, op::SASL, sasl_body(Some(b""))))).1;
    assert_ne!(a, b);
}

#[test]
fn without_jaas_section_sasl_gets_empty_success() {
    let mut h = H::new(cfg());
    h.connect(1);
    let out = h.input(packet(1, 1, op::SASL, sasl_body(Some(b""))));
    let (hd, token) = sasl_reply(&out);
    assert_eq!((hd.xid, hd.zxid, hd.err, token), (1, 0, 0, None));
    assert!(!out.iter().any(|o| matches!(o, Output::Close { .. })));
}

#[test]
fn null_token_drops_the_connection_without_answer() {
    let mut h = H::new(sasl_cfg());
    h.connect(1);
    let out = h.input(packet(1, 1, op::SASL, sasl_body(None)));
    assert_eq!(out, vec![Output::Close { conn: 1 }]);
}

#[test]
fn sasl_acls() {
    let mut h = H::new(sasl_cfg());
    h.connect(1);
    h.connect(2);
    assert_eq!(sasl_reply(&login(&mut h, 1, "bob", "bobsecret")).0.err, 0);
    let acl = |scheme: &str, id: &str| vec![Acl { perms: perms::ALL, id: Id::new(scheme, id) }];
    let create = |path: &str, acl: Vec<Acl>| Request::Create {
        op: op::CREATE,
        req: CreateRequest { path: path.into(), data: Some(b"x".to_vec()), acl, flags: 0, ttl: None },
    };
    assert_eq!(err(&h.call(1, 10, op::CREATE, create("/s", acl("sasl", "bob")))), 0);
    assert_eq!(err(&h.call(1, 11, op::CREATE, create("/a", acl("auth", "")))), 0);
    assert_eq!(err(&h.call(1, 12, op::CREATE, create("/bad", acl("sasl", "a@b@c")))), ErrorCode::InvalidAcl.code());
    match reply(&h.call(1, 13, op::GET_ACL, Request::GetAcl("/a".into()))) {
        (_, Response::GetAcl(a, _)) => assert_eq!(a, acl("sasl", "bob")),
        r => panic!("{r:?}"),
    }
    let get = |p: &str| Request::GetData(PathWatch { path: p.into(), watch: false });
    assert_eq!(err(&h.call(1, 14, op::GET_DATA, get("/s"))), 0);
    assert_eq!(err(&h.call(2, 15, op::GET_DATA, get("/s"))), ErrorCode::NoAuth.code());
    // A SASL login named `super` matches every sasl ACL entry.
    assert_eq!(sasl_reply(&login(&mut h, 2, "super", "jaas-super")).0.err, 0);
    assert_eq!(err(&h.call(2, 16, op::GET_DATA, get("/s"))), 0);
}

#[test]
fn without_sasl_provider_logins_work_but_sasl_acls_do_not() {
    // ZooKeeper registers SASLAuthenticationProvider only when named by authProvider.N; a JAAS
    // section alone lets the login add `sasl:bob`, yet sasl ACL ids are invalid and the id has no
    // user name in whoAmI.
    let mut h = H::new(CoreConfig { auth_providers: Vec::new(), ..sasl_cfg() });
    h.connect(1);
    assert_eq!(sasl_reply(&login(&mut h, 1, "bob", "bobsecret")).0.err, 0);
    let ids = who_am_i(&mut h, 1);
    assert!(ids.contains(&("sasl".into(), "".into())), "{ids:?}");
    let create = |path: &str, scheme: &str, id: &str| Request::Create {
        op: op::CREATE,
        req: CreateRequest { path: path.into(), data: None, acl: vec![Acl { perms: perms::ALL, id: Id::new(scheme, id) }], flags: 0, ttl: None },
    };
    assert_eq!(err(&h.call(1, 10, op::CREATE, create("/s", "sasl", "bob"))), ErrorCode::InvalidAcl.code());
    assert_eq!(err(&h.call(1, 11, op::CREATE, create("/a", "auth", ""))), ErrorCode::InvalidAcl.code());
}
