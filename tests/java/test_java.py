"""The Java client transcript (tests/java/ZkTranscript.java) against each target server.

ZkTranscript checks every result code against what ZooKeeper 3.8 answers and exits 1 on any
mismatch; here we run it on a fresh server per target and report the offending lines.
"""

import re

import pytest

from zkharness import run_transcript, targets

MIN_OPS = 100


@pytest.mark.parametrize("kind", targets())
def test_java_transcript(kind, server_factory, java_harness):
    server = server_factory(kind)
    status, lines, stderr = run_transcript(java_harness, server)
    problems = [l for l in lines if "!!" in l or re.match(r"\s*(BARRIER TIMEOUT|ABORTED|WATCHDOG|CONNECT )", l)]
    summary = next((l for l in lines if l.startswith("# ops=")), None)
    report = "\n".join(problems[:40]) or "\n".join(lines[-20:]) or stderr[-2000:]
    assert status == 0 and summary is not None, f"transcript against {kind} exited {status}:\n{report}"
    ops = int(re.search(r"ops=(\d+)", summary).group(1))
    assert ops >= MIN_OPS, f"only {ops} operations ran"
    assert summary.endswith("unexpected=0")
