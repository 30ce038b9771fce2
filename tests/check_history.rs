//! `zkd check-history FILE` on the real binary: verdicts, witnesses and exit codes.

use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkd")).arg("check-history").args(args).output().expect("run zkd");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const GOOD: &str = r#"{"init":{"path":"/base","data":"","version":0}}
{"session":"0x1","invoke":0,"return":10,"op":{"type":"create","path":"/base/x","data":"a"},"outcome":"ok","zxid":2}
{"session":"0x2","invoke":5,"return":15,"op":{"type":"get","path":"/base/x"},"outcome":"ok","data":"a","version":0,"zxid":2}
{"session":"0x1","invoke":11,"return":20,"op":{"type":"set","path":"/base/x","data":"b","version":0},"outcome":"ok","version":1,"zxid":3}
{"session":"0x2","invoke":16,"op":{"type":"set","path":"/base/x","data":"c","version":-1},"outcome":"unknown"}
{"session":"0x3","invoke":21,"return":25,"op":{"type":"get","path":"/base/x"},"outcome":"ok","data":"b","version":1,"zxid":3}
{"session":"0x3","invoke":30,"return":35,"op":{"type":"multi","ops":[{"type":"check","path":"/base/x","version":5},{"type":"delete","path":"/base/x"}]},"outcome":"bad_version","failed_op":0,"zxid":4}
"#;

#[test]
fn good_history_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "good.jsonl", GOOD);
    let (code, out, err) = run(&[&f]);
    assert_eq!(code, Some(0), "stdout: {out}\nstderr: {err}");
    assert!(out.starts_with("linearizable: 6 events"), "{out}");
    let (code, out, _) = run(&["--reads", "sequential", "--no-partition", &f]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn stale_read_exits_1_with_witness() {
    let dir = tempfile::tempdir().unwrap();
    // Session 0x3 reads "a" after the set to "b" returned: a stale read.
    let bad = GOOD.replace(r#""data":"b","version":1,"zxid":3}"#, r#""data":"a","version":0,"zxid":3}"#);
    assert_ne!(bad, GOOD);
    let f = write(&dir, "bad.jsonl", &bad);
    let (code, out, err) = run(&[&f]);
    assert_eq!(code, Some(1), "stdout: {out}\nstderr: {err}");
    assert!(out.contains("NOT LINEARIZABLE on /base/x"), "{out}");
    assert!(out.contains("#6 session=0x3"), "the stale read (line 6) is in the witness: {out}");
    // A follower may serve it in sequential-reads mode.
    let (code, out, _) = run(&["--reads", "sequential", &f]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn zxid_going_back_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!("{GOOD}{}\n", r#"{"session":"0x1","invoke":40,"return":41,"op":{"type":"exists","path":"/base"},"outcome":"ok","zxid":1}"#);
    let f = write(&dir, "back.jsonl", &bad);
    let (code, out, _) = run(&[&f]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("SESSION VIOLATION (ZxidWentBack)"), "{out}");
}

#[test]
fn bad_input_and_budget_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "broken.jsonl", &format!("{GOOD}{{\"session\":\"0x1\",\"invoke\":1}}\n"));
    let (code, out, err) = run(&[&f]);
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains(&format!("{f}:8:")), "names file and line: {err}");
    let missing = dir.path().join("missing.jsonl");
    let (code, _, err) = run(&[missing.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing.jsonl"), "{err}");
    // A hard history with a tiny budget: no verdict.
    let mut hard = String::from(r#"{"session":"i","invoke":0,"return":1,"op":{"type":"create","path":"/x"},"outcome":"ok"}"#);
    hard.push('\n');
    for i in 0..12 {
        hard.push_str(&format!(r#"{{"session":"s{i}","invoke":2,"return":100,"op":{{"type":"set","path":"/x","data":"{i}"}},"outcome":"ok"}}"#));
        hard.push('\n');
    }
    hard.push_str(r#"{"session":"r","invoke":101,"return":102,"op":{"type":"get","path":"/x"},"outcome":"ok","data":"none"}"#);
    let f = write(&dir, "hard.jsonl", &hard);
    let (code, out, _) = run(&["--budget", "500", &f]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.starts_with("unknown: step budget"), "{out}");
}
