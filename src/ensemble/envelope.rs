//! What one server sends another on the quorum connection: a replication message, or pipeline
//! traffic between a follower and its leader. One tag byte, then big-endian fixed-width fields;
//! byte strings are a u32 length and the bytes. Decoding checks every length and never panics.

use crate::pipeline::{ForwardedPacket, RemoteAnswer};
use crate::replication::{codec, Msg};
use crate::wire::codec::write_response;
use crate::wire::jute::JuteWriter;
use crate::wire::{op, ConnectResponse, Id, ReplyHeader, RequestHeader, Response};

const REPLICATION: u8 = 0;
const FORWARDED: u8 = 1;
const ANSWER: u8 = 2;
const TOUCHES: u8 = 3;

const REPLY: u8 = 0;
const CONNECTED: u8 = 1;
const CLOSE: u8 = 2;

/// Largest byte string accepted (as the replication codec: 1 GiB).
const MAX_BYTES: usize = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    Replication(Msg),
    /// Follower → leader: a client packet.
    Forwarded(ForwardedPacket),
    /// Leader → follower: the answer to a forwarded packet. A reply body travels encoded and
    /// arrives as `Response::Encoded` (the follower relays it without decoding it).
    Answer { session: i64, zxid: i64, answer: RemoteAnswer },
    /// Follower → leader: sessions its clients kept alive (id, timeout).
    Touches(Vec<(i64, i32)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    UnknownTag(u8),
    Truncated,
    TooLong,
    BadBool(u8),
    BadString,
    TrailingBytes,
    Replication(codec::DecodeError),
}

/// The op whose response record `body` is, so the follower's `Response::Encoded` names it
/// (ops sharing a record shape share a representative).
fn op_of(body: &Response) -> i32 {
    match body {
        Response::Empty => op::DELETE,
        Response::Create(_) => op::CREATE,
        Response::Create2(..) => op::CREATE2,
        Response::Stat(_) => op::SET_DATA,
        Response::GetData(..) => op::GET_DATA,
        Response::GetAcl(..) => op::GET_ACL,
        Response::GetChildren(_) => op::GET_CHILDREN,
        Response::GetChildren2(..) => op::GET_CHILDREN2,
        Response::Path(_) => op::SYNC,
        Response::Multi(_) => op::MULTI,
        Response::AllChildrenNumber(_) => op::GET_ALL_CHILDREN_NUMBER,
        Response::Ephemerals(_) => op::GET_EPHEMERALS,
        Response::ErrorBody(_) => op::ADD_WATCH,
        Response::WhoAmI(_) => op::WHO_AM_I,
        Response::Sasl(_) => op::SASL,
        Response::Encoded { op, .. } => *op,
    }
}

fn put_bytes(o: &mut Vec<u8>, b: &[u8]) {
    o.extend_from_slice(&(b.len() as u32).to_be_bytes());
    o.extend_from_slice(b);
}

pub fn encode(e: &Envelope) -> Vec<u8> {
    let mut o = Vec::new();
    match e {
        Envelope::Replication(m) => {
            o.push(REPLICATION);
            codec::encode_into(m, &mut o);
        }
        Envelope::Forwarded(p) => {
            o.push(FORWARDED);
            o.extend_from_slice(&p.session.to_be_bytes());
            o.extend_from_slice(&p.timeout.to_be_bytes());
            o.extend_from_slice(&p.header.xid.to_be_bytes());
            o.extend_from_slice(&p.header.op.to_be_bytes());
            put_bytes(&mut o, &p.body);
            o.extend_from_slice(&(p.ids.len() as u32).to_be_bytes());
            for id in &p.ids {
                put_bytes(&mut o, id.scheme.as_bytes());
                put_bytes(&mut o, id.id.as_bytes());
            }
        }
        Envelope::Answer { session, zxid, answer } => {
            o.push(ANSWER);
            o.extend_from_slice(&session.to_be_bytes());
            o.extend_from_slice(&zxid.to_be_bytes());
            encode_answer(answer, &mut o);
        }
        Envelope::Touches(s) => {
            o.push(TOUCHES);
            o.extend_from_slice(&(s.len() as u32).to_be_bytes());
            for (id, timeout) in s {
                o.extend_from_slice(&id.to_be_bytes());
                o.extend_from_slice(&timeout.to_be_bytes());
            }
        }
    }
    o
}

fn encode_answer(a: &RemoteAnswer, o: &mut Vec<u8>) {
    match a {
        RemoteAnswer::Reply { header, body, close } => {
            o.push(REPLY);
            o.extend_from_slice(&header.xid.to_be_bytes());
            o.extend_from_slice(&header.zxid.to_be_bytes());
            o.extend_from_slice(&header.err.to_be_bytes());
            o.push(*close as u8);
            o.extend_from_slice(&op_of(body).to_be_bytes());
            let mut b = Vec::new();
            write_response(&mut JuteWriter::new(&mut b), body);
            put_bytes(o, &b);
        }
        RemoteAnswer::Connected { resp, close_after } => {
            o.push(CONNECTED);
            o.extend_from_slice(&resp.protocol_version.to_be_bytes());
            o.extend_from_slice(&resp.timeout.to_be_bytes());
            o.extend_from_slice(&resp.session_id.to_be_bytes());
            put_bytes(o, &resp.passwd);
            // read_only: 0 absent, 1 false, 2 true.
            o.push(match resp.read_only {
                None => 0,
                Some(false) => 1,
                Some(true) => 2,
            });
            o.push(*close_after as u8);
        }
        RemoteAnswer::Close => o.push(CLOSE),
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        Ok(h)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::BadBool(b)),
        }
    }
    fn i32(&mut self) -> Result<i32, DecodeError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(self.i32()? as u32)
    }
    fn i64(&mut self) -> Result<i64, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }
    fn bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        let n = self.u32()? as usize;
        if n > MAX_BYTES {
            return Err(DecodeError::TooLong);
        }
        Ok(self.take(n)?.to_vec())
    }
    fn string(&mut self) -> Result<String, DecodeError> {
        String::from_utf8(self.bytes()?).map_err(|_| DecodeError::BadString)
    }
    /// A count of items at least `min_size` bytes each: bounded by what is left.
    fn count(&mut self, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.0.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
}

pub fn decode(b: &[u8]) -> Result<Envelope, DecodeError> {
    let (&tag, rest) = b.split_first().ok_or(DecodeError::Empty)?;
    if tag == REPLICATION {
        return codec::decode(rest).map(Envelope::Replication).map_err(DecodeError::Replication);
    }
    let r = &mut Reader(rest);
    let e = match tag {
        FORWARDED => {
            let session = r.i64()?;
            let timeout = r.i32()?;
            let header = RequestHeader { xid: r.i32()?, op: r.i32()? };
            let body = r.bytes()?;
            let n = r.count(8)?;
            let mut ids = Vec::with_capacity(n);
            for _ in 0..n {
                ids.push(Id { scheme: r.string()?, id: r.string()? });
            }
            Envelope::Forwarded(ForwardedPacket { session, timeout, header, body, ids })
        }
        ANSWER => {
            let session = r.i64()?;
            let zxid = r.i64()?;
            let answer = decode_answer(r)?;
            Envelope::Answer { session, zxid, answer }
        }
        TOUCHES => {
            let n = r.count(12)?;
            let mut s = Vec::with_capacity(n);
            for _ in 0..n {
                s.push((r.i64()?, r.i32()?));
            }
            Envelope::Touches(s)
        }
        t => return Err(DecodeError::UnknownTag(t)),
    };
    if !r.0.is_empty() {
        return Err(DecodeError::TrailingBytes);
    }
    Ok(e)
}

fn decode_answer(r: &mut Reader) -> Result<RemoteAnswer, DecodeError> {
    Ok(match r.u8()? {
        REPLY => {
            let header = ReplyHeader { xid: r.i32()?, zxid: r.i64()?, err: r.i32()? };
            let close = r.bool()?;
            let op = r.i32()?;
            let body = r.bytes()?;
            RemoteAnswer::Reply { header, body: Response::Encoded { op, body }, close }
        }
        CONNECTED => {
            let protocol_version = r.i32()?;
            let timeout = r.i32()?;
            let session_id = r.i64()?;
            let passwd = r.bytes()?;
            let read_only = match r.u8()? {
                0 => None,
                1 => Some(false),
                2 => Some(true),
                b => return Err(DecodeError::BadBool(b)),
            };
            let close_after = r.bool()?;
            RemoteAnswer::Connected { resp: ConnectResponse { protocol_version, timeout, session_id, passwd, read_only }, close_after }
        }
        CLOSE => RemoteAnswer::Close,
        t => return Err(DecodeError::UnknownTag(t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Stat;
    use proptest::prelude::*;

    fn arb_envelope() -> impl Strategy<Value = Envelope> {
        let bytes = || proptest::collection::vec(any::<u8>(), 0..24);
        let forwarded = (any::<i64>(), any::<i32>(), any::<i32>(), any::<i32>(), bytes(), proptest::collection::vec(("[a-z]{0,6}", "[ -~]{0,8}"), 0..3))
            .prop_map(|(session, timeout, xid, op, body, ids)| {
                let ids = ids.into_iter().map(|(s, i)| Id { scheme: s, id: i }).collect();
                Envelope::Forwarded(ForwardedPacket { session, timeout, header: RequestHeader { xid, op }, body, ids })
            });
        let reply = (any::<i32>(), any::<i64>(), any::<i32>(), any::<bool>(), any::<i32>(), bytes())
            .prop_map(|(xid, zxid, err, close, op, body)| RemoteAnswer::Reply { header: ReplyHeader { xid, zxid, err }, body: Response::Encoded { op, body }, close });
        let connected = (any::<i32>(), any::<i64>(), bytes(), proptest::option::of(any::<bool>()), any::<bool>()).prop_map(|(timeout, session_id, passwd, read_only, close_after)| {
            RemoteAnswer::Connected { resp: ConnectResponse { protocol_version: 0, timeout, session_id, passwd, read_only }, close_after }
        });
        let answer = prop_oneof![reply, connected, Just(RemoteAnswer::Close)];
        let answer = (any::<i64>(), any::<i64>(), answer).prop_map(|(session, zxid, answer)| Envelope::Answer { session, zxid, answer });
        let touches = proptest::collection::vec((any::<i64>(), any::<i32>()), 0..4).prop_map(Envelope::Touches);
        let repl = (any::<i64>(), bytes()).prop_map(|(zxid, data)| Envelope::Replication(Msg::Proposal { zxid, data }));
        prop_oneof![forwarded, answer, touches, repl]
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&b);
        }

        #[test]
        fn round_trip_and_prefixes_fail(e in arb_envelope()) {
            let b = encode(&e);
            prop_assert_eq!(decode(&b), Ok(e));
            for n in 0..b.len() {
                prop_assert!(decode(&b[..n]).is_err(), "prefix {} of {:?}", n, b);
            }
        }
    }

    #[test]
    fn a_structured_reply_arrives_encoded_and_decodes_to_the_same_record() {
        let stat = Stat { version: 3, ..Default::default() };
        let body = Response::Create2("/a".into(), stat);
        let a = RemoteAnswer::Reply { header: ReplyHeader { xid: 1, zxid: 5, err: 0 }, body: body.clone(), close: false };
        let Ok(Envelope::Answer { answer: RemoteAnswer::Reply { body: Response::Encoded { op, body: raw }, .. }, .. }) =
            decode(&encode(&Envelope::Answer { session: 1, zxid: 5, answer: a }))
        else {
            panic!("not an encoded reply");
        };
        assert_eq!(crate::wire::codec_client::decode_response(op, &raw), Ok(body));
    }

    #[test]
    fn a_relayed_multi_error_keeps_its_body() {
        // A multi with a null path: MarshallingError with an empty MultiResponse (see prep).
        let header = ReplyHeader { xid: 4, zxid: 9, err: -5 };
        let body = Response::Multi(Vec::new());
        let mut direct = Vec::new();
        crate::wire::codec::encode_reply(&mut direct, &header, &body);
        let a = RemoteAnswer::Reply { header, body, close: false };
        let Ok(Envelope::Answer { answer: RemoteAnswer::Reply { body: relayed, .. }, .. }) = decode(&encode(&Envelope::Answer { session: 1, zxid: 9, answer: a })) else {
            panic!("not a reply");
        };
        let mut via = Vec::new();
        crate::wire::codec::encode_reply(&mut via, &header, &relayed);
        assert_eq!(via, direct, "the follower sends the bytes the leader would have");
    }
}
