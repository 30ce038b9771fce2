use super::harness::*;
use crate::pipeline::Output;
use crate::wire::*;

#[test]
fn events_precede_the_reply_and_fire_once() {
    let mut h = H::new(cfg());
    h.connect(1);
    h.connect(2);
    h.call(2, 1, op::EXISTS, Request::Exists(PathWatch { path: "/a".into(), watch: true }));
    h.call(1, 1, op::EXISTS, Request::Exists(PathWatch { path: "/a".into(), watch: true }));
    let out = h.call(1, 2, op::CREATE, create_req(op::CREATE, "/a", b"", 0));
    let z = h.last_appended;
    assert_eq!(
        out.iter().filter(|o| !matches!(o, Output::Append { .. })).cloned().collect::<Vec<_>>(),
        vec![
            Output::Event { conn: 2, zxid: z, event: WatcherEvent { event_type: 1, state: 3, path: "/a".into() } },
            Output::Event { conn: 1, zxid: z, event: WatcherEvent { event_type: 1, state: 3, path: "/a".into() } },
            Output::Reply { conn: 1, header: ReplyHeader { xid: 2, zxid: z, err: 0 }, body: Response::Create("/a".into()) },
        ]
    );
    let out = h.call(1, 3, op::SET_DATA, Request::SetData(SetDataRequest { path: "/a".into(), data: None, version: -1 }));
    assert!(events(&out).is_empty(), "standard watches fire once");
}

#[test]
fn add_watch_recursive_and_remove_watches() {
    let mut h = H::new(cfg());
    h.connect(1);
    h.connect(2);
    let out = h.call(2, 1, op::ADD_WATCH, Request::AddWatch(PathType { path: "/r".into(), kind: 1 }));
    assert_eq!(reply(&out).1, Response::ErrorBody(0));
    assert_eq!(err(&h.call(2, 2, op::ADD_WATCH, Request::AddWatch(PathType { path: "/r".into(), kind: 7 }))), -5);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/r", b"", 0));
    let out = h.call(1, 2, op::CREATE, create_req(op::CREATE, "/r/x", b"", 0));
    assert_eq!(events(&out), vec![(2, h.last_appended, 1, "/r/x".to_string())]);
    let out = h.call(1, 3, op::SET_DATA, Request::SetData(SetDataRequest { path: "/r/x".into(), data: None, version: -1 }));
    assert_eq!(events(&out), vec![(2, h.last_appended, 3, "/r/x".to_string())]);
    assert_eq!(err(&h.call(2, 3, op::CHECK_WATCHES, Request::CheckWatches(PathType { path: "/r".into(), kind: 5 }))), 0);
    assert_eq!(err(&h.call(2, 4, op::CHECK_WATCHES, Request::CheckWatches(PathType { path: "/r".into(), kind: 2 }))), -121);
    assert_eq!(err(&h.call(2, 5, op::CHECK_WATCHES, Request::CheckWatches(PathType { path: "/r".into(), kind: 9 }))), -5);
    assert_eq!(err(&h.call(2, 6, op::REMOVE_WATCHES, Request::RemoveWatches(PathType { path: "/r".into(), kind: 3 }))), 0);
    assert_eq!(err(&h.call(2, 7, op::REMOVE_WATCHES, Request::RemoveWatches(PathType { path: "/r".into(), kind: 3 }))), -121);
    let out = h.call(1, 4, op::DELETE, Request::Delete(PathVersion { path: "/r/x".into(), version: -1 }));
    assert!(events(&out).is_empty());
}

#[test]
fn set_watches_catch_up_events_come_before_reply() {
    let mut h = H::new(cfg());
    h.connect(1);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/a", b"", 0)); // zxid 2
    h.call(1, 2, op::SET_DATA, Request::SetData(SetDataRequest { path: "/a".into(), data: None, version: -1 })); // zxid 3
    h.connect(2);
    let sw = SetWatches {
        relative_zxid: 2,
        data_watches: vec!["/a".into()],
        exist_watches: vec!["/b".into(), "/a".into()],
        child_watches: vec!["/gone".into()],
        ..Default::default()
    };
    let out = h.call(2, -8, op::SET_WATCHES, Request::SetWatches { op: op::SET_WATCHES, watches: sw });
    assert_eq!(
        out,
        vec![
            Output::Event { conn: 2, zxid: -1, event: WatcherEvent { event_type: 3, state: 3, path: "/a".into() } },
            Output::Event { conn: 2, zxid: -1, event: WatcherEvent { event_type: 1, state: 3, path: "/a".into() } },
            Output::Event { conn: 2, zxid: -1, event: WatcherEvent { event_type: 2, state: 3, path: "/gone".into() } },
            Output::Reply { conn: 2, header: ReplyHeader { xid: -8, zxid: 4, err: 0 }, body: Response::Empty },
        ]
    );
    let out = h.call(1, 3, op::CREATE, create_req(op::CREATE, "/b", b"", 0));
    assert_eq!(events(&out), vec![(2, h.last_appended, 1, "/b".to_string())]);
}

#[test]
fn acl_filtering_at_delivery() {
    let mut h = H::new(cfg());
    h.connect(1);
    h.connect(2);
    let hash = crate::auth::generate_digest("bob:pw");
    h.call(2, 1, op::ADD_WATCH, Request::AddWatch(PathType { path: "/".into(), kind: 1 }));
    let acl = vec![Acl { perms: perms::ALL, id: Id::new("digest", hash) }];
    let out = h.call(1, 1, op::CREATE, Request::Create { op: op::CREATE, req: CreateRequest { path: "/secret".into(), data: None, acl, flags: 0, ttl: None } });
    assert!(events(&out).is_empty(), "conn 2 cannot READ /secret");
    let out = h.call(1, 2, op::CREATE, create_req(op::CREATE, "/public", b"", 0));
    assert_eq!(events(&out).len(), 1);
}

#[test]
fn stats_list_watches_by_session() {
    let mut h = H::new(cfg());
    let s1 = h.connect(1);
    h.call(1, 1, op::EXISTS, Request::Exists(PathWatch { path: "/x".into(), watch: true }));
    h.call(1, 2, op::GET_CHILDREN, Request::GetChildren(PathWatch { path: "/".into(), watch: true }));
    let st = h.core.stats();
    assert_eq!(st.watch_count, 2);
    assert_eq!(st.data_watch_summary, (1, 1, 1));
    assert_eq!(st.watches_by_session, vec![(s1, vec!["/x".to_string()])]);
    assert_eq!(st.watches_by_path, vec![("/x".to_string(), vec![s1])]);
}
