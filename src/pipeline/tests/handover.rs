//! A Core's tree handed to the next Core on a role change; a leader's counter set to its epoch.

use super::harness::*;
use crate::pipeline::{Core, CoreConfig, ForwardedPacket, Input, Output, Role};
use crate::wire::*;

#[test]
fn a_leader_core_for_a_new_epoch_proposes_from_epoch_shifted_zxids() {
    let mut h = H::new(cfg());
    h.connect(1);
    let (tree, conns) = std::mem::replace(&mut h.core, Core::new(cfg())).into_tree();
    assert_eq!(conns, vec![1], "the client connection is the edge's to close");
    assert_eq!(tree.last_processed_zxid, 1);
    let epoch_base = 5i64 << 32;
    h.core = Core::with_tree_and_zxid(CoreConfig { role: Role::Leader, ..cfg() }, tree, epoch_base);
    assert_eq!(h.core.last_assigned_zxid(), epoch_base);
    h.last_appended = 0;
    let out = h.connect_raw(2);
    assert!(matches!(out.as_slice(), [Output::Append { zxid, .. }] if *zxid == epoch_base + 1), "{out:?}");
    // The committed session of the first Core lives on in the tree.
    assert_eq!(h.core.tree().sessions().len(), 1);
}

#[test]
fn into_tree_leaves_out_the_leaders_stand_in_connections() {
    let mut h = H::new(CoreConfig { role: Role::Leader, ..cfg() });
    h.connect(1);
    let s = h.core.tree().sessions().keys().next().copied().expect("one session");
    let packet = ForwardedPacket { session: s, timeout: 30000, header: RequestHeader { xid: 1, op: op::SYNC }, body: vec![0, 0, 0, 1, b'/'], ids: vec![] };
    h.input(Input::Forwarded { server: 2, packet });
    assert_eq!(h.core.stats().connections.len(), 2, "a stand-in for the follower's session");
    let (_, conns) = h.core.into_tree();
    assert_eq!(conns, vec![1]);
}
