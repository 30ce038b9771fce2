//! The wire protocol: jute binary encoding, framing and the client protocol records.

pub mod codec;
pub mod codes;
pub mod data;
pub mod frame;
pub mod jute;
pub mod records;

pub use codes::*;
pub use data::*;
pub use jute::DecodeError;
pub use records::*;

#[cfg(test)]
mod tests;
