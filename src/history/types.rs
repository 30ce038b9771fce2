//! The history model: client operations with invoke/return times, their outcomes and reply zxids.
//! These types are also the JSON Lines form (see README.md in this directory).

use serde::{Deserialize, Serialize};

/// A time on any monotone clock shared by every client of the history (simulator steps, ns...).
pub type Time = u64;

fn any_version() -> i32 {
    -1
}

/// One client operation, with ZooKeeper's semantics (see `src/pipeline/prep.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Persistent, non-sequential create. Outcomes: ok | node_exists | no_node (parent missing).
    Create {
        path: String,
        #[serde(default)]
        data: String,
    },
    /// setData with an expected version (-1: any). Outcomes: ok (with the new `version`) | bad_version | no_node.
    Set {
        path: String,
        #[serde(default)]
        data: String,
        #[serde(default = "any_version")]
        version: i32,
    },
    /// delete with an expected version (-1: any). Outcomes: ok | bad_version | no_node | not_empty.
    Delete {
        path: String,
        #[serde(default = "any_version")]
        version: i32,
    },
    /// check(path, version), usually inside a multi. Outcomes: ok | bad_version | no_node.
    Check {
        path: String,
        #[serde(default = "any_version")]
        version: i32,
    },
    /// getData. Outcomes: ok (with `data` and/or `version`, each compared when present) | no_node.
    Get { path: String },
    /// exists. Outcomes: ok (the node exists; `version` compared when present) | no_node (it does not).
    Exists { path: String },
    /// getChildren. Outcomes: ok (with `children`: child names, any order) | no_node.
    Children { path: String },
    /// multi: all-or-nothing. Outcomes: ok | the first failing sub-op's error (with `failed_op`, its index).
    Multi { ops: Vec<Op> },
    /// sync. No effect on the tree; orders the session's later reads (sequential-reads mode).
    Sync {
        #[serde(default)]
        path: String,
    },
}

/// What the client saw. `Unknown`: connection loss, timeout or no reply at all — the op may or may
/// not have taken effect, at any time after its invoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    NoNode,
    NodeExists,
    BadVersion,
    NotEmpty,
    Unknown,
}

/// One operation of one client session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Names the event in verdicts; the JSONL reader defaults it to the line number.
    #[serde(default)]
    pub id: u64,
    /// Client session (any string: "0x1000abc", "client-3"). A session issues its ops in `invoke`
    /// order (ties: file order) and ZooKeeper applies them in that order (FIFO).
    pub session: String,
    pub invoke: Time,
    /// When the reply (or the error) arrived; absent for an op that never returned (must be `unknown`).
    #[serde(rename = "return", default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<Time>,
    pub op: Op,
    pub outcome: Outcome,
    /// set: the new version; get/exists: the node's stat version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// get: the data read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// getChildren: the child names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<String>>,
    /// multi that failed: the index of the failing sub-op (compared when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_op: Option<usize>,
    /// The reply header's zxid (ReplyHeader.zxid), used by the session checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zxid: Option<i64>,
}

/// A node that exists before the history starts. `data`/`version` absent: unknown (the first read
/// decides them). Ancestors of an initial node exist implicitly; "/" always exists; every other
/// path starts absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitNode {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// A whole history: the initial tree and the events (any order; the checker sorts by time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub init: Vec<InitNode>,
    pub events: Vec<Event>,
}

impl Op {
    /// Reads have no effect on the tree: get, exists, getChildren.
    pub fn is_read(&self) -> bool {
        matches!(self, Op::Get { .. } | Op::Exists { .. } | Op::Children { .. })
    }

    /// Every path the op names (multi: its sub-ops' paths; sync: none).
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Op::Create { path, .. }
            | Op::Set { path, .. }
            | Op::Delete { path, .. }
            | Op::Check { path, .. }
            | Op::Get { path }
            | Op::Exists { path }
            | Op::Children { path } => vec![path.as_str()],
            Op::Multi { ops } => ops.iter().flat_map(|o| o.paths()).collect(),
            Op::Sync { .. } => Vec::new(),
        }
    }

    /// Paths whose existence the op may change (create/delete, also inside a multi).
    pub fn existence_writes(&self) -> Vec<&str> {
        match self {
            Op::Create { path, .. } | Op::Delete { path, .. } => vec![path.as_str()],
            Op::Multi { ops } => ops.iter().flat_map(|o| o.existence_writes()).collect(),
            _ => Vec::new(),
        }
    }
}

impl Event {
    /// An event with an outcome and no extra fields; builder-style setters fill in the rest.
    pub fn new(id: u64, session: impl Into<String>, invoke: Time, ret: Option<Time>, op: Op, outcome: Outcome) -> Event {
        Event {
            id,
            session: session.into(),
            invoke,
            ret,
            op,
            outcome,
            version: None,
            data: None,
            children: None,
            failed_op: None,
            zxid: None,
        }
    }

    pub fn with_version(mut self, v: i32) -> Event {
        self.version = Some(v);
        self
    }

    pub fn with_data(mut self, d: impl Into<String>) -> Event {
        self.data = Some(d.into());
        self
    }

    pub fn with_zxid(mut self, z: i64) -> Event {
        self.zxid = Some(z);
        self
    }

    pub fn with_children(mut self, c: Vec<String>) -> Event {
        self.children = Some(c);
        self
    }

    /// The time after which the op can no longer take effect: its return, or never for an unknown outcome.
    pub fn deadline(&self) -> Time {
        match (self.outcome, self.ret) {
            (Outcome::Unknown, _) | (_, None) => Time::MAX,
            (_, Some(r)) => r,
        }
    }

    /// One-line human form used in verdicts.
    pub fn describe(&self) -> String {
        let ret = self.ret.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
        let mut s = format!("#{} session={} [{}, {}] {} -> {:?}", self.id, self.session, self.invoke, ret, describe_op(&self.op), self.outcome);
        if let Some(v) = self.version {
            s.push_str(&format!(" version={v}"));
        }
        if let Some(d) = &self.data {
            s.push_str(&format!(" data={d:?}"));
        }
        if let Some(c) = &self.children {
            s.push_str(&format!(" children={c:?}"));
        }
        if let Some(i) = self.failed_op {
            s.push_str(&format!(" failed_op={i}"));
        }
        if let Some(z) = self.zxid {
            s.push_str(&format!(" zxid=0x{z:x}"));
        }
        s
    }
}

pub fn describe_op(op: &Op) -> String {
    match op {
        Op::Create { path, data } => format!("create({path}, {data:?})"),
        Op::Set { path, data, version } => format!("set({path}, {data:?}, v={version})"),
        Op::Delete { path, version } => format!("delete({path}, v={version})"),
        Op::Check { path, version } => format!("check({path}, v={version})"),
        Op::Get { path } => format!("get({path})"),
        Op::Exists { path } => format!("exists({path})"),
        Op::Children { path } => format!("children({path})"),
        Op::Multi { ops } => format!("multi[{}]", ops.iter().map(describe_op).collect::<Vec<_>>().join("; ")),
        Op::Sync { path } => format!("sync({path})"),
    }
}
