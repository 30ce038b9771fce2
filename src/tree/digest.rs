//! A whole-tree digest for comparing trees across restarts: xxh3 of each node (path, data incl. null-ness,
//! ACL list, stored stat), combined with wrapping addition so iteration order does not matter.

use super::DataTree;
use xxhash_rust::xxh3::xxh3_64;

pub fn tree_digest(t: &DataTree) -> u64 {
    let mut total: u64 = 0;
    let mut buf = Vec::with_capacity(256);
    for (path, n) in t.nodes.iter() {
        buf.clear();
        buf.extend_from_slice(path.as_bytes());
        buf.push(0);
        match n.data {
            None => buf.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(d) => {
                buf.extend_from_slice(&(d.len() as i32).to_be_bytes());
                buf.extend_from_slice(d);
            }
        }
        for a in t.acls.get_ref(n.acl, &crate::wire::Acl::open_unsafe()) {
            buf.extend_from_slice(&a.perms.to_be_bytes());
            buf.extend_from_slice(a.id.scheme.as_bytes());
            buf.push(0);
            buf.extend_from_slice(a.id.id.as_bytes());
            buf.push(0);
        }
        let s = &n.stat;
        for v in [s.czxid, s.mzxid, s.ctime, s.mtime, s.ephemeral_owner, s.pzxid] {
            buf.extend_from_slice(&v.to_be_bytes());
        }
        for v in [s.version, s.cversion, s.aversion] {
            buf.extend_from_slice(&v.to_be_bytes());
        }
        total = total.wrapping_add(xxh3_64(&buf));
    }
    total
}
