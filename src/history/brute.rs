//! A reference checker for tiny histories: tries every order of every subset of the
//! unknown-outcome ops on a plain map model written independently of `model.rs`. Exponential;
//! for tests of the fast checker only.

use super::lin::ReadMode;
use super::types::{Event, History, Op, Outcome};
use std::collections::BTreeMap;

/// path → (data, version) of every present node.
pub(crate) type Tree = BTreeMap<String, (String, i32)>;

fn parent(path: &str) -> Option<String> {
    match path.rfind('/') {
        _ if path == "/" => None,
        Some(0) => Some("/".into()),
        Some(i) => Some(path[..i].into()),
        None => None,
    }
}

fn version_ok(cur: i32, expected: i32) -> bool {
    expected == -1 || expected == cur
}

/// Applies `op`; Ok carries (version, data, children) for comparison. Errors leave `t` unchanged.
#[allow(clippy::type_complexity)]
pub(crate) fn apply(t: &mut Tree, op: &Op) -> Result<(Option<i32>, Option<String>, Option<Vec<String>>), (Outcome, usize)> {
    let none = (None, None, None);
    match op {
        Op::Create { path, data } => {
            let Some(p) = parent(path) else { return Err((Outcome::NodeExists, 0)) };
            if !t.contains_key(&p) {
                return Err((Outcome::NoNode, 0));
            }
            if t.contains_key(path) {
                return Err((Outcome::NodeExists, 0));
            }
            t.insert(path.clone(), (data.clone(), 0));
            Ok(none)
        }
        Op::Set { path, data, version } => {
            let Some(&(_, cur)) = t.get(path) else { return Err((Outcome::NoNode, 0)) };
            if !version_ok(cur, *version) {
                return Err((Outcome::BadVersion, 0));
            }
            t.insert(path.clone(), (data.clone(), cur.wrapping_add(1)));
            Ok((Some(cur.wrapping_add(1)), None, None))
        }
        Op::Delete { path, version } => {
            let Some(&(_, cur)) = t.get(path) else { return Err((Outcome::NoNode, 0)) };
            if !version_ok(cur, *version) {
                return Err((Outcome::BadVersion, 0));
            }
            if t.keys().any(|k| parent(k).as_deref() == Some(path.as_str())) {
                return Err((Outcome::NotEmpty, 0));
            }
            t.remove(path);
            Ok(none)
        }
        Op::Check { path, version } => {
            let Some(&(_, cur)) = t.get(path) else { return Err((Outcome::NoNode, 0)) };
            if !version_ok(cur, *version) {
                return Err((Outcome::BadVersion, 0));
            }
            Ok(none)
        }
        Op::Get { path } => t.get(path).map(|(d, v)| (Some(*v), Some(d.clone()), None)).ok_or((Outcome::NoNode, 0)),
        Op::Exists { path } => t.get(path).map(|(_, v)| (Some(*v), None, None)).ok_or((Outcome::NoNode, 0)),
        Op::Children { path } => {
            if !t.contains_key(path) {
                return Err((Outcome::NoNode, 0));
            }
            let mut names: Vec<String> = t
                .keys()
                .filter(|k| parent(k).as_deref() == Some(path.as_str()))
                .map(|k| k.rsplit('/').next().unwrap_or("").to_string())
                .collect();
            names.sort();
            Ok((None, None, Some(names)))
        }
        Op::Multi { ops } => {
            let mut scratch = t.clone();
            for (i, o) in ops.iter().enumerate() {
                if let Err((e, _)) = apply(&mut scratch, o) {
                    return Err((e, i));
                }
            }
            *t = scratch;
            Ok(none)
        }
        Op::Sync { .. } => Ok(none),
    }
}

fn matches(t: &mut Tree, e: &Event) -> bool {
    let r = apply(t, &e.op);
    if e.outcome == Outcome::Unknown {
        return true;
    }
    match r {
        Err((code, at)) => code == e.outcome && (!matches!(e.op, Op::Multi { .. }) || e.failed_op.map_or(true, |f| f == at)),
        Ok((v, d, c)) => {
            let mut want_children = e.children.clone();
            if let Some(w) = want_children.as_mut() {
                w.sort();
                w.dedup();
            }
            e.outcome == Outcome::Ok
                && (e.version.is_none() || v.is_none() || e.version == v)
                && (e.data.is_none() || d.is_none() || e.data == d)
                && (want_children.is_none() || c.is_none() || want_children == c)
        }
    }
}

/// Some(true/false) for a history of at most `max_ops` events with a fully known initial tree
/// (every ancestor of an init node listed with data and version); None otherwise.
pub fn check(h: &History, reads: ReadMode, fifo: bool, max_ops: usize) -> Option<bool> {
    if h.events.len() > max_ops || h.validate().is_err() {
        return None;
    }
    let mut tree = Tree::new();
    tree.insert("/".into(), (String::new(), 0));
    for n in &h.init {
        tree.insert(n.path.clone(), (n.data.clone()?, n.version?));
    }
    for k in tree.keys() {
        if let Some(p) = parent(k) {
            if !tree.contains_key(&p) {
                return None;
            }
        }
    }
    let ev = &h.events;
    let n = ev.len();
    // Issue order within a session: invoke time, then position.
    let before_in_session = |f: usize, e: usize| ev[f].session == ev[e].session && (ev[f].invoke, f) < (ev[e].invoke, e);
    let must_precede = |f: usize, e: usize| {
        let relaxed = reads == ReadMode::Sequential && ev[e].op.is_read() && ev[f].session != ev[e].session;
        (ev[f].deadline() < ev[e].invoke && !relaxed) || (fifo && before_in_session(f, e))
    };
    fn go(tree: &Tree, settled: &mut Vec<bool>, ev: &[Event], must: &dyn Fn(usize, usize) -> bool) -> bool {
        let n = ev.len();
        if settled.iter().all(|&s| s) {
            return true;
        }
        for e in 0..n {
            if settled[e] {
                continue;
            }
            // An unknown outcome may also never take effect: then nothing orders it.
            if ev[e].outcome == Outcome::Unknown {
                settled[e] = true;
                let found = go(tree, settled, ev, must);
                settled[e] = false;
                if found {
                    return true;
                }
            }
            if (0..n).any(|f| f != e && !settled[f] && must(f, e)) {
                continue;
            }
            settled[e] = true;
            let mut t = tree.clone();
            let found = matches(&mut t, &ev[e]) && go(&t, settled, ev, must);
            settled[e] = false;
            if found {
                return true;
            }
        }
        false
    }
    let mut settled = vec![false; n];
    Some(go(&tree, &mut settled, ev, &must_precede))
}
