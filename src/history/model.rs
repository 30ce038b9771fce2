//! The sequential model: a ZooKeeper tree restricted to the paths a history mentions, and the step
//! function that applies one op and compares its result with what the client saw.
//!
//! Rules follow ZooKeeper's PrepRequestProcessor (and zkd's `src/pipeline/prep.rs`): create checks
//! the parent, then the node; set/delete/check compare the expected version (-1 matches any) and
//! bump it with 32-bit wrap; delete refuses a node with children after the version check; a multi
//! applies its ops in order and either commits all or reports the first failure.

use super::types::{Event, History, Op, Outcome};
use std::collections::HashMap;

/// A present node. `None` fields are unknown (an initial node declared without data/version):
/// they match any observation, and the first observation fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Node {
    pub data: Option<u32>,
    pub version: Option<i32>,
}

/// An op with interned paths (global path ids) and data.
#[derive(Debug, Clone)]
pub(crate) enum POp {
    Create { p: u32, data: u32 },
    Set { p: u32, data: u32, version: i32 },
    Delete { p: u32, version: i32 },
    Check { p: u32, version: i32 },
    Get { p: u32 },
    Exists { p: u32 },
    Children { p: u32 },
    Multi(Vec<POp>),
    Sync,
}

/// What the client saw, interned.
#[derive(Debug, Clone)]
pub(crate) struct Obs {
    pub outcome: Outcome,
    pub version: Option<i32>,
    pub data: Option<u32>,
    /// Sorted global path ids of the children named.
    pub children: Option<Vec<u32>>,
    pub failed_op: Option<usize>,
}

/// An event ready for checking.
#[derive(Debug, Clone)]
pub(crate) struct PEvent {
    /// Index into `History::events`.
    pub idx: usize,
    pub id: u64,
    pub session: u32,
    /// Position in the session's issue order.
    pub seq: u32,
    pub invoke: u64,
    /// `u64::MAX` for an unknown outcome.
    pub deadline: u64,
    pub op: POp,
    pub obs: Obs,
    pub is_read: bool,
    pub is_sync: bool,
    /// The order in which to try candidates: the reply zxid (the server's own order), writes
    /// before reads of the same zxid; ops without one last. Only a heuristic: the search is complete.
    pub hint: (i64, bool),
}

impl PEvent {
    pub fn unknown(&self) -> bool {
        self.obs.outcome == Outcome::Unknown
    }
}

/// Every path of the history, the tree relations among them, and the initial tree.
#[derive(Debug)]
pub(crate) struct Universe {
    pub paths: Vec<String>,
    index: HashMap<String, u32>,
    pub parent: Vec<Option<u32>>,
    pub children: Vec<Vec<u32>>,
    pub init: Vec<Option<Node>>,
    /// Some op may create or delete the path: its existence is part of the search state.
    pub mutable: Vec<bool>,
    data: HashMap<String, u32>,
}

fn parent_of(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&path[..i]),
        None => None,
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

impl Universe {
    fn intern_path(&mut self, path: &str) -> u32 {
        if let Some(&i) = self.index.get(path) {
            return i;
        }
        let parent = parent_of(path).map(|p| p.to_string());
        let pid = parent.map(|p| self.intern_path(&p));
        let id = self.paths.len() as u32;
        self.paths.push(path.to_string());
        self.index.insert(path.to_string(), id);
        self.parent.push(pid);
        self.children.push(Vec::new());
        self.init.push(None);
        self.mutable.push(false);
        if let Some(p) = pid {
            self.children[p as usize].push(id);
        }
        id
    }

    pub fn intern_data(&mut self, d: &str) -> u32 {
        let n = self.data.len() as u32;
        *self.data.entry(d.to_string()).or_insert(n)
    }

    pub fn path(&self, id: u32) -> &str {
        &self.paths[id as usize]
    }

    fn prepare_op(&mut self, op: &Op) -> POp {
        match op {
            Op::Create { path, data } => POp::Create { p: self.intern_path(path), data: self.intern_data(data) },
            Op::Set { path, data, version } => POp::Set { p: self.intern_path(path), data: self.intern_data(data), version: *version },
            Op::Delete { path, version } => POp::Delete { p: self.intern_path(path), version: *version },
            Op::Check { path, version } => POp::Check { p: self.intern_path(path), version: *version },
            Op::Get { path } => POp::Get { p: self.intern_path(path) },
            Op::Exists { path } => POp::Exists { p: self.intern_path(path) },
            Op::Children { path } => POp::Children { p: self.intern_path(path) },
            Op::Multi { ops } => POp::Multi(ops.iter().map(|o| self.prepare_op(o)).collect()),
            Op::Sync { .. } => POp::Sync,
        }
    }

    /// Interns the whole history. Sessions get dense ids; `seq` is the issue order within a session
    /// (invoke time, then file order).
    pub fn build(h: &History) -> (Universe, Vec<PEvent>) {
        let mut u = Universe {
            paths: Vec::new(),
            index: HashMap::new(),
            parent: Vec::new(),
            children: Vec::new(),
            init: Vec::new(),
            mutable: Vec::new(),
            data: HashMap::new(),
        };
        let root = u.intern_path("/");
        u.init[root as usize] = Some(Node { data: None, version: None });
        for n in &h.init {
            let id = u.intern_path(&n.path);
            let data = n.data.as_ref().map(|d| u.intern_data(d));
            u.init[id as usize] = Some(Node { data, version: n.version });
            let mut a = u.parent[id as usize];
            while let Some(p) = a {
                if u.init[p as usize].is_none() {
                    u.init[p as usize] = Some(Node { data: None, version: None });
                }
                a = u.parent[p as usize];
            }
        }
        let mut sessions: HashMap<&str, u32> = HashMap::new();
        let mut events = Vec::with_capacity(h.events.len());
        for (idx, e) in h.events.iter().enumerate() {
            let op = u.prepare_op(&e.op);
            for p in e.op.existence_writes() {
                let id = u.intern_path(p);
                u.mutable[id as usize] = true;
            }
            let n = sessions.len() as u32;
            let session = *sessions.entry(e.session.as_str()).or_insert(n);
            let obs = u.observation(e, &op);
            events.push(PEvent {
                idx,
                id: e.id,
                session,
                seq: 0,
                invoke: e.invoke,
                deadline: e.deadline(),
                is_read: e.op.is_read(),
                is_sync: matches!(e.op, Op::Sync { .. }),
                hint: (e.zxid.filter(|_| e.outcome != Outcome::Unknown).unwrap_or(i64::MAX), e.op.is_read()),
                op,
                obs,
            });
        }
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| (events[i].session, events[i].invoke, i));
        let mut last: Option<(u32, u32)> = None;
        for i in order {
            let s = events[i].session;
            let seq = match last {
                Some((ls, q)) if ls == s => q + 1,
                _ => 0,
            };
            events[i].seq = seq;
            last = Some((s, seq));
        }
        (u, events)
    }

    fn observation(&mut self, e: &Event, op: &POp) -> Obs {
        let children = e.children.as_ref().map(|names| {
            let parent = match op {
                POp::Children { p } => self.path(*p).to_string(),
                _ => "/".to_string(),
            };
            let mut ids: Vec<u32> = names.iter().map(|n| self.intern_path(&child_path(&parent, n))).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        Obs {
            outcome: e.outcome,
            version: e.version,
            data: e.data.as_ref().map(|d| self.intern_data(d)),
            children,
            failed_op: e.failed_op,
        }
    }

    /// Paths whose state decides the op's result or that it changes, restricted to what can vary:
    /// the op's own paths, a create's parent and a delete's/getChildren's children when some op may
    /// create or delete them. Paths outside the footprint keep their initial existence for the whole history.
    pub fn footprint(&self, op: &POp, out: &mut Vec<u32>) {
        match op {
            POp::Create { p, .. } => {
                out.push(*p);
                if let Some(parent) = self.parent[*p as usize] {
                    if self.mutable[parent as usize] {
                        out.push(parent);
                    }
                }
            }
            POp::Delete { p, .. } | POp::Children { p } => {
                out.push(*p);
                out.extend(self.children[*p as usize].iter().copied().filter(|&c| self.mutable[c as usize]));
            }
            POp::Set { p, .. } | POp::Check { p, .. } | POp::Get { p } | POp::Exists { p } => out.push(*p),
            POp::Multi(ops) => ops.iter().for_each(|o| self.footprint(o, out)),
            POp::Sync => {}
        }
    }
}

/// The search state of one partition: the nodes of its own paths (by local index).
pub(crate) type State = Vec<Option<Node>>;

/// Reads and writes a partition's state; other paths answer with their (constant) initial existence.
pub(crate) struct View<'a> {
    pub u: &'a Universe,
    /// Global path id → its partition.
    pub part_of: &'a [u32],
    /// Global path id → its index in its partition's state.
    pub local: &'a [u32],
    /// The partition whose state is stepped.
    pub part: u32,
}

/// What the history says about the op's result, used to settle unknown versions.
#[derive(Clone, Copy)]
enum Hint {
    Ok,
    /// The error, and for a multi the failing sub-op's index when known.
    Err(Outcome, Option<usize>),
    None,
}

struct Ret {
    version: Option<i32>,
    data: Option<u32>,
    children: Option<Vec<u32>>,
}

const NONE_RET: Ret = Ret { version: None, data: None, children: None };

impl View<'_> {
    fn get(&self, st: &State, p: u32) -> Option<Node> {
        if self.part_of[p as usize] == self.part {
            st[self.local[p as usize] as usize]
        } else {
            self.u.init[p as usize]
        }
    }

    fn put(&self, st: &mut State, p: u32, n: Option<Node>) {
        debug_assert!(self.part_of[p as usize] == self.part, "write outside the partition");
        st[self.local[p as usize] as usize] = n;
    }

    /// The expected-version check; an unknown current version passes or fails as the history says.
    fn version_ok(current: Option<i32>, expected: i32, hint: Hint) -> bool {
        match current {
            _ if expected == -1 => true,
            Some(v) => v == expected,
            None => !matches!(hint, Hint::Err(Outcome::BadVersion, _)),
        }
    }

    fn bump(current: Option<i32>, expected: i32) -> Option<i32> {
        match current {
            Some(v) => Some(v.wrapping_add(1)),
            None if expected != -1 => Some(expected.wrapping_add(1)),
            None => None,
        }
    }

    /// The op's result; an error carries the failing sub-op's index (0 for a plain op).
    fn apply(&self, st: &mut State, op: &POp, hint: Hint) -> Result<Ret, (Outcome, usize)> {
        let POp::Multi(ops) = op else { return self.apply_one(st, op, hint).map_err(|e| (e, 0)) };
        // The history's verdict on the multi settles unknown versions of its sub-ops.
        let mut scratch = st.clone();
        for (i, sub) in ops.iter().enumerate() {
            let h = match hint {
                Hint::Ok => Hint::Ok,
                Hint::Err(_, Some(f)) if i < f => Hint::Ok,
                Hint::Err(code, Some(f)) if i == f => Hint::Err(code, None),
                _ => Hint::None,
            };
            if let Err((e, _)) = self.apply(&mut scratch, sub, h) {
                return Err((e, i));
            }
        }
        *st = scratch;
        Ok(NONE_RET)
    }

    fn apply_one(&self, st: &mut State, op: &POp, hint: Hint) -> Result<Ret, Outcome> {
        match *op {
            POp::Create { p, data } => {
                let Some(parent) = self.u.parent[p as usize] else { return Err(Outcome::NodeExists) };
                if self.get(st, parent).is_none() {
                    return Err(Outcome::NoNode);
                }
                if self.get(st, p).is_some() {
                    return Err(Outcome::NodeExists);
                }
                self.put(st, p, Some(Node { data: Some(data), version: Some(0) }));
                Ok(NONE_RET)
            }
            POp::Set { p, data, version } => {
                let n = self.get(st, p).ok_or(Outcome::NoNode)?;
                if !Self::version_ok(n.version, version, hint) {
                    return Err(Outcome::BadVersion);
                }
                let v = Self::bump(n.version, version);
                self.put(st, p, Some(Node { data: Some(data), version: v }));
                Ok(Ret { version: v, ..NONE_RET })
            }
            POp::Delete { p, version } => {
                let n = self.get(st, p).ok_or(Outcome::NoNode)?;
                if !Self::version_ok(n.version, version, hint) {
                    return Err(Outcome::BadVersion);
                }
                if self.u.children[p as usize].iter().any(|&c| self.get(st, c).is_some()) {
                    return Err(Outcome::NotEmpty);
                }
                self.put(st, p, None);
                Ok(NONE_RET)
            }
            POp::Check { p, version } => {
                let n = self.get(st, p).ok_or(Outcome::NoNode)?;
                if !Self::version_ok(n.version, version, hint) {
                    return Err(Outcome::BadVersion);
                }
                Ok(NONE_RET)
            }
            POp::Get { p } => {
                let n = self.get(st, p).ok_or(Outcome::NoNode)?;
                Ok(Ret { version: n.version, data: n.data, children: None })
            }
            POp::Exists { p } => {
                let n = self.get(st, p).ok_or(Outcome::NoNode)?;
                Ok(Ret { version: n.version, ..NONE_RET })
            }
            POp::Children { p } => {
                self.get(st, p).ok_or(Outcome::NoNode)?;
                let mut c: Vec<u32> = self.u.children[p as usize].iter().copied().filter(|&c| self.get(st, c).is_some()).collect();
                c.sort_unstable();
                Ok(Ret { children: Some(c), ..NONE_RET })
            }
            POp::Multi(_) => unreachable!("multi is handled by apply"),
            POp::Sync => Ok(NONE_RET),
        }
    }

    /// Applies `ev` to `st` (on failure `st` may be garbage: callers step a copy). For a known
    /// outcome, true iff the model's result matches the observation. For an unknown outcome the op
    /// takes effect (if the model lets it) and any result is accepted.
    pub fn step(&self, st: &mut State, ev: &PEvent) -> bool {
        let obs = &ev.obs;
        let hint = match obs.outcome {
            Outcome::Unknown => Hint::None,
            Outcome::Ok => Hint::Ok,
            e => Hint::Err(e, obs.failed_op),
        };
        let res = self.apply(st, &ev.op, hint);
        if obs.outcome == Outcome::Unknown {
            return true;
        }
        match res {
            Err((e, at)) => e == obs.outcome && (!matches!(ev.op, POp::Multi(_)) || obs.failed_op.map_or(true, |want| want == at)),
            Ok(ret) => {
                if obs.outcome != Outcome::Ok {
                    return false;
                }
                if let (Some(a), Some(b)) = (ret.version, obs.version) {
                    if a != b {
                        return false;
                    }
                }
                if let (Some(a), Some(b)) = (ret.data, obs.data) {
                    if a != b {
                        return false;
                    }
                }
                if let (Some(a), Some(b)) = (&ret.children, &obs.children) {
                    if a != b {
                        return false;
                    }
                }
                // The first observation of an unknown field fixes it.
                match ev.op {
                    POp::Get { p } | POp::Exists { p } | POp::Set { p, .. } => {
                        if let Some(mut n) = self.get(st, p) {
                            let before = n;
                            if n.version.is_none() {
                                n.version = obs.version;
                            }
                            if n.data.is_none() && matches!(ev.op, POp::Get { .. }) {
                                n.data = obs.data;
                            }
                            if n != before {
                                self.put(st, p, Some(n));
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
        }
    }
}
