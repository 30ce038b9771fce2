//! Well-formedness of histories (checked before any search).

use super::types::{Event, History, Op, Outcome};

fn valid_path(p: &str) -> bool {
    p == "/" || (p.starts_with('/') && !p.ends_with('/') && !p.contains("//") && !p.contains('\0'))
}

fn validate_op(op: &Op, nested: bool) -> Result<(), String> {
    if let Op::Multi { ops } = op {
        if nested {
            return Err("a multi cannot contain a multi".into());
        }
        for o in ops {
            if o.is_read() || matches!(o, Op::Sync { .. }) {
                return Err("a multi may hold create, set, delete and check only".into());
            }
            validate_op(o, true)?;
        }
        return Ok(());
    }
    for p in op.paths() {
        if !valid_path(p) {
            return Err(format!("invalid path {p:?}"));
        }
    }
    Ok(())
}

impl Event {
    /// Times, outcome and op are consistent.
    pub fn validate(&self) -> Result<(), String> {
        if self.session.is_empty() {
            return Err("empty session".into());
        }
        match self.ret {
            Some(r) if r < self.invoke => return Err(format!("return {r} before invoke {}", self.invoke)),
            None if self.outcome != Outcome::Unknown => return Err("an op without a return time must have outcome \"unknown\"".into()),
            _ => {}
        }
        validate_op(&self.op, false)?;
        let allowed: &[Outcome] = match self.op {
            Op::Create { .. } => &[Outcome::Ok, Outcome::NodeExists, Outcome::NoNode],
            Op::Set { .. } | Op::Check { .. } => &[Outcome::Ok, Outcome::BadVersion, Outcome::NoNode],
            Op::Delete { .. } => &[Outcome::Ok, Outcome::BadVersion, Outcome::NoNode, Outcome::NotEmpty],
            Op::Get { .. } | Op::Exists { .. } | Op::Children { .. } => &[Outcome::Ok, Outcome::NoNode],
            Op::Multi { .. } => &[Outcome::Ok, Outcome::NodeExists, Outcome::NoNode, Outcome::BadVersion, Outcome::NotEmpty],
            Op::Sync { .. } => &[Outcome::Ok],
        };
        if self.outcome != Outcome::Unknown && !allowed.contains(&self.outcome) {
            return Err(format!("outcome {:?} is impossible for {}", self.outcome, super::types::describe_op(&self.op)));
        }
        if let (Op::Multi { ops }, Some(i)) = (&self.op, self.failed_op) {
            if i >= ops.len() {
                return Err(format!("failed_op {i} but the multi has {} ops", ops.len()));
            }
        }
        Ok(())
    }
}

impl History {
    pub fn validate(&self) -> Result<(), String> {
        for n in &self.init {
            if !valid_path(&n.path) {
                return Err(format!("init: invalid path {:?}", n.path));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for e in &self.events {
            e.validate().map_err(|m| format!("event #{}: {m}", e.id))?;
            if !ids.insert(e.id) {
                return Err(format!("event id {} is used twice", e.id));
            }
        }
        Ok(())
    }
}
