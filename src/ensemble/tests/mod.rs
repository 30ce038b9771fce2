//! Whole ensembles of `Node`s in memory: a FIFO network, logs that become durable when the
//! harness says so, real client packets.

mod cluster;
mod scenarios;
mod schedule;
