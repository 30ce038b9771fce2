use super::harness::*;
use crate::pipeline::{CoreConfig, Output};
use crate::txn::Txn;
use crate::wire::*;

fn setup() -> H {
    let mut h = H::new(cfg());
    h.connect(1);
    h
}

#[test]
fn create_reply_and_stats() {
    let mut h = setup();
    let out = h.call(1, 5, op::CREATE2, create_req(op::CREATE2, "/a", b"hello", 0));
    let (hd, body) = reply(&out);
    assert_eq!(hd, ReplyHeader { xid: 5, zxid: 2, err: 0 });
    let t = h.now.wall_ms;
    assert_eq!(
        body,
        Response::Create2(
            "/a".into(),
            Stat { czxid: 2, mzxid: 2, ctime: t, mtime: t, version: 0, cversion: 0, aversion: 0, ephemeral_owner: 0, data_length: 5, num_children: 0, pzxid: 2 }
        )
    );
    let out = h.call(1, 6, op::CREATE, create_req(op::CREATE, "/a/b", b"", 0));
    assert_eq!(reply(&out).1, Response::Create("/a/b".into()));
    let s = stat_of(&mut h, 1, "/a");
    assert_eq!((s.cversion, s.num_children, s.pzxid, s.mzxid), (1, 1, 3, 2));
    h.call(1, 7, op::DELETE, Request::Delete(PathVersion { path: "/a/b".into(), version: 0 }));
    let s = stat_of(&mut h, 1, "/a");
    assert_eq!((s.cversion, s.num_children, s.pzxid), (2, 0, 4), "visible cversion counts the delete");
    let r = h.call(1, 8, op::SET_DATA, Request::SetData(SetDataRequest { path: "/a".into(), data: None, version: 0 }));
    match reply(&r) {
        (hd, Response::Stat(s)) => {
            assert_eq!((hd.zxid, s.version, s.mzxid, s.data_length, s.czxid), (5, 1, 5, 0, 2));
        }
        o => panic!("{o:?}"),
    }
    let acl = vec![Acl { perms: perms::ALL, id: Id::new("ip", "127.0.0.1") }];
    let r = h.call(1, 9, op::SET_ACL, Request::SetAcl(SetAclRequest { path: "/a".into(), acl, version: 0 }));
    match reply(&r) {
        (_, Response::Stat(s)) => assert_eq!((s.aversion, s.version, s.mzxid), (1, 1, 5)),
        o => panic!("{o:?}"),
    }
}

#[test]
fn sequential_names_use_parent_create_counter() {
    let mut h = setup();
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/q", b"", 0));
    let name = |out: &[Output]| match reply(out).1 {
        Response::Create(p) => p,
        o => panic!("{o:?}"),
    };
    assert_eq!(name(&h.call(1, 2, op::CREATE, create_req(op::CREATE, "/q/n-", b"", 2))), "/q/n-0000000000");
    h.call(1, 3, op::DELETE, Request::Delete(PathVersion { path: "/q/n-0000000000".into(), version: -1 }));
    assert_eq!(name(&h.call(1, 4, op::CREATE, create_req(op::CREATE, "/q/n-", b"", 3))), "/q/n-0000000001", "counter survives deletes");
    // "/q/" + sequential is legal
    assert_eq!(name(&h.call(1, 5, op::CREATE, create_req(op::CREATE, "/q/", b"", 2))), "/q/0000000002");
    // without sequential, a trailing slash is BadArguments
    assert_eq!(err(&h.call(1, 6, op::CREATE, create_req(op::CREATE, "/q/", b"", 0))), -8);
}

#[test]
fn pipelined_writes_see_each_other_and_nothing_leaves_before_durable() {
    let mut h = setup();
    let o1 = h.send(1, 1, op::CREATE, create_req(op::CREATE, "/p", b"", 0));
    let o2 = h.send(1, 2, op::CREATE, create_req(op::CREATE, "/p/s-", b"", 2));
    let o3 = h.send(1, 3, op::CREATE, create_req(op::CREATE, "/p/s-", b"", 2));
    let o4 = h.send(1, 4, op::GET_CHILDREN, Request::GetChildren(PathWatch { path: "/p".into(), watch: false }));
    for o in [&o1, &o2, &o3] {
        assert_eq!(o.len(), 1);
        assert!(matches!(o[0], Output::Append { .. }));
    }
    assert!(o4.is_empty(), "the read waits behind the connection's writes");
    let a2 = appends(&o2);
    let a3 = appends(&o3);
    assert!(matches!(&a2[0].txn, Txn::Create { path, parent_cversion: 1, .. } if path == "/p/s-0000000000"));
    assert!(matches!(&a3[0].txn, Txn::Create { path, parent_cversion: 2, .. } if path == "/p/s-0000000001"));
    // Partial durability releases only what is durable.
    let out = h.input(crate::pipeline::Input::Durable { zxid: 3 });
    assert_eq!(replies(&out).iter().map(|r| r.1.xid).collect::<Vec<_>>(), vec![1, 2]);
    let out = h.durable();
    let r = replies(&out);
    assert_eq!(r.iter().map(|r| r.1.xid).collect::<Vec<_>>(), vec![3, 4]);
    match &r[1].2 {
        Response::GetChildren(c) => {
            let mut c = c.clone();
            c.sort();
            assert_eq!(c, vec!["s-0000000000", "s-0000000001"]);
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn other_connections_reads_are_not_held_back() {
    let mut h = setup();
    h.connect(2);
    h.send(1, 1, op::CREATE, create_req(op::CREATE, "/slow", b"", 0));
    let out = h.send(2, 1, op::EXISTS, Request::Exists(PathWatch { path: "/slow".into(), watch: false }));
    assert_eq!(err(&out), -101, "conn 2 answered at once against the committed tree");
}

#[test]
fn failed_writes_consume_a_zxid() {
    let mut h = setup();
    let out = h.send(1, 1, op::DELETE, Request::Delete(PathVersion { path: "/nope".into(), version: -1 }));
    let a = appends(&out);
    assert_eq!(a[0].header.op, op::ERROR);
    assert_eq!(a[0].txn, Txn::Error { err: -101 });
    assert_eq!(a[0].header.zxid, 2);
    let out = h.durable();
    assert_eq!(reply(&out).0, ReplyHeader { xid: 1, zxid: 2, err: -101 });
    assert_eq!(h.core.last_zxid(), 2);
}

#[test]
fn create_error_precedence() {
    let mut h = H::new(CoreConfig { extended_types_enabled: false, ..cfg() });
    h.connect(1);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/e", b"", 1));
    let mk = |path: &str, flags: i32| create_req(op::CREATE, path, b"", flags);
    // bad flags beat everything
    assert_eq!(err(&h.call(1, 2, op::CREATE, mk("bad", 9))), -8);
    // TTL while extended types are off: Unimplemented (before path checks)
    let ttl = Request::Create { op: op::CREATE_TTL, req: CreateRequest { path: "bad".into(), data: None, acl: open(), flags: 5, ttl: Some(10) } };
    assert_eq!(err(&h.call(1, 3, op::CREATE_TTL, ttl)), -6);
    // no slash: BadArguments; bad ACL: InvalidACL comes after path shape, before parent
    assert_eq!(err(&h.call(1, 4, op::CREATE, mk("x", 0))), -8);
    let bad_acl = Request::Create { op: op::CREATE, req: CreateRequest { path: "/no/parent".into(), data: None, acl: vec![], flags: 0, ttl: None } };
    assert_eq!(err(&h.call(1, 5, op::CREATE, bad_acl)), -114);
    // missing parent before NoAuth / validation
    assert_eq!(err(&h.call(1, 6, op::CREATE, mk("/no/parent", 0))), -101);
    // invalid full path after parent lookup
    assert_eq!(err(&h.call(1, 7, op::CREATE, mk("/a/./b", 0))), -101, "parent /a/. does not exist");
    assert_eq!(err(&h.call(1, 8, op::CREATE, mk("/.", 0))), -8);
    assert_eq!(err(&h.call(1, 9, op::CREATE, mk("/zookeeper", 0))), -110);
    assert_eq!(err(&h.call(1, 10, op::CREATE, mk("/e/child", 0))), -108);
    assert_eq!(err(&h.call(1, 11, op::CREATE, mk("/e", 0))), -110, "NodeExists before NoChildrenForEphemerals");
    // NoAuth on the parent: /zookeeper/config is world:anyone READ
    assert_eq!(err(&h.call(1, 12, op::CREATE, mk("/zookeeper/config/x", 0))), -102);
    // auth ACL without authenticated ids
    let auth_acl = Request::Create { op: op::CREATE, req: CreateRequest { path: "/z".into(), data: None, acl: vec![Acl { perms: 31, id: Id::new("auth", "") }], flags: 0, ttl: None } };
    assert_eq!(err(&h.call(1, 13, op::CREATE, auth_acl)), -114);
}

#[test]
fn delete_set_error_precedence_and_system_nodes() {
    let mut h = setup();
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/a", b"", 0));
    h.call(1, 2, op::CREATE, create_req(op::CREATE, "/a/b", b"", 0));
    let del = |p: &str, v: i32| Request::Delete(PathVersion { path: p.into(), version: v });
    for sys in ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"] {
        assert_eq!(err(&h.call(1, 3, op::DELETE, del(sys, -1))), -8, "{sys}");
    }
    assert_eq!(err(&h.call(1, 4, op::DELETE, del("/a", 5))), -103, "version before emptiness");
    assert_eq!(err(&h.call(1, 5, op::DELETE, del("/a", 0))), -111);
    assert_eq!(err(&h.call(1, 6, op::DELETE, del("/x/y", 0))), -101);
    assert_eq!(err(&h.call(1, 7, op::DELETE, del("/a//b", 0))), -101, "malformed delete path is simply not found");
    let sd = |p: &str, v: i32| Request::SetData(SetDataRequest { path: p.into(), data: None, version: v });
    assert_eq!(err(&h.call(1, 8, op::SET_DATA, sd("/a/", -1))), -8);
    assert_eq!(err(&h.call(1, 9, op::SET_DATA, sd("/nope", -1))), -101);
    assert_eq!(err(&h.call(1, 10, op::SET_DATA, sd("/zookeeper/config", 7))), -102, "NoAuth before version");
    assert_eq!(err(&h.call(1, 11, op::SET_DATA, sd("/a", 7))), -103);
    let sa = |p: &str, acl: Vec<Acl>, v: i32| Request::SetAcl(SetAclRequest { path: p.into(), acl, version: v });
    assert_eq!(err(&h.call(1, 12, op::SET_ACL, sa("/nope", vec![], -1))), -114, "ACL fix-up before existence");
    assert_eq!(err(&h.call(1, 13, op::SET_ACL, sa("/a", open(), 3))), -103);
    assert_eq!(err(&h.call(1, 14, op::SET_ACL, sa("/zookeeper/config", open(), -1))), -102);
    let bad_world = vec![Acl { perms: 31, id: Id::new("world", "someone") }];
    assert_eq!(err(&h.call(1, 15, op::SET_ACL, sa("/a", bad_world, -1))), -114);
}

#[test]
fn ephemerals_and_containers_and_ttl_modes() {
    let mut h = H::new(CoreConfig { extended_types_enabled: true, ..cfg() });
    let sid = h.connect(1);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/e", b"", 1));
    assert_eq!(stat_of(&mut h, 1, "/e").ephemeral_owner, sid);
    h.call(1, 2, op::CREATE_CONTAINER, create_req(op::CREATE_CONTAINER, "/c", b"", 4));
    assert_eq!(stat_of(&mut h, 1, "/c").ephemeral_owner, 0);
    assert_eq!(err(&h.call(1, 3, op::CREATE, create_req(op::CREATE, "/c/kid", b"", 0))), 0, "containers may have children");
    let ttl = |path: &str, flags: i32, ttl: i64| Request::Create { op: op::CREATE_TTL, req: CreateRequest { path: path.into(), data: None, acl: open(), flags, ttl: Some(ttl) } };
    assert_eq!(err(&h.call(1, 4, op::CREATE_TTL, ttl("/t", 5, 0))), -8);
    assert_eq!(err(&h.call(1, 5, op::CREATE_TTL, ttl("/t", 5, 0x100_0000_0000))), -8);
    let out = h.call(1, 6, op::CREATE_TTL, ttl("/t", 5, 1000));
    assert!(matches!(reply(&out).1, Response::Create2(ref p, s) if p == "/t" && s.ephemeral_owner == 0));
    assert_eq!(err(&h.call(1, 7, op::CREATE, create_req(op::CREATE, "/t/kid", b"", 0))), 0, "TTL nodes may have children");
    // non-TTL op with a TTL mode: the ttl field is absent (-1) => BadArguments
    assert_eq!(err(&h.call(1, 8, op::CREATE, create_req(op::CREATE, "/t2", b"", 5))), -8);
    let out = h.call(1, 9, op::GET_EPHEMERALS, Request::GetEphemerals("/".into()));
    assert_eq!(reply(&out).1, Response::Ephemerals(vec!["/e".into()]));
    let out = h.call(1, 10, op::GET_EPHEMERALS, Request::GetEphemerals("/x".into()));
    assert_eq!(reply(&out).1, Response::Ephemerals(vec![]));
    let out = h.call(1, 11, op::GET_EPHEMERALS, Request::GetEphemerals("/e".into()));
    assert_eq!(reply(&out).1, Response::Ephemerals(vec!["/e".into()]));
}

#[test]
fn multi_failure_pattern_and_nothing_applied() {
    let mut h = setup();
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/m", b"", 0));
    let ops = vec![
        MultiOp::Create { op: op::CREATE, req: CreateRequest { path: "/m/a".into(), data: None, acl: open(), flags: 0, ttl: None } },
        MultiOp::Check(PathVersion { path: "/m".into(), version: 9 }),
        MultiOp::Delete(PathVersion { path: "/m".into(), version: -1 }),
    ];
    let out = h.send(1, 2, op::MULTI, Request::Multi(ops));
    let a = appends(&out);
    match &a[0].txn {
        Txn::Multi(subs) => {
            assert!(matches!(subs[0], Txn::Create { .. }), "pre-failure ops keep their txns in the log");
            assert_eq!(subs[1], Txn::Error { err: -103 });
            assert_eq!(subs[2], Txn::Error { err: -2 });
        }
        t => panic!("{t:?}"),
    }
    assert_eq!(a[0].header.op, op::MULTI);
    let out = h.durable();
    let (hd, body) = reply(&out);
    assert_eq!(hd.err, 0);
    assert_eq!(body, Response::Multi(vec![MultiResult::Error(0), MultiResult::Error(-103), MultiResult::Error(-2)]));
    assert!(h.core.tree().get("/m/a").is_none());
    // the rolled-back create does not disturb later preparation
    let out = h.call(1, 3, op::CREATE, create_req(op::CREATE, "/m/a", b"", 0));
    assert_eq!(err(&out), 0);
}

#[test]
fn multi_success_results_follow_request_opcodes() {
    let mut h = setup();
    let c = |op: i32, path: &str, flags: i32| MultiOp::Create { op, req: CreateRequest { path: path.into(), data: Some(b"x".to_vec()), acl: open(), flags, ttl: None } };
    let ops = vec![
        c(op::CREATE, "/a", 0),
        c(op::CREATE2, "/a/s", 2),
        c(op::CREATE, "/a/s", 2),
        MultiOp::Check(PathVersion { path: "/a".into(), version: 0 }),
        MultiOp::SetData(SetDataRequest { path: "/a".into(), data: None, version: 0 }),
        MultiOp::Delete(PathVersion { path: "/a/s0000000000".into(), version: 0 }),
    ];
    let out = h.call(1, 7, op::MULTI, Request::Multi(ops));
    let (hd, body) = reply(&out);
    assert_eq!((hd.err, hd.zxid), (0, 2));
    let Response::Multi(rs) = body else { panic!() };
    assert_eq!(rs[0], MultiResult::Create("/a".into()));
    assert!(matches!(&rs[1], MultiResult::Create2(p, s) if p == "/a/s0000000000" && s.czxid == 2));
    assert_eq!(rs[2], MultiResult::Create("/a/s0000000001".into()));
    assert_eq!(rs[3], MultiResult::Check);
    assert!(matches!(&rs[4], MultiResult::SetData(s) if s.version == 1 && s.mzxid == 2));
    assert_eq!(rs[5], MultiResult::Delete);
    assert_eq!(stat_of(&mut h, 1, "/a").num_children, 1);
}

#[test]
fn reconfig_read_only_and_unimplemented() {
    let mut h = setup();
    let rc = Request::Reconfig(ReconfigRequest { joining_servers: None, leaving_servers: None, new_members: None, cur_config_id: -1 });
    let out = h.call(1, 1, op::RECONFIG, rc.clone());
    assert_eq!(err(&out), -123);
    assert_eq!(appends(&out)[0].txn, Txn::Error { err: -123 });
    let mut h2 = H::new(CoreConfig { reconfig_enabled: true, ..cfg() });
    h2.connect(1);
    assert_eq!(err(&h2.call(1, 1, op::RECONFIG, rc)), -6);
    // check alone: Unimplemented (zxid -1) and the connection is closed
    let out = h.call(1, 2, op::CHECK, Request::Check(PathVersion { path: "/".into(), version: -1 }));
    assert_eq!(out, vec![Output::Reply { conn: 1, header: ReplyHeader { xid: 2, zxid: -1, err: -6 }, body: Response::Empty }, Output::Close { conn: 1 }]);

    let mut ro = H::new(CoreConfig { read_only: true, ..cfg() });
    let mut req = connect_req(0, vec![0; 16], 30000, 0);
    let out = ro.input(crate::pipeline::Input::Connect { conn: 1, remote: REMOTE.parse().unwrap(), req: req.clone() });
    assert_eq!(out, vec![Output::Close { conn: 1 }], "read-only server refuses non-RO clients");
    req.read_only = Some(true);
    ro.input(crate::pipeline::Input::Connect { conn: 2, remote: REMOTE.parse().unwrap(), req });
    let out = ro.durable();
    assert!(matches!(&out[0], Output::Connected { resp, .. } if resp.read_only == Some(true)));
    assert_eq!(err(&ro.call(2, 1, op::CREATE, create_req(op::CREATE, "/x", b"", 0))), -119);
    assert_eq!(err(&ro.call(2, 2, op::SYNC, Request::Sync("/".into()))), -119);
    assert_eq!(err(&ro.call(2, 3, op::GET_DATA, Request::GetData(PathWatch { path: "/".into(), watch: false }))), 0);
}

#[test]
fn skip_acl_bypasses_checks() {
    let mut h = H::new(CoreConfig { skip_acl: true, ..cfg() });
    h.connect(1);
    assert_eq!(err(&h.call(1, 1, op::CREATE, create_req(op::CREATE, "/zookeeper/config/x", b"", 0))), 0);
}
