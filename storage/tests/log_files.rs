//! The glommio writer against real files in a temporary directory (same disk as the repo: O_DIRECT
//! needs a real filesystem, not tmpfs).

use glommio::channels::shared_channel;
use glommio::{LocalExecutor, LocalExecutorBuilder, Placement};
use std::path::{Path, PathBuf};

use zkd_storage::{
    recover, run_log_executor, FsBackend, LogError, LogNotice, LogOptions, LogStats, LogWriter,
};

fn tempdir() -> tempfile::TempDir {
    // In the target directory rather than /tmp, which may be tmpfs (no O_DIRECT there).
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn small() -> LogOptions {
    LogOptions {
        pre_alloc_size: 16384,
        segment_size: 65536,
        block_size: 4096,
        max_unsynced: 16384,
        force_sync: true,
    }
}

fn payload(z: i64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8) ^ (z as u8).wrapping_mul(7))
        .collect()
}

/// Appends `batches` (record counts) starting after `last`, returns all records written.
fn write(
    dir: &Path,
    opts: LogOptions,
    last: Option<i64>,
    batches: &[usize],
    len: usize,
) -> Vec<(i64, Vec<u8>)> {
    let dir = dir.to_path_buf();
    let batches = batches.to_vec();
    LocalExecutor::default().run(async move {
        let mut w = LogWriter::open(&dir, opts, last, LogStats::new())
            .await
            .unwrap();
        let mut next = last.map_or(1, |z| z + 1);
        let mut all = Vec::new();
        for n in batches {
            let recs: Vec<(i64, Vec<u8>)> = (next..next + n as i64)
                .map(|z| (z, payload(z, len)))
                .collect();
            let refs: Vec<(i64, &[u8])> = recs.iter().map(|(z, p)| (*z, &p[..])).collect();
            let d = w.append_batch(&refs).await.unwrap();
            assert_eq!(d, Some(next + n as i64 - 1));
            next += n as i64;
            all.extend(recs);
        }
        w.close().await;
        all
    })
}

fn segments(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn append_and_recover_round_trip() {
    let t = tempdir();
    let written = write(t.path(), LogOptions::default(), None, &[1, 8, 64, 3], 100);
    let (info, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs, written);
    assert_eq!(info.last_zxid, Some(76));
    assert_eq!(info.torn_tail, None);
    assert_eq!(segments(t.path()), ["zkdlog.0000000000000001"]);
    // Preallocated: the file has its full size although little was written.
    assert_eq!(
        std::fs::metadata(t.path().join("zkdlog.0000000000000001"))
            .unwrap()
            .len(),
        64 << 20
    );
    // Replay after a zxid.
    let (_, tail) = recover(&mut FsBackend::new(t.path()), 70).unwrap();
    assert_eq!(tail, written[70..].to_vec());
    // A second session starts its own segment and continues the zxids.
    let more = write(t.path(), LogOptions::default(), info.last_zxid, &[5], 10);
    let (_, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs, [written, more].concat());
    assert_eq!(
        segments(t.path()),
        ["zkdlog.0000000000000001", "zkdlog.000000000000004d"]
    );
}

#[test]
fn segments_roll_when_full() {
    let t = tempdir();
    let written = write(t.path(), small(), None, &[30; 15], 300);
    let segs = segments(t.path());
    assert!(segs.len() >= 3, "{segs:?}");
    let (info, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs, written);
    assert_eq!(info.segments.len(), segs.len());
    for s in &info.segments {
        assert_eq!(s.name, format!("zkdlog.{:016x}", s.first_zxid));
        assert!(std::fs::metadata(t.path().join(&s.name)).unwrap().len() <= 65536);
    }
}

#[test]
fn torn_tail_is_cut_and_the_log_continues() {
    let t = tempdir();
    let written = write(t.path(), small(), None, &[10, 10, 10], 200);
    let seg = t.path().join("zkdlog.0000000000000001");
    // Records are 224 bytes; batch 3 starts at block 3 (offset 12288). Tear its second sector.
    let mut bytes = std::fs::read(&seg).unwrap();
    for b in &mut bytes[12288 + 512..12288 + 1024] {
        *b = 0xa5;
    }
    std::fs::write(&seg, &bytes).unwrap();
    let (info, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    // Batch 3's records wholly inside its first sector (2 of 224 bytes) survive.
    let kept = recs.len();
    assert_eq!(kept, 22);
    assert_eq!(recs, written[..kept].to_vec());
    let torn = info.torn_tail.expect("torn tail reported");
    assert_eq!(std::fs::metadata(&seg).unwrap().len(), torn.offset);
    // Next session reuses the lost zxids.
    let more = write(t.path(), small(), info.last_zxid, &[4], 50);
    assert_eq!(more[0].0, kept as i64 + 1);
    let (info2, recs2) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(info2.torn_tail, None);
    assert_eq!(recs2, [written[..kept].to_vec(), more].concat());
}

#[test]
fn corruption_before_the_tail_names_segment_offset_and_zxid() {
    let t = tempdir();
    write(t.path(), small(), None, &[30; 10], 300);
    let first = t.path().join("zkdlog.0000000000000001");
    let mut bytes = std::fs::read(&first).unwrap();
    // Record 5 (zxid 5) of the first segment: header block + 4 records of 328 bytes.
    let off = 4096 + 4 * 328;
    bytes[off + 100] ^= 0x01;
    std::fs::write(&first, &bytes).unwrap();
    let err = recover(&mut FsBackend::new(t.path()), 0).unwrap_err();
    let msg = err.to_string();
    let LogError::Corrupt(c) = err else {
        panic!("{msg}")
    };
    assert_eq!(c.segment, first.display().to_string());
    assert_eq!(c.offset, off as u64);
    assert_eq!(c.after_zxid, Some(4));
    assert_eq!(c.found_zxid, Some(5));
    assert!(
        msg.contains("zkdlog.0000000000000001")
            && msg.contains(&format!("offset {off}"))
            && msg.contains("0x4"),
        "{msg}"
    );
    // Nothing was cut.
    assert_eq!(std::fs::read(&first).unwrap(), bytes);
}

#[test]
fn truncate_after_on_real_files() {
    let t = tempdir();
    let written = write(t.path(), small(), None, &[30; 6], 300);
    assert_eq!(
        zkd_storage::truncate_after(&mut FsBackend::new(t.path()), 45).unwrap(),
        Some(45)
    );
    let (info, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs, written[..45].to_vec());
    let more = write(t.path(), small(), info.last_zxid, &[3], 9);
    let (_, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs, [written[..45].to_vec(), more].concat());
}

#[test]
fn log_executor_group_commits_and_acknowledges_in_order() {
    let t = tempdir();
    let dir: PathBuf = t.path().to_path_buf();
    let (in_tx, in_rx) = shared_channel::new_bounded::<Vec<(i64, Vec<u8>)>>(1024);
    let (out_tx, out_rx) = shared_channel::new_bounded::<LogNotice>(1024);
    let stats = LogStats::new();
    let st = stats.clone();
    let log = LocalExecutorBuilder::new(Placement::Unbound)
        .name("log")
        .spawn(move || {
            run_log_executor(
                dir,
                LogOptions::default(),
                None,
                st,
                in_rx,
                |p: &Vec<u8>, out: &mut Vec<u8>| out.extend_from_slice(p),
                out_tx,
            )
        })
        .unwrap();
    let n = 500i64;
    let acked = LocalExecutor::default().run(async move {
        let tx = in_tx.connect().await;
        let rx = out_rx.connect().await;
        for z in 1..=n {
            tx.send(vec![(z, payload(z, 100))]).await.unwrap();
        }
        drop(tx);
        let mut acks = Vec::new();
        while let Some(m) = rx.recv().await {
            acks.push(m);
        }
        acks
    });
    log.join().unwrap();
    let mut prev = 0;
    for a in &acked {
        let LogNotice::Durable { zxid } = a else {
            panic!("{a:?}")
        };
        assert!(*zxid > prev);
        prev = *zxid;
    }
    assert_eq!(prev, n);
    let s = stats.snapshot();
    assert_eq!(s.records, n as u64);
    assert_eq!(s.batches as usize, acked.len());
    assert_eq!(s.batch_hist.iter().sum::<u64>(), s.batches);
    assert_eq!(s.syncs, s.batches);
    let (_, recs) = recover(&mut FsBackend::new(t.path()), 0).unwrap();
    assert_eq!(recs.len(), n as usize);
    assert!(recs.iter().all(|(z, p)| *p == payload(*z, 100)));
}

#[test]
fn out_of_order_batch_is_refused_and_reported() {
    let t = tempdir();
    let dir = t.path().to_path_buf();
    LocalExecutor::default().run(async move {
        let mut w = LogWriter::open(&dir, small(), Some(10), LogStats::new())
            .await
            .unwrap();
        let err = w.append_batch(&[(12, b"x")]).await.unwrap_err();
        assert!(matches!(err, LogError::ZxidOrder { prev: 10, next: 12 }));
        assert_eq!(w.append_batch(&[(11, b"x")]).await.unwrap(), Some(11));
        w.close().await;
    });
}

#[test]
fn log_executor_reports_failure_and_never_acknowledges() {
    let t = tempdir();
    // A log directory that cannot be created: its parent is a regular file.
    std::fs::write(t.path().join("file"), b"x").unwrap();
    let dir = t.path().join("file").join("version-2");
    let (in_tx, in_rx) = shared_channel::new_bounded::<Vec<(i64, Vec<u8>)>>(16);
    let (out_tx, out_rx) = shared_channel::new_bounded::<LogNotice>(16);
    let log = LocalExecutorBuilder::new(Placement::Unbound)
        .spawn(move || {
            run_log_executor(
                dir,
                LogOptions::default(),
                None,
                LogStats::new(),
                in_rx,
                |p: &Vec<u8>, o: &mut Vec<u8>| o.extend_from_slice(p),
                out_tx,
            )
        })
        .unwrap();
    let notices = LocalExecutor::default().run(async move {
        let tx = in_tx.connect().await;
        let rx = out_rx.connect().await;
        for z in 1..=3 {
            tx.send(vec![(z, vec![1, 2, 3])]).await.unwrap();
        }
        drop(tx);
        let mut v = Vec::new();
        while let Some(m) = rx.recv().await {
            v.push(m);
        }
        v
    });
    log.join().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        matches!(&notices[0], LogNotice::Failed { error } if error.contains("creating directory")),
        "{notices:?}"
    );
}
