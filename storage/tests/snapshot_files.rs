//! Snapshot files: round trip through encode → open, corruption detection, newest-valid fallback,
//! leftovers, purge.

use proptest::prelude::*;
use std::path::Path;
use zkd_storage::snapshot::*;

fn stat(z: i64, owner: i64) -> SnapStat {
    SnapStat { czxid: z, mzxid: z + 1, ctime: 1000 + z, mtime: 2000 + z, version: 1, cversion: 2, aversion: 3, ephemeral_owner: owner, pzxid: z + 2 }
}

fn sample_paths() -> Vec<String> {
    let mut v = vec!["/".to_string(), "/zookeeper".into(), "/zookeeper/quota".into(), "/a".into(), "/b".into(), "/a/x".into(), "/a/y".into()];
    for i in 0..50 {
        v.push(format!("/b/n{i:03}"));
    }
    v
}

fn input<'a>(paths: &'a [String], datas: &'a [Vec<u8>], zxid: i64) -> SnapshotInput<'a> {
    let nodes = paths
        .iter()
        .enumerate()
        .map(|(i, p)| NodeIn {
            path: p,
            data: if i % 7 == 3 { None } else { Some(&datas[i][..]) },
            acl: if i % 2 == 0 { -1 } else { 1 },
            stat: stat(i as i64, if p.starts_with("/b/n00") { 0x55 } else { 0 }),
        })
        .rev() // any order in
        .collect();
    SnapshotInput {
        last_zxid: zxid,
        nodes,
        acls: vec![(1, 3, vec![SnapAcl { perms: 31, scheme: "digest".into(), id: "u:h".into() }])],
        sessions: vec![(0x55, 30000), (0x66, 4000)],
        data_size: 12345,
    }
}

fn datas(paths: &[String]) -> Vec<Vec<u8>> {
    paths.iter().enumerate().map(|(i, p)| if i % 5 == 0 { Vec::new() } else { p.as_bytes().repeat(i % 3 + 1) }).collect()
}

#[test]
fn round_trip_every_accessor() {
    let paths = sample_paths();
    let d = datas(&paths);
    let s = MappedSnapshot::from_bytes(encode_snapshot(&input(&paths, &d, 0x1_0000_0042)).unwrap()).unwrap();
    assert_eq!(s.last_zxid(), 0x1_0000_0042);
    assert_eq!(s.node_count() as usize, paths.len());
    assert_eq!(s.data_size(), 12345);
    assert_eq!(s.path_of(0), "/");
    assert_eq!(s.name_of(0), "");
    for (i, p) in paths.iter().enumerate() {
        let idx = s.lookup(p).unwrap_or_else(|| panic!("{p} not found"));
        assert_eq!(s.path_of(idx), p);
        assert_eq!(s.data(idx), if i % 7 == 3 { None } else { Some(&d[i][..]) }, "{p}");
        assert_eq!(s.stat(idx), stat(i as i64, if p.starts_with("/b/n00") { 0x55 } else { 0 }));
        assert_eq!(s.acl(idx), if i % 2 == 0 { -1 } else { 1 });
        // children: exactly the nodes whose parent is p, sorted by name
        let prefix = if p == "/" { "/".to_string() } else { format!("{p}/") };
        let mut want: Vec<&str> = paths.iter().filter(|c| c.len() > prefix.len() && c.starts_with(&prefix) && !c[prefix.len()..].contains('/')).map(|c| &c[prefix.len()..]).collect();
        want.sort();
        let got: Vec<&str> = s.children(idx).map(|c| s.name_of(c)).collect();
        assert_eq!(got, want, "children of {p}");
        for (k, name) in want.iter().enumerate() {
            assert_eq!(s.name_of(s.children(idx).start + k as u32), *name);
        }
    }
    assert_eq!(s.lookup("/missing"), None);
    assert_eq!(s.lookup("/a/x/deeper"), None);
    assert_eq!(s.data(s.lookup("/").unwrap()), Some(&b""[..]), "empty data is not null");
    assert_eq!(s.acls().collect::<Vec<_>>(), vec![(1, 3, vec![SnapAcl { perms: 31, scheme: "digest".into(), id: "u:h".into() }])]);
    assert_eq!(s.sessions().collect::<Vec<_>>(), vec![(0x55, 30000), (0x66, 4000)]);
    let mut special: Vec<&str> = s.special_nodes().map(|i| s.path_of(i)).collect();
    special.sort();
    assert_eq!(special, (0..10).map(|i| format!("/b/n{i:03}")).collect::<Vec<_>>().iter().map(|s| s.as_str()).collect::<Vec<_>>());
}

#[test]
fn bad_input_is_refused() {
    let paths = vec!["/".to_string(), "/a/b".to_string()];
    let d = vec![vec![], vec![]];
    assert!(matches!(encode_snapshot(&input(&paths, &d, 1)), Err(SnapError::Invalid(_))), "missing parent");
    let paths = vec!["/a".to_string()];
    let d = vec![vec![]];
    assert!(matches!(encode_snapshot(&input(&paths, &d, 1)), Err(SnapError::Invalid(_))), "missing root");
}

fn write_in(dir: &Path, zxid: i64) -> std::path::PathBuf {
    let paths = sample_paths();
    let d = datas(&paths);
    write_snapshot(dir, &input(&paths, &d, zxid)).unwrap()
}

#[test]
fn newest_valid_falls_back_and_cleans_tmp() {
    let dir = tempfile::tempdir().unwrap();
    assert!(open_newest_valid(dir.path()).unwrap().0.is_none());
    let old = write_in(dir.path(), 10);
    let new = write_in(dir.path(), 20);
    assert_eq!(new.file_name().unwrap().to_str().unwrap(), "zkdsnap.0000000000000014");
    std::fs::write(dir.path().join("zkdsnap.0000000000000030.tmp"), b"partial").unwrap();
    assert_eq!(list_snapshots(dir.path()).unwrap().iter().map(|s| s.0).collect::<Vec<_>>(), vec![20, 10]);
    // flip one byte in the middle of the newest
    let mut bytes = std::fs::read(&new).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&new, &bytes).unwrap();
    let (s, skipped) = open_newest_valid(dir.path()).unwrap();
    assert_eq!(s.unwrap().last_zxid(), 10);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].contains("zkdsnap.0000000000000014") && skipped[0].contains("checksum"), "{skipped:?}");
    assert!(!dir.path().join("zkdsnap.0000000000000030.tmp").exists());
    // every snapshot invalid: an error, never a silent empty start
    std::fs::write(&old, b"garbage").unwrap();
    assert!(open_newest_valid(dir.path()).is_err());
}

#[test]
fn purge_keeps_newest_snapshots_and_needed_segments() {
    let dir = tempfile::tempdir().unwrap();
    let (snap, log) = (dir.path().join("snap"), dir.path().join("log"));
    std::fs::create_dir_all(&log).unwrap();
    for z in [100, 200, 300, 400, 500] {
        write_in(&snap, z);
    }
    for first in [1i64, 150, 250, 301, 450] {
        std::fs::write(log.join(format!("zkdlog.{:016x}", first)), b"x").unwrap();
    }
    std::fs::write(log.join("unrelated"), b"x").unwrap();
    let r = purge(&snap, &log, 3).unwrap();
    let names = |v: &[std::path::PathBuf]| v.iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect::<Vec<_>>();
    assert_eq!(names(&r.removed_snapshots), vec!["zkdsnap.00000000000000c8", "zkdsnap.0000000000000064"]);
    // oldest kept = 300: the segments starting at 1, 150 and 250 hold nothing after 300 (the next
    // starts at 301); replay from that snapshot needs 301 onwards.
    assert_eq!(names(&r.removed_segments), vec!["zkdlog.0000000000000001", "zkdlog.0000000000000096", "zkdlog.00000000000000fa"]);
    assert!(log.join("zkdlog.000000000000012d").exists() && log.join("unrelated").exists());
    assert_eq!(purge(&snap, &log, 3).unwrap(), PurgeReport::default(), "idempotent");
}

#[test]
fn dump_lists_nodes() {
    let paths = sample_paths();
    let d = datas(&paths);
    let s = MappedSnapshot::from_bytes(encode_snapshot(&input(&paths, &d, 7)).unwrap()).unwrap();
    let mut out = Vec::new();
    dump_snapshot(&s, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("snapshot  zxid 0x7 nodes 57"), "{}", &text[..80]);
    assert!(text.contains("/b/n049\n") && text.contains("0x55 timeout 30000") && text.contains("digest:u:h:31"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    /// Any flipped byte or truncation is refused (never a panic, never garbage served).
    #[test]
    fn corruption_is_detected(pos in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<bool>()) {
        let paths = sample_paths();
        let d = datas(&paths);
        let mut bytes = encode_snapshot(&input(&paths, &d, 9)).unwrap();
        let i = pos.index(bytes.len());
        if cut {
            bytes.truncate(i);
        } else {
            bytes[i] ^= 1 << bit;
        }
        let refused = matches!(MappedSnapshot::from_bytes(bytes), Err(SnapError::Corrupt { .. }));
        prop_assert!(refused, "a damaged snapshot was accepted");
    }
}
