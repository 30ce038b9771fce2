//! `zkd dump log PATH`: one line per logged txn, like ZooKeeper's TxnLogToolkit.

use crate::txn::TxnEntry;
use std::io::Write;
use std::path::{Path, PathBuf};
use zkd_storage::scan::scan_segment;
use zkd_storage::segment::parse_segment_name;

fn segments(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut v: Vec<(i64, PathBuf)> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| parse_segment_name(&e.file_name().to_string_lossy()).map(|z| (z, e.path())))
        .collect();
    v.sort();
    Ok(v.into_iter().map(|(_, p)| p).collect())
}

pub fn run(path: &Path, out: &mut dyn Write) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let mut total = 0u64;
    for seg in segments(path)? {
        let buf = std::fs::read(&seg).map_err(|e| format!("{}: {e}", seg.display()))?;
        let scan = scan_segment(&buf, None).map_err(|e| format!("{}: {e}", seg.display()))?;
        writeln!(out, "segment {} first_zxid 0x{:x} block_size {}", seg.display(), scan.header.first_zxid, scan.header.block_size).map_err(io)?;
        for r in &scan.records {
            match TxnEntry::decode(&buf[r.payload.clone()]) {
                Ok(e) => {
                    let h = e.header;
                    writeln!(out, "zxid 0x{:x} time {} session 0x{:x} cxid 0x{:x} type {} {:?}", h.zxid, h.time, h.client_id, h.cxid, h.op, e.txn)
                        .map_err(io)?
                }
                Err(err) => writeln!(out, "zxid 0x{:x} undecodable txn ({} bytes): {err:?}", r.zxid, r.payload.len()).map_err(io)?,
            }
            total += 1;
        }
        if let Some((off, d)) = &scan.damage {
            writeln!(out, "damage at offset {off}: {d}").map_err(io)?;
        }
    }
    writeln!(out, "{total} txns").map_err(io)?;
    Ok(())
}
