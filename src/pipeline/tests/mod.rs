//! Core tests: feed Inputs, check Outputs exactly.

mod harness;
mod sessions;
mod writes;
mod reads;
mod watches;
mod reaper;
mod sasl;
mod raw_packets;
mod state_machine_props;
mod snapshots;
mod ensemble;
mod handover;
