//! Every word's exact text against a fixed context.

use super::*;

fn conn(remote: &str, sid: i64) -> ConnectionInfo {
    ConnectionInfo {
        remote: remote.parse().unwrap(),
        interest_ops: 1,
        outstanding: 0,
        packets_received: 5,
        packets_sent: 4,
        session_id: sid,
        last_op: "GETD".to_string(),
        established_wall_ms: 1_700_000_000_000,
        session_timeout_ms: 30000,
        last_cxid: 3,
        last_zxid: 0x1a,
        last_response_ms: 123_456,
        last_latency_ms: 1,
        latency: LatencyStats { count: 3, total_ms: 5, min_ms: 0, max_ms: 3 },
    }
}

fn ctx() -> FourLwContext {
    FourLwContext {
        running: true,
        full_version: "3.8.4-zkd-0.1.0, built on 2024-02-12 22:16 UTC".to_string(),
        server_state: "standalone".to_string(),
        read_only: false,
        packets_received: 10,
        packets_sent: 9,
        latency: LatencyStats { count: 3, total_ms: 4, min_ms: 0, max_ms: 2 },
        outstanding_requests: 0,
        last_zxid: 0x1a,
        node_count: 6,
        connections: vec![
            conn("127.0.0.1:50000", 0x1000_0000_0000_0001),
            ConnectionInfo {
                interest_ops: 0,
                packets_received: 1,
                packets_sent: 0,
                session_id: 0,
                last_cxid: -1,
                ..conn("127.0.0.1:50001", 0)
            },
        ],
        watches: WatchTables {
            by_session: vec![(0x1000_0000_0000_0001, vec!["/a".into(), "/b".into()])],
            by_path: vec![("/a".into(), vec![0x1000_0000_0000_0001]), ("/b".into(), vec![0x1000_0000_0000_0001])],
        },
        session_buckets: vec![SessionBucket { expire_wall_ms: 0, session_ids: vec![0x1000_0000_0000_0001] }],
        ephemerals: vec![(0x1000_0000_0000_0001, vec!["/e1".into()])],
        connection_buckets: vec![ConnectionBucket {
            expire_wall_ms: 2000,
            connections: vec![("127.0.0.1:50000".parse().unwrap(), 0x1000_0000_0000_0001)],
        }],
        conf: ConfValues {
            client_port: 2181,
            secure_client_port: -1,
            data_dir: "/tmp/zk/version-2".into(),
            data_dir_size: 1024,
            data_log_dir: "/tmp/zk/version-2".into(),
            data_log_size: 67108880,
            tick_time: 2000,
            max_client_cnxns: 60,
            min_session_timeout: 4000,
            max_session_timeout: 40000,
            client_port_listen_backlog: -1,
            server_id: 0,
        },
        environment: vec![("zookeeper.version".into(), "3.8.4-zkd-0.1.0, built on x".into()), ("host.name".into(), "box".into())],
        trace_mask: DEFAULT_TRACE_MASK,
        digests: vec![(0x19, 1234567), (0x1a, -5)],
        mntr: MntrValues { uptime_ms: 5000, watch_count: 3, ephemerals_count: 1, approximate_data_size: 44, global_sessions: 1, ..MntrValues::default() },
        time_zone: JavaTimeZone::default(),
    }
}

fn all(word: &str) -> String {
    render(word, &ctx(), &FourLwWhitelist::all())
}

#[test]
fn whitelist_refusal_and_srvr_always_on() {
    let w = FourLwWhitelist::default();
    assert_eq!(render("ruok", &ctx(), &w), "ruok is not executed because it is not in the whitelist.\n");
    assert_eq!(render("mntr", &ctx(), &w), "mntr is not executed because it is not in the whitelist.\n");
    assert_eq!(render("telnet close", &ctx(), &w), "telnet close is not executed because it is not in the whitelist.\n");
    assert!(render("srvr", &ctx(), &w).starts_with("Zookeeper version: "));
    assert_eq!(render("nope", &ctx(), &FourLwWhitelist::all()), "");
    assert_eq!(render("telnet close", &ctx(), &FourLwWhitelist::all()), "");
}

#[test]
fn ruok_isro_gtmk_stmk() {
    assert_eq!(all("ruok"), "imok");
    assert_eq!(all("isro"), "rw");
    assert_eq!(all("gtmk"), "306");
    assert_eq!(all("stmk"), "306");
    let mut c = ctx();
    c.read_only = true;
    assert_eq!(render("isro", &c, &FourLwWhitelist::all()), "ro");
}

#[test]
fn srvr() {
    assert_eq!(
        all("srvr"),
        "Zookeeper version: 3.8.4-zkd-0.1.0, built on 2024-02-12 22:16 UTC\nLatency min/avg/max: 0/1.3333/2\nReceived: 10\nSent: 9\n\
         Connections: 2\nOutstanding: 0\nZxid: 0x1a\nMode: standalone\nNode count: 6\n"
    );
}

#[test]
fn srvr_read_only_and_idle_latency() {
    let mut c = ctx();
    c.read_only = true;
    c.latency = LatencyStats::default();
    let s = render("srvr", &c, &FourLwWhitelist::all());
    assert!(s.starts_with("Zookeeper version: 3.8.4-zkd-0.1.0, built on 2024-02-12 22:16 UTC\nREAD-ONLY mode; serving only read-only clients\nLatency min/avg/max: 0/0.0/0\n"), "{s}");
}

#[test]
fn stat() {
    assert_eq!(
        all("stat"),
        "Zookeeper version: 3.8.4-zkd-0.1.0, built on 2024-02-12 22:16 UTC\nClients:\n /127.0.0.1:50000[1](queued=0,recved=5,sent=4)\n\
         \x20/127.0.0.1:50001[0](queued=0,recved=1,sent=0)\n\nLatency min/avg/max: 0/1.3333/2\nReceived: 10\nSent: 9\n\
         Connections: 2\nOutstanding: 0\nZxid: 0x1a\nMode: standalone\nNode count: 6\n"
    );
}

#[test]
fn cons() {
    assert_eq!(
        all("cons"),
        " /127.0.0.1:50000[1](queued=0,recved=5,sent=4,sid=0x1000000000000001,lop=GETD,est=1700000000000,to=30000,lcxid=0x3,\
         lzxid=0x1a,lresp=123456,llat=1,minlat=0,avglat=1,maxlat=3)\n /127.0.0.1:50001[0](queued=0,recved=1,sent=0)\n\n"
    );
    // No lcxid when the connection has no real xid yet.
    let line = stat::connection_line(&ConnectionInfo { last_cxid: -1, ..conn("[::1]:7", 1) }, false);
    assert_eq!(line, " /[0:0:0:0:0:0:0:1]:7[1](queued=0,recved=5,sent=4,sid=0x1,lop=GETD,est=1700000000000,to=30000,lzxid=0x1a,lresp=123456,llat=1,minlat=0,avglat=1,maxlat=3)");
}

#[test]
fn conf_and_dirs() {
    assert_eq!(
        all("conf"),
        "clientPort=2181\nsecureClientPort=-1\ndataDir=/tmp/zk/version-2\ndataDirSize=1024\ndataLogDir=/tmp/zk/version-2\n\
         dataLogSize=67108880\ntickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\nmaxSessionTimeout=40000\n\
         clientPortListenBacklog=-1\nserverId=0\n"
    );
    assert_eq!(all("dirs"), "datadir_size: 1024\nlogdir_size: 67108880\n");
}

#[test]
fn resets() {
    assert_eq!(all("crst"), "Connection stats reset.\n");
    assert_eq!(all("srst"), "Server stats reset.\n");
}

#[test]
fn envi() {
    assert_eq!(all("envi"), "Environment:\nzookeeper.version=3.8.4-zkd-0.1.0, built on x\nhost.name=box\n");
    let pairs = envi_pairs("V", |k| (k == "os.name").then(|| "Linux".to_string()));
    assert_eq!(pairs.len(), 18);
    assert_eq!(pairs[0], ("zookeeper.version".to_string(), "V".to_string()));
    assert_eq!(pairs[2], ("java.version".to_string(), "<NA>".to_string()));
    assert_eq!(pairs[9], ("os.name".to_string(), "Linux".to_string()));
    assert_eq!(pairs[17].0, "os.memory.total");
}

#[test]
fn watch_words() {
    assert_eq!(all("wchs"), "1 connections watching 2 paths\nTotal watches:2\n");
    assert_eq!(all("wchc"), "0x1000000000000001\n\t/a\n\t/b\n\n");
    assert_eq!(all("wchp"), "/a\n\t0x1000000000000001\n/b\n\t0x1000000000000001\n\n");
    let mut c = ctx();
    c.watches = WatchTables::default();
    let w = FourLwWhitelist::all();
    assert_eq!(render("wchs", &c, &w), "0 connections watching 0 paths\nTotal watches:0\n");
    assert_eq!(render("wchc", &c, &w), "\n");
}

#[test]
fn dump() {
    assert_eq!(
        all("dump"),
        "SessionTracker dump:\nSession Sets (1)/(1):\n1 expire at Thu Jan 01 00:00:00 UTC 1970:\n\t0x1000000000000001\n\
         ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x1000000000000001:\n\t/e1\nConnections dump:\n\
         Connections Sets (1)/(1):\n1 expire at Thu Jan 01 00:00:02 UTC 1970:\n\tip: /127.0.0.1:50000 sessionId: 0x1000000000000001\n"
    );
}

#[test]
fn hash() {
    assert_eq!(all("hash"), "19: 1234567\n1a: -5\n");
}

#[test]
fn mntr() {
    let text = all("mntr");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "zk_version\t3.8.4-zkd-0.1.0, built on 2024-02-12 22:16 UTC");
    assert_eq!(lines[1], "zk_server_state\tstandalone");
    for expected in [
        "zk_avg_latency\t1.3333",
        "zk_max_latency\t2",
        "zk_min_latency\t0",
        "zk_packets_received\t10",
        "zk_num_alive_connections\t2",
        "zk_outstanding_requests\t0",
        "zk_znode_count\t6",
        "zk_watch_count\t3",
        "zk_ephemerals_count\t1",
        "zk_approximate_data_size\t44",
        "zk_open_file_descriptor_count\t-1",
        "zk_connection_drop_probability\t0.0",
        "zk_last_client_response_size\t-1",
        "zk_uptime\t5000",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in {text}");
    }
    assert!(text.ends_with('\n'));
    let mut c = ctx();
    c.mntr.extra.push(("fsync_threshold_exceed_count".into(), MetricValue::Int(0)));
    c.mntr.extra.push(("avg_commit_count".into(), MetricValue::Double(2.0)));
    let text = render("mntr", &c, &FourLwWhitelist::all());
    assert!(text.ends_with("zk_fsync_threshold_exceed_count\t0\nzk_avg_commit_count\t2.0\n"), "{text}");
}

#[test]
fn not_serving() {
    let mut c = ctx();
    c.running = false;
    let w = FourLwWhitelist::all();
    for word in ["srvr", "stat", "cons", "conf", "crst", "srst", "dirs", "mntr", "dump", "wchs", "wchc", "wchp"] {
        assert_eq!(render(word, &c, &w), "This ZooKeeper instance is not currently serving requests\n", "{word}");
    }
    assert_eq!(render("hash", &c, &w), "This ZooKeeper instance is not currently serving requests");
    assert_eq!(render("isro", &c, &w), "null");
    assert_eq!(render("ruok", &c, &w), "imok");
    assert_eq!(render("gtmk", &c, &w), "306");
    assert!(render("envi", &c, &w).starts_with("Environment:\n"));
}

#[test]
fn version_and_op_tags() {
    assert_eq!(zkd_full_version("2025-01-01 00:00 UTC"), format!("3.8.4-zkd-{}, built on 2025-01-01 00:00 UTC", env!("CARGO_PKG_VERSION")));
    assert_eq!(last_op_tag(4), "GETD");
    assert_eq!(last_op_tag(15), "CREA");
    assert_eq!(last_op_tag(-10), "SESS");
    assert_eq!(last_op_tag(104), "GETACN");
    assert_eq!(last_op_tag(999), "NA");
}

#[test]
fn conf_values_from_config() {
    let parsed = crate::config::parse_config(&crate::config::ConfigSources {
        file: Some(crate::config::ConfigFile { name: "zoo.cfg", contents: b"dataDir=/d\nclientPort=0\ntickTime=1000\nmaxClientCnxns=7\n" }),
        server_jvmflags: "",
        jvmflags: "",
        cpus: 1,
        overrides: Default::default(),
        resolve_host: None,
    })
    .unwrap();
    let v = ConfValues::from_config(&parsed.config, 40001, Path::new("/d"), Path::new("/d"), 1, 2);
    assert_eq!(v.client_port, 40001);
    assert_eq!(v.data_dir, "/d/version-2");
    assert_eq!((v.tick_time, v.max_client_cnxns, v.min_session_timeout, v.max_session_timeout), (1000, 7, 2000, 20000));
}

#[test]
fn conf_lines_match_the_conf_text() {
    let c = ctx();
    let text: String = c.conf.lines().iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    assert_eq!(render("conf", &c, &FourLwWhitelist::all()), text);
    assert_eq!(c.conf.lines().len(), 12);
    assert_eq!(c.conf.lines()[0].0, "clientPort");
    assert_eq!(c.conf.lines()[11].0, "serverId");
}

#[test]
fn allows_is_is_enabled() {
    let w = FourLwWhitelist::new(Some("ruok"), None);
    assert!(w.allows("ruok") && w.allows("srvr") && !w.allows("mntr"));
}

#[test]
fn envi_arch_names_like_java() {
    assert_eq!(java_os_arch("x86_64"), "amd64");
    assert_eq!(java_os_arch("aarch64"), "aarch64");
    assert_eq!(java_os_arch("x86"), "i386");
}

#[test]
fn reply_packet_counts_like_the_nio_writer() {
    // ZooKeeper 3.8.0: `ruok` then `srvr` shows "Sent: 1" (the imok reply was one packet).
    assert_eq!(reply_packets("imok"), 1);
    assert_eq!(reply_packets(""), 0, "hash with an empty digest log sends nothing");
    assert_eq!(reply_packets(&"x".repeat(8192)), 1);
    assert_eq!(reply_packets(&"x".repeat(8193)), 2);
    assert_eq!(reply_packets(&"é".repeat(8192)), 1, "counted in UTF-16 units, not bytes");
}
