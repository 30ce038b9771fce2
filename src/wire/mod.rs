//! The wire protocol: jute binary encoding, framing and the client protocol records.

pub mod codes;
pub mod data;
pub mod records;

pub use codes::*;
pub use data::*;
pub use records::*;
