"""Four-letter words, asked through kazoo's client.command() (one recv, as kazoo does) and read
the way monitoring tools parse them (zkServer.sh status, mntr exporters)."""
import re
import socket

import pytest


def ask(server, word, timeout=10.0):
    """Read a 4lw answer until the server closes, like `echo mntr | nc` does."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(word)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out.decode()
            out += b


def parse_srvr(text):
    lines = text.split("\n")
    assert text.endswith("\n")
    assert lines[0].startswith("Zookeeper version: ")
    fields = {}
    for line in lines[1:]:
        if ": " in line:
            k, v = line.split(": ", 1)
            fields[k] = v
    return lines[0][len("Zookeeper version: "):], fields


def parse_mntr(text):
    out = {}
    for line in text.splitlines():
        k, v = line.split("\t")
        out[k] = v
    return out


def test_ruok(client):
    assert client.command(b"ruok") == "imok"


def test_srvr_block(client, base):
    version, f = parse_srvr(client.command(b"srvr"))
    assert re.match(r"^3\.\d+\.\d+.*, built on ", version)
    assert set(f) >= {"Latency min/avg/max", "Received", "Sent", "Connections", "Outstanding",
                      "Zxid", "Mode", "Node count"}
    assert f["Mode"] == "standalone"
    lat = f["Latency min/avg/max"].split("/")
    assert len(lat) == 3 and int(lat[0]) <= int(lat[2])
    float(lat[1])
    assert int(f["Connections"]) >= 1
    assert int(f["Received"]) >= 1 and int(f["Sent"]) >= 1
    assert int(f["Outstanding"]) >= 0
    assert re.match(r"^0x[0-9a-f]+$", f["Zxid"])
    # Zxid is the last committed zxid and Node count the tree size: right after our create
    # they reflect it. Other tests' sessions may expire on this shared server at any moment,
    # so retry a few times and require one undisturbed round.
    for attempt in range(5):
        _, f1 = parse_srvr(client.command(b"srvr"))
        _, st = client.create("%s/z%d" % (base, attempt), include_data=True)
        _, f2 = parse_srvr(client.command(b"srvr"))
        if int(f2["Zxid"], 16) == st.czxid and int(f1["Zxid"], 16) == st.czxid - 1:
            assert int(f2["Node count"]) == int(f1["Node count"]) + 1
            break
    else:
        raise AssertionError("srvr Zxid never matched the create's zxid")


def test_server_version_via_envi(client):
    # kazoo's server_version() parses `envi`; recipes gate features on it
    assert client.server_version() >= (3, 5)
    text = client.command(b"envi")
    assert text.startswith("Environment:\n")
    keys = dict(line.split("=", 1) for line in text.splitlines()[1:] if "=" in line)
    assert "zookeeper.version" in keys and "host.name" in keys and "os.name" in keys


def test_stat_lists_our_connection(server, client):
    text = ask(server, b"stat")
    version, f = parse_srvr(text)
    assert "Clients:" in text.split("\n")[1]
    local_port = client._connection._socket.getsockname()[1]
    conn = [line for line in text.splitlines()
            if line.startswith(" /127.0.0.1:%d[" % local_port)]
    assert len(conn) == 1
    assert re.match(r"^ /127\.0\.0\.1:\d+\[[0-9a-f]+\]\(queued=\d+,recved=\d+,sent=\d+\)$", conn[0])
    assert f["Mode"] == "standalone"


def test_cons_shows_session(server, client):
    text = ask(server, b"cons")
    local_port = client._connection._socket.getsockname()[1]
    line = [x for x in text.splitlines() if x.startswith(" /127.0.0.1:%d[" % local_port)]
    assert len(line) == 1
    m = re.search(r"sid=0x([0-9a-f]+),", line[0])
    assert m and int(m.group(1), 16) == client.client_id[0]
    assert re.search(r",to=\d+,", line[0])
    assert text.endswith("\n\n")


def test_mntr_metrics(server, make_client, base):
    client = make_client()
    # mntr is longer than kazoo's single 8 KiB recv: read it whole like exporters do
    text = ask(server, b"mntr")
    m = parse_mntr(text)
    first = text.splitlines()[0:2]
    assert first[0].startswith("zk_version\t") and first[1] == "zk_server_state\tstandalone"
    for key in ("zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
                "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
                "zk_znode_count", "zk_watch_count", "zk_ephemerals_count",
                "zk_approximate_data_size", "zk_open_file_descriptor_count",
                "zk_max_file_descriptor_count", "zk_uptime"):
        assert key in m, key
        float(m[key])
    for key in ("zk_num_alive_connections", "zk_znode_count", "zk_ephemerals_count",
                "zk_outstanding_requests", "zk_watch_count", "zk_packets_received"):
        assert re.match(r"^\d+$", m[key]), (key, m[key])
    assert int(m["zk_num_alive_connections"]) >= 1
    # counts move by exactly our changes unless another session expires meanwhile: retry
    for attempt in range(5):
        m1 = parse_mntr(ask(server, b"mntr"))
        client.create("%s/eph%d" % (base, attempt), b"12345", ephemeral=True)
        client.exists("%s/watched%d" % (base, attempt), watch=lambda e: None)
        m2 = parse_mntr(ask(server, b"mntr"))
        _, f = parse_srvr(ask(server, b"srvr"))
        if int(m2["zk_znode_count"]) == int(m1["zk_znode_count"]) + 1:
            break
    else:
        raise AssertionError("zk_znode_count never moved by exactly one")
    assert int(m2["zk_ephemerals_count"]) == int(m1["zk_ephemerals_count"]) + 1
    assert int(m2["zk_watch_count"]) >= int(m1["zk_watch_count"]) + 1
    assert int(f["Node count"]) == int(m2["zk_znode_count"])


def test_conf_and_isro_and_dirs(server, client):
    conf = dict(line.split("=", 1) for line in ask(server, b"conf").splitlines() if "=" in line)
    assert conf["clientPort"] == str(server.port)
    assert "dataDir" in conf and "tickTime" in conf and "maxSessionTimeout" in conf
    assert int(conf["maxSessionTimeout"]) == 20 * int(conf["tickTime"])
    assert int(conf["minSessionTimeout"]) == 2 * int(conf["tickTime"])
    assert client.command(b"isro") == "rw"
    dirs = ask(server, b"dirs")
    assert re.match(r"^datadir_size: \d+\nlogdir_size: \d+\n$", dirs)


def test_wchs_wchc_wchp(server, make_client, base):
    c = make_client()
    c.create(base + "/w")
    c.get(base + "/w", watch=lambda e: None)
    wchs = ask(server, b"wchs")
    assert re.match(r"^\d+ connections watching \d+ paths\nTotal watches:\d+\n$", wchs)
    sid = "0x%x" % c.client_id[0]
    wchc = ask(server, b"wchc")
    lines = wchc.splitlines()
    assert sid in lines
    assert "\t" + base + "/w" in lines[lines.index(sid) + 1:]
    wchp = ask(server, b"wchp").splitlines()
    assert base + "/w" in wchp
    assert wchp[wchp.index(base + "/w") + 1] == "\t" + sid


@pytest.mark.parametrize("word,expect", [(b"srst", "Server stats reset.\n"),
                                         (b"crst", "Connection stats reset.\n")])
def test_reset_words(server, word, expect):
    assert ask(server, word) == expect


def test_unknown_word_closes_without_answer(server):
    # not a 4lw and not a sane length (0x7a7a7a7a > jute.maxbuffer): closed, nothing written
    assert ask(server, b"zzzz") == ""
