//! The core's view of the wire codec: a request body either decodes, names an unknown op, or is bad.
//! Auth/ACL rules come from `crate::auth`, session rules from `crate::session`.

use crate::wire::Request;

/// Why a request body could not be turned into a `Request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeFailure {
    UnknownOp,
    /// A multiRead listing write ops: ZooKeeper decodes it, fails the first op in FinalRequestProcessor
    /// and answers MarshallingError with the (empty) MultiResponse it had started.
    WriteOpInMultiRead,
    Bad,
}

/// Decodes a request body (after the RequestHeader) with the wire codec.
pub fn decode_request(op: i32, body: &[u8], max: usize) -> Result<Request, DecodeFailure> {
    crate::wire::codec::decode_request(op, body, max).map_err(|e| match e {
        crate::wire::DecodeError::UnknownOp(_) => DecodeFailure::UnknownOp,
        crate::wire::DecodeError::WriteOpInMultiRead => DecodeFailure::WriteOpInMultiRead,
        _ => DecodeFailure::Bad,
    })
}
