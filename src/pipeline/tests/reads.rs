use super::harness::*;
use crate::pipeline::Output;
use crate::wire::*;

fn setup() -> H {
    let mut h = H::new(cfg());
    h.connect(1);
    h
}

#[test]
fn fresh_server_reads() {
    let mut h = setup();
    let out = h.call(1, 1, op::GET_CHILDREN2, Request::GetChildren2(PathWatch { path: "/".into(), watch: false }));
    match reply(&out) {
        (hd, Response::GetChildren2(c, s)) => {
            assert_eq!(hd.zxid, 1);
            assert_eq!(c, vec!["zookeeper".to_string()]);
            assert_eq!((s.cversion, s.num_children, s.czxid), (-1, 1, 0));
        }
        o => panic!("{o:?}"),
    }
    let s = stat_of(&mut h, 1, "/zookeeper");
    assert_eq!(s.cversion, -2);
    let out = h.call(1, 2, op::GET_ALL_CHILDREN_NUMBER, Request::GetAllChildrenNumber("/".into()));
    assert_eq!(reply(&out).1, Response::AllChildrenNumber(3));
    let out = h.call(1, 3, op::GET_DATA, Request::GetData(PathWatch { path: "/zookeeper/config".into(), watch: false }));
    assert!(matches!(reply(&out).1, Response::GetData(Some(ref d), _) if d.is_empty()));
    let out = h.call(1, 4, op::GET_ACL, Request::GetAcl("/zookeeper/config".into()));
    assert!(matches!(reply(&out).1, Response::GetAcl(ref a, _) if *a == Acl::read_unsafe()));
    let out = h.call(1, 5, op::SYNC, Request::Sync("/whatever".into()));
    assert_eq!(reply(&out).1, Response::Path("/whatever".into()));
    let out = h.call(1, 6, op::WHO_AM_I, Request::WhoAmI);
    assert_eq!(reply(&out).1, Response::WhoAmI(vec![ClientInfo { auth_scheme: "ip".into(), user: "127.0.0.1".into() }]));
    let st = h.core.stats();
    assert_eq!((st.node_count, st.approximate_data_size, st.last_zxid), (5, 44, 1));
}

#[test]
fn ping_reply_uses_xid_minus_two_and_waits_in_order() {
    let mut h = setup();
    h.send(1, 1, op::CREATE, create_req(op::CREATE, "/a", b"", 0));
    assert!(h.send(1, -2, op::PING, Request::Ping).is_empty());
    let out = h.durable();
    let r = replies(&out);
    assert_eq!(r[0].1.xid, 1);
    assert_eq!(r[1].1, ReplyHeader { xid: -2, zxid: 2, err: 0 });
}

#[test]
fn read_errors_and_null_data() {
    let mut h = setup();
    let out = h.call(1, 1, op::CREATE, Request::Create { op: op::CREATE, req: CreateRequest { path: "/n".into(), data: None, acl: open(), flags: 0, ttl: None } });
    assert_eq!(err(&out), 0);
    let out = h.call(1, 2, op::GET_DATA, Request::GetData(PathWatch { path: "/n".into(), watch: false }));
    assert!(matches!(reply(&out).1, Response::GetData(None, _)), "null data stays null");
    assert_eq!(err(&h.call(1, 3, op::GET_DATA, Request::GetData(PathWatch { path: "/zz".into(), watch: true }))), -101);
    assert_eq!(h.core.stats().watch_count, 0, "getData on a missing node leaves no watch");
    assert_eq!(err(&h.call(1, 4, op::EXISTS, Request::Exists(PathWatch { path: "/a\0".into(), watch: true }))), -8);
    assert_eq!(err(&h.call(1, 5, op::EXISTS, Request::Exists(PathWatch { path: "/zz".into(), watch: true }))), -101);
    assert_eq!(h.core.stats().watch_count, 1, "exists on a missing node sets the watch");
}

#[test]
fn acl_reads_digest_redaction_and_auth_ids() {
    let mut h = setup();
    h.connect(2);
    let hash = crate::auth::generate_digest("bob:pw");
    let acl = vec![Acl { perms: perms::READ, id: Id::new("world", "anyone") }, Acl { perms: perms::ALL, id: Id::new("digest", hash.clone()) }];
    let out = h.call(1, 1, op::CREATE, Request::Create { op: op::CREATE, req: CreateRequest { path: "/s".into(), data: None, acl, flags: 0, ttl: None } });
    assert_eq!(err(&out), 0);
    let out = h.call(2, 1, op::GET_ACL, Request::GetAcl("/s".into()));
    match reply(&out).1 {
        Response::GetAcl(a, _) => assert_eq!(a[1].id.id, "bob:x"),
        o => panic!("{o:?}"),
    }
    assert_eq!(err(&h.call(2, 2, op::SET_DATA, Request::SetData(SetDataRequest { path: "/s".into(), data: None, version: -1 }))), -102);
    // secret node: NoNode vs NoAuth ordering for reads
    let secret = vec![Acl { perms: perms::ALL, id: Id::new("digest", hash.clone()) }];
    h.call(1, 3, op::CREATE, Request::Create { op: op::CREATE, req: CreateRequest { path: "/hidden".into(), data: None, acl: secret, flags: 0, ttl: None } });
    assert_eq!(err(&h.call(2, 3, op::GET_DATA, Request::GetData(PathWatch { path: "/hidden".into(), watch: true }))), -102);
    assert_eq!(err(&h.call(2, 4, op::EXISTS, Request::Exists(PathWatch { path: "/hidden".into(), watch: true }))), -102);
    assert_eq!(h.core.stats().watch_count, 0, "NoAuth reads leave no watch");
    assert_eq!(err(&h.call(2, 5, op::GET_CHILDREN, Request::GetChildren(PathWatch { path: "/hidden/x".into(), watch: false }))), -101);
    // multiRead: independent results, no RuntimeInconsistency fill
    let out = h.call(2, 6, op::MULTI_READ, Request::MultiRead(vec![MultiOp::GetData("/hidden".into()), MultiOp::GetChildren("/".into()), MultiOp::GetData("/nope".into())]));
    match reply(&out).1 {
        Response::Multi(r) => {
            assert_eq!(r[0], MultiResult::Error(-102));
            assert!(matches!(r[1], MultiResult::GetChildren(_)));
            assert_eq!(r[2], MultiResult::Error(-101));
        }
        o => panic!("{o:?}"),
    }
    let _ = Output::Close { conn: 0 };
}
