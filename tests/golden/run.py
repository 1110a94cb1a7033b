#!/usr/bin/env python3
"""Golden tests: run a tool on a case folder and compare with the expected output.

A case is a folder (tests/golden/<suite>/<case>/) holding the input (.park files, users.json,
parkc.json, ...), an optional `cmd` file with the arguments (default: `check .`; the first
word may be `parkd-check` etc. only if the runner learns it), and the expectations:

  expected.txt   stdout + stderr of the command (text format, no colour), then `exit: N`
  expected.json  for `check` commands without an explicit --format: the --format json output

The command runs with the case folder as working directory, so paths in the output are
relative and stable. `--update` rewrites the expectations (review the diff before committing).

usage: run.py --parkc PATH [--update] CASE_OR_SUITE...
"""
import argparse
import difflib
import os
import shlex
import subprocess
import sys


def is_case(path):
    names = os.listdir(path)
    return "cmd" in names or "expected.txt" in names or any(n.endswith(".park") for n in names)


def find_cases(path):
    if is_case(path):
        return [path]
    cases = []
    for name in sorted(os.listdir(path)):
        sub = os.path.join(path, name)
        if os.path.isdir(sub):
            cases.extend(find_cases(sub))
    return cases


def run(tool, args, cwd):
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    p = subprocess.run([tool] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.stdout.decode("utf-8", "replace") + "exit: %d\n" % p.returncode


def compare(path, actual, update):
    if update:
        with open(path, "w", encoding="utf-8") as f:
            f.write(actual)
        return True
    try:
        with open(path, encoding="utf-8") as f:
            expected = f.read()
    except FileNotFoundError:
        print("missing %s (run with --update to create it)" % path)
        return False
    if expected == actual:
        return True
    print("MISMATCH %s" % path)
    sys.stdout.writelines(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True), "expected", "actual"))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkc", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    tool = os.path.abspath(a.parkc)
    ok = True
    cases = [c for p in a.paths for c in find_cases(p)]
    for case in cases:
        cmd_file = os.path.join(case, "cmd")
        args = ["check", "."]
        if os.path.exists(cmd_file):
            with open(cmd_file, encoding="utf-8") as f:
                args = shlex.split(f.read())
        ok &= compare(os.path.join(case, "expected.txt"), run(tool, args, case), a.update)
        if args and args[0] == "check" and not any(x.startswith("--format") for x in args):
            ok &= compare(os.path.join(case, "expected.json"),
                          run(tool, args + ["--format", "json"], case), a.update)
    print("%d golden cases %s" % (len(cases), "updated" if a.update else ("passed" if ok else "FAILED")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
