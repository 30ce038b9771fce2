//! The read-only base layer of the tree: a snapshot served in place (zero-copy). The tree only needs
//! these lookups; `crate::snapshot` implements them over the memory-mapped rkyv archive of
//! zkd-storage, and `MemBase` (below) implements them in memory for tests and simulations.

use super::StatPersisted;
use crate::wire::Acl;
use std::collections::HashMap;
use std::ops::Range;

/// A frozen set of nodes indexed by `u32`. Every node's children are a contiguous index range,
/// sorted by name. Index 0 is the root `/`.
pub trait BaseTree: Send + Sync {
    fn last_zxid(&self) -> i64;
    fn node_count(&self) -> u32;
    fn lookup(&self, path: &str) -> Option<u32>;
    fn path_of(&self, idx: u32) -> &str;
    fn name_of(&self, idx: u32) -> &str;
    fn data(&self, idx: u32) -> Option<&[u8]>;
    fn stat(&self, idx: u32) -> StatPersisted;
    fn acl(&self, idx: u32) -> i64;
    fn children(&self, idx: u32) -> Range<u32>;
    /// Binary search in the name-sorted child run.
    fn find_child(&self, parent: u32, name: &str) -> Option<u32> {
        let r = self.children(parent);
        let (mut lo, mut hi) = (r.start, r.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.name_of(mid).cmp(name) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// What a snapshot carries besides the nodes; loaded into memory at start-up (small tables).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseAux {
    /// ACL table: (index, reference count, list).
    pub acls: Vec<(i64, u64, Vec<Acl>)>,
    /// Sessions and their timeouts.
    pub sessions: Vec<(i64, i32)>,
    /// approximateDataSize at the snapshot.
    pub data_size: i64,
    /// Indices of nodes with a non-zero ephemeral owner (ephemerals, containers, TTL nodes).
    pub special: Vec<u32>,
}

/// The name part of a path ("" for the root).
pub fn name_part(path: &str) -> &str {
    if path == "/" {
        ""
    } else {
        path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path)
    }
}

/// The parent part of a path ("" for the root, "/" for a child of the root).
pub fn parent_part(path: &str) -> &str {
    match path.rsplit_once('/') {
        _ if path == "/" => "",
        Some(("", _)) => "/",
        Some((p, _)) => p,
        None => "",
    }
}

struct MemNode {
    path: String,
    data: Option<Vec<u8>>,
    acl: i64,
    stat: StatPersisted,
    children: Range<u32>,
}

/// An in-memory `BaseTree` laid out exactly as the snapshot archive is: nodes sorted by
/// (parent, name) with the root first, so children are contiguous and name-sorted.
pub struct MemBase {
    last_zxid: i64,
    nodes: Vec<MemNode>,
    index: HashMap<String, u32>,
}

impl MemBase {
    /// Builds from (path, data, acl, stat) rows in any order; every parent must be present.
    pub fn build(last_zxid: i64, rows: Vec<(String, Option<Vec<u8>>, i64, StatPersisted)>) -> MemBase {
        let mut rows = rows;
        rows.sort_by(|a, b| (parent_part(&a.0), name_part(&a.0)).cmp(&(parent_part(&b.0), name_part(&b.0))));
        let index: HashMap<String, u32> = rows.iter().enumerate().map(|(i, r)| (r.0.clone(), i as u32)).collect();
        let mut nodes: Vec<MemNode> = rows
            .into_iter()
            .map(|(path, data, acl, stat)| MemNode { path, data, acl, stat, children: 0..0 })
            .collect();
        // Children of P form the run whose parent_part == P; record each run on its parent.
        let mut i = 0;
        while i < nodes.len() {
            let parent = parent_part(&nodes[i].path).to_string();
            let mut j = i;
            while j < nodes.len() && parent_part(&nodes[j].path) == parent {
                j += 1;
            }
            if !parent.is_empty() {
                if let Some(&p) = index.get(&parent) {
                    nodes[p as usize].children = i as u32..j as u32;
                }
            }
            i = j;
        }
        MemBase { last_zxid, nodes, index }
    }
}

impl BaseTree for MemBase {
    fn last_zxid(&self) -> i64 {
        self.last_zxid
    }
    fn node_count(&self) -> u32 {
        self.nodes.len() as u32
    }
    fn lookup(&self, path: &str) -> Option<u32> {
        self.index.get(path).copied()
    }
    fn path_of(&self, idx: u32) -> &str {
        &self.nodes[idx as usize].path
    }
    fn name_of(&self, idx: u32) -> &str {
        name_part(&self.nodes[idx as usize].path)
    }
    fn data(&self, idx: u32) -> Option<&[u8]> {
        self.nodes[idx as usize].data.as_deref()
    }
    fn stat(&self, idx: u32) -> StatPersisted {
        self.nodes[idx as usize].stat
    }
    fn acl(&self, idx: u32) -> i64 {
        self.nodes[idx as usize].acl
    }
    fn children(&self, idx: u32) -> Range<u32> {
        self.nodes[idx as usize].children.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        assert_eq!((parent_part("/"), name_part("/")), ("", ""));
        assert_eq!((parent_part("/a"), name_part("/a")), ("/", "a"));
        assert_eq!((parent_part("/a/b"), name_part("/a/b")), ("/a", "b"));
    }

    #[test]
    fn mem_base_children_are_sorted_runs() {
        let row = |p: &str| (p.to_string(), None, -1, StatPersisted::default());
        let b = MemBase::build(7, vec![row("/b/y"), row("/a"), row("/"), row("/b"), row("/b/x"), row("/a/z")]);
        assert_eq!(b.path_of(0), "/");
        let names = |i: u32| b.children(i).map(|c| b.name_of(c).to_string()).collect::<Vec<_>>();
        assert_eq!(names(0), vec!["a", "b"]);
        assert_eq!(names(b.lookup("/b").unwrap()), vec!["x", "y"]);
        assert_eq!(names(b.lookup("/a").unwrap()), vec!["z"]);
        assert!(names(b.lookup("/b/x").unwrap()).is_empty());
        assert_eq!(b.find_child(b.lookup("/b").unwrap(), "y"), b.lookup("/b/y"));
        assert_eq!(b.find_child(0, "c"), None);
    }
}
