//! Reads and other requests that write no txn, executed against the committed tree when they reach the
//! head of their connection's FIFO (FinalRequestProcessor's read branches).

use super::core::Core;
use super::{ConnId, Output};
use crate::wire::{add_watch_mode, op, perms, xid, ErrorCode, MultiOp, MultiResult, ReplyHeader, Request, Response, WatcherEvent, STATE_SYNC_CONNECTED};

type ReadResult = Result<Response, ErrorCode>;

impl Core {
    fn read_allowed(&self, conn: ConnId, acl: &[crate::wire::Acl], perm: i32) -> bool {
        self.cfg.skip_acl || self.conns.get(&conn).map(|c| crate::auth::check_acl(&self.providers, acl, &c.ids, perm)).unwrap_or(false)
    }

    /// Looks up `path` and checks READ: NoNode first, then NoAuth.
    fn readable(&self, conn: ConnId, path: &str) -> Result<(), ErrorCode> {
        let n = self.tree.get(path).ok_or(ErrorCode::NoNode)?;
        let acl = self.tree.acl_of(n);
        if self.read_allowed(conn, &acl, perms::READ) {
            Ok(())
        } else {
            Err(ErrorCode::NoAuth)
        }
    }

    fn get_data(&mut self, conn: ConnId, path: &str, watch: bool) -> ReadResult {
        self.readable(conn, path)?;
        let n = self.tree.get(path).ok_or(ErrorCode::NoNode)?;
        let r = Response::GetData(n.data.map(|d| d.to_vec()), self.tree.client_stat(n));
        if watch {
            self.watches.add_data_watch(path, conn);
        }
        Ok(r)
    }

    /// getChildren/getChildren2 reply, encoded straight from the tree's child names.
    fn get_children_encoded(&mut self, conn: ConnId, path: &str, watch: bool, with_stat: bool) -> ReadResult {
        self.readable(conn, path)?;
        let n = self.tree.get(path).ok_or(ErrorCode::NoNode)?;
        let (count, name_bytes) = n.children.iter().fold((0usize, 0usize), |(c, b), name| (c + 1, b + name.len()));
        let mut body = Vec::with_capacity(4 + 4 * count + name_bytes + if with_stat { 68 } else { 0 });
        {
            let mut w = crate::wire::JuteWriter::new(&mut body);
            w.write_i32(count as i32);
            for name in n.children.iter() {
                w.write_str(name);
            }
            if with_stat {
                crate::wire::records_codec::write_stat(&mut w, &self.tree.client_stat(n));
            }
        }
        if watch {
            self.watches.add_child_watch(path, conn);
        }
        let op = if with_stat { crate::wire::op::GET_CHILDREN2 } else { crate::wire::op::GET_CHILDREN };
        Ok(Response::Encoded { op, body })
    }

    fn get_children(&mut self, conn: ConnId, path: &str, watch: bool, with_stat: bool) -> ReadResult {
        self.readable(conn, path)?;
        let n = self.tree.get(path).ok_or(ErrorCode::NoNode)?;
        let children: Vec<String> = n.children.iter().map(String::from).collect();
        let stat = self.tree.client_stat(n);
        if watch {
            self.watches.add_child_watch(path, conn);
        }
        Ok(if with_stat { Response::GetChildren2(children, stat) } else { Response::GetChildren(children) })
    }

    fn read_op(&mut self, conn: ConnId, req: Request, out: &mut Vec<Output>) -> ReadResult {
        match req {
            Request::Ping => Ok(Response::Empty),
            Request::Exists(pw) => {
                if pw.path.contains('\0') {
                    return Err(ErrorCode::BadArguments);
                }
                if let Some(n) = self.tree.get(&pw.path) {
                    let acl = self.tree.acl_of(n);
                    if !self.read_allowed(conn, &acl, perms::READ) {
                        return Err(ErrorCode::NoAuth);
                    }
                }
                // The watch is set even when the node does not exist.
                if pw.watch {
                    self.watches.add_data_watch(&pw.path, conn);
                }
                self.tree.stat(&pw.path).map(Response::Stat).ok_or(ErrorCode::NoNode)
            }
            Request::GetData(pw) => self.get_data(conn, &pw.path, pw.watch),
            Request::GetChildren(pw) => self.get_children_encoded(conn, &pw.path, pw.watch, false),
            Request::GetChildren2(pw) => self.get_children_encoded(conn, &pw.path, pw.watch, true),
            Request::GetAcl(path) => {
                let n = self.tree.get(&path).ok_or(ErrorCode::NoNode)?;
                let acl = self.tree.acl_of(n);
                let stat = self.tree.client_stat(n);
                if !self.read_allowed(conn, &acl, perms::READ | perms::ADMIN) {
                    return Err(ErrorCode::NoAuth);
                }
                if self.cfg.skip_acl {
                    return Ok(Response::GetAcl(acl, stat));
                }
                let ids = self.conns.get(&conn).map(|c| c.ids.as_slice()).unwrap_or_default();
                Ok(Response::GetAcl(crate::auth::acl_for_get_acl(&self.providers, &acl, ids), stat))
            }
            Request::GetAllChildrenNumber(path) => {
                self.readable(conn, &path)?;
                Ok(Response::AllChildrenNumber(self.tree.all_children_number(&path)))
            }
            Request::GetEphemerals(prefix) => {
                let session = self.conns.get(&conn).map(|c| c.session).unwrap_or(0);
                let all = self.tree.ephemerals(session);
                let t = prefix.trim();
                let v = if t.is_empty() || t == "/" { all } else { all.into_iter().filter(|p| p.starts_with(&prefix)).collect() };
                Ok(Response::Ephemerals(v))
            }
            Request::Sync(path) => Ok(Response::Path(path)),
            Request::MultiRead(ops) => {
                let mut results = Vec::with_capacity(ops.len());
                for o in ops {
                    let r = match o {
                        MultiOp::GetChildren(p) => match self.get_children(conn, &p, false, false) {
                            Ok(Response::GetChildren(c)) => MultiResult::GetChildren(c),
                            Ok(_) => MultiResult::Error(ErrorCode::MarshallingError.code()),
                            Err(e) => MultiResult::Error(e.code()),
                        },
                        MultiOp::GetData(p) => match self.get_data(conn, &p, false) {
                            Ok(Response::GetData(d, s)) => MultiResult::GetData(d, s),
                            Ok(_) => MultiResult::Error(ErrorCode::MarshallingError.code()),
                            Err(e) => MultiResult::Error(e.code()),
                        },
                        _ => return Err(ErrorCode::MarshallingError),
                    };
                    results.push(r);
                }
                Ok(Response::Multi(results))
            }
            Request::CheckWatches(pt) => match self.watches.contains(&pt.path, conn, pt.kind) {
                None => Err(ErrorCode::MarshallingError),
                Some(false) => Err(ErrorCode::NoWatcher),
                Some(true) => Ok(Response::Empty),
            },
            Request::RemoveWatches(pt) => match self.watches.remove(&pt.path, conn, pt.kind) {
                None => Err(ErrorCode::MarshallingError),
                Some(false) => Err(ErrorCode::NoWatcher),
                Some(true) => Ok(Response::Empty),
            },
            Request::AddWatch(pt) => {
                match pt.kind {
                    add_watch_mode::PERSISTENT => self.watches.add_persistent(&pt.path, conn, false),
                    add_watch_mode::PERSISTENT_RECURSIVE => self.watches.add_persistent(&pt.path, conn, true),
                    _ => return Err(ErrorCode::MarshallingError),
                }
                Ok(Response::ErrorBody(0))
            }
            Request::SetWatches { watches, .. } => {
                let mut notes = Vec::new();
                self.watches.set_watches(&self.tree, conn, &watches, &mut notes);
                for n in notes {
                    out.push(Output::Event {
                        conn: n.conn,
                        zxid: n.zxid,
                        event: WatcherEvent { event_type: n.event_type, state: STATE_SYNC_CONNECTED, path: n.path },
                    });
                }
                Ok(Response::Empty)
            }
            Request::WhoAmI => {
                let ids = self.conns.get(&conn).map(|c| c.ids_in_java_order()).unwrap_or_default();
                Ok(Response::WhoAmI(crate::auth::who_am_i(&self.providers, &ids)))
            }
            _ => Err(ErrorCode::MarshallingError),
        }
    }

    /// Runs one non-txn request now; the reply carries the last applied zxid (ping: xid -2).
    pub(super) fn execute_read(&mut self, conn: ConnId, req_xid: i32, op_code: i32, req: Request, out: &mut Vec<Output>) -> (ReplyHeader, Response) {
        let r = self.read_op(conn, req, out);
        let reply_xid = if op_code == op::PING { xid::PING } else { req_xid };
        let zxid = self.tree.last_processed_zxid;
        match r {
            Ok(body) => (ReplyHeader { xid: reply_xid, zxid, err: 0 }, body),
            Err(e) => (ReplyHeader { xid: reply_xid, zxid, err: e.code() }, Response::Empty),
        }
    }
}
