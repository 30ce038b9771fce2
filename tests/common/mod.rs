//! Starts the real `zkd` binary on an ephemeral loopback port with a temporary data directory.
#![allow(dead_code)]

pub mod tree_listing;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Zkd {
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    child: Child,
    data: PathBuf,
    capture_log: bool,
}

/// How to start zkd beyond the defaults of `Zkd::start`.
#[derive(Default)]
pub struct ZkdOptions {
    /// Extra zoo.cfg lines.
    pub extra_cfg: String,
    /// dataDir somewhere else than `<tempdir>/data` (e.g. on a small tmpfs).
    pub data_dir: Option<PathBuf>,
    /// Append zkd's stderr to `<tempdir>/zkd.log` (read it with `log_text`) instead of inheriting it.
    pub capture_log: bool,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind ephemeral").local_addr().expect("addr").port()
}

impl Zkd {
    /// Starts zkd with the given extra zoo.cfg lines.
    pub fn start(extra_cfg: &str) -> Zkd {
        Zkd::start_with(ZkdOptions { extra_cfg: extra_cfg.to_string(), ..ZkdOptions::default() })
    }

    /// Starts zkd as `start` does, with the choices of `opts`.
    pub fn start_with(opts: ZkdOptions) -> Zkd {
        let extra_cfg = opts.extra_cfg.as_str();
        let mut dir = tempfile::tempdir().expect("tempdir");
        for _attempt in 0..5 {
            let port = free_port();
            let cfg = dir.path().join("zoo.cfg");
            let data = opts.data_dir.clone().unwrap_or_else(|| dir.path().join("data"));
            std::fs::write(
                &cfg,
                format!(
                    "tickTime=200\ndataDir={}\nclientPort={port}\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\n{extra_cfg}\n",
                    data.display()
                ),
            )
            .expect("write zoo.cfg");
            let child = spawn_zkd(dir.path(), opts.capture_log);
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
            let mut zkd = Zkd { addr, dir, child, data, capture_log: opts.capture_log };
            if zkd.wait_ready(Duration::from_secs(20)) {
                return zkd;
            }
            let _ = zkd.child.kill();
            let _ = zkd.child.wait();
            dir = zkd.into_dir();
        }
        panic!("zkd did not become ready");
    }

    fn into_dir(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if self.four_letter_word("ruok").as_deref() == Some("imok") {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Sends a four-letter word and returns the whole answer.
    pub fn four_letter_word(&self, word: &str) -> Option<String> {
        let mut s = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        s.write_all(word.as_bytes()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    }

    /// SIGKILL, as a crash would: no shutdown path runs.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts zkd again on the same port and data directory.
    pub fn restart(&mut self) {
        self.kill9();
        self.child = spawn_zkd(self.dir.path(), self.capture_log);
        assert!(self.wait_ready(Duration::from_secs(30)), "zkd did not come back after a restart");
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().expect("wait for zkd")
    }

    pub fn connect_string(&self) -> String {
        self.addr.to_string()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.clone()
    }

    /// Everything zkd wrote to stderr so far (empty unless started with `capture_log`).
    pub fn log_text(&self) -> String {
        std::fs::read(self.dir.path().join("zkd.log")).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    }
}

/// Runs zkd on `<dir>/zoo.cfg`; with `capture_log` its stderr is appended to `<dir>/zkd.log`
/// (appended, so the log of every restart is kept).
fn spawn_zkd(dir: &std::path::Path, capture_log: bool) -> Child {
    let stderr = if capture_log {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("zkd.log")).expect("open zkd.log");
        Stdio::from(f)
    } else {
        Stdio::inherit()
    };
    Command::new(env!("CARGO_BIN_EXE_zkd"))
        .arg(dir.join("zoo.cfg"))
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn zkd")
}

impl Drop for Zkd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
