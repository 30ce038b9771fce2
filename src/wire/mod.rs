//! The wire protocol: jute binary encoding, framing and the client protocol records.
//! Server direction in `codec`, client direction in `codec_client`, shared records in `records_codec`.

pub mod codec;
pub mod codec_client;
pub mod codes;
pub mod data;
pub mod frame;
pub mod jute;
pub mod records;
pub mod records_codec;

#[cfg(test)]
mod tests;

pub use codec::{decode_request, encode_event, encode_reply, write_response};
pub use codec_client::{decode_reply, decode_reply_header, decode_response, encode_request, request_op};
pub use codes::*;
pub use data::*;
pub use frame::{four_letter_word, BadFrameLength, FrameSplitter};
pub use jute::{DecodeError, JuteReader, JuteWriter};
pub use records::*;
pub use records_codec::{
    decode_connect_request, decode_connect_response, encode_connect_request, encode_connect_response, split_request,
};
