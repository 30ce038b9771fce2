//! Where each output goes: replication outputs to the host, the tree or the pipeline; pipeline
//! outputs to clients, the replication core or other servers. Role changes rebuild the Core.

use super::envelope::Envelope;
use super::node::{Node, Output, Serving, Work};
use crate::pipeline::{self, Core, CoreConfig};
use crate::replication::{self, zxid, Entry, Phase, Role, ServerId};
use crate::tree::DataTree;
use crate::txn::TxnEntry;

impl Node {
    pub(super) fn peer_outputs(&mut self, outs: Vec<replication::Output>) {
        use replication::Output as O;
        for o in outs {
            match o {
                O::Send { to, msg } => self.send(to, &Envelope::Replication(msg)),
                O::AppendLog { batch, entries } => self.out.push(Output::AppendLog { batch, entries }),
                O::TruncateLog { after } => self.out.push(Output::TruncateLog { after }),
                O::InstallSnapshot { zxid, data } => self.install(zxid, data),
                O::SnapshotNeeded => {
                    let t = self.tree();
                    let (zxid, data) = (t.last_processed_zxid, replication::sim::snapshot::serialize(t));
                    self.work.push_back(Work::Peer(replication::Input::Snapshot { zxid, data }));
                }
                O::Commit { entries } => self.commit(entries),
                O::PersistEpochs { accepted, current } => self.out.push(Output::PersistEpochs { accepted, current }),
                O::StateChanged { role, phase, leader, epoch } => {
                    self.out.push(Output::StateChanged { role, phase, leader, epoch });
                    self.settle(role, phase, leader, epoch, false);
                }
                O::Proposed { zxid } => {
                    if self.expected.pop_front() != Some(zxid) {
                        // The pipeline's counter and the replication core's disagree: start the
                        // leader's Core again from the replication core's history.
                        self.resettle();
                    }
                }
                O::ProposalRejected { .. } => {
                    self.expected.pop_front();
                    if matches!(self.serving, Serving::Leader(_)) {
                        self.resettle();
                    }
                }
            }
        }
    }

    /// SNAP: the leader's snapshot replaces the tree (a learner has no Core while syncing).
    fn install(&mut self, zxid: i64, data: Vec<u8>) {
        let _ = self.take_tree();
        self.settled = None;
        self.serving = Serving::Bare(replication::sim::snapshot::deserialize(&data));
        self.applied_bare = 0;
        self.stale_snapshots += std::mem::take(&mut self.snapshots_in_flight);
        self.out.push(Output::InstallSnapshot { zxid, data });
    }

    fn commit(&mut self, entries: Vec<Entry>) {
        for e in entries {
            // Every entry was encoded by a leader's pipeline; one that does not decode cannot be
            // applied anywhere, so every server skips it alike.
            let Ok(mut te) = TxnEntry::decode(&e.data) else { continue };
            te.header.zxid = e.zxid;
            match &mut self.serving {
                Serving::Bare(t) => {
                    if e.zxid > t.last_processed_zxid {
                        t.process_txn(&te.header, &te.txn, &mut Vec::new());
                        self.applied_bare += 1;
                    }
                }
                Serving::Leader(_) if e.zxid > self.own_from => self.core_step(pipeline::Input::Durable { zxid: e.zxid }),
                _ => self.core_step(pipeline::Input::Committed { entry: te }),
            }
        }
    }

    /// After a `StateChanged`: a Core for a settled role (broadcast phase), else the bare tree.
    /// `force` rebuilds even when the role did not change.
    fn settle(&mut self, role: Role, phase: Phase, leader: Option<ServerId>, epoch: u32, force: bool) {
        let me = self.cfg.replication.me;
        let want = match (role, phase, leader) {
            (Role::Leading, Phase::Broadcast, _) => Some((pipeline::Role::Leader, me, epoch)),
            (Role::Following | Role::Observing, Phase::Broadcast, Some(l)) => Some((pipeline::Role::Follower, l, epoch)),
            _ => None,
        };
        if want == self.settled && !force {
            return;
        }
        let tree = self.take_tree();
        self.settled = want;
        self.serving = match want {
            None => Serving::Bare(tree),
            Some((r, leader, epoch)) => {
                self.seed_ms = self.now.mono_ms.max(self.seed_ms.saturating_add(1));
                let cfg = CoreConfig { role: r, server_id: me as u8, initial_mono_ms: self.seed_ms, ..self.cfg.core.clone() };
                let mut core = if r == pipeline::Role::Leader {
                    // Proposals continue the replication core's history: the epoch's first is
                    // epoch << 32 | 1.
                    let last = self.peer.history().last().max(zxid::make(epoch, 0));
                    self.own_from = last;
                    Core::with_tree_and_zxid(cfg, tree, last)
                } else {
                    Core::with_tree(cfg, Some(tree))
                };
                core.count_replayed(std::mem::take(&mut self.applied_bare));
                if r == pipeline::Role::Leader {
                    Serving::Leader(core)
                } else {
                    Serving::Follower { core, leader }
                }
            }
        };
    }

    fn resettle(&mut self) {
        let p = &self.peer;
        let (role, phase, leader, epoch) = (p.role(), p.phase(), p.leader(), p.epoch());
        self.settle(role, phase, leader, epoch, true);
    }

    /// Ends the current Core (its clients' connections close) and returns the tree.
    fn take_tree(&mut self) -> DataTree {
        let s = std::mem::replace(&mut self.serving, Serving::Bare(DataTree::new(self.cfg.core.extended_types_enabled)));
        match s {
            Serving::Bare(t) => t,
            Serving::Leader(c) | Serving::Follower { core: c, .. } => {
                // Its proposals not yet handed to the replication core die with it.
                self.work.retain(|w| !matches!(w, Work::Peer(replication::Input::Propose { .. })));
                self.expected.clear();
                let (t, conns) = c.into_tree();
                for conn in conns {
                    self.out.push(Output::Close { conn });
                }
                t
            }
        }
    }

    pub(super) fn core_step(&mut self, input: pipeline::Input) {
        let mut out = Vec::new();
        match &mut self.serving {
            Serving::Bare(_) => {
                // Client input queued behind a role change that left no Core: refuse it.
                if let pipeline::Input::Connect { conn, .. } = input {
                    self.out.push(Output::Close { conn });
                }
                return;
            }
            Serving::Leader(c) | Serving::Follower { core: c, .. } => c.handle(self.now, input, &mut out),
        }
        for o in out {
            self.core_output(o);
        }
    }

    fn core_output(&mut self, o: pipeline::Output) {
        use pipeline::Output as P;
        let leader = match &self.serving {
            Serving::Follower { leader, .. } => Some(*leader),
            _ => None,
        };
        match o {
            P::Connected { conn, resp, close_after } => self.out.push(Output::Connected { conn, resp, close_after }),
            P::Reply { conn, header, body } => self.out.push(Output::Reply { conn, header, body }),
            P::Event { conn, zxid, event } => self.out.push(Output::Event { conn, zxid, event }),
            P::Close { conn } => self.out.push(Output::Close { conn }),
            P::Snapshot(job) => {
                self.snapshots_in_flight += 1;
                self.out.push(Output::Snapshot(job));
            }
            // Only a leader's Core appends (a follower forwards every write).
            P::Append { zxid, txn } => {
                if matches!(self.serving, Serving::Leader(_)) {
                    self.expected.push_back(zxid);
                    self.work.push_back(Work::Peer(replication::Input::Propose { data: txn.encode() }));
                }
            }
            P::Forward(p) => {
                if let Some(l) = leader {
                    self.send(l, &Envelope::Forwarded(p));
                }
            }
            P::Touched(s) => {
                if let Some(l) = leader {
                    self.send(l, &Envelope::Touches(s));
                }
            }
            P::Answer { server, session, zxid, answer } => self.send(server, &Envelope::Answer { session, zxid, answer }),
        }
    }
}
