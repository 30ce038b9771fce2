//! Start-up and shutdown of the real binary: config errors, --help, SIGTERM, restart.

mod common;

use common::Zkd;
use std::process::Command;
use std::time::Duration;
use zookeeper_client as zk;

fn zkd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zkd"))
}

#[test]
fn help_documents_every_flag() {
    let out = zkd().arg("--help").output().expect("run zkd --help");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in ["[CONFIG]", "--client-port", "--data-dir", "--log-level", "--help", "--version"] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
}

#[test]
fn malformed_values_stop_start_up_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("zoo.cfg");
    std::fs::write(&cfg, format!("dataDir={}\nclientPort=2181\ntickTime=abc\n", dir.path().display())).unwrap();
    let out = zkd().arg(&cfg).output().expect("run zkd");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("zoo.cfg:3") && err.contains("tickTime"), "{err}");

    let missing = dir.path().join("absent.cfg");
    let out = zkd().arg(&missing).output().expect("run zkd");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.cfg"));
}

#[test]
fn sigterm_exits_cleanly_and_data_survives_a_restart() {
    let mut z = Zkd::start("");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = zk::Client::connect(&z.connect_string()).await.unwrap();
        let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
        c.create("/kept", b"value", &opts).await.unwrap();
    });
    let status = z.terminate();
    assert!(status.success(), "zkd exited with {status:?} on SIGTERM");
    z.restart();
    rt.block_on(async {
        let c = zk::Client::connector().with_session_timeout(Duration::from_secs(10)).connect(&z.connect_string()).await.expect("reconnect after restart");
        let (data, stat) = c.get_data("/kept").await.unwrap();
        assert_eq!(data, b"value");
        assert_eq!(stat.version, 0);
    });
}

#[test]
fn a_busy_port_is_an_error_not_a_shared_listener() {
    let z = Zkd::start("");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("zoo.cfg");
    std::fs::write(&cfg, format!("dataDir={}\nclientPort={}\nclientPortAddress=127.0.0.1\n", dir.path().display(), z.addr.port())).unwrap();
    let out = zkd().arg(&cfg).output().expect("run zkd");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
}

#[test]
fn a_relative_data_dir_works_like_zookeepers() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(dir.path().join("zoo.cfg"), format!("dataDir=data\nclientPort={port}\nclientPortAddress=127.0.0.1\n")).unwrap();
    let mut child = zkd().arg("zoo.cfg").current_dir(dir.path()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = rt.block_on(async {
        let mut client = None;
        for _ in 0..100 {
            if let Ok(Ok(c)) = tokio::time::timeout(Duration::from_secs(2), zk::Client::connect(&format!("127.0.0.1:{port}"))).await {
                client = Some(c);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let c = client.expect("zkd with a relative dataDir accepts clients");
        let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
        tokio::time::timeout(Duration::from_secs(10), c.create("/rel", b"x", &opts)).await
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(matches!(result, Ok(Ok(_))), "create with a relative dataDir: {result:?}");
    assert!(dir.path().join("data/version-2").is_dir());
}
