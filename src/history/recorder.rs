//! Building a history while a test (or the simulator) runs: `invoke` when a request is sent,
//! `complete` when its reply arrives. Ops never completed stay `unknown` with no return time.

use super::types::{Event, History, InitNode, Op, Outcome, Time};

/// Names one recorded op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpHandle(usize);

#[derive(Debug, Default)]
pub struct Recorder {
    h: History,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// A node that exists before the first op (`None`: unknown data/version).
    pub fn init(&mut self, path: &str, data: Option<&str>, version: Option<i32>) {
        self.h.init.push(InitNode { path: path.to_string(), data: data.map(str::to_string), version });
    }

    /// Records a request sent at `time`; its id is its position + 1.
    pub fn invoke(&mut self, session: &str, time: Time, op: Op) -> OpHandle {
        let id = self.h.events.len() as u64 + 1;
        self.h.events.push(Event::new(id, session, time, None, op, Outcome::Unknown));
        OpHandle(self.h.events.len() - 1)
    }

    /// Records the reply; returns the event to fill in `version`, `data`, `children`,
    /// `failed_op` and `zxid`. `Outcome::Unknown` (connection loss) keeps the op open-ended.
    pub fn complete(&mut self, op: OpHandle, time: Time, outcome: Outcome) -> &mut Event {
        let e = &mut self.h.events[op.0];
        e.ret = Some(time);
        e.outcome = outcome;
        e
    }

    /// The event recorded for `op`.
    pub fn event(&self, op: OpHandle) -> &Event {
        &self.h.events[op.0]
    }

    pub fn history(&self) -> &History {
        &self.h
    }

    pub fn into_history(self) -> History {
        self.h
    }
}
