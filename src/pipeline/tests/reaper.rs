use super::harness::*;
use crate::pipeline::{CoreConfig, Input};
use crate::txn::Txn;
use crate::wire::*;

#[test]
fn used_empty_containers_are_reaped() {
    let mut h = H::new(CoreConfig { container_check_interval_ms: 1000, ..cfg() });
    h.connect(1);
    h.call(1, 1, op::CREATE_CONTAINER, create_req(op::CREATE_CONTAINER, "/c", b"", 4));
    h.call(1, 2, op::CREATE_CONTAINER, create_req(op::CREATE_CONTAINER, "/never", b"", 4));
    h.call(1, 3, op::CREATE, create_req(op::CREATE, "/c/x", b"", 0));
    h.advance(1000);
    assert!(appends(&h.input(Input::Tick)).is_empty(), "container with a child stays");
    h.call(1, 4, op::DELETE, Request::Delete(PathVersion { path: "/c/x".into(), version: -1 }));
    h.advance(1000);
    let out = h.input(Input::Tick);
    let a = appends(&out);
    assert_eq!(a.len(), 1, "never-used container is kept (maxNeverUsedIntervalMs = 0)");
    assert_eq!(a[0].txn, Txn::DeleteContainer { path: "/c".into() });
    assert_eq!(a[0].header.client_id, 0);
    h.durable();
    assert!(h.core.tree().get("/c").is_none());
    assert!(h.core.tree().get("/never").is_some());
}

#[test]
fn ttl_nodes_expire_by_wall_time() {
    let mut h = H::new(CoreConfig { container_check_interval_ms: 1000, extended_types_enabled: true, ..cfg() });
    h.connect(1);
    let ttl = Request::Create { op: op::CREATE_TTL, req: CreateRequest { path: "/t".into(), data: None, acl: open(), flags: 5, ttl: Some(5000) } };
    assert_eq!(err(&h.call(1, 1, op::CREATE_TTL, ttl)), 0);
    h.advance(1000);
    assert!(appends(&h.input(Input::Tick)).is_empty());
    h.advance(4500);
    h.send(1, 2, op::PING, Request::Ping);
    let out = h.input(Input::Tick);
    assert_eq!(appends(&out)[0].txn, Txn::DeleteContainer { path: "/t".into() });
    h.durable();
    assert!(h.core.tree().get("/t").is_none());
}

#[test]
fn never_used_containers_with_allowance() {
    let mut h = H::new(CoreConfig { container_check_interval_ms: 1000, container_max_never_used_interval_ms: 3000, ..cfg() });
    h.connect(1);
    h.call(1, 1, op::CREATE_CONTAINER, create_req(op::CREATE_CONTAINER, "/n", b"", 4));
    h.advance(1000);
    assert!(appends(&h.input(Input::Tick)).is_empty());
    h.advance(2500);
    assert_eq!(appends(&h.input(Input::Tick)).len(), 1);
}
