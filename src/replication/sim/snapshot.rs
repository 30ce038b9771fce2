//! The simulator's snapshot payload: a whole `DataTree` serialized (nodes parents first, their
//! ACL lists and stats, the sessions, the last applied zxid), so SNAP carries real bytes.

use crate::tree::{DataTree, StatPersisted};
use crate::wire::{Acl, Id};

fn put_bytes(o: &mut Vec<u8>, b: &[u8]) {
    o.extend_from_slice(&(b.len() as u32).to_be_bytes());
    o.extend_from_slice(b);
}

pub fn serialize(t: &DataTree) -> Vec<u8> {
    let mut o = Vec::new();
    o.extend_from_slice(&t.last_processed_zxid.to_be_bytes());
    o.extend_from_slice(&(t.sessions().len() as u32).to_be_bytes());
    for (id, timeout) in t.sessions() {
        o.extend_from_slice(&id.to_be_bytes());
        o.extend_from_slice(&timeout.to_be_bytes());
    }
    // A parent's path is a prefix of its children's, so sorted order puts parents first.
    let mut nodes: Vec<_> = t.iter().collect();
    nodes.sort_by(|a, b| a.0.cmp(b.0));
    o.extend_from_slice(&(nodes.len() as u32).to_be_bytes());
    for (path, n) in nodes {
        put_bytes(&mut o, path.as_bytes());
        match n.data {
            None => o.push(0),
            Some(d) => {
                o.push(1);
                put_bytes(&mut o, d);
            }
        }
        let acl = t.acl_of(n);
        o.extend_from_slice(&(acl.len() as u32).to_be_bytes());
        for a in &acl {
            o.extend_from_slice(&a.perms.to_be_bytes());
            put_bytes(&mut o, a.id.scheme.as_bytes());
            put_bytes(&mut o, a.id.id.as_bytes());
        }
        let s = n.stat;
        for v in [s.czxid, s.mzxid, s.ctime, s.mtime, s.ephemeral_owner, s.pzxid] {
            o.extend_from_slice(&v.to_be_bytes());
        }
        for v in [s.version, s.cversion, s.aversion] {
            o.extend_from_slice(&v.to_be_bytes());
        }
    }
    o
}

struct R<'a>(&'a [u8]);

impl R<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        h
    }
    fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.take(8).try_into().expect("8"))
    }
    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.take(4).try_into().expect("4"))
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = self.i32() as usize;
        self.take(n).to_vec()
    }
    fn string(&mut self) -> String {
        String::from_utf8(self.bytes()).expect("utf8")
    }
}

/// Inverse of `serialize` (sim-internal bytes: a malformed payload is a simulator bug and panics).
pub fn deserialize(b: &[u8]) -> DataTree {
    let mut r = R(b);
    let mut t = DataTree::empty_for_load(false);
    let zxid = r.i64();
    for _ in 0..r.i32() {
        let id = r.i64();
        let timeout = r.i32();
        t.add_session(id, timeout);
    }
    let mut acls: Vec<Vec<Acl>> = Vec::new();
    for _ in 0..r.i32() {
        let path = r.string();
        let data = if r.take(1)[0] == 1 { Some(r.bytes()) } else { None };
        let acl: Vec<Acl> = (0..r.i32())
            .map(|_| {
                let perms = r.i32();
                let scheme = r.string();
                let id = r.string();
                Acl { perms, id: Id::new(scheme, id) }
            })
            .collect();
        let idx = match acls.iter().position(|a| *a == acl) {
            Some(i) => i as i64 + 1,
            None => {
                acls.push(acl.clone());
                t.insert_loaded_acl(acls.len() as i64, acl);
                acls.len() as i64
            }
        };
        let (czxid, mzxid, ctime, mtime, ephemeral_owner, pzxid) = (r.i64(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64());
        let (version, cversion, aversion) = (r.i32(), r.i32(), r.i32());
        let stat = StatPersisted { czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeral_owner, pzxid };
        assert!(t.insert_loaded_node(&path, data, idx, stat), "snapshot parent missing for {path}");
    }
    t.finish_load();
    t.last_processed_zxid = zxid;
    t
}
