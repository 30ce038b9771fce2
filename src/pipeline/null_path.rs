//! Where ZooKeeper 3.8.0 trips over a null (length -1) path, which the codec reads as "".
//!
//! The Java server keeps null strings as `null`; most code paths then treat it like any invalid path,
//! but some throw a NullPointerException, which ZooKeeper answers with MarshallingError (-5):
//! - reads whose first step is a tree lookup (getData, exists, getChildren[2], getACL,
//!   getAllChildrenNumber) and checkWatches (its path-parent walk);
//! - create* and delete (they split the path before validating it): an error txn;
//! - multi with a null path in any op (PrepRequestProcessor.getPendingChanges looks every op up
//!   before anything else): -5 with an empty MultiResponse and no txn;
//! - setWatches with a null entry in the data, exist or child list.
//! Everything else (setData, setACL, check, sync, getEphemerals, addWatch, removeWatches) behaves as
//! for "". These helpers inspect the raw body; they are only consulted after it decoded.

use crate::wire::{op, JuteReader};

/// True when the body starts with a null ustring (the path of every path-first record).
pub fn first_string_is_null(body: &[u8]) -> bool {
    body.len() >= 4 && body[..4] == [0xff, 0xff, 0xff, 0xff]
}

fn null_string(r: &mut JuteReader) -> Option<bool> {
    Some(r.read_ustring().ok()?.is_none())
}

fn skip_acls(r: &mut JuteReader) -> Option<()> {
    let n = r.read_i32().ok()?;
    for _ in 0..n.max(0) {
        r.read_i32().ok()?;
        r.read_buffer_ref().ok()?;
        r.read_buffer_ref().ok()?;
    }
    Some(())
}

/// Does any op of a multi (MultiOperationRecord body) carry a null path?
pub fn multi_has_null_path(body: &[u8]) -> bool {
    walk_multi(body).unwrap_or(false)
}

fn walk_multi(body: &[u8]) -> Option<bool> {
    let r = &mut JuteReader::new(body, usize::MAX);
    loop {
        let ty = r.read_i32().ok()?;
        let done = r.read_bool().ok()?;
        r.read_i32().ok()?;
        if done {
            return Some(false);
        }
        if null_string(r)? {
            return Some(true);
        }
        match ty {
            op::CREATE | op::CREATE2 | op::CREATE_CONTAINER | op::CREATE_TTL => {
                r.read_buffer_ref().ok()?;
                skip_acls(r)?;
                r.read_i32().ok()?;
                if ty == op::CREATE_TTL {
                    r.read_i64().ok()?;
                }
            }
            op::DELETE | op::CHECK => {
                r.read_i32().ok()?;
            }
            op::SET_DATA => {
                r.read_buffer_ref().ok()?;
                r.read_i32().ok()?;
            }
            op::GET_CHILDREN | op::GET_DATA => {
                r.read_bool().ok()?;
            }
            _ => return None,
        }
    }
}

/// The first null path of a SetWatches(2) body in its data, exist or child list, as
/// (list index 0..3, index in that list). ZooKeeper walks the lists in that order, so the entries
/// before it take effect (watches set, catch-up events sent) before the request fails.
pub fn set_watches_first_null(body: &[u8]) -> Option<(usize, usize)> {
    let r = &mut JuteReader::new(body, usize::MAX);
    r.read_i64().ok()?;
    for list in 0..3 {
        let n = r.read_i32().ok()?;
        for i in 0..n.max(0) as usize {
            if null_string(r)? {
                return Some((list, i));
            }
        }
    }
    None
}

/// Cuts `sw` down to what ZooKeeper processes before the null path at `at`.
pub fn truncate_set_watches(sw: &mut crate::wire::SetWatches, at: (usize, usize)) {
    let lists = [&mut sw.data_watches, &mut sw.exist_watches, &mut sw.child_watches];
    for (i, l) in lists.into_iter().enumerate() {
        match i.cmp(&at.0) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => l.truncate(at.1),
            std::cmp::Ordering::Greater => l.clear(),
        }
    }
    sw.persistent_watches.clear();
    sw.persistent_recursive_watches.clear();
}

/// An auth packet for the digest scheme whose auth buffer is null (ZooKeeper: AuthFailed).
pub fn digest_auth_is_null(body: &[u8]) -> bool {
    let r = &mut JuteReader::new(body, usize::MAX);
    let walk = |r: &mut JuteReader| -> Option<bool> {
        r.read_i32().ok()?;
        let scheme = r.read_ustring().ok()?;
        Some(scheme.as_deref() == Some("digest") && r.read_buffer_ref().ok()?.is_none())
    };
    walk(r).unwrap_or(false)
}

/// Ops that answer MarshallingError when their (first) path is null.
pub fn null_path_is_marshalling_error(op_code: i32) -> bool {
    matches!(
        op_code,
        op::GET_DATA
            | op::EXISTS
            | op::GET_CHILDREN
            | op::GET_CHILDREN2
            | op::GET_ACL
            | op::GET_ALL_CHILDREN_NUMBER
            | op::CHECK_WATCHES
            | op::CREATE
            | op::CREATE2
            | op::CREATE_TTL
            | op::CREATE_CONTAINER
            | op::DELETE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ustr(s: Option<&str>) -> Vec<u8> {
        match s {
            None => (-1i32).to_be_bytes().to_vec(),
            Some(s) => [(s.len() as i32).to_be_bytes().to_vec(), s.as_bytes().to_vec()].concat(),
        }
    }

    fn header(ty: i32, done: bool) -> Vec<u8> {
        [ty.to_be_bytes().to_vec(), vec![done as u8], (-1i32).to_be_bytes().to_vec()].concat()
    }

    #[test]
    fn first_string_null() {
        assert!(first_string_is_null(&[0xff, 0xff, 0xff, 0xff, 0]));
        assert!(!first_string_is_null(&ustr(Some(""))));
        assert!(!first_string_is_null(&[0xff, 0xff]));
    }

    #[test]
    fn multi_null_path_found_in_any_op() {
        let acl = [1i32.to_be_bytes().to_vec(), 31i32.to_be_bytes().to_vec(), ustr(Some("world")), ustr(Some("anyone"))].concat();
        let create = |p| [header(op::CREATE, false), ustr(p), ustr(Some("")), acl.clone(), 0i32.to_be_bytes().to_vec()].concat();
        let set = |p| [header(op::SET_DATA, false), ustr(p), ustr(Some("x")), (-1i32).to_be_bytes().to_vec()].concat();
        let end = header(-1, true);
        assert!(!multi_has_null_path(&[create(Some("/a")), set(Some("/a")), end.clone()].concat()));
        assert!(multi_has_null_path(&[create(Some("/a")), set(None), end.clone()].concat()));
        assert!(multi_has_null_path(&[create(None), end.clone()].concat()));
        assert!(!multi_has_null_path(&[set(Some("")), end].concat()), "\"\" is not null");
    }

    #[test]
    fn set_watches_null_entries() {
        let body = |lists: [Vec<Option<&str>>; 3]| {
            let mut b = 0i64.to_be_bytes().to_vec();
            for l in lists {
                b.extend((l.len() as i32).to_be_bytes());
                for p in l {
                    b.extend(ustr(p));
                }
            }
            b
        };
        assert_eq!(set_watches_first_null(&body([vec![Some("/a")], vec![], vec![Some("/")]])), None);
        assert_eq!(set_watches_first_null(&body([vec![Some("/a"), None], vec![], vec![]])), Some((0, 1)));
        assert_eq!(set_watches_first_null(&body([vec![], vec![Some("/x")], vec![None]])), Some((2, 0)));
        let mut sw = crate::wire::SetWatches {
            data_watches: vec!["/a".into(), "/b".into()],
            exist_watches: vec!["/c".into(), "".into(), "/d".into()],
            child_watches: vec!["/e".into()],
            persistent_watches: vec!["/f".into()],
            ..Default::default()
        };
        truncate_set_watches(&mut sw, (1, 1));
        assert_eq!(sw.data_watches.len(), 2);
        assert_eq!(sw.exist_watches, vec!["/c".to_string()]);
        assert!(sw.child_watches.is_empty() && sw.persistent_watches.is_empty());
    }

    #[test]
    fn digest_null_auth() {
        let pkt = |scheme, auth: Option<&str>| [0i32.to_be_bytes().to_vec(), ustr(Some(scheme)), ustr(auth)].concat();
        assert!(digest_auth_is_null(&pkt("digest", None)));
        assert!(!digest_auth_is_null(&pkt("digest", Some(""))));
        assert!(!digest_auth_is_null(&pkt("ip", None)));
    }
}
