//! Unit tests of the core's rules, on a tiny synchronous harness (no faults: the simulator does those).

use super::msg::{Msg, Vote};
use super::peer::{Entry, Input, Output, Peer, Phase, Rejection, Restored, Role};
use super::zxid::{make, MAX_COUNTER};
use super::{Config, ServerId};
use std::collections::{BTreeMap, VecDeque};

struct Cluster {
    peers: BTreeMap<ServerId, Peer>,
    queue: VecDeque<(ServerId, ServerId, Msg)>,
    /// Appends not yet reported durable, per server (when `auto_durable` is off).
    held: BTreeMap<ServerId, Vec<u64>>,
    auto_durable: bool,
    /// Servers whose outgoing messages are dropped.
    mute: Vec<ServerId>,
    commits: BTreeMap<ServerId, Vec<i64>>,
    sent: Vec<(ServerId, ServerId, Msg)>,
    outputs: BTreeMap<ServerId, Vec<Output>>,
}

fn entries(epoch: u32, counters: std::ops::RangeInclusive<u32>) -> Vec<Entry> {
    counters.map(|c| Entry { zxid: make(epoch, c), data: vec![c as u8] }).collect()
}

impl Cluster {
    fn new(participants: &[ServerId], observers: &[ServerId], restored: &[Restored], window: usize) -> Cluster {
        let mut c = Cluster {
            peers: BTreeMap::new(),
            queue: VecDeque::new(),
            held: BTreeMap::new(),
            auto_durable: true,
            mute: Vec::new(),
            commits: BTreeMap::new(),
            sent: Vec::new(),
            outputs: BTreeMap::new(),
        };
        for (i, &id) in participants.iter().chain(observers.iter()).enumerate() {
            let mut cfg = Config::new(id, participants.to_vec(), observers.to_vec());
            cfg.log_window = window;
            let (p, out) = Peer::new(cfg, restored.get(i).cloned().unwrap_or_default());
            c.peers.insert(id, p);
            c.handle(id, out);
        }
        c
    }

    fn handle(&mut self, id: ServerId, out: Vec<Output>) {
        let mut again = Vec::new();
        for o in &out {
            match o {
                Output::Send { to, msg } => {
                    self.sent.push((id, *to, msg.clone()));
                    if !self.mute.contains(&id) {
                        self.queue.push_back((id, *to, msg.clone()));
                    }
                }
                Output::AppendLog { batch, .. } => {
                    if self.auto_durable {
                        again.push(Input::LogDurable { batch: *batch });
                    } else {
                        self.held.entry(id).or_default().push(*batch);
                    }
                }
                Output::Commit { entries } => self.commits.entry(id).or_default().extend(entries.iter().map(|e| e.zxid)),
                Output::SnapshotNeeded => {
                    let z = self.peers[&id].history().commit();
                    again.push(Input::Snapshot { zxid: z, data: b"snapshot".to_vec() });
                }
                _ => {}
            }
        }
        self.outputs.entry(id).or_default().extend(out);
        for i in again {
            self.input(id, i);
        }
    }

    fn input(&mut self, id: ServerId, i: Input) {
        let out = self.peers.get_mut(&id).expect("peer").step(i);
        self.handle(id, out);
    }

    /// Delivers messages until none is left (bounded).
    fn settle(&mut self) {
        for _ in 0..10_000 {
            let Some((from, to, msg)) = self.queue.pop_front() else { return };
            self.input(to, Input::Message { from, msg });
        }
        panic!("messages never settle");
    }

    /// Settles, then a few rounds of ticks (retries) and deliveries.
    fn converge(&mut self) {
        self.settle();
        for _ in 0..3 {
            self.tick_all();
            self.settle();
        }
    }

    fn tick_all(&mut self) {
        let ids: Vec<ServerId> = self.peers.keys().copied().collect();
        for id in ids {
            self.input(id, Input::Tick);
        }
    }

    fn release(&mut self, id: ServerId) {
        if let Some(b) = self.held.get_mut(&id).and_then(|v| v.pop()) {
            self.held.get_mut(&id).expect("held").clear();
            self.input(id, Input::LogDurable { batch: b });
        }
    }

    fn role(&self, id: ServerId) -> (Role, Phase) {
        (self.peers[&id].role(), self.peers[&id].phase())
    }

    fn leader(&self) -> ServerId {
        *self.peers.iter().find(|(_, p)| p.role() == Role::Leading).expect("a leader").0
    }

    fn sent_by(&self, id: ServerId) -> Vec<(ServerId, Msg)> {
        self.sent.iter().filter(|(f, _, _)| *f == id).map(|(_, t, m)| (*t, m.clone())).collect()
    }
}

fn restored(accepted: u32, current: u32, log: Vec<Entry>) -> Restored {
    Restored { accepted_epoch: accepted, current_epoch: current, snapshot_zxid: 0, log }
}

#[test]
fn votes_order_by_epoch_then_zxid_then_id() {
    let v = |leader, peer_epoch, zxid| Vote { leader, peer_epoch, zxid };
    assert!(v(1, 2, 0).beats(&v(3, 1, 100)));
    assert!(v(1, 1, 101).beats(&v(3, 1, 100)));
    assert!(v(3, 1, 100).beats(&v(2, 1, 100)));
    assert!(!v(2, 1, 100).beats(&v(2, 1, 100)));
}

#[test]
fn quorum_is_a_strict_majority_of_participants() {
    let c = Config::new(1, vec![1, 2, 3, 4], vec![9]);
    assert!(!c.is_quorum(&[1, 2]));
    assert!(!c.is_quorum(&[1, 2, 9]), "observers do not count");
    assert!(!c.is_quorum(&[1, 1, 2]), "duplicates do not count");
    assert!(c.is_quorum(&[1, 2, 4]));
    let c = Config::new(1, vec![1, 2, 3], vec![]);
    assert!(c.is_quorum(&[3, 1]));
}

#[test]
fn fresh_ensemble_elects_the_highest_id_and_broadcasts() {
    let mut c = Cluster::new(&[1, 2, 3], &[4], &[], 100);
    c.converge();
    assert_eq!(c.leader(), 3);
    for id in [1, 2] {
        assert_eq!(c.role(id), (Role::Following, Phase::Broadcast));
    }
    assert_eq!(c.role(3), (Role::Leading, Phase::Broadcast));
    // The observer learns the outcome from the answers of settled peers (it asks again on ticks).
    for _ in 0..3 {
        c.tick_all();
        c.settle();
    }
    assert_eq!(c.role(4), (Role::Observing, Phase::Broadcast));
    assert_eq!(c.peers[&3].epoch(), 1);
    assert_eq!(c.peers[&1].epochs(), (1, 1));
}

#[test]
fn election_prefers_the_newest_history_and_observers_never_lead() {
    let logs = [
        restored(1, 1, entries(1, 1..=3)),
        restored(1, 1, entries(1, 1..=5)),
        restored(1, 1, entries(1, 1..=4)),
        // The observer has the longest log but never leads or votes.
        restored(1, 1, entries(1, 1..=9)),
    ];
    let mut c = Cluster::new(&[1, 2, 3], &[4], &logs, 100);
    c.converge();
    assert_eq!(c.leader(), 2);
    // The observer's own notifications name itself; nobody adopts them.
    for (from, _, m) in &c.sent {
        if let Msg::Notification { vote, .. } = m {
            assert!(vote.leader != 4 || *from == 4, "{m:?}");
        }
    }
}

#[test]
fn sync_uses_diff_for_a_prefix_and_trunc_for_extra_entries() {
    // 2 leads (newer epoch); 1 is behind (DIFF), 3 has an entry 2 never got (TRUNC).
    let logs = [
        restored(2, 2, entries(1, 1..=3)),
        restored(2, 2, [entries(1, 1..=5), entries(2, 1..=2)].concat()),
        restored(1, 1, entries(1, 1..=6)),
    ];
    let mut c = Cluster::new(&[1, 2, 3], &[], &logs, 100);
    c.converge();
    assert_eq!(c.leader(), 2);
    let sent = c.sent_by(2);
    assert!(sent.contains(&(1, Msg::Diff { zxid: make(1, 3) })));
    assert!(sent.contains(&(3, Msg::Trunc { zxid: make(1, 5) })));
    assert!(c.outputs[&3].contains(&Output::TruncateLog { after: make(1, 5) }));
    // Everyone ends with the leader's history, committed.
    for id in [1, 2, 3] {
        assert_eq!(c.peers[&id].history().last(), make(2, 2));
        assert_eq!(c.peers[&id].history().commit(), make(2, 2));
        assert_eq!(c.commits[&id].last(), Some(&make(2, 2)));
    }
    // 3 knew nothing committed: it commits the leader's whole history, in order.
    let all: Vec<i64> = [entries(1, 1..=5), entries(2, 1..=2)].concat().iter().map(|e| e.zxid).collect();
    assert_eq!(c.commits[&3], all);
}

#[test]
fn sync_uses_snap_when_the_learner_is_behind_the_leaders_window() {
    // 2 holds a snapshot at 1.5 and nothing before it in memory; 1 is empty.
    let mut snap = restored(1, 1, entries(1, 6..=7));
    snap.snapshot_zxid = make(1, 5);
    let logs = [restored(0, 0, vec![]), snap, restored(0, 0, vec![])];
    let mut c = Cluster::new(&[1, 2, 3], &[], &logs, 100);
    c.converge();
    assert_eq!(c.leader(), 2);
    let sent = c.sent_by(2);
    let snaps: Vec<_> = sent.iter().filter(|(_, m)| matches!(m, Msg::Snap { .. })).collect();
    assert_eq!(snaps.len(), 2, "{sent:?}");
    assert!(c.outputs[&1].contains(&Output::InstallSnapshot { zxid: make(1, 5), data: b"snapshot".to_vec() }));
    assert_eq!(c.peers[&1].history().last(), make(1, 7));
}

#[test]
fn followers_ack_only_after_their_append_is_durable() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    c.auto_durable = false;
    c.input(3, Input::Propose { data: b"x".to_vec() });
    c.settle();
    let z = make(1, 1);
    let acks = |c: &Cluster, id| c.sent_by(id).iter().filter(|(_, m)| *m == Msg::Ack { zxid: z }).count();
    assert_eq!(acks(&c, 1), 0);
    assert!(c.commits.get(&3).is_none_or(|v| !v.contains(&z)));
    c.release(1);
    assert_eq!(acks(&c, 1), 1);
    c.settle();
    // One follower is not a quorum while the leader's own append is not durable either.
    assert!(c.commits.get(&3).is_none_or(|v| !v.contains(&z)));
    c.release(3);
    assert_eq!(c.commits[&3], vec![z]);
}

#[test]
fn commits_need_a_quorum_and_come_in_zxid_order() {
    let mut c = Cluster::new(&[1, 2, 3, 4, 5], &[], &[], 100);
    c.converge();
    assert_eq!(c.leader(), 5);
    c.auto_durable = false;
    for d in 0..3u8 {
        c.input(5, Input::Propose { data: vec![d] });
    }
    c.settle();
    c.release(5);
    c.release(1);
    c.settle();
    assert!(!c.commits.contains_key(&5), "2 of 5 is not a quorum");
    c.release(2);
    c.settle();
    assert_eq!(c.commits[&5], vec![make(1, 1), make(1, 2), make(1, 3)]);
    // Followers learn the commit and apply in the same order.
    assert_eq!(c.commits[&1], c.commits[&5]);
    assert!(!c.commits.contains_key(&3) || c.commits[&3] == c.commits[&5]);
}

#[test]
fn observers_get_committed_entries_by_inform_and_never_ack() {
    let mut c = Cluster::new(&[1, 2, 3], &[4], &[], 100);
    c.converge();
    c.input(3, Input::Propose { data: b"y".to_vec() });
    c.settle();
    let z = make(1, 1);
    assert!(c.sent_by(3).contains(&(4, Msg::Inform { zxid: z, data: b"y".to_vec() })));
    assert!(!c.sent_by(3).iter().any(|(to, m)| *to == 4 && matches!(m, Msg::Proposal { .. })));
    assert!(!c.sent_by(4).iter().any(|(_, m)| matches!(m, Msg::Ack { .. })));
    assert_eq!(c.commits[&4], vec![z]);
}

#[test]
fn leader_steps_down_after_sync_limit_ticks_without_a_quorum() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    c.mute = vec![1, 2];
    let limit = c.peers[&3].config().sync_limit;
    for _ in 0..limit {
        c.input(3, Input::Tick);
    }
    assert_eq!(c.role(3).0, Role::Leading);
    c.input(3, Input::Tick);
    assert_eq!(c.role(3).0, Role::Looking);
}

#[test]
fn follower_goes_looking_when_the_leader_is_silent() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    let limit = c.peers[&1].config().sync_limit;
    for _ in 0..=limit {
        c.input(1, Input::Tick);
    }
    assert_eq!(c.role(1).0, Role::Looking);
    // And a broken connection to the leader does it at once.
    c.input(2, Input::Disconnected { peer: 3 });
    assert_eq!(c.role(2).0, Role::Looking);
}

#[test]
fn proposals_are_rejected_off_the_leader() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    let out = c.peers.get_mut(&1).unwrap().step(Input::Propose { data: vec![] });
    assert_eq!(out, vec![Output::ProposalRejected { reason: Rejection::NotLeader }]);
}

#[test]
fn an_exhausted_counter_makes_the_leader_step_down_for_a_new_epoch() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    c.peers.get_mut(&3).unwrap().test_jump_to(make(1, MAX_COUNTER));
    let out = c.peers.get_mut(&3).unwrap().step(Input::Propose { data: vec![] });
    assert!(out.contains(&Output::ProposalRejected { reason: Rejection::EpochExhausted }));
    assert_eq!(c.peers[&3].role(), Role::Looking);
}

#[test]
fn a_learner_ignores_sync_messages_from_a_server_it_does_not_follow() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    let before = c.peers[&1].history().last();
    c.input(1, Input::Message { from: 2, msg: Msg::Proposal { zxid: make(1, 7), data: vec![] } });
    assert_eq!(c.peers[&1].history().last(), before);
    assert_eq!(c.role(1).0, Role::Following);
}

#[test]
fn a_gap_in_the_leaders_stream_is_refused() {
    let mut c = Cluster::new(&[1, 2, 3], &[], &[], 100);
    c.converge();
    c.input(3, Input::Propose { data: vec![] });
    c.settle();
    c.input(1, Input::Message { from: 3, msg: Msg::Proposal { zxid: make(1, 5), data: vec![] } });
    assert_eq!(c.role(1).0, Role::Looking);
}

#[test]
fn trunc_to_a_zxid_the_learner_lacks_makes_it_sync_again_from_its_real_prefix() {
    // 1 took 3.1 from a leader that lacked 1.3; 3 leads epoch 5 with 1.1..1.3, 2.1.
    let leader_log = [entries(1, 1..=3), entries(2, 1..=1)].concat();
    let logs = [
        restored(3, 3, [entries(1, 1..=2), entries(3, 1..=1)].concat()),
        restored(4, 4, leader_log.clone()),
        restored(4, 4, leader_log),
    ];
    let mut c = Cluster::new(&[1, 2, 3], &[], &logs, 100);
    for _ in 0..10 {
        c.converge();
    }
    assert_eq!(c.leader(), 3);
    assert!(c.sent_by(3).contains(&(1, Msg::Trunc { zxid: make(2, 1) })));
    assert!(c.sent_by(3).contains(&(1, Msg::Diff { zxid: make(1, 2) })), "a second sync from 1.2");
    assert_eq!(c.role(1), (Role::Following, Phase::Broadcast));
    assert_eq!(c.peers[&1].history().last(), make(2, 1));
    assert_eq!(c.commits[&1], vec![make(1, 1), make(1, 2), make(1, 3), make(2, 1)]);
}

/// Drives server 3 of {1, 2, 3} to lead: it hears 1 vote for it, then a tick decides.
fn leader_3(log: Vec<Entry>) -> Peer {
    let (mut p, _) = Peer::new(Config::new(3, vec![1, 2, 3], vec![]), restored(1, 1, log));
    let vote = Vote { leader: 3, peer_epoch: 1, zxid: p.history().last() };
    p.step(Input::Message { from: 1, msg: Msg::Notification { vote, round: 1, state: super::PeerState::Looking } });
    p.step(Input::Tick);
    assert_eq!((p.role(), p.phase()), (Role::Leading, Phase::Discovery));
    p
}

#[test]
fn a_leader_with_an_older_history_than_its_quorum_steps_down_in_discovery() {
    let mut p = leader_3(entries(1, 1..=2));
    let out = p.step(Input::Message { from: 1, msg: Msg::LearnerInfo { accepted_epoch: 1, last_zxid: make(1, 3), observer: false } });
    assert!(out.contains(&Output::Send { to: 1, msg: Msg::LeaderInfo { epoch: 2 } }));
    p.step(Input::Message { from: 1, msg: Msg::AckEpoch { epoch: 2, current_epoch: 1, last_zxid: make(1, 3), fresh: true } });
    assert_eq!(p.role(), Role::Looking);
}

#[test]
fn a_repeated_epoch_ack_does_not_count_toward_the_epoch_quorum() {
    let mut p = leader_3(entries(1, 1..=2));
    p.step(Input::Message { from: 1, msg: Msg::LearnerInfo { accepted_epoch: 1, last_zxid: make(1, 2), observer: false } });
    p.step(Input::Message { from: 1, msg: Msg::AckEpoch { epoch: 2, current_epoch: 1, last_zxid: make(1, 2), fresh: false } });
    assert_eq!(p.phase(), Phase::Discovery);
    p.step(Input::Message { from: 2, msg: Msg::LearnerInfo { accepted_epoch: 1, last_zxid: make(1, 1), observer: false } });
    let out = p.step(Input::Message { from: 2, msg: Msg::AckEpoch { epoch: 2, current_epoch: 1, last_zxid: make(1, 1), fresh: true } });
    assert_eq!(p.phase(), Phase::Sync);
    assert!(out.contains(&Output::Send { to: 2, msg: Msg::Diff { zxid: make(1, 1) } }));
    assert!(out.contains(&Output::Send { to: 1, msg: Msg::Diff { zxid: make(1, 2) } }));
    // The leader's own history is durable (recovered), so its current epoch moves now.
    assert!(out.contains(&Output::PersistEpochs { accepted: 2, current: 2 }));
}

#[test]
fn a_late_learner_with_extra_entries_is_truncated_not_obeyed() {
    let mut logs = vec![restored(1, 1, entries(1, 1..=3))];
    logs.extend((0..4).map(|_| restored(1, 1, entries(1, 1..=2))));
    let mut c = Cluster::new(&[1, 2, 3, 4, 5], &[], &logs, 100);
    c.mute = vec![1];
    c.queue.retain(|(from, _, _)| *from != 1);
    c.converge();
    assert_eq!(c.leader(), 5);
    c.mute.clear();
    for _ in 0..5 {
        c.converge();
    }
    assert_eq!(c.leader(), 5);
    assert!(c.sent_by(5).contains(&(1, Msg::Trunc { zxid: make(1, 2) })));
    assert_eq!(c.role(1), (Role::Following, Phase::Broadcast));
}

#[test]
fn a_learner_refused_for_a_lower_epoch_does_not_spin_on_the_same_leader() {
    // 3 once accepted epoch 9 from a discovery that never completed; 1 and 2 establish epoch 1
    // without it (3's messages are lost meanwhile).
    let mut c = Cluster::new(&[1, 2, 3], &[], &[restored(0, 0, vec![]), restored(0, 0, vec![]), restored(9, 0, vec![])], 100);
    c.mute.push(3);
    c.queue.retain(|(from, _, _)| *from != 3);
    c.converge();
    assert_eq!(c.role(2), (Role::Leading, Phase::Broadcast));
    assert_eq!(c.peers[&2].epoch(), 1);
    // 3 is heard again: refused (1 < 9), as ZooKeeper's learner refuses; it must not loop
    // follow → refuse → look → follow without a pause (settle would never end).
    c.mute.clear();
    c.settle();
    for _ in 0..5 {
        c.tick_all();
        c.settle();
    }
    assert_eq!(c.role(2), (Role::Leading, Phase::Broadcast));
    assert_eq!(c.role(1), (Role::Following, Phase::Broadcast));
    let infos = c.sent_by(3).iter().filter(|(to, m)| *to == 2 && matches!(m, Msg::LearnerInfo { .. })).count();
    assert!(infos <= 10, "3 asked the same leader {infos} times");
}
