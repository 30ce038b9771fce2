//! Leader and follower cores wired back to back in memory: forwarded writes, sessions, sync and
//! answers held until the follower has applied what they depend on.

use super::harness::*;
use crate::pipeline::{ConnId, CoreConfig, ForwardedPacket, Input, Output, RemoteAnswer, Role};
use crate::txn::{Txn, TxnEntry};
use crate::wire::codec_client::write_request;
use crate::wire::jute::JuteWriter;
use crate::wire::*;

const FOLLOWER: u64 = 2;

struct Pair {
    leader: H,
    follower: H,
    /// Proposed by the leader, not yet committed.
    proposed: Vec<TxnEntry>,
    to_leader: Vec<ForwardedPacket>,
    to_follower: Vec<(i64, i64, RemoteAnswer)>,
}

fn role_cfg(role: Role, id: u8) -> CoreConfig {
    CoreConfig { role, server_id: id, ..cfg() }
}

fn body(req: &Request) -> Vec<u8> {
    let mut v = Vec::new();
    write_request(&mut JuteWriter::new(&mut v), req);
    v
}

impl Pair {
    fn new() -> Pair {
        Pair {
            leader: H::new(role_cfg(Role::Leader, 1)),
            follower: H::new(role_cfg(Role::Follower, FOLLOWER as u8)),
            proposed: Vec::new(),
            to_leader: Vec::new(),
            to_follower: Vec::new(),
        }
    }

    /// Feeds the follower; keeps what it sends the leader, returns what its clients get.
    fn f(&mut self, i: Input) -> Vec<Output> {
        let out = self.follower.input(i);
        let mut client = Vec::new();
        for o in out {
            match o {
                Output::Forward(p) => self.to_leader.push(p),
                Output::Append { .. } => panic!("a follower never logs on its own: {o:?}"),
                o => client.push(o),
            }
        }
        client
    }

    /// Feeds the leader; keeps proposals and answers, returns what its own clients get.
    fn l(&mut self, i: Input) -> Vec<Output> {
        let out = self.leader.input(i);
        let mut client = Vec::new();
        for o in out {
            match o {
                Output::Append { txn, .. } => self.proposed.push(txn),
                Output::Answer { server, session, zxid, answer } => {
                    assert_eq!(server, FOLLOWER);
                    self.to_follower.push((session, zxid, answer));
                }
                o => client.push(o),
            }
        }
        client
    }

    fn forward(&mut self) {
        for p in std::mem::take(&mut self.to_leader) {
            let out = self.l(Input::Forwarded { server: FOLLOWER, packet: p });
            assert!(out.is_empty(), "{out:?}");
        }
    }

    /// The quorum commits everything proposed: the leader applies, the follower applies in order.
    fn commit(&mut self) -> Vec<Output> {
        let upto = self.leader.last_appended;
        let out = self.l(Input::Durable { zxid: upto });
        assert!(out.iter().all(|o| !matches!(o, Output::Reply { .. })), "{out:?}");
        let mut client = Vec::new();
        for e in std::mem::take(&mut self.proposed) {
            client.extend(self.f(Input::Committed { entry: e }));
        }
        client
    }

    fn answer(&mut self) -> Vec<Output> {
        let mut client = Vec::new();
        for (session, zxid, answer) in std::mem::take(&mut self.to_follower) {
            client.extend(self.f(Input::Answer { session, zxid, answer }));
        }
        client
    }

    /// Forward, commit, answer: the common order.
    fn round(&mut self) -> Vec<Output> {
        self.forward();
        let mut out = self.commit();
        out.extend(self.answer());
        out
    }

    fn connect(&mut self, conn: ConnId) -> i64 {
        let req = connect_req(0, vec![0; 16], 30000, 0);
        assert!(self.f(Input::Connect { conn, remote: REMOTE.parse().unwrap(), req }).is_empty());
        match self.round().as_slice() {
            [Output::Connected { conn: c, resp, close_after: false }] if *c == conn => resp.session_id,
            o => panic!("unexpected {o:?}"),
        }
    }

    fn packet(&mut self, conn: ConnId, xid: i32, req: Request) -> Vec<Output> {
        let op = crate::wire::codec_client::request_op(&req);
        self.f(Input::Packet { conn, header: RequestHeader { xid, op }, body: body(&req) })
    }
}

#[test]
fn a_follower_session_is_created_by_the_leader_and_answered_once_applied() {
    let mut p = Pair::new();
    let s = p.connect(1);
    assert_eq!(s >> 56, FOLLOWER as i64, "the creating server's id tops the session id");
    assert!(p.leader.core.tree().sessions().contains_key(&s));
    assert!(p.follower.core.tree().sessions().contains_key(&s));
    assert_eq!(p.leader.core.last_zxid(), p.follower.core.last_zxid());
}

#[test]
fn a_write_on_a_follower_is_prepared_by_the_leader_and_read_your_writes_holds() {
    let mut p = Pair::new();
    let s = p.connect(1);
    p.connect(2);
    // conn 2 watches /a; conn 1 writes it, then reads it right behind the write.
    let w = p.packet(2, 1, Request::Exists(PathWatch { path: "/a".into(), watch: true }));
    assert_eq!(reply(&w).0.err, ErrorCode::NoNode.code());
    assert!(p.packet(1, 1, create_req(op::CREATE, "/a", b"x", 0)).is_empty(), "forwarded, not answered");
    assert!(p.packet(1, 2, Request::GetData(PathWatch { path: "/a".into(), watch: false })).is_empty(), "behind the write");
    p.forward();
    assert_eq!(p.proposed.len(), 1);
    assert_eq!(p.proposed[0].header.client_id, s);
    // The answer reaches the follower before the commit: it is held.
    p.l(Input::Durable { zxid: p.leader.last_appended });
    let early = p.answer();
    assert!(early.is_empty(), "{early:?}");
    let out: Vec<Output> = std::mem::take(&mut p.proposed).into_iter().flat_map(|e| p.f(Input::Committed { entry: e })).collect();
    let zxid = p.follower.core.last_zxid();
    assert_eq!(events(&out), vec![(2, zxid, event_type::NODE_CREATED, "/a".to_string())]);
    let r = replies(&out);
    assert_eq!(r.len(), 2, "{out:?}");
    assert_eq!((r[0].0, r[0].1.xid, r[0].1.zxid, r[0].1.err), (1, 1, zxid, 0));
    assert_eq!(r[0].2, Response::Create("/a".into()));
    assert_eq!(r[1].0, 1);
    assert!(matches!(&r[1].2, Response::GetData(d, _) if d.as_deref() == Some(&b"x"[..])), "{:?}", r[1]);
    assert_eq!(p.follower.core.tree().digest(), p.leader.core.tree().digest());
}

#[test]
fn leader_side_errors_and_error_txns_come_back_in_order() {
    let mut p = Pair::new();
    p.connect(1);
    p.packet(1, 1, create_req(op::CREATE, "/a", b"", 0));
    p.packet(1, 2, create_req(op::CREATE, "/a", b"", 0));
    p.packet(1, 3, Request::SetData(SetDataRequest { path: "/a".into(), data: Some(b"v".to_vec()), version: 7 }));
    let out = p.round();
    let errs: Vec<(i32, i32)> = replies(&out).iter().map(|(_, h, _)| (h.xid, h.err)).collect();
    assert_eq!(errs, vec![(1, 0), (2, ErrorCode::NodeExists.code()), (3, ErrorCode::BadVersion.code())]);
    // An unknown opcode is refused by the follower itself, as ZooKeeper's server would.
    let out = p.f(Input::Packet { conn: 1, header: RequestHeader { xid: 4, op: 999 }, body: vec![] });
    assert_eq!(reply(&out).0.err, ErrorCode::Unimplemented.code());
    assert!(p.to_leader.is_empty());
}

#[test]
fn sync_on_a_follower_waits_for_what_the_leader_had_applied() {
    let mut p = Pair::new();
    p.connect(1);
    p.connect(2);
    // A write through the leader's own client is committed at the leader but not yet at the follower.
    let lc = 9;
    let req = connect_req(0, vec![0; 16], 30000, 0);
    p.l(Input::Connect { conn: lc, remote: REMOTE.parse().unwrap(), req });
    p.l(Input::Durable { zxid: p.leader.last_appended });
    let mut held: Vec<TxnEntry> = std::mem::take(&mut p.proposed);
    let sent = p.leader.send(lc, 1, op::CREATE, create_req(op::CREATE, "/x", b"", 0));
    p.proposed.extend(appends(&sent));
    p.l(Input::Durable { zxid: p.leader.last_appended });
    held.append(&mut p.proposed);
    p.packet(1, 1, Request::Sync("/".into()));
    p.forward();
    let out = p.answer();
    assert!(out.is_empty(), "sync is held until the follower catches up: {out:?}");
    let out: Vec<Output> = held.into_iter().flat_map(|e| p.f(Input::Committed { entry: e })).collect();
    let (h, _) = reply(&out);
    assert_eq!((h.xid, h.err, h.zxid), (1, 0, p.leader.core.last_zxid()));
    assert!(p.follower.core.tree().get("/x").is_some());
}

#[test]
fn follower_touches_keep_a_session_alive_and_expiry_reaches_the_follower() {
    let mut p = Pair::new();
    let s = p.connect(1);
    p.packet(1, 1, create_req(op::CREATE, "/e", b"", 1));
    p.round();
    for _ in 0..4 {
        p.follower.advance(10_000);
        p.leader.advance(10_000);
        p.packet(1, 100, Request::Ping);
        let touched: Vec<Output> = p.follower.input(Input::Tick);
        assert_eq!(touched, vec![Output::Touched(vec![(s, 30000)])]);
        p.l(Input::Touches { sessions: vec![(s, 30000)] });
        p.l(Input::Tick);
        assert!(p.proposed.is_empty(), "touched sessions do not expire: {:?}", p.proposed);
    }
    // Silence: the leader expires the session; the commit closes the follower's connection.
    p.follower.advance(40_000);
    p.leader.advance(40_000);
    assert!(p.follower.input(Input::Tick).is_empty(), "nothing touched, nothing reported");
    p.l(Input::Tick);
    assert_eq!(p.proposed.len(), 1);
    assert_eq!(p.proposed[0].txn, Txn::CloseSession { paths: vec!["/e".into()] });
    let out = p.commit();
    assert_eq!(out, vec![Output::Close { conn: 1 }]);
    let (_, _, a) = p.to_follower.pop().expect("the leader's stand-in connection closes too");
    assert_eq!(a, RemoteAnswer::Close);
    assert!(p.follower.core.tree().get("/e").is_none());
    // A packet the follower forwarded for the expired session is refused with a close.
    p.to_leader.push(ForwardedPacket { session: s, timeout: 30000, header: RequestHeader { xid: 5, op: op::DELETE }, body: vec![], ids: vec![] });
    p.forward();
    assert_eq!(p.to_follower.len(), 1);
    assert_eq!(p.to_follower[0].2, RemoteAnswer::Close);
}

#[test]
fn close_session_through_a_follower_answers_then_closes() {
    let mut p = Pair::new();
    let s = p.connect(1);
    p.packet(1, 1, create_req(op::CREATE, "/e", b"", 1));
    p.packet(1, 2, Request::CloseSession);
    let out = p.round();
    let r = replies(&out);
    assert_eq!(r.iter().map(|(c, h, _)| (*c, h.xid)).collect::<Vec<_>>(), vec![(1, 1), (1, 2)]);
    assert_eq!(out.last(), Some(&Output::Close { conn: 1 }));
    assert!(!p.leader.core.tree().sessions().contains_key(&s));
    assert!(!p.follower.core.tree().sessions().contains_key(&s));
    assert!(p.follower.core.tree().get("/e").is_none());
}

#[test]
fn a_session_moves_from_follower_to_leader_with_its_ephemerals() {
    let mut p = Pair::new();
    let s = p.connect(1);
    p.packet(1, 1, create_req(op::CREATE, "/e", b"", 1));
    p.round();
    p.f(Input::Disconnected { conn: 1 });
    let req = connect_req(s, crate::session::session_password(s).to_vec(), 30000, p.follower.core.last_zxid());
    let out = p.l(Input::Connect { conn: 7, remote: REMOTE.parse().unwrap(), req });
    assert!(matches!(out.as_slice(), [Output::Connected { conn: 7, resp, close_after: false }] if resp.session_id == s), "{out:?}");
    assert!(p.leader.core.tree().get("/e").is_some());
}
