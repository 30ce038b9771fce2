//! Messages between servers. Election notifications tolerate loss, duplication and reordering;
//! every other message assumes one FIFO stream per pair of servers (TCP, as ZooKeeper's quorum
//! connections): the host reports a broken stream with `Input::Disconnected`.

use super::zxid::Zxid;
use super::ServerId;

/// A vote for a leader, ordered as FastLeaderElection.totalOrderPredicate: peer epoch, then last
/// zxid, then server id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vote {
    pub leader: ServerId,
    /// The candidate's current epoch (the epoch of the last NEWLEADER it acknowledged).
    pub peer_epoch: u32,
    /// The candidate's last logged zxid.
    pub zxid: Zxid,
}

impl Vote {
    pub fn key(&self) -> (u32, Zxid, ServerId) {
        (self.peer_epoch, self.zxid, self.leader)
    }

    pub fn beats(&self, other: &Vote) -> bool {
        self.key() > other.key()
    }
}

/// The sender's state in a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerState {
    Looking,
    Following,
    Leading,
    Observing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// FLE notification: the sender's vote, election round (logical clock) and state.
    Notification { vote: Vote, round: u64, state: PeerState },
    /// FOLLOWERINFO / OBSERVERINFO: a learner's accepted epoch and last logged zxid.
    LearnerInfo { accepted_epoch: u32, last_zxid: Zxid, observer: bool },
    /// LEADERINFO (NEWEPOCH): the epoch the leader proposes.
    LeaderInfo { epoch: u32 },
    /// ACKEPOCH: the learner accepted `epoch`; its current epoch and last logged zxid. `fresh` is
    /// false when it had accepted `epoch` before (a restart): such an ack does not count toward the
    /// epoch quorum (ZooKeeper sends current epoch -1 then).
    AckEpoch { epoch: u32, current_epoch: u32, last_zxid: Zxid, fresh: bool },
    /// DIFF: the learner's log up to `zxid` is the leader's; proposals follow.
    Diff { zxid: Zxid },
    /// TRUNC: the learner must drop every entry after `zxid`; proposals follow.
    Trunc { zxid: Zxid },
    /// SNAP: the learner replaces its state with `data` (opaque, from the leader's host) at `zxid`.
    Snap { zxid: Zxid, data: Vec<u8> },
    /// PROPOSAL: log this entry (during sync: part of the leader's history).
    Proposal { zxid: Zxid, data: Vec<u8> },
    /// COMMIT: every entry up to `zxid` is committed.
    Commit { zxid: Zxid },
    /// INFORM: a committed entry, for observers (which see no proposals).
    Inform { zxid: Zxid, data: Vec<u8> },
    /// NEWLEADER: the sync stream is complete; acknowledge once it is durable.
    NewLeader { epoch: u32 },
    /// ACK: the learner's log is durable up to `zxid` (cumulative).
    Ack { zxid: Zxid },
    /// ACK of NEWLEADER.
    AckNewLeader { epoch: u32 },
    /// UPTODATE: the leader is broadcasting; everything up to `commit` is committed.
    UpToDate { commit: Zxid },
    /// PING from the leader (with its commit point), answered with `PingAck`.
    Ping { commit: Zxid },
    PingAck,
}

impl Msg {
    pub fn is_election(&self) -> bool {
        matches!(self, Msg::Notification { .. })
    }
}

