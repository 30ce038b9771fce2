//! zkd storage engine: the transaction log and snapshots (filled in by the storage issue).
