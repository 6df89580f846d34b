"""Show that a change of code changes no number: digests of every CSV a run writes.

    python bench/same_outputs.py --write digests.json      # before the change
    python bench/same_outputs.py --check digests.json      # after: exit 1 and the differing files

Runs every bundled scenario (inputs/scenarios/*.yaml) and the example case (inputs/example) in
fresh output folders and records the SHA-256 of each CSV table (the workbook, report and
run.json hold timings and versions, so they are left out: every number in them is in a CSV).
``tests/test_same_outputs.py`` keeps the check for the example case.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cases() -> list[Path]:
    return sorted((ROOT / "inputs" / "scenarios").glob("*.yaml")) + [ROOT / "inputs" / "example"]


def digests(case: Path, out: Path) -> dict[str, str]:
    """SHA-256 of each CSV of one run, by file name."""
    result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", "run", str(case),
                             "--out", str(out)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{case} did not solve:\n{result.stdout}\n{result.stderr}")
    [folder] = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def all_digests(selected: list[Path]) -> dict[str, dict[str, str]]:
    found = {}
    for case in selected:
        with tempfile.TemporaryDirectory() as tmp:
            found[case.relative_to(ROOT).as_posix()] = digests(case, Path(tmp))
        print(f"{case.relative_to(ROOT)}: {len(found[case.relative_to(ROOT).as_posix()])} tables", file=sys.stderr)
    return found


def differences(expected: dict, found: dict) -> list[str]:
    out = []
    for case in sorted(set(expected) | set(found)):
        a, b = expected.get(case, {}), found.get(case, {})
        for table in sorted(set(a) | set(b)):
            if a.get(table) != b.get(table):
                out.append(f"{case}: {table} {'differs' if table in a and table in b else 'is new or gone'}")
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="record the digests in this file")
    group.add_argument("--check", type=Path, help="compare with the digests in this file")
    parser.add_argument("--only", default="", help="comma-separated case paths relative to the repo (default: all)")
    args = parser.parse_args(argv)
    selected = [ROOT / p for p in args.only.split(",")] if args.only else cases()
    found = all_digests(selected)
    if args.write:
        args.write.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
        return
    expected = json.loads(args.check.read_text())
    if args.only:
        expected = {k: v for k, v in expected.items() if k in found}
    diff = differences(expected, found)
    print("\n".join(diff) if diff else "every table is byte-identical")
    raise SystemExit(1 if diff else 0)


if __name__ == "__main__":
    main()
