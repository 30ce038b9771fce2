//! Outstanding (prepared but not yet applied) changes, so a pipelined request is validated against the
//! tree as it will be (ZooKeeper's outstandingChanges / ChangeRecord).

use crate::tree::{DataTree, StatPersisted};
use crate::wire::{Acl, ErrorCode};
use crate::fast_map::{FastMap, FastSet};
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    pub zxid: i64,
    pub path: String,
    /// `None` = the node is being deleted.
    pub stat: Option<StatPersisted>,
    pub child_count: i32,
    pub acl: Arc<[Acl]>,
    pub data_len: usize,
}

/// `""` (parent of root's children) and `/` are the same node.
fn norm(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

#[derive(Debug, Default)]
pub struct Overlay {
    /// The newest record per path. Keys are shared with `log` so a record is stored once
    /// (Arc only because the core is built on one thread and moved to its executor).
    latest: FastMap<Arc<str>, ChangeRecord>,
    /// (zxid, path) of every record in prepare order, for dropping them as txns apply.
    log: VecDeque<(i64, Arc<str>)>,
    /// Per ephemeral owner, paths some outstanding record gave to it: candidates only (a later record
    /// may have deleted them), so closeSession need not scan every outstanding record.
    owned: FastMap<i64, FastSet<String>>,
}

impl Overlay {
    pub fn get(&self, path: &str) -> Option<&ChangeRecord> {
        self.latest.get(norm(path))
    }

    pub fn add(&mut self, rec: ChangeRecord) {
        if let Some(owner) = owner_of(&rec) {
            self.owned.entry(owner).or_default().insert(norm(&rec.path).to_string());
        }
        let key: Arc<str> = match self.latest.get_key_value(norm(&rec.path)) {
            Some((k, _)) => k.clone(),
            None => Arc::from(norm(&rec.path)),
        };
        self.log.push_back((rec.zxid, key.clone()));
        self.latest.insert(key, rec);
    }

    /// The session's ephemerals as the tree will be once every outstanding change applies: the tree's
    /// set plus paths outstanding records gave it, each judged by its latest record (a path changes
    /// owner only through a delete, so the latest record decides).
    pub fn ephemerals_of(&self, tree: &DataTree, session: i64) -> BTreeSet<String> {
        let mut es = BTreeSet::new();
        let candidates = tree.ephemeral_set(session).into_iter().flatten();
        let outstanding = self.owned.get(&session).into_iter().flatten();
        for path in candidates.chain(outstanding) {
            let live = match self.latest.get(path.as_str()) {
                Some(r) => owner_of(r) == Some(session),
                None => tree.get(path).map(|n| n.stat.ephemeral_owner == session).unwrap_or(false),
            };
            if live {
                es.insert(path.clone());
            }
        }
        es
    }

    /// The session is closed: no record will give it a node again.
    pub fn forget_owner(&mut self, session: i64) {
        self.owned.remove(&session);
    }

    /// The txn `zxid` was applied: drop records it (and earlier txns) produced.
    pub fn applied(&mut self, zxid: i64) {
        while self.log.front().map(|(z, _)| *z <= zxid).unwrap_or(false) {
            if let Some((_, key)) = self.log.pop_front() {
                if self.latest.get(&*key).map(|l| l.zxid <= zxid).unwrap_or(false) {
                    if let Some(owner) = self.latest.remove(&*key).as_ref().and_then(owner_of) {
                        self.unown(owner, &key);
                    }
                }
            }
        }
    }

}

fn owner_of(rec: &ChangeRecord) -> Option<i64> {
    rec.stat.as_ref().map(|st| st.ephemeral_owner).filter(|&o| o != 0)
}

impl Overlay {
    fn unown(&mut self, owner: i64, path: &str) {
        if let Some(set) = self.owned.get_mut(&owner) {
            set.remove(path);
            if set.is_empty() {
                self.owned.remove(&owner);
            }
        }
    }
}

/// One request's view: its own new records, then the outstanding overlay, then the committed tree.
/// Dropping a scratch without merging is the multi rollback.
pub struct Scratch<'a> {
    pub tree: &'a DataTree,
    base: &'a Overlay,
    added: Vec<ChangeRecord>,
    index: crate::fast_map::FastMap<String, usize>,
}

impl<'a> Scratch<'a> {
    pub fn new(tree: &'a DataTree, base: &'a Overlay) -> Scratch<'a> {
        Scratch { tree, base, added: Vec::new(), index: Default::default() }
    }

    /// getRecordForPath: NoNode when missing or being deleted.
    pub fn record(&self, path: &str) -> Result<ChangeRecord, ErrorCode> {
        let rec = if let Some(&i) = self.index.get(norm(path)) {
            Some(self.added[i].clone())
        } else if let Some(r) = self.base.get(path) {
            Some(r.clone())
        } else {
            self.tree.get(path).map(|n| ChangeRecord {
                zxid: -1,
                path: path.to_string(),
                stat: Some(n.stat),
                child_count: n.children.len() as i32,
                acl: self.tree.acl_shared(n),
                data_len: n.data_len(),
            })
        };
        match rec {
            Some(r) if r.stat.is_some() => Ok(r),
            _ => Err(ErrorCode::NoNode),
        }
    }

    pub fn add(&mut self, rec: ChangeRecord) {
        self.index.insert(norm(&rec.path).to_string(), self.added.len());
        self.added.push(rec);
    }

    /// The records this request produced, in order, for `Overlay::add`.
    pub fn into_added(self) -> Vec<ChangeRecord> {
        self.added
    }
}
