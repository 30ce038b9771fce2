//! Binary form of `Msg` for the quorum TCP stream: one tag byte, then fixed-width big-endian
//! fields; byte strings are a u32 length then the bytes. Decoding checks every length against the
//! input and the trailing bytes, so untrusted input yields an error, never a panic.

use super::msg::{Msg, PeerState, Vote};

/// Largest byte string accepted (a snapshot may be large; a frame is bounded by the host).
pub const MAX_BYTES: usize = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("message truncated")]
    Truncated,
    #[error("unknown message tag {0}")]
    Tag(u8),
    #[error("bad field value {0}")]
    Value(&'static str),
    #[error("{0} trailing bytes")]
    Trailing(usize),
}

mod tag {
    pub const NOTIFICATION: u8 = 1;
    pub const LEARNER_INFO: u8 = 2;
    pub const LEADER_INFO: u8 = 3;
    pub const ACK_EPOCH: u8 = 4;
    pub const DIFF: u8 = 5;
    pub const TRUNC: u8 = 6;
    pub const SNAP: u8 = 7;
    pub const PROPOSAL: u8 = 8;
    pub const COMMIT: u8 = 9;
    pub const INFORM: u8 = 10;
    pub const NEW_LEADER: u8 = 11;
    pub const ACK: u8 = 12;
    pub const ACK_NEW_LEADER: u8 = 13;
    pub const UP_TO_DATE: u8 = 14;
    pub const PING: u8 = 15;
    pub const PING_ACK: u8 = 16;
}

fn state_code(s: PeerState) -> u8 {
    match s {
        PeerState::Looking => 0,
        PeerState::Following => 1,
        PeerState::Leading => 2,
        PeerState::Observing => 3,
    }
}

pub fn encode(m: &Msg) -> Vec<u8> {
    let mut o = Vec::with_capacity(32);
    encode_into(m, &mut o);
    o
}

pub fn encode_into(m: &Msg, o: &mut Vec<u8>) {
    let u32_ = |o: &mut Vec<u8>, v: u32| o.extend_from_slice(&v.to_be_bytes());
    let i64_ = |o: &mut Vec<u8>, v: i64| o.extend_from_slice(&v.to_be_bytes());
    let bytes = |o: &mut Vec<u8>, b: &[u8]| {
        o.extend_from_slice(&(b.len() as u32).to_be_bytes());
        o.extend_from_slice(b);
    };
    match m {
        Msg::Notification { vote, round, state } => {
            o.push(tag::NOTIFICATION);
            o.extend_from_slice(&vote.leader.to_be_bytes());
            u32_(o, vote.peer_epoch);
            i64_(o, vote.zxid);
            o.extend_from_slice(&round.to_be_bytes());
            o.push(state_code(*state));
        }
        Msg::LearnerInfo { accepted_epoch, last_zxid, observer } => {
            o.push(tag::LEARNER_INFO);
            u32_(o, *accepted_epoch);
            i64_(o, *last_zxid);
            o.push(*observer as u8);
        }
        Msg::LeaderInfo { epoch } => {
            o.push(tag::LEADER_INFO);
            u32_(o, *epoch);
        }
        Msg::AckEpoch { epoch, current_epoch, last_zxid, fresh } => {
            o.push(tag::ACK_EPOCH);
            u32_(o, *epoch);
            u32_(o, *current_epoch);
            i64_(o, *last_zxid);
            o.push(*fresh as u8);
        }
        Msg::Diff { zxid } => {
            o.push(tag::DIFF);
            i64_(o, *zxid);
        }
        Msg::Trunc { zxid } => {
            o.push(tag::TRUNC);
            i64_(o, *zxid);
        }
        Msg::Snap { zxid, data } => {
            o.push(tag::SNAP);
            i64_(o, *zxid);
            bytes(o, data);
        }
        Msg::Proposal { zxid, data } => {
            o.push(tag::PROPOSAL);
            i64_(o, *zxid);
            bytes(o, data);
        }
        Msg::Commit { zxid } => {
            o.push(tag::COMMIT);
            i64_(o, *zxid);
        }
        Msg::Inform { zxid, data } => {
            o.push(tag::INFORM);
            i64_(o, *zxid);
            bytes(o, data);
        }
        Msg::NewLeader { epoch } => {
            o.push(tag::NEW_LEADER);
            u32_(o, *epoch);
        }
        Msg::Ack { zxid } => {
            o.push(tag::ACK);
            i64_(o, *zxid);
        }
        Msg::AckNewLeader { epoch } => {
            o.push(tag::ACK_NEW_LEADER);
            u32_(o, *epoch);
        }
        Msg::UpToDate { commit } => {
            o.push(tag::UP_TO_DATE);
            i64_(o, *commit);
        }
        Msg::Ping { commit } => {
            o.push(tag::PING);
            i64_(o, *commit);
        }
        Msg::PingAck => o.push(tag::PING_ACK),
    }
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.b.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(self.u64()? as i64)
    }
    fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Value("bool")),
        }
    }
    fn bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        let n = self.u32()? as usize;
        if n > MAX_BYTES {
            return Err(DecodeError::Value("length"));
        }
        Ok(self.take(n)?.to_vec())
    }
}

pub fn decode(b: &[u8]) -> Result<Msg, DecodeError> {
    let mut r = Reader { b };
    let m = match r.u8()? {
        tag::NOTIFICATION => {
            let vote = Vote { leader: r.u64()?, peer_epoch: r.u32()?, zxid: r.i64()? };
            let round = r.u64()?;
            let state = match r.u8()? {
                0 => PeerState::Looking,
                1 => PeerState::Following,
                2 => PeerState::Leading,
                3 => PeerState::Observing,
                _ => return Err(DecodeError::Value("state")),
            };
            Msg::Notification { vote, round, state }
        }
        tag::LEARNER_INFO => Msg::LearnerInfo { accepted_epoch: r.u32()?, last_zxid: r.i64()?, observer: r.bool()? },
        tag::LEADER_INFO => Msg::LeaderInfo { epoch: r.u32()? },
        tag::ACK_EPOCH => {
            Msg::AckEpoch { epoch: r.u32()?, current_epoch: r.u32()?, last_zxid: r.i64()?, fresh: r.bool()? }
        }
        tag::DIFF => Msg::Diff { zxid: r.i64()? },
        tag::TRUNC => Msg::Trunc { zxid: r.i64()? },
        tag::SNAP => Msg::Snap { zxid: r.i64()?, data: r.bytes()? },
        tag::PROPOSAL => Msg::Proposal { zxid: r.i64()?, data: r.bytes()? },
        tag::COMMIT => Msg::Commit { zxid: r.i64()? },
        tag::INFORM => Msg::Inform { zxid: r.i64()?, data: r.bytes()? },
        tag::NEW_LEADER => Msg::NewLeader { epoch: r.u32()? },
        tag::ACK => Msg::Ack { zxid: r.i64()? },
        tag::ACK_NEW_LEADER => Msg::AckNewLeader { epoch: r.u32()? },
        tag::UP_TO_DATE => Msg::UpToDate { commit: r.i64()? },
        tag::PING => Msg::Ping { commit: r.i64()? },
        tag::PING_ACK => Msg::PingAck,
        t => return Err(DecodeError::Tag(t)),
    };
    if !r.b.is_empty() {
        return Err(DecodeError::Trailing(r.b.len()));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vote() -> impl Strategy<Value = Vote> {
        (any::<u64>(), any::<u32>(), any::<i64>()).prop_map(|(leader, peer_epoch, zxid)| Vote { leader, peer_epoch, zxid })
    }

    fn state() -> impl Strategy<Value = PeerState> {
        prop_oneof![
            Just(PeerState::Looking),
            Just(PeerState::Following),
            Just(PeerState::Leading),
            Just(PeerState::Observing)
        ]
    }

    fn msg() -> impl Strategy<Value = Msg> {
        let data = proptest::collection::vec(any::<u8>(), 0..40);
        prop_oneof![
            (vote(), any::<u64>(), state()).prop_map(|(vote, round, state)| Msg::Notification { vote, round, state }),
            (any::<u32>(), any::<i64>(), any::<bool>())
                .prop_map(|(a, z, o)| Msg::LearnerInfo { accepted_epoch: a, last_zxid: z, observer: o }),
            any::<u32>().prop_map(|epoch| Msg::LeaderInfo { epoch }),
            (any::<u32>(), any::<u32>(), any::<i64>(), any::<bool>()).prop_map(|(epoch, current_epoch, last_zxid, fresh)| {
                Msg::AckEpoch { epoch, current_epoch, last_zxid, fresh }
            }),
            any::<i64>().prop_map(|zxid| Msg::Diff { zxid }),
            any::<i64>().prop_map(|zxid| Msg::Trunc { zxid }),
            (any::<i64>(), data.clone()).prop_map(|(zxid, data)| Msg::Snap { zxid, data }),
            (any::<i64>(), data.clone()).prop_map(|(zxid, data)| Msg::Proposal { zxid, data }),
            any::<i64>().prop_map(|zxid| Msg::Commit { zxid }),
            (any::<i64>(), data).prop_map(|(zxid, data)| Msg::Inform { zxid, data }),
            any::<u32>().prop_map(|epoch| Msg::NewLeader { epoch }),
            any::<i64>().prop_map(|zxid| Msg::Ack { zxid }),
            any::<u32>().prop_map(|epoch| Msg::AckNewLeader { epoch }),
            any::<i64>().prop_map(|commit| Msg::UpToDate { commit }),
            any::<i64>().prop_map(|commit| Msg::Ping { commit }),
            Just(Msg::PingAck),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(m in msg()) {
            prop_assert_eq!(decode(&encode(&m)), Ok(m));
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&b);
        }

        /// Every strict prefix of a valid message is rejected (length checks hold).
        #[test]
        fn prefixes_are_truncated(m in msg()) {
            let b = encode(&m);
            for n in 0..b.len() {
                prop_assert!(decode(&b[..n]).is_err());
            }
        }
    }

    #[test]
    fn trailing_and_bad_values_are_errors() {
        let mut b = encode(&Msg::PingAck);
        b.push(0);
        assert_eq!(decode(&b), Err(DecodeError::Trailing(1)));
        assert_eq!(decode(&[99]), Err(DecodeError::Tag(99)));
        assert_eq!(decode(&[tag::LEARNER_INFO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]), Err(DecodeError::Value("bool")));
        assert_eq!(decode(&[tag::SNAP, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), Err(DecodeError::Value("length")));
    }
}
