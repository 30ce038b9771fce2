//! Durable → apply in zxid order → watch events → replies (FinalRequestProcessor).

use super::core::{Core, Origin};
use super::Output;
use crate::tree::TxnResult;
use crate::txn::Txn;
use crate::wire::{op, perms, MultiResult, ReplyHeader, Response, WatcherEvent, STATE_SYNC_CONNECTED};

fn multi_results(rc: &TxnResult) -> Vec<MultiResult> {
    rc.multi
        .iter()
        .map(|s| match s.op {
            op::CHECK => MultiResult::Check,
            op::CREATE => MultiResult::Create(s.path.clone()),
            op::CREATE2 | op::CREATE_TTL | op::CREATE_CONTAINER => MultiResult::Create2(s.path.clone(), s.stat.unwrap_or_default()),
            op::DELETE | op::DELETE_CONTAINER => MultiResult::Delete,
            op::SET_DATA => MultiResult::SetData(s.stat.unwrap_or_default()),
            _ => MultiResult::Error(s.err),
        })
        .collect()
}

/// The reply for an applied client write.
fn reply_body(op_code: i32, txn: &Txn, rc: &TxnResult) -> (i32, Response) {
    let stat = rc.stat.unwrap_or_default();
    match op_code {
        op::ERROR => (if let Txn::Error { err } = txn { *err } else { rc.err }, Response::Empty),
        op::MULTI => (0, Response::Multi(multi_results(rc))),
        op::CREATE => (rc.err, Response::Create(rc.path.clone())),
        op::CREATE2 | op::CREATE_TTL | op::CREATE_CONTAINER => (rc.err, Response::Create2(rc.path.clone(), stat)),
        op::SET_DATA => (rc.err, Response::Stat(stat)),
        op::SET_ACL => (rc.err, Response::Stat(stat)),
        _ => (rc.err, Response::Empty),
    }
}

impl Core {
    /// Applies one txn to the tree and emits the watch events it fires (they precede the reply to
    /// this txn and any later reply). Shared by the local commit path and a follower's commits.
    pub(super) fn apply_and_notify(&mut self, entry: &mut crate::txn::TxnEntry, out: &mut Vec<Output>) -> TxnResult {
        let h = entry.header;
        let mut triggers = Vec::new();
        let rc = self.tree.process_txn_taking_data(&h, &mut entry.txn, &mut triggers);
        self.overlay.applied(h.zxid);
        if h.op == op::CLOSE_SESSION {
            self.sessions.remove(h.client_id);
        }
        let mut notes = Vec::new();
        {
            let conns = &self.conns;
            let skip = self.cfg.skip_acl;
            let providers = &self.providers;
            let mut can_read = |c: u64, acl: &[crate::wire::Acl]| -> bool {
                skip || conns.get(&c).map(|x| crate::auth::check_acl(providers, acl, &x.ids, perms::READ)).unwrap_or(false)
            };
            for t in &triggers {
                self.watches.fire(t, h.zxid, &mut can_read, &mut notes);
            }
        }
        for n in notes {
            out.push(Output::Event { conn: n.conn, zxid: n.zxid, event: WatcherEvent { event_type: n.event_type, state: STATE_SYNC_CONNECTED, path: n.path } });
        }
        rc
    }

    pub(super) fn commit_upto(&mut self, zxid: i64, out: &mut Vec<Output>) {
        while self.pending.front().map(|p| p.entry.header.zxid <= zxid).unwrap_or(false) {
            let Some(p) = self.pending.pop_front() else { break };
            self.apply_one(p.entry, p.origin, out);
            self.count_for_snapshot(out);
        }
    }

    /// Nothing more can become durable. Connections waiting for a write learn nothing about its
    /// fate (it may or may not be on disk), so they are closed: ZooKeeper clients report
    /// ConnectionLoss, the outcome ZooKeeper documents as unknown. Later writes get NotReadOnly.
    pub(super) fn log_failed(&mut self, out: &mut Vec<Output>) {
        self.log_failed = true;
        let waiting: Vec<u64> = self
            .pending
            .iter()
            .filter_map(|p| match p.origin {
                Origin::Client { conn } | Origin::CreateSession { conn } | Origin::Resession { conn } => Some(conn),
                Origin::Expire | Origin::Internal => None,
            })
            .collect();
        for conn in waiting {
            if self.conns.contains_key(&conn) {
                self.close_conn(conn, out);
            }
        }
    }

    fn apply_one(&mut self, mut entry: crate::txn::TxnEntry, origin: Origin, out: &mut Vec<Output>) {
        let h = entry.header;
        let rc = self.apply_and_notify(&mut entry, out);
        let last = self.tree.last_processed_zxid;
        match origin {
            Origin::Client { conn } => {
                let (err, body) = reply_body(h.op, &entry.txn, &rc);
                let close = h.op == op::CLOSE_SESSION;
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.fill_write(h.zxid, ReplyHeader { xid: h.cxid, zxid: last, err }, body, close);
                }
                self.drain(conn, out);
            }
            Origin::CreateSession { conn } => self.finish_session_init(conn, out),
            Origin::Expire => {
                let bound: Vec<u64> = self.conns.values().filter(|c| c.session == h.client_id).map(|c| c.id).collect();
                for c in bound {
                    self.close_conn(c, out);
                }
            }
            Origin::Internal => {}
            Origin::Resession { conn } => {
                if let Some(c) = self.conns.get(&conn) {
                    let resp = self.connect_response(c.timeout, c.session, c.read_only_flag);
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.fill_write_with(h.zxid, super::connection::Slot::Handshake { resp });
                    }
                }
                self.drain(conn, out);
            }
        }
    }
}
