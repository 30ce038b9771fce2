//! The `zkd` command line (clap derive) for starting the server. The operator tools (`zkd purge`,
//! `zkd dump`, `zkd check-history`) have their own parser in `crate::tools`; `main` picks one by the first argument.

use clap::Parser;
use std::path::PathBuf;

/// A ZooKeeper-compatible coordination server.
///
/// Started like ZooKeeper's `QuorumPeerMain <zoo.cfg>`: the configuration file uses the same
/// keys and the same rules. `SERVER_JVMFLAGS` / `JVMFLAGS` are read for `-D` system
/// properties (`-Dzookeeper.*`, `-Djute.maxbuffer`, `-Dreadonlymode.enabled`,
/// `-Djava.security.auth.login.config`, `-Dznode.container.*`) as zkServer.sh would pass them.
/// Without a file zkd serves standalone on 127.0.0.1:2181 with dataDir ./zkd-data.
///
/// zkd-only zoo.cfg keys: zkd.cores.client (CPUs of the client I/O executors, e.g. `0,1` or
/// `0-3`), zkd.cores.pipeline and zkd.cores.log (one CPU each); `none` leaves an executor
/// unpinned. Defaults depend on the CPU count (2 CPUs: client on 0, pipeline and log on 1).
///
/// Operator tools: `zkd purge --help` (retention, as zkCleanup.sh), `zkd dump --help`
/// (print a log segment or a snapshot) and `zkd check-history --help` (check a recorded client
/// history for linearizability and session order).
#[derive(Debug, Clone, Parser, PartialEq, Eq)]
#[command(name = "zkd", version)]
pub struct Cli {
    /// zoo.cfg to read (Java properties format, as for ZooKeeper)
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,

    /// Client port; overrides clientPort from the file (0 = any free port)
    #[arg(long, value_name = "PORT")]
    pub client_port: Option<u16>,

    /// Data directory; overrides dataDir (also the log directory unless dataLogDir is set)
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Log filter in tracing's EnvFilter syntax, e.g. `info` or `zkd=debug` (default: the
    /// ZKD_LOG environment variable, else `info`)
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

impl Cli {
    /// The overrides these flags put on the configuration file.
    pub fn overrides(&self) -> super::Overrides {
        super::Overrides { client_port: self.client_port, data_dir: self.data_dir.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn parses_positional_and_flags() {
        let cli = Cli::try_parse_from(["zkd", "conf/zoo.cfg", "--client-port", "2182", "--data-dir", "/d", "--log-level", "debug"]).unwrap();
        assert_eq!(cli.config, Some(PathBuf::from("conf/zoo.cfg")));
        assert_eq!(cli.overrides(), crate::config::Overrides { client_port: Some(2182), data_dir: Some(PathBuf::from("/d")) });
        assert_eq!(cli.log_level.as_deref(), Some("debug"));
        let bare = Cli::try_parse_from(["zkd"]).unwrap();
        assert_eq!(bare.config, None);
        assert!(Cli::try_parse_from(["zkd", "--client-port", "99999"]).is_err());
        assert!(Cli::try_parse_from(["zkd", "a", "b"]).is_err());
    }

    #[test]
    fn help_mentions_every_flag() {
        Cli::command().debug_assert();
        let help = Cli::command().render_long_help().to_string();
        for flag in ["--client-port", "--data-dir", "--log-level", "CONFIG", "zkd.cores.client"] {
            assert!(help.contains(flag), "{flag} missing from --help");
        }
    }
}
