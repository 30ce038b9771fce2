//! The whole tree as a client sees it: every znode with its data, full Stat, ACL and children,
//! read with getChildren2 + getData + getACL from `/` down. Two listings of an unchanged tree
//! must be equal, whatever happened to the server in between.

use std::time::Duration;
use zookeeper_client as zk;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeListing {
    pub path: String,
    pub data: Vec<u8>,
    pub stat: zk::Stat,
    pub acl: Vec<zk::Acl>,
    /// Sorted: ZooKeeper does not promise an order of children (its HashSet order can change on restart).
    pub children: Vec<String>,
}

/// Upper bound of znodes a listing reads, so that a runaway tree cannot hang a test.
const MAX_NODES: usize = 200_000;
const CALL_LIMIT: Duration = Duration::from_secs(10);

async fn bounded<T>(what: &str, path: &str, f: impl std::future::Future<Output = Result<T, zk::Error>>) -> T {
    match tokio::time::timeout(CALL_LIMIT, f).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{what} {path}: {e}"),
        Err(_) => panic!("{what} {path}: no answer within {CALL_LIMIT:?}"),
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// Lists every znode, sorted by path. Nothing may write to the tree meanwhile: the three reads of
/// one node must report the same Stat, and the listing asserts that they do.
pub async fn list_tree(client: &zk::Client) -> Vec<NodeListing> {
    let mut out = Vec::new();
    let mut todo = vec!["/".to_string()];
    while let Some(path) = todo.pop() {
        assert!(out.len() < MAX_NODES, "tree has more than {MAX_NODES} znodes");
        // Sent together (the client keeps request order), answered in order.
        let (data, children, acl) = tokio::join!(
            bounded("getData", &path, client.get_data(&path)),
            bounded("getChildren", &path, client.get_children(&path)),
            bounded("getACL", &path, client.get_acl(&path)),
        );
        let ((data, stat), (mut children, children_stat), (acl, acl_stat)) = (data, children, acl);
        assert_eq!(stat, children_stat, "{path}: getData and getChildren report different Stats");
        assert_eq!(stat, acl_stat, "{path}: getData and getACL report different Stats");
        assert_eq!(stat.num_children as usize, children.len(), "{path}: numChildren does not match the children");
        assert_eq!(stat.data_length as usize, data.len(), "{path}: dataLength does not match the data");
        children.sort();
        for c in &children {
            todo.push(child_path(&path, c));
        }
        out.push(NodeListing { path, data, stat, acl, children });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Panics with the first differences (at most 10) between two listings, naming `context`.
pub fn assert_same_tree(before: &[NodeListing], after: &[NodeListing], context: &str) {
    if before == after {
        return;
    }
    let mut diffs = Vec::new();
    let mut i = 0;
    let mut j = 0;
    while (i < before.len() || j < after.len()) && diffs.len() < 10 {
        match (before.get(i), after.get(j)) {
            (Some(a), Some(b)) if a.path == b.path => {
                if a != b {
                    diffs.push(format!("changed {}:\n  before {a:?}\n  after  {b:?}", a.path));
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.path < b.path => {
                diffs.push(format!("gone {}", a.path));
                i += 1;
            }
            (Some(a), None) => {
                diffs.push(format!("gone {}", a.path));
                i += 1;
            }
            (_, Some(b)) => {
                diffs.push(format!("new {}", b.path));
                j += 1;
            }
            (None, None) => break,
        }
    }
    panic!(
        "{context}: the tree differs ({} znodes before, {} after); first differences:\n{}",
        before.len(),
        after.len(),
        diffs.join("\n")
    );
}
