//! `zkd purge`: keep the newest N snapshots and the log they need (ZooKeeper's PurgeTxnLog).

use std::io::Write;
use std::path::PathBuf;

pub fn run(config: Option<PathBuf>, data_dir: Option<PathBuf>, data_log_dir: Option<PathBuf>, count: usize, out: &mut dyn Write) -> Result<(), String> {
    if count < 3 {
        return Err(format!("-n {count}: at least 3 snapshots must be kept"));
    }
    let (mut data, mut log) = (None, None);
    if let Some(path) = &config {
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.display().to_string();
        let sources = crate::config::ConfigSources {
            file: Some(crate::config::ConfigFile { name: &name, contents: &text }),
            server_jvmflags: "",
            jvmflags: "",
            cpus: 1,
            overrides: Default::default(),
            resolve_host: None,
        };
        let parsed = crate::config::parse_config(&sources).map_err(|e| e.to_string())?;
        data = Some(parsed.config.data_dir.clone());
        log = Some(parsed.config.data_log_dir.clone());
    }
    let data = data_dir.or(data).ok_or("give --config or --data-dir")?;
    let log = data_log_dir.or(log).unwrap_or_else(|| data.clone());
    let report = zkd_storage::snapshot::purge(&zkd_storage::snapshot::snapshot_dir(&data), &zkd_storage::log_dir(&log), count)
        .map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| e.to_string();
    for p in report.removed_snapshots.iter().chain(&report.removed_segments) {
        writeln!(out, "removed {}", p.display()).map_err(io)?;
    }
    writeln!(out, "removed {} snapshots and {} log segments", report.removed_snapshots.len(), report.removed_segments.len()).map_err(io)?;
    Ok(())
}
