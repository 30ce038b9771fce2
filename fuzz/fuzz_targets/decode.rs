//! Feeds arbitrary bytes to every decoder a peer can reach: request bodies of every opcode, the
//! handshake, the frame splitter, and the client-side reply decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkd::wire::{self, codec_client, FrameSplitter};

const OPS: [i32; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106,
    107, -10, -11,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    match selector % 4 {
        0 => {
            let _ = wire::decode_connect_request(rest);
            let _ = wire::decode_connect_response(rest);
        }
        1 => {
            let mut s = FrameSplitter::new(64);
            for chunk in rest.chunks(7) {
                s.push(chunk);
                let _ = s.four_letter_word();
                while let Ok(Some(_)) = s.next_frame() {}
            }
        }
        2 => {
            let Some((&op_index, body)) = rest.split_first() else { return };
            let op = OPS[op_index as usize % OPS.len()];
            if let Ok((_, reply_body)) = wire::decode_reply_header(body) {
                let _ = codec_client::decode_event(reply_body);
            }
            let _ = wire::decode_reply(op, body);
        }
        _ => {
            let Some((&op_index, body)) = rest.split_first() else { return };
            let op = OPS[op_index as usize % OPS.len()];
            let _ = wire::decode_request(op, body, 0xfffff);
            let _ = wire::decode_request(op, body, 16);
            if let Ok((header, req_body)) = wire::split_request(body) {
                let _ = wire::decode_request(header.op, req_body, 0xfffff);
            }
        }
    }
});
