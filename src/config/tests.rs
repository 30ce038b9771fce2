//! Whole-configuration tests: defaults, error positions, property precedence, whitelist.

use super::*;

fn sources<'a>(text: &'a str, server_flags: &'a str, flags: &'a str) -> ConfigSources<'a> {
    ConfigSources {
        file: Some(ConfigFile { name: "zoo.cfg", contents: text.as_bytes() }),
        server_jvmflags: server_flags,
        jvmflags: flags,
        cpus: 2,
        overrides: Overrides::default(),
        resolve_host: None,
    }
}

fn parse(text: &str) -> Result<ParsedConfig, ConfigError> {
    parse_config(&sources(text, "", ""))
}

fn err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

const SAMPLE: &str = "# The number of milliseconds of each tick\ntickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/tmp/zookeeper\nclientPort=2181\n#maxClientCnxns=60\n#autopurge.snapRetainCount=3\n#autopurge.purgeInterval=1\n";

#[test]
fn no_file_defaults() {
    let p = parse_config(&ConfigSources {
        file: None,
        server_jvmflags: "",
        jvmflags: "",
        cpus: 2,
        overrides: Overrides::default(),
        resolve_host: None,
    })
    .unwrap();
    let c = p.config;
    assert_eq!(c.client_addr, "127.0.0.1:2181".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.data_dir, PathBuf::from("./zkd-data"));
    assert_eq!(c.data_log_dir, c.data_dir);
    assert_eq!((c.tick_time_ms, c.min_session_timeout_ms, c.max_session_timeout_ms), (2000, 4000, 40000));
    assert_eq!(c.max_client_cnxns, 60);
    assert_eq!(c.jute_max_buffer, 1_048_575);
    assert_eq!((c.snap_count, c.pre_alloc_size_kb, c.snap_size_limit_kb), (100_000, 65_536, 4_194_304));
    assert_eq!((c.container_check_interval_ms, c.container_max_per_minute, c.container_max_never_used_interval_ms), (60_000, 10_000, 0));
    assert!(c.force_sync && c.digest_enabled && !c.skip_acl && !c.extended_types_enabled && !c.reconfig_enabled);
    assert_eq!(c.four_lw_whitelist, FourLwWhitelist::default());
    assert_eq!(c.placement, ExecutorPlacement { client: vec![Some(0)], pipeline: Some(0), log: Some(0) });
    assert_eq!(c.super_digest, None);
    assert_eq!(c.jaas_config_path, None);
    assert!(c.system_properties.is_empty());
    assert!(p.warnings.is_empty());
}

#[test]
fn sample_file_parses_without_warnings() {
    let p = parse(SAMPLE).unwrap();
    let c = &p.config;
    assert_eq!(c.client_addr, "0.0.0.0:2181".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.data_dir, PathBuf::from("/tmp/zookeeper"));
    assert_eq!(c.data_log_dir, PathBuf::from("/tmp/zookeeper"));
    assert_eq!((c.tick_time_ms, c.init_limit, c.sync_limit), (2000, 10, 5));
    assert_eq!((c.min_session_timeout_ms, c.max_session_timeout_ms), (4000, 40000));
    assert_eq!(c.autopurge_snap_retain_count, 3);
    assert_eq!(c.autopurge_purge_interval_hours, 0);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn code_default_tick_time_with_a_file() {
    let c = parse("dataDir=/d\nclientPort=1\n").unwrap().config;
    assert_eq!((c.tick_time_ms, c.min_session_timeout_ms, c.max_session_timeout_ms), (3000, 6000, 60000));
}

#[test]
fn errors_name_file_line_and_key() {
    assert_eq!(err("dataDir=/d\nclientPort=2181\ntickTime=abc\n"), "zoo.cfg:3: tickTime: invalid number \"abc\"");
    assert_eq!(err("dataDir=/d\nclientPort=-5\n"), "zoo.cfg:2: clientPort: port out of range: -5");
    assert_eq!(err("dataDir=/d\nclientPort=65536\n"), "zoo.cfg:2: clientPort: port out of range: 65536");
    assert_eq!(err("clientPort=1\ndataDir=/d\ntickTime=0\n"), "zoo.cfg:3: tickTime: tickTime is not set");
    assert_eq!(
        err("dataDir=/d\nclientPort=1\n\nminSessionTimeout=5000\nmaxSessionTimeout=4000\n"),
        "zoo.cfg:4: minSessionTimeout: minSessionTimeout (5000) must not be larger than maxSessionTimeout (4000)"
    );
    // Only max set: the max line is blamed (min defaults to 2 x tickTime).
    assert_eq!(
        err("dataDir=/d\nclientPort=1\ntickTime=2000\nmaxSessionTimeout=3000\n"),
        "zoo.cfg:4: maxSessionTimeout: minSessionTimeout (4000) must not be larger than maxSessionTimeout (3000)"
    );
    assert_eq!(err("dataDir=/d\nclientPort=1\nsyncEnabled=yes\n"), "zoo.cfg:3: syncEnabled: invalid option \"yes\": choose 'true' or 'false'");
    assert_eq!(err("dataDir=/d\nclientPort=1\nelectionAlg=1\n"), "zoo.cfg:3: electionAlg: Invalid electionAlg value. Only 3 is supported.");
    assert_eq!(err("dataDir=/d\nclientPort=1\npeerType=leader\n"), "zoo.cfg:3: peerType: Unrecognised peertype: leader");
    assert_eq!(err("dataDir=/d\nclientPort=1\ninitLimit=ten\n"), "zoo.cfg:3: initLimit: invalid number \"ten\"");
    assert_eq!(err("dataDir=/d\nclientPort=1\nzkd.cores.client=7\n"), "zoo.cfg:3: zkd.cores.client: CPU 7 does not exist (this machine has 2)");
    assert_eq!(err("dataDir=/d\nclientPort=1\nserver.1=h:1:1\n"), "zoo.cfg:3: server.1: Client and election port must be different! Please update the configuration file on server.1");
    assert_eq!(err("clientPort=1\n"), "zoo.cfg: dataDir is not set");
    assert_eq!(err("dataDir=/d\n"), "zoo.cfg: clientPort is not set (zkd needs a plain TCP client port)");
    assert_eq!(err("dataDir=/d\nclientPortAddress=127.0.0.1\n"), "zoo.cfg:2: clientPortAddress: clientPortAddress is set but clientPort is not set");
    assert_eq!(err("dataDir=/d\nclientPort=1\nclientPortAddress=zk.example\n"), "zoo.cfg:3: clientPortAddress: cannot resolve host \"zk.example\"");
    assert_eq!(err("a=\\u12\n"), "zoo.cfg:1: Malformed \\uxxxx encoding.");
}

#[test]
fn continuation_keeps_the_first_line_number() {
    assert_eq!(err("dataDir=/d\nclientPort=1\ntickTime=12\\\n  x\n"), "zoo.cfg:3: tickTime: invalid number \"12x\"");
}

#[test]
fn properties_syntax_and_trimming() {
    let c = parse("  dataDir : /var/zk  \nclientPort 2182\nclientPortAddress=\t::1 \ntickTime=1000\ntickTime=500\n").unwrap().config;
    assert_eq!(c.data_dir, PathBuf::from("/var/zk"));
    assert_eq!(c.client_addr, "[::1]:2182".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.tick_time_ms, 500, "later duplicate wins");
}

#[test]
fn client_address_resolution() {
    let c = parse("dataDir=/d\nclientPort=0\nclientPortAddress=localhost\n").unwrap().config;
    assert_eq!(c.client_addr, "127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap());
    let resolver = |h: &str| (h == "zk.example").then(|| "10.1.2.3".parse().unwrap());
    let mut src = sources("dataDir=/d\nclientPort=2181\nclientPortAddress=zk.example\n", "", "");
    src.resolve_host = Some(&resolver);
    assert_eq!(parse_config(&src).unwrap().config.client_addr, "10.1.2.3:2181".parse::<std::net::SocketAddr>().unwrap());
}

#[test]
fn overrides_beat_the_file() {
    let mut src = sources("dataDir=/d\nclientPort=2181\nclientPortAddress=127.0.0.1\n", "", "");
    src.overrides = Overrides { client_port: Some(3000), data_dir: Some(PathBuf::from("/other")) };
    let c = parse_config(&src).unwrap().config;
    assert_eq!(c.client_addr, "127.0.0.1:3000".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.data_dir, PathBuf::from("/other"));
    assert_eq!(c.data_log_dir, PathBuf::from("/other"));
    // Also without a file, and dataDir does not need to be in the file then.
    let src = ConfigSources { file: None, overrides: Overrides { client_port: Some(2999), data_dir: None }, ..sources("", "", "") };
    assert_eq!(parse_config(&src).unwrap().config.client_addr, "127.0.0.1:2999".parse::<std::net::SocketAddr>().unwrap());
    let mut src = sources("clientPort=1\n", "", "");
    src.overrides.data_dir = Some(PathBuf::from("/x"));
    assert_eq!(parse_config(&src).unwrap().config.data_dir, PathBuf::from("/x"));
}

#[test]
fn unknown_keys_become_zookeeper_system_properties() {
    let p = parse(
        "dataDir=/d\nclientPort=1\nsnapCount=5000\npreAllocSize=1024\nskipACL=yes\nextendedTypesEnabled=true\nforceSync=no\n\
         digest.enabled=false\nenforceQuota=true\nglobalOutstandingLimit=7\nDigestAuthenticationProvider.superDigest=super:abc=\n\
         4lw.commands.whitelist=ruok, stat\nsnapSizeLimitInKb=-1\nserver.1=h:2888:3888\nsomething.new=1\n",
    )
    .unwrap();
    let c = &p.config;
    assert_eq!(c.snap_count, 5000);
    assert_eq!(c.pre_alloc_size_kb, 1024);
    assert!(c.skip_acl && c.extended_types_enabled && !c.force_sync && !c.digest_enabled && c.enforce_quota);
    assert_eq!(c.global_outstanding_limit, 7);
    assert_eq!(c.super_digest.as_deref(), Some("super:abc="));
    assert_eq!(c.snap_size_limit_kb, -1);
    assert!(c.four_lw_whitelist.is_enabled("ruok") && c.four_lw_whitelist.is_enabled("stat"));
    assert!(c.four_lw_whitelist.is_enabled("srvr") && !c.four_lw_whitelist.is_enabled("mntr"));
    assert_eq!(c.system_properties.get("zookeeper.something.new").map(String::as_str), Some("1"));
    // ZooKeeper's loop also sets zookeeper.server.N (harmless) while reading the membership.
    assert_eq!(c.system_properties.get("zookeeper.server.1").map(String::as_str), Some("h:2888:3888"));
    assert_eq!(c.servers.len(), 1);
    // Consumed keys are not system properties.
    assert!(!c.system_properties.contains_key("zookeeper.dataDir"));
    assert!(!c.system_properties.contains_key("zookeeper.clientPort"));
    assert_eq!(p.warnings, vec!["zoo.cfg: Invalid configuration, only one server specified (ignoring)".to_string()]);
}

#[test]
fn zoo_cfg_overrides_d_flags() {
    let p = parse_config(&sources(
        "dataDir=/d\nclientPort=1\nsnapCount=300\n",
        "-Xmx512m -Dzookeeper.snapCount=100 -Dzookeeper.skipACL=yes",
        "-Dzookeeper.skipACL=no -Djute.maxbuffer=0x400000 -Dreadonlymode.enabled=true -Djava.security.auth.login.config=/etc/zk/jaas.conf \
         -Dznode.container.checkIntervalMs=500 -Dznode.container.maxPerMinute=5 -Dznode.container.maxNeverUsedIntervalMs=9000",
    ))
    .unwrap();
    let c = &p.config;
    assert_eq!(c.snap_count, 300, "zoo.cfg's System.setProperty runs after the JVM's -D");
    assert!(!c.skip_acl, "JVMFLAGS comes after SERVER_JVMFLAGS");
    assert_eq!(c.jute_max_buffer, 0x400000, "Integer.getInteger decodes hex");
    assert!(c.read_only_mode_enabled);
    assert!(c.four_lw_whitelist.is_enabled("isro"));
    assert_eq!(c.jaas_config_path, Some(PathBuf::from("/etc/zk/jaas.conf")));
    assert_eq!((c.container_check_interval_ms, c.container_max_per_minute, c.container_max_never_used_interval_ms), (500, 5, 9000));
    assert_eq!(c.system_properties.get("jute.maxbuffer").map(String::as_str), Some("0x400000"));
    assert!(!c.system_properties.contains_key("com.sun.management.jmxremote"));
}

#[test]
fn system_only_keys_in_zoo_cfg_have_no_effect_but_warn() {
    let p = parse("dataDir=/d\nclientPort=1\njute.maxbuffer=4194304\nreadonlymode.enabled=true\n").unwrap();
    assert_eq!(p.config.jute_max_buffer, 0xfffff);
    assert!(!p.config.read_only_mode_enabled);
    assert!(!p.config.four_lw_whitelist.is_enabled("isro"));
    assert_eq!(p.config.system_properties.get("zookeeper.jute.maxbuffer").map(String::as_str), Some("4194304"));
    assert_eq!(p.warnings.len(), 2);
    assert!(p.warnings[0].starts_with("zoo.cfg:3: jute.maxbuffer has no effect in zoo.cfg"), "{}", p.warnings[0]);
    assert!(p.warnings[1].starts_with("zoo.cfg:4: readonlymode.enabled has no effect"), "{}", p.warnings[1]);
}

#[test]
fn bad_numbers_in_system_properties_fall_back_with_a_warning() {
    let p = parse_config(&sources("dataDir=/d\nclientPort=1\nsnapCount=lots\n", "-Djute.maxbuffer=big", "")).unwrap();
    assert_eq!(p.config.snap_count, 100_000);
    assert_eq!(p.config.jute_max_buffer, 0xfffff);
    assert!(p.warnings.contains(&"zoo.cfg:3: snapCount: invalid number \"lots\", using the default 100000".to_string()), "{:?}", p.warnings);
    assert!(p.warnings.contains(&"SERVER_JVMFLAGS: -Djute.maxbuffer: invalid number \"big\", using the default 1048575".to_string()));
    let p = parse("dataDir=/d\nclientPort=1\nsnapCount=1\n").unwrap();
    assert_eq!(p.config.snap_count, 2);
}

#[test]
fn jvm_only_and_tls_keys_warn_once_each() {
    let p = parse(
        "dataDir=/d\nclientPort=1\nsecureClientPort=2281\nssl.keyStore.location=/k\nmetricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n\
         metricsProvider.httpPort=7000\njvm.pause.monitor=true\nauthProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n\
         authProvider.2=com.example.MyProvider\nadmin.serverPort=9090\nadmin.enableServer=false\n",
    )
    .unwrap();
    let lines: Vec<usize> = p.warnings.iter().map(|w| w.split(':').nth(1).unwrap().parse().unwrap()).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 9, 10, 3], "{:#?}", p.warnings);
    assert_eq!(p.config.secure_client_port, Some(2281));
    assert_eq!(
        p.config.auth_provider_classes(),
        vec!["org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "com.example.MyProvider"]
    );
    assert!(!p.config.admin.enabled);
    assert_eq!(p.config.admin.port, 9090);
}

#[test]
fn relative_paths_warn_like_verifying_file_factory() {
    let p = parse("dataDir=data\ndataLogDir=./logs\nclientPort=1\n").unwrap();
    assert_eq!(p.warnings, vec!["zoo.cfg:1: data is relative. Prepend ./ to indicate that you're sure!".to_string()]);
    assert_eq!(p.config.data_log_dir, PathBuf::from("./logs"));
}

#[test]
fn autopurge_minimum() {
    let p = parse("dataDir=/d\nclientPort=1\nautopurge.snapRetainCount=1\nautopurge.purgeInterval=24\n").unwrap();
    assert_eq!(p.config.autopurge_snap_retain_count, 3);
    assert_eq!(p.config.autopurge_purge_interval_hours, 24);
    assert_eq!(p.warnings, vec!["zoo.cfg:3: Invalid autopurge.snapRetainCount: 1. Defaulting to 3".to_string()]);
}

#[test]
fn quorum_membership_checks() {
    let q = parse("dataDir=/d\nclientPort=1\nserver.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888:observer\n").unwrap();
    assert!(q.config.is_quorum());
    assert_eq!(q.config.servers.len(), 3);
    let single = parse("dataDir=/d\nclientPort=1\nserver.1=a:2888:3888\n").unwrap();
    assert!(!single.config.is_quorum());
    assert_eq!(
        err("dataDir=/d\nclientPort=1\nstandaloneEnabled=false\n"),
        "zoo.cfg: standaloneEnabled = false then number of participants should be >0"
    );
    assert_eq!(err("dataDir=/d\nclientPort=1\nserver.1=a:1:2:observer\n"), "zoo.cfg: Observers w/o participants is an invalid configuration");
    assert_eq!(err("dataDir=/d\nclientPort=1\ndynamicConfigFile=/x\nserver.1=a:1:2\n"), "zoo.cfg:4: server.1: parameter: server.1 must be in a separate dynamic config file");
    assert!(err("dataDir=/d\nclientPort=1\nquorum.auth.serverRequireSasl=true\n").contains("quorum.auth.enableSasl is disabled"));
}

#[test]
fn executor_placement_keys() {
    let mut src = sources("dataDir=/d\nclientPort=1\nzkd.cores.client=0-2\nzkd.cores.pipeline=3\nzkd.cores.log=none\n", "", "");
    src.cpus = 4;
    let c = parse_config(&src).unwrap().config;
    assert_eq!(c.placement, ExecutorPlacement { client: vec![Some(0), Some(1), Some(2)], pipeline: Some(3), log: None });
    assert!(!c.system_properties.contains_key("zookeeper.zkd.cores.client"));
}

#[test]
fn core_config_carries_the_pipeline_knobs() {
    let c = parse("dataDir=/d\nclientPort=1\ntickTime=1000\nskipACL=yes\nreconfigEnabled=true\nDigestAuthenticationProvider.superDigest=s:x\n")
        .unwrap()
        .config;
    let core = c.core_config(42);
    assert_eq!((core.tick_time_ms, core.min_session_timeout_ms, core.max_session_timeout_ms), (1000, 2000, 20000));
    assert!(core.skip_acl && core.reconfig_enabled);
    assert_eq!(core.super_digest.as_deref(), Some("s:x"));
    assert_eq!(core.initial_mono_ms, 42);
    assert_eq!(core.container_check_interval_ms, 60_000);
}

#[test]
fn whitelist_from_d_flag_and_star() {
    let c = parse_config(&sources("dataDir=/d\nclientPort=1\n", "-Dzookeeper.4lw.commands.whitelist=*", "")).unwrap().config;
    assert!(crate::fourlw::KNOWN_WORDS.iter().all(|(w, _)| c.four_lw_whitelist.is_enabled(w)));
    // zoo.cfg's value replaces the flag's.
    let c = parse_config(&sources("dataDir=/d\nclientPort=1\n4lw.commands.whitelist=ruok\n", "-Dzookeeper.4lw.commands.whitelist=*", ""))
        .unwrap()
        .config;
    assert_eq!(c.four_lw_whitelist.words().collect::<Vec<_>>(), vec!["ruok", "srvr"]);
}

#[test]
fn parse_zoo_cfg_entry_point() {
    let (c, warnings) = parse_zoo_cfg("conf/zoo.cfg", SAMPLE, "-Xmx1g -Dzookeeper.4lw.commands.whitelist=ruok,mntr -Djute.maxbuffer=4194304", 3).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(c.tick_time_ms, 2000);
    assert_eq!(c.client_addr, "0.0.0.0:2181".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.jute_max_buffer, 4_194_304);
    assert!(c.four_lw_whitelist.allows("ruok") && c.four_lw_whitelist.allows("srvr") && !c.four_lw_whitelist.allows("stat"));
    assert_eq!(c.placement, ExecutorPlacement { client: vec![Some(0)], pipeline: Some(1), log: Some(2) });
    let e = parse_zoo_cfg("conf/zoo.cfg", "clientPort=1\n", "", 2).unwrap_err();
    assert_eq!(e.to_string(), "conf/zoo.cfg: dataDir is not set");
    let e = parse_zoo_cfg("conf/zoo.cfg", "dataDir=/d\n\ntickTime=abc\n", "", 2).unwrap_err();
    assert_eq!(e.to_string(), "conf/zoo.cfg:3: tickTime: invalid number \"abc\"");
    // A bad -D value falls back like Integer.getInteger, with a warning naming the variable.
    let (c, warnings) = parse_zoo_cfg("zoo.cfg", "dataDir=/d\nclientPort=1\n", "-Dzookeeper.snapCount=lots", 2).unwrap();
    assert_eq!(c.snap_count, 100_000);
    assert_eq!(warnings, vec!["SERVER_JVMFLAGS: -Dzookeeper.snapCount: invalid number \"lots\", using the default 100000".to_string()]);
}

#[test]
fn default_standalone_and_conf_lines() {
    let c = ServerConfig::default_standalone();
    assert_eq!(c.client_addr, "127.0.0.1:2181".parse::<std::net::SocketAddr>().unwrap());
    assert_eq!(c.data_dir, PathBuf::from("./zkd-data"));
    assert_eq!((c.tick_time_ms, c.min_session_timeout_ms, c.max_session_timeout_ms), (2000, 4000, 40000));
    assert_eq!(c.placement, ExecutorPlacement { client: vec![None], pipeline: None, log: None });
    assert!(c.system_properties.is_empty());
    let lines = c.conf_lines(2181, std::path::Path::new("/srv/zk"), std::path::Path::new("/srv/log"), 457, 67_108_864);
    let text: Vec<String> = lines.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        text,
        [
            "clientPort=2181",
            "secureClientPort=-1",
            "dataDir=/srv/zk/version-2",
            "dataDirSize=457",
            "dataLogDir=/srv/log/version-2",
            "dataLogSize=67108864",
            "tickTime=2000",
            "maxClientCnxns=60",
            "minSessionTimeout=4000",
            "maxSessionTimeout=40000",
            "clientPortListenBacklog=-1",
            "serverId=0",
        ]
    );
}

#[test]
fn quorum_only_keys_are_accepted_with_one_warning_each() {
    let p = parse(
        "dataDir=/d\nclientPort=1\ninitLimit=10\nsyncLimit=5\nsslQuorum=false\nportUnification=false\nquorum.auth.enableSasl=true\n\
         quorum.auth.kerberos.servicePrincipal=zk/_HOST\nmultiAddress.enabled=true\nobserverMasterPort=2191\nportUnification=true\n",
    )
    .unwrap();
    let lines: Vec<usize> = p.warnings.iter().map(|w| w.split(':').nth(1).unwrap().parse().unwrap()).collect();
    // initLimit/syncLimit (the sample file's) stay quiet; the later portUnification=true wins.
    assert_eq!(lines, vec![5, 7, 8, 9, 10, 11], "{:#?}", p.warnings);
    assert!(p.warnings[0].contains("sslQuorum ignored: zkd's quorum does not support it"));
    assert!(p.warnings[5].contains("portUnification ignored: zkd serves plain TCP only"));
    assert_eq!(parse("dataDir=/d\nclientPort=1\nsslQuorum=maybe\n").unwrap_err().to_string(), "zoo.cfg:3: sslQuorum: invalid option \"maybe\": choose 'true' or 'false'");
}
