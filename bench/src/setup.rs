//! Pipelined creation of the znodes a workload needs (parents, keys, the 10k-children node).
//! A session's requests are applied in order, so parents listed first exist before their children.

use crate::conn::{self, is_unsolicited, ConnError, Session};
use crate::requests;
use crate::stats::Counters;
use crate::workload::{Layout, Workload, CHILDREN};
use std::collections::VecDeque;
use zkd::wire::ErrorCode;

/// How the creates of one batch ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub created: u64,
    pub existed: u64,
    pub failed: u64,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.created += o.created;
        self.existed += o.existed;
        self.failed += o.failed;
    }
}

/// Creates every path (persistent, `value` as data) with up to `window` requests in flight.
/// Existing nodes count as `existed`; other errors as `failed` (with the first code kept).
pub async fn create_all(
    session: &mut Session,
    paths: impl IntoIterator<Item = String>,
    value: &[u8],
    window: usize,
    progress: Option<&Counters>,
) -> Result<(Tally, Option<i32>), ConnError> {
    let mut paths = paths.into_iter().peekable();
    let mut inflight: VecDeque<i32> = VecDeque::new();
    let mut tally = Tally::default();
    let mut first_error = None;
    while paths.peek().is_some() || !inflight.is_empty() {
        while inflight.len() < window.max(1) {
            let Some(p) = paths.next() else { break };
            inflight.push_back(session.writer.queue(&requests::create(p, value, requests::PERSISTENT)));
        }
        session.writer.flush().await?;
        let h = tokio::time::timeout(conn::CALL_TIMEOUT, session.reader.next_header())
            .await
            .map_err(|_| ConnError::Timeout("create reply"))??;
        if is_unsolicited(&h) {
            continue;
        }
        if inflight.pop_front() != Some(h.xid) {
            return Err(ConnError::Decode(zkd::wire::DecodeError::Invalid("reply out of order")));
        }
        if let Some(c) = progress {
            c.add_done(h.err == 0 || h.err == ErrorCode::NodeExists.code());
        }
        match h.err {
            0 => tally.created += 1,
            e if e == ErrorCode::NodeExists.code() => tally.existed += 1,
            e => {
                tally.failed += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    Ok((tally, first_error))
}

/// The root and its ancestors, shallowest first ("/a/b" → "/a", "/a/b").
pub fn ancestors_and_self(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in path.char_indices().skip(1) {
        if c == '/' {
            out.push(path[..i].to_string());
        }
    }
    out.push(path.to_string());
    out
}

/// Creates what `workload` reads or writes: `keys` keys, the 10k-children node, or this run's parent.
pub async fn prepare(server: &str, workload: Workload, layout: &Layout, keys: usize, value_size: usize) -> Result<(), String> {
    let mut s = conn::connect(server).await.map_err(|e| format!("setup connect: {e}"))?;
    let mut paths = ancestors_and_self(&layout.root);
    let value = vec![b'v'; value_size];
    match workload {
        w if w.uses_keys() => {
            paths.push(layout.keys_parent());
            paths.extend((0..keys).map(|i| layout.key(i)));
        }
        Workload::Getchildren => {
            paths.push(layout.children_parent());
            paths.extend((0..CHILDREN).map(|i| layout.child(i)));
        }
        Workload::WatchFanout => paths.push(layout.fanout_node()),
        w => paths.push(layout.run_parent(w)),
    }
    let (tally, err) = create_all(&mut s, paths, &value, 256, None).await.map_err(|e| format!("setup: {e}"))?;
    let _ = s.close().await;
    if tally.failed > 0 {
        return Err(format!("setup: {} creates failed (first error code {})", tally.failed, err.unwrap_or(0)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_come_first() {
        assert_eq!(ancestors_and_self("/a/b/c"), ["/a", "/a/b", "/a/b/c"]);
        assert_eq!(ancestors_and_self("/zkd-bench"), ["/zkd-bench"]);
    }
}
