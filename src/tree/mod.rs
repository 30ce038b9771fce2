//! The znode tree (ZooKeeper's DataTree): nodes, interned ACLs, ephemeral/container/TTL indexes,
//! quota usage, and the txn apply functions (`apply.rs`) with ZooKeeper's idempotent replay rules.

mod acl_cache;
mod apply;
pub mod base;
mod children;
mod digest;
mod load;
mod node;
mod store;
pub mod path;
pub mod quota;

pub use acl_cache::{AclCache, OPEN_UNSAFE_ACL_ID};
pub use apply::{TxnResult, WatchTrigger};
pub use base::{BaseAux, BaseTree, MemBase};
pub use children::Children;
pub use load::SnapshotJob;
pub use node::{
    ttl_of_owner, ttl_owner, ttl_valid, ChildrenRef, EphemeralType, Node, NodeRef, StatPersisted, CONTAINER_EPHEMERAL_OWNER,
    MAX_TTL,
};
pub use store::{FrozenView, Layer};

use crate::wire::{Acl, Stat};
use quota::QuotaIndex;
use store::Store;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const ROOT: &str = "/";
pub const PROC_NODE: &str = "/zookeeper";
pub const QUOTA_NODE: &str = "/zookeeper/quota";
pub const CONFIG_NODE: &str = "/zookeeper/config";

#[derive(Debug, Clone)]
pub struct DataTree {
    /// Keyed by full path; the root is `/` (lookups of `""` are aliased to it, as in ZooKeeper).
    /// Layered: changed nodes in memory over the memory-mapped snapshot (see `store.rs`).
    nodes: Store,
    acls: AclCache,
    ephemerals: HashMap<i64, BTreeSet<String>>,
    containers: BTreeSet<String>,
    ttls: BTreeSet<String>,
    quotas: QuotaIndex,
    /// Sum of path length + data length over all nodes (incl. ZooKeeper's `""` alias entry).
    data_size: i64,
    /// Sessions and their timeouts as the log/snapshot knows them (ZKDatabase.sessionsWithTimeouts).
    sessions: BTreeMap<i64, i32>,
    pub last_processed_zxid: i64,
    extended_types_enabled: bool,
}

fn path_size(path: &str, data: Option<&[u8]>) -> i64 {
    // Java String.length() (UTF-16 units; valid paths are BMP-only so chars == units).
    path.chars().count() as i64 + data.map(|d| d.len() as i64).unwrap_or(0)
}

impl DataTree {
    /// A fresh tree with `/`, `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config` (READ-only ACL).
    pub fn new(extended_types_enabled: bool) -> DataTree {
        let mut t = DataTree {
            nodes: Store::new(),
            acls: AclCache::new(),
            ephemerals: HashMap::new(),
            containers: BTreeSet::new(),
            ttls: BTreeSet::new(),
            quotas: QuotaIndex::default(),
            data_size: 0,
            sessions: BTreeMap::new(),
            last_processed_zxid: 0,
            extended_types_enabled,
        };
        let empty = || Node::new(Some(Vec::new()), OPEN_UNSAFE_ACL_ID, StatPersisted::default());
        let mut root = empty();
        root.children.insert(None, "zookeeper");
        let mut proc_node = empty();
        proc_node.children.insert(None, "quota");
        proc_node.children.insert(None, "config");
        let mut config = empty();
        config.acl = t.acls.intern(&Acl::read_unsafe());
        // ZooKeeper installs this ACL with setACL(version -1), which stores -1 as the aversion.
        config.stat.aversion = -1;
        t.nodes.insert_new(ROOT, root);
        t.nodes.insert_new(PROC_NODE, proc_node);
        t.nodes.insert_new(QUOTA_NODE, empty());
        t.nodes.insert_new(CONFIG_NODE, config);
        t.data_size = t.compute_data_size();
        t
    }

    /// An empty tree without system nodes, for snapshot loading (`insert_loaded_node` fills it).
    pub fn empty_for_load(extended_types_enabled: bool) -> DataTree {
        let mut t = DataTree::new(extended_types_enabled);
        t.nodes = Store::new();
        t.acls = AclCache::new();
        t.data_size = 0;
        t
    }

    pub fn extended_types_enabled(&self) -> bool {
        self.extended_types_enabled
    }

    fn key(path: &str) -> &str {
        if path.is_empty() {
            ROOT
        } else {
            path
        }
    }

    pub fn get(&self, path: &str) -> Option<NodeRef<'_>> {
        self.nodes.get(Self::key(path))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn ephemeral_type(&self, owner: i64) -> EphemeralType {
        EphemeralType::of(owner, self.extended_types_enabled)
    }

    pub fn client_stat(&self, node: NodeRef) -> Stat {
        node.client_stat(self.extended_types_enabled)
    }

    pub fn stat(&self, path: &str) -> Option<Stat> {
        self.get(path).map(|n| self.client_stat(n))
    }

    /// The ACL list of a node (shared storage; clone only when needed).
    pub fn acl_of(&self, node: NodeRef) -> Vec<Acl> {
        self.acls.get(node.acl)
    }

    /// `acl_of` without copying the list.
    pub fn acl_shared(&self, node: NodeRef) -> std::sync::Arc<[Acl]> {
        self.acls.get_shared(node.acl)
    }

    pub fn acl(&self, path: &str) -> Option<Vec<Acl>> {
        self.get(path).map(|n| self.acl_of(n))
    }

    pub fn acl_cache(&self) -> &AclCache {
        &self.acls
    }

    pub fn children(&self, path: &str) -> Option<Vec<String>> {
        self.get(path).map(|n| n.children.iter().map(String::from).collect())
    }

    /// ZooKeeper's node count (`nodes.size()`), which includes the `""` alias of the root: a fresh tree says 5.
    pub fn node_count(&self) -> usize {
        self.nodes.len() + 1
    }

    /// Real number of znodes.
    pub fn znode_count(&self) -> usize {
        self.nodes.len()
    }

    /// approximateDataSize: path length + data length of every entry.
    pub fn approximate_data_size(&self) -> i64 {
        self.data_size
    }

    fn compute_data_size(&self) -> i64 {
        // The `""` alias contributes 0 + root data.
        let root_data = self.get(ROOT).and_then(|n| n.data);
        let alias = path_size("", root_data);
        alias + self.nodes.iter().map(|(p, n)| path_size(p, n.data)).sum::<i64>()
    }

    /// getAllChildrenNumber: descendants of `path` (for `/`: every node but the root).
    pub fn all_children_number(&self, path: &str) -> i32 {
        if path.is_empty() {
            return self.nodes.len() as i32;
        }
        let mut count = 0i64;
        let mut stack = vec![path.to_string()];
        while let Some(p) = stack.pop() {
            if let Some(n) = self.nodes.get(&p) {
                for c in n.children.iter() {
                    count += 1;
                    stack.push(if p == ROOT { format!("/{c}") } else { format!("{p}/{c}") });
                }
            }
        }
        count as i32
    }

    /// The session's ephemeral paths (sorted).
    pub fn ephemerals(&self, session: i64) -> Vec<String> {
        self.ephemerals.get(&session).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }

    /// The session's ephemeral paths, borrowed.
    pub fn ephemeral_set(&self, session: i64) -> Option<&BTreeSet<String>> {
        self.ephemerals.get(&session)
    }

    pub fn all_ephemerals(&self) -> &HashMap<i64, BTreeSet<String>> {
        &self.ephemerals
    }

    pub fn ephemerals_count(&self) -> usize {
        self.ephemerals.values().map(|s| s.len()).sum()
    }

    pub fn containers(&self) -> &BTreeSet<String> {
        &self.containers
    }

    pub fn ttls(&self) -> &BTreeSet<String> {
        &self.ttls
    }

    /// Sessions known to the log (createSession adds, closeSession removes) with their timeouts.
    pub fn sessions(&self) -> &BTreeMap<i64, i32> {
        &self.sessions
    }

    pub fn add_session(&mut self, id: i64, timeout: i32) {
        self.sessions.insert(id, timeout);
    }

    /// Deepest quota root above `path`, if any.
    pub fn max_prefix_with_quota(&self, path: &str) -> Option<String> {
        self.quotas.max_prefix(path)
    }

    /// Iterates all (path, node) pairs (unordered).
    pub fn iter(&self) -> impl Iterator<Item = (&str, NodeRef<'_>)> + '_ {
        self.nodes.iter()
    }

    /// Nodes held in memory over the snapshot base (changed since it), for diagnostics.
    pub fn overlay_len(&self) -> usize {
        self.nodes.overlay_len()
    }

    /// Snapshot loading: registers an ACL-cache entry with its original index.
    pub fn insert_loaded_acl(&mut self, idx: i64, acls: Vec<Acl>) {
        self.acls.insert_loaded(idx, acls);
    }

    /// Snapshot loading: adds a node (parents first; the root arrives as `""` or `/`). Rebuilds the
    /// child link and the ephemeral/container/TTL indexes from the stored owner. Returns false if the parent
    /// is missing.
    pub fn insert_loaded_node(&mut self, path: &str, data: Option<Vec<u8>>, acl: i64, stat: StatPersisted) -> bool {
        let key = Self::key(path).to_string();
        self.acls.add_usage(acl);
        if key != ROOT {
            let (parent, child) = path::split(&key);
            match self.nodes.get_mut(Self::key(parent)) {
                Some((p, base)) => p.children.insert(base, child),
                None => return false,
            }
            self.index_owner(&key, stat.ephemeral_owner);
        }
        let mut node = Node::new(data, acl, stat);
        if let Some((old, _)) = self.nodes.get_mut(&key) {
            node.children = std::mem::take(&mut old.children);
            *old = node;
        } else {
            self.nodes.insert_new(&key, node);
        }
        true
    }

    /// Snapshot loading: call once all nodes are in (recomputes sizes and quota usage).
    pub fn finish_load(&mut self) {
        self.data_size = self.compute_data_size();
        self.setup_quota();
    }

    fn index_owner(&mut self, path: &str, owner: i64) {
        match self.ephemeral_type(owner) {
            EphemeralType::Container => {
                self.containers.insert(path.to_string());
            }
            EphemeralType::Ttl => {
                self.ttls.insert(path.to_string());
            }
            EphemeralType::Normal => {
                self.ephemerals.entry(owner).or_default().insert(path.to_string());
            }
            EphemeralType::Void => {}
        }
    }

    fn unindex_owner(&mut self, path: &str, owner: i64) {
        match self.ephemeral_type(owner) {
            EphemeralType::Container => {
                self.containers.remove(path);
            }
            EphemeralType::Ttl => {
                self.ttls.remove(path);
            }
            EphemeralType::Normal => {
                if let Some(s) = self.ephemerals.get_mut(&owner) {
                    s.remove(path);
                }
            }
            EphemeralType::Void => {}
        }
    }

    /// Order-independent digest of the whole tree (paths, data, stats, ACLs), for restart comparisons.
    pub fn digest(&self) -> u64 {
        digest::tree_digest(self)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod layer_props;
