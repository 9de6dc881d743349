#!/usr/bin/env python3
"""make safety: runs the tests docs/SAFETY.md names and prints each hazard row's verdict.

Parses the one hazard table in docs/SAFETY.md (columns id | hazard | detection | reaction (safe
state) | bound | journal event | tests), runs every named test with `swift test --skip-build
--filter` (JournalKillTests, minutes long, in a process of its own, as `make test` does) with
STIPPLE_SAFETY_EVIDENCE set to a temporary file, reads each test's pass/fail from Swift Testing's
output and the figures the tests recorded, and prints one line per row:

    usb-unplug         firmware stopped the motor: 50 ms (bound 52 ms)  ok

A row fails if a named test failed or did not run, if it names no test (and no hardware measure),
if a row with a numeric bound has no evidence, or if a measured figure exceeds its bound.
Exit status 1 on any failing row. Python 3 standard library only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "docs", "SAFETY.md")
COLUMNS = ["id", "hazard", "detection", "reaction (safe state)", "bound", "journal event", "tests"]
# Run apart, as the Makefile's `test` target does: it blocks a thread for minutes.
SEPARATE = ["JournalKillTests"]


class Row:
    def __init__(self, cells, line):
        self.line = line
        self.id, self.hazard, self.detection, self.reaction, self.bound_text, self.event, tests = cells
        self.hardware = None
        m = re.search(r"\bhardware:\s*(.*)$", tests)
        if m:
            self.hardware = m.group(1).strip()
            tests = tests[:m.start()]
        self.tests = [t.strip() for t in tests.split(",") if t.strip()]
        self.bound = None
        self.unit = None
        b = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s+(\S+)\s*", self.bound_text)
        if b:
            self.bound = float(b.group(1))
            self.unit = b.group(2)


def parse_table(text):
    """The rows of the one table whose header is COLUMNS; raises ValueError on a malformed table."""
    lines = text.splitlines()
    rows, in_table = [], False
    for n, line in enumerate(lines, 1):
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            if [c.lower() for c in cells] == COLUMNS:
                in_table = True
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise ValueError(f"line {n}: {len(cells)} cells, expected {len(COLUMNS)}: {line}")
        row = Row(cells, n)
        if not re.fullmatch(r"[a-z0-9-]+", row.id):
            raise ValueError(f"line {n}: id {row.id!r} is not lower-case-with-dashes")
        if row.bound is None and row.bound_text != "hardware":
            raise ValueError(f"line {n}: bound {row.bound_text!r} is neither 'N unit' nor 'hardware'")
        if row.bound_text == "hardware" and not row.hardware:
            raise ValueError(f"line {n}: bound 'hardware' but the tests column names no 'hardware:' measure")
        for t in row.tests:
            if not re.fullmatch(r"[A-Za-z0-9_]+\.[A-Za-z0-9_]+/[A-Za-z0-9_]+(\([A-Za-z0-9_:]*\))?", t):
                raise ValueError(f"line {n}: test {t!r} is not Module.Suite/test or Module.Suite/test(labels:)")
        rows.append(row)
    if not rows:
        raise ValueError("no hazard table (header: | " + " | ".join(COLUMNS) + " |)")
    ids = [r.id for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate row ids: {', '.join(dupes)}")
    return rows


def test_name(identifier):
    """The name Swift Testing prints for a test: the function part, `aTest()` or `aTest(_:)`."""
    name = identifier.split("/", 1)[1]
    return name if name.endswith(")") else name + "()"


def parse_results(output):
    """{printed test name: 'passed' | 'failed'} from Swift Testing's console output."""
    results = {}
    for line in output.splitlines():
        m = re.search(r"Test (\S+?\))(?: with \d+ test cases?)? (passed|failed)\b", line)
        if m:
            name, verdict = m.group(1), m.group(2)
            if results.get(name) != "failed":
                results[name] = verdict
    return results


def read_evidence(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return out


def fmt(x):
    return f"{x:.3f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def verdicts(rows, results, evidence):
    """(row, text, ok) per row."""
    out = []
    for row in rows:
        why = []
        if not row.tests and not row.hardware:
            why.append("no test")
        for t in row.tests:
            r = results.get(test_name(t))
            if r is None:
                why.append(f"{test_name(t)} did not run")
            elif r != "passed":
                why.append(f"{test_name(t)} failed")
        mine = [e for e in evidence if e.get("hazard") == row.id]
        for e in mine:
            if e["measured"] > e["bound"]:
                why.append(f"{e['what']}: {fmt(e['measured'])} {e['unit']} over its bound {fmt(e['bound'])}")
        same_unit = [e for e in mine if e.get("unit") == row.unit]
        if row.bound is not None:
            if not same_unit:
                why.append(f"no evidence in {row.unit} recorded")
            for e in same_unit:
                if e["measured"] > row.bound:
                    why.append(f"{e['what']}: {fmt(e['measured'])} {e['unit']} over the row's bound")
        if same_unit:
            # The worst margin: the figure closest to (or furthest past) the row's bound.
            worst = max(same_unit, key=lambda e: (e["measured"] - row.bound, e["measured"]))
            text = f"{worst['what']}: {fmt(worst['measured'])} {row.unit} (bound {fmt(row.bound)} {row.unit})"
            if len(mine) > 1:
                text += f" [{len(mine)} figures]"
        elif row.bound is not None:
            text = f"no figure (bound {fmt(row.bound)} {row.unit})"
        else:
            text = "hardware: " + (row.hardware[:60] + "..." if len(row.hardware) > 60 else row.hardware)
        if row.tests and row.bound is None and not why:
            text += f" (software side: {len(row.tests)} tests passed)"
        ok = not why
        # A row only hardware can cover is not failed by software, but not proven by it either.
        verdict = ("hardware measure (type test, not make safety)" if not row.tests else "ok") if ok \
            else "FAIL (" + "; ".join(dict.fromkeys(why)) + ")"
        out.append((row, text, verdict, ok))
    return out


def run_swift(tests, env):
    pattern = "|".join(re.escape(t) for t in tests)
    cmd = ["swift", "test", "--skip-build", "--filter", pattern]
    print("$ " + " ".join(cmd[:4]) + f" '<{len(tests)} tests>'", flush=True)
    p = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def main(argv):
    if "--self-test" in argv:
        return self_test()
    with open(TABLE, encoding="utf-8") as f:
        rows = parse_table(f.read())
    tests = list(dict.fromkeys(t for r in rows for t in r.tests))
    separate = [t for t in tests if any(s in t for s in SEPARATE)]
    together = [t for t in tests if t not in separate]
    fd, evidence_path = tempfile.mkstemp(prefix="stipple-safety-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ, STIPPLE_SAFETY_EVIDENCE=evidence_path)
    output, statuses = "", []
    try:
        for group in (together, separate):
            if group:
                status, out = run_swift(group, env)
                statuses.append(status)
                output += out
        log = os.path.join(ROOT, ".build", "safety-tests.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "w", encoding="utf-8") as f:
            f.write(output)
        results = parse_results(output)
        evidence = read_evidence(evidence_path)
    finally:
        os.unlink(evidence_path)
    lines = verdicts(rows, results, evidence)
    width = max(len(r.id) for r in rows)
    print(f"\n== safety case: {len(rows)} hazards from docs/SAFETY.md ({len(tests)} tests; output in .build/safety-tests.log)")
    for row, text, verdict, _ in lines:
        print(f"{row.id:<{width}}  {text}  {verdict}")
    failed = [row.id for row, _, _, ok in lines if not ok]
    if any(s != 0 for s in statuses) and not failed:
        # A failure the per-test parse did not attribute (a crash, a build problem): say so.
        print("error: swift test exited non-zero; see .build/safety-tests.log")
        return 1
    hardware_only = [row.id for row in rows if not row.tests]
    print(f"== {len(rows) - len(failed) - len(hardware_only)} of {len(rows) - len(hardware_only)} tested rows ok, "
          f"{len(hardware_only)} hardware-only ({', '.join(hardware_only)})" + (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def self_test():
    table = """intro
| id | hazard | detection | reaction (safe state) | bound | journal event | tests |
|---|---|---|---|---|---|---|
| a-row | h | d | r | 100 ms | e | M.S/one, M.S/two(_:) |
| hw-row | h | d | r | hardware | none | hardware: a fuse, sized to the coil |
| mixed | h | d | r | 0 strokes | e | M.S/three(x:), hardware: an encoder, or torque margin |

after
"""
    rows = parse_table(table)
    assert [r.id for r in rows] == ["a-row", "hw-row", "mixed"], [r.id for r in rows]
    assert rows[0].tests == ["M.S/one", "M.S/two(_:)"] and rows[0].bound == 100 and rows[0].unit == "ms"
    assert rows[1].tests == [] and rows[1].hardware == "a fuse, sized to the coil" and rows[1].bound is None
    assert rows[2].tests == ["M.S/three(x:)"] and rows[2].hardware.startswith("an encoder")
    output = "\n".join([
        "◇ Test one() started.", "✔ Test one() passed after 0.01 seconds.",
        "✘ Test two(_:) recorded an issue with 1 argument drive → .usb", "✘ Test two(_:) failed after 0.2 seconds with 1 issue.",
        "✔ Test three(x:) with 2 test cases passed after 0.1 seconds.",
    ])
    results = parse_results(output)
    assert results == {"one()": "passed", "two(_:)": "failed", "three(x:)": "passed"}, results
    # Names without parentheses in the table match the printed `name()`.
    assert test_name("M.S/one") == "one()" and test_name("M.S/two(_:)") == "two(_:)"
    evidence = [
        {"hazard": "a-row", "what": "link-lost in", "measured": 41, "bound": 100, "unit": "ms"},
        {"hazard": "mixed", "what": "strokes", "measured": 0, "bound": 0, "unit": "strokes"},
    ]
    v = {row.id: (text, verdict) for row, text, verdict, _ in verdicts(rows, {"one()": "passed", "two(_:)": "passed", "three(x:)": "passed"}, evidence)}
    assert v["a-row"] == ("link-lost in: 41 ms (bound 100 ms)", "ok"), v["a-row"]
    assert v["hw-row"][1].startswith("hardware measure") and v["hw-row"][0].startswith("hardware:"), v["hw-row"]
    assert v["mixed"][1] == "ok", v["mixed"]
    over = [dict(evidence[0], measured=120)] + evidence[1:]
    v = {row.id: verdict for row, _, verdict, _ in verdicts(rows, {"one()": "passed", "two(_:)": "failed", "three(x:)": "passed"}, over)}
    assert v["a-row"].startswith("FAIL") and "two(_:) failed" in v["a-row"] and "over" in v["a-row"], v["a-row"]
    v = {row.id: verdict for row, _, verdict, _ in verdicts(rows, {}, [])}
    assert "did not run" in v["a-row"] and "no evidence" in v["a-row"], v["a-row"]
    for bad in ["| id | hazard | detection | reaction (safe state) | bound | journal event | tests |\n|---|---|---|---|---|---|---|\n| x | h | d | r | soon | e | M.S/t |\n",
                "| id | hazard | detection | reaction (safe state) | bound | journal event | tests |\n| x | h | d | r | 1 ms | e | not a test |\n",
                "no table here\n"]:
        try:
            parse_table(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted a bad table: {bad!r}")
    print("safety.py self-test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
