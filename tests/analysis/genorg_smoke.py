#!/usr/bin/env python3
"""Smoke test of bench/genorg: the synthetic organisations the benchmarks time must stay valid
policies as the language evolves. A clean organisation checks with no finding and all its tests
pass; with --conflicts the planted mistakes are found (CP801 for the plain orbit ranges of the
plan without its pass-through rule, CP803 for the plan whose pass-through comes too late).

usage: genorg_smoke.py --genorg PATH --parkc PATH --workdir DIR
"""
import argparse
import os
import re
import subprocess
import sys


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--genorg", required=True)
    ap.add_argument("--parkc", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    failures = []
    for scale in (1, 2):
        clean = os.path.join(a.workdir, "clean%d" % scale)
        rc, out = run([a.genorg, str(scale), clean])
        if rc != 0:
            failures.append("genorg %d: %s" % (scale, out))
            continue
        rc, out = run([a.parkc, "check", clean])
        if rc != 0 or "no problems found" not in out:
            failures.append("scale %d: check is not clean (exit %d):\n%s" % (scale, rc, out[-3000:]))
        rc, out = run([a.parkc, "test", clean])
        if rc != 0 or not re.search(r"^\d+ passed, 0 failed$", out, re.M):
            failures.append("scale %d: tests fail (exit %d):\n%s" % (scale, rc, out[-3000:]))
    planted = os.path.join(a.workdir, "conflicts")
    rc, out = run([a.genorg, "2", planted, "--conflicts"])
    rc, out = run([a.parkc, "check", planted])
    n801 = len(re.findall(r"error\[CP801\]", out))
    n803 = len(re.findall(r"error\[CP803\]", out))
    # Scale 2: 20 ranges, 4 of them plain (k % 10 in 8..9), two planted plans.
    if rc != 1 or n801 != 8 or n803 != 1:
        failures.append("planted conflicts: exit %d, %d CP801 (want 8), %d CP803 (want 1)\n%s"
                        % (rc, n801, n803, out[-3000:]))
    for f in failures:
        print("FAIL", f)
    print("genorg smoke: %s" % ("FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
