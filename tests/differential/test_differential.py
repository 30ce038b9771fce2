"""Differential test: the same Java transcript against Apache ZooKeeper 3.8 and zkd must match.

Both servers start fresh on free loopback ports; ZkTranscript prints normalised lines (zxid ranks,
times checked per txn, session owner names), so two correct servers give identical output. A
differing line fails the test unless it matches an entry of compat-allowlist.txt.

DIFF_TARGET=apache compares Apache ZooKeeper with a second Apache ZooKeeper (harness self-check).
"""

import difflib
import os
import re
from pathlib import Path

from zkharness import run_transcript

ALLOWLIST = Path(__file__).with_name("compat-allowlist.txt")


def load_allowlist(path=ALLOWLIST):
    patterns = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            patterns.append(re.compile(line))
        except re.error as e:
            raise AssertionError(f"{path}:{n}: bad regular expression {line!r}: {e}")
    return patterns


def unexplained_differences(expected, actual, patterns):
    """Lines present on only one side (per difflib) that no allow-list pattern matches."""
    bad = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, expected, actual, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for side, chunk in (("-", expected[i1:i2]), ("+", actual[j1:j2])):
            for line in chunk:
                if not any(p.search(line) for p in patterns):
                    bad.append(f"{side} {line}")
    return bad


def test_allowlist_parses():
    load_allowlist()


def test_unexplained_differences_logic():
    pats = [re.compile(r"getEphemerals")]
    a = ["001 x -> OK", "002 S1 getEphemerals -> OK [a]", "003 y -> OK"]
    b = ["001 x -> OK", "002 S1 getEphemerals -> OK [b]", "003 y -> NONODE"]
    assert unexplained_differences(a, b, pats) == ["- 003 y -> OK", "+ 003 y -> NONODE"]
    assert unexplained_differences(a, a, []) == []


def test_transcripts_match(server_factory, java_harness, tmp_path):
    other = os.environ.get("DIFF_TARGET", "zkd")
    # start the candidate first: if it cannot serve, fail before paying for a JVM start
    candidate = server_factory(other)
    reference = server_factory("apache")
    ref_status, ref_lines, ref_err = run_transcript(java_harness, reference)
    assert ref_status == 0, "reference run against Apache ZooKeeper failed:\n" + "\n".join(ref_lines[-30:]) + ref_err[-2000:]
    cand_status, cand_lines, _ = run_transcript(java_harness, candidate)
    (tmp_path / "apache.txt").write_text("\n".join(ref_lines) + "\n")
    (tmp_path / f"{other}.txt").write_text("\n".join(cand_lines) + "\n")
    bad = unexplained_differences(ref_lines, cand_lines, load_allowlist())
    if bad:
        diff = "\n".join(difflib.unified_diff(ref_lines, cand_lines, "apache", other, lineterm="", n=2))
        raise AssertionError(
            f"{len(bad)} transcript line(s) differ between Apache ZooKeeper and {other} "
            f"(transcripts in {tmp_path}; {other} run exited {cand_status}):\n"
            + "\n".join(bad[:60]) + "\n--- unified diff (first 200 lines) ---\n"
            + "\n".join(diff.splitlines()[:200]))
