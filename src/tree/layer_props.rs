//! The layered store must be invisible: a tree that freezes, snapshots, installs and restarts from
//! snapshots at arbitrary points must equal, node for node, a tree that never does.

use super::*;
use crate::txn::{Txn, TxnHeader};
use crate::wire::{perms, Id};
use proptest::prelude::*;
use std::sync::Arc;

#[derive(Debug, Clone)]
enum Step {
    Create { parent: u8, name: u8, eph: bool, data: Option<u8> },
    Delete { parent: u8, name: u8 },
    Set { parent: u8, name: u8, data: u8 },
    SetAcl { parent: u8, name: u8 },
    CloseSession,
    Freeze,
    Install,
    Abort,
    Restart,
}

const PARENTS: [&str; 4] = ["/", "/p", "/p/q", "/r"];

fn path(parent: u8, name: u8) -> String {
    let p = PARENTS[parent as usize % PARENTS.len()];
    if p == "/" {
        format!("/{}", ["p", "r", "a", "b", "c"][name as usize % 5])
    } else {
        format!("{p}/{}", ["q", "a", "b", "c", "d", "e"][name as usize % 6])
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (any::<u8>(), any::<u8>(), any::<bool>(), proptest::option::of(any::<u8>()))
            .prop_map(|(parent, name, eph, data)| Step::Create { parent, name, eph, data }),
        3 => (any::<u8>(), any::<u8>()).prop_map(|(parent, name)| Step::Delete { parent, name }),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(parent, name, data)| Step::Set { parent, name, data }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(parent, name)| Step::SetAcl { parent, name }),
        1 => Just(Step::CloseSession),
        2 => Just(Step::Freeze),
        2 => Just(Step::Install),
        1 => Just(Step::Abort),
        1 => Just(Step::Restart),
    ]
}

/// (path, stat, data, acl, sorted children) of every node, sorted by path.
fn listing(t: &DataTree) -> Vec<(String, Stat, Option<Vec<u8>>, Vec<Acl>, Vec<String>)> {
    let mut v: Vec<_> = t
        .iter()
        .map(|(p, n)| {
            let mut c: Vec<String> = n.children.iter().map(String::from).collect();
            c.sort();
            (p.to_string(), t.client_stat(n), n.data.map(|d| d.to_vec()), t.acl_of(n), c)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn txn_for(s: &Step, t: &DataTree) -> Option<Txn> {
    Some(match *s {
        Step::Create { parent, name, eph, data } => {
            let p = path(parent, name);
            let (par, _) = path::split(&p);
            // Prep refuses children of ephemerals; the tree never sees such a txn.
            if t.get(par).map(|n| n.stat.ephemeral_owner != 0).unwrap_or(false) {
                return None;
            }
            let pcv = t.get(par).map(|n| n.stat.cversion + 1).unwrap_or(1);
            Txn::Create { path: p, data: data.map(|d| vec![d; d as usize % 5]), acl: Acl::open_unsafe(), ephemeral: eph, parent_cversion: pcv, create2: false }
        }
        Step::Delete { parent, name } => {
            // Prep answers NotEmpty for a node with children.
            let p = path(parent, name);
            if t.get(&p).map(|n| !n.children.is_empty()).unwrap_or(false) {
                return None;
            }
            Txn::Delete { path: p }
        }
        Step::Set { parent, name, data } => Txn::SetData { path: path(parent, name), data: Some(vec![data]), version: data as i32 },
        Step::SetAcl { parent, name } => Txn::SetAcl {
            path: path(parent, name),
            acl: vec![Acl { perms: perms::READ | perms::WRITE, id: Id::new("world", "anyone") }],
            version: 1,
        },
        Step::CloseSession => Txn::CloseSession { paths: vec![] },
        _ => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn snapshots_are_invisible(steps in proptest::collection::vec(step(), 1..80)) {
        let mut plain = DataTree::new(false);
        let mut layered = DataTree::new(false);
        let mut job: Option<SnapshotJob> = None;
        let mut last_snapshot: Option<(Arc<dyn BaseTree>, BaseAux)> = None;
        let mut log: Vec<(TxnHeader, Txn)> = Vec::new();
        let mut zxid = 0i64;
        let session = 0x42;
        for s in &steps {
            let is_txn = !matches!(s, Step::Freeze | Step::Install | Step::Abort | Step::Restart);
            if is_txn {
                let Some(txn) = txn_for(s, &plain) else { continue };
                zxid += 1;
                let h = TxnHeader { client_id: session, cxid: zxid as i32, zxid, time: 1000 + zxid, op: txn.op_code() };
                let (mut a, mut b) = (vec![], vec![]);
                let ra = plain.process_txn(&h, &txn, &mut a);
                let rb = layered.process_txn(&h, &txn, &mut b);
                prop_assert_eq!(ra, rb);
                prop_assert_eq!(a, b);
                log.push((h, txn));
                continue;
            }
            match s {
                Step::Freeze => {
                    if let Some(j) = layered.freeze() {
                        job = Some(j);
                    }
                }
                Step::Install => {
                    if let Some(j) = job.take() {
                        let (base, aux) = j.to_mem_base();
                        let base: Arc<dyn BaseTree> = Arc::new(base);
                        layered.install_snapshot(base.clone());
                        last_snapshot = Some((base, aux));
                    }
                }
                Step::Abort => {
                    if job.take().is_some() {
                        layered.abort_snapshot();
                    }
                }
                Step::Restart => {
                    // Start from the last installed snapshot and replay the log after it.
                    job = None;
                    layered = match &last_snapshot {
                        Some((base, aux)) => DataTree::from_base(base.clone(), aux, false),
                        None => DataTree::new(false),
                    };
                    let from = layered.last_processed_zxid;
                    for (h, txn) in log.iter().filter(|(h, _)| h.zxid > from) {
                        layered.process_txn(h, txn, &mut vec![]);
                    }
                }
                _ => unreachable!(),
            }
            prop_assert_eq!(layered.last_processed_zxid, plain.last_processed_zxid);
        }
        prop_assert_eq!(listing(&layered), listing(&plain));
        prop_assert_eq!(layered.digest(), plain.digest());
        prop_assert_eq!(layered.node_count(), plain.node_count());
        prop_assert_eq!(layered.approximate_data_size(), plain.approximate_data_size());
        prop_assert_eq!(layered.all_ephemerals().iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>().len(),
                        plain.all_ephemerals().iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>().len());
        prop_assert_eq!(layered.ephemerals(session), plain.ephemerals(session));
        prop_assert_eq!(layered.sessions(), plain.sessions());
        // Indices may differ after a restart (ZooKeeper also restarts its counter at the largest
        // loaded index); the lists and their reference counts may not.
        let table = |t: &DataTree| {
            let mut v: Vec<(Vec<Acl>, u64)> = t.acl_cache().entries().map(|(i, l)| (l.to_vec(), t.acl_cache().ref_count(i))).collect();
            v.sort_by(|a, b| format!("{:?}", a).cmp(&format!("{:?}", b)));
            v
        };
        prop_assert_eq!(table(&layered), table(&plain));
    }
}
