#!/usr/bin/env python3
"""`parkc compile` end to end: bundle, --emit=ir|llvm|obj|stamp, --dump-after, -O levels, and a
broken policy (diagnostics, exit 1, no bundle written, an existing bundle left alone).

usage: compile_cli.py --parkc PATH --policy examples/contoso
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(parkc, *args, cwd=None):
    p = subprocess.run([parkc, "compile", *args], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120,
                       env=dict(os.environ, NO_COLOR="1", TERM="dumb"))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkc", required=True)
    ap.add_argument("--policy", required=True)
    a = ap.parse_args()
    parkc = os.path.abspath(a.parkc)
    with tempfile.TemporaryDirectory(prefix="cp_compile_cli_") as tmp:
        policy = os.path.join(tmp, "contoso")
        shutil.copytree(a.policy, policy)
        bundle = os.path.join(tmp, "policy.bundle")

        rc, out, err = run(parkc, policy, "-o", bundle)
        check(rc == 0, "bundle: exit 0 (got %d: %s)" % (rc, err))
        check(os.path.exists(bundle), "bundle written")
        with open(bundle, "rb") as f:
            data = f.read()
        check(data[:8] == b"CPBUNDLE", "bundle magic")
        check(out.startswith("wrote " + bundle + ": "), "summary line: " + out)

        # Reproducible: the same inputs give the same bytes.
        bundle2 = os.path.join(tmp, "again.bundle")
        rc, _, _ = run(parkc, policy, "-o", bundle2)
        with open(bundle2, "rb") as f:
            check(f.read() == data, "bundle bytes are deterministic")

        rc, out, _ = run(parkc, "--emit=ir", policy)
        check(rc == 0 and out.startswith("; callpark dispatch IR (ABI v1)"), "--emit=ir")
        check("classify {" in out and "transparency {" in out, "--emit=ir is the lowered IR")

        rc, out, _ = run(parkc, "--emit", "llvm", policy)
        check(rc == 0 and re.search(r"^define .*i32 @cp_dispatch_v1\(", out, re.M),
              "--emit=llvm defines the ABI")
        check("declare i32 @cp_rt_normalize_v1(" in out, "--emit=llvm imports the regex helper")
        check(re.search(r"switch i32 %shape", out), "--emit=llvm: the length/prefix switch")
        check("@cp.automaton" in out, "--emit=llvm: the plan automata")

        obj = os.path.join(tmp, "dispatch.o")
        rc, _, err = run(parkc, "--emit=obj", "-o", obj, policy)
        check(rc == 0, "--emit=obj: exit 0 (%s)" % err)
        with open(obj, "rb") as f:
            check(f.read(4) == b"\x7fELF", "--emit=obj writes an ELF object")
        nm = shutil.which("llvm-nm-19") or shutil.which("nm")
        if nm:
            syms = subprocess.run([nm, obj], stdout=subprocess.PIPE).stdout.decode()
            defined = sorted(l.split()[-1] for l in syms.splitlines()
                             if len(l.split()) == 3 and l.split()[1] == "T")
            check(defined == ["cp_abi_version_v1", "cp_dispatch_v1", "cp_may_park_v1",
                              "cp_settings_v1"], "object defines exactly the ABI: %s" % defined)
            check(" U cp_rt_normalize_v1" in syms, "object imports cp_rt_normalize_v1")

        rc, out, _ = run(parkc, "--emit=stamp", policy)
        check(rc == 0 and "\ndigest callpark-" in out and "\nmusic " in out, "--emit=stamp")
        check(out.count("\npark ") + out.startswith("park ") == 7, "stamp lists 7 .park files")

        rc, out, _ = run(parkc, "--emit=ir", "--dump-after=dedup-plans", "--dump-after",
                         "lower-orbits", policy)
        check(rc == 0, "--dump-after: exit 0")
        check(out.count("; ---- IR after ") == 2, "--dump-after twice dumps twice")
        check("; ---- IR after dedup-plans\n; callpark dispatch IR (ABI v1)\n; passes: "
              "lower-rules dedup-plans\n" in out, "dump after dedup-plans")
        rc, out, _ = run(parkc, "--emit=ir", "--dump-after=all", policy)
        check(out.count("; ---- IR after ") == 7, "--dump-after=all dumps every pass")
        rc, _, err = run(parkc, "--emit=ir", "--dump-after=fold-everything", policy)
        check(rc == 2 and "unknown pass 'fold-everything'" in err, "unknown pass is a usage error")

        for level in ("-O0", "-O1"):
            rc, _, err = run(parkc, level, policy, "-o", os.path.join(tmp, level + ".bundle"))
            check(rc == 0, "%s builds (%s)" % (level, err))
        rc, _, err = run(parkc, policy)
        check(rc == 2 and "-o FILE" in err, "bundle without -o is a usage error")
        rc, _, err = run(parkc, "--emit=exe", policy)
        check(rc == 2, "unknown --emit kind")

        # A broken policy: diagnostics, exit 1, no bundle, the old bundle untouched.
        with open(os.path.join(policy, "orbits.park"), "a") as f:
            f.write('\norbit "Clash" { numbers 7050..7060  pool "dublin-fe01.contoso.com" }\n')
        rc, out, err = run(parkc, policy, "-o", bundle)
        check(rc == 1, "broken policy: exit 1 (got %d)" % rc)
        check("error[" in err and "nothing was compiled" in err, "broken policy: diagnostics")
        with open(bundle, "rb") as f:
            check(f.read() == data, "broken policy: the existing bundle is untouched")
        fresh = os.path.join(tmp, "never.bundle")
        rc, _, _ = run(parkc, policy, "-o", fresh)
        check(rc == 1 and not os.path.exists(fresh), "broken policy: no bundle written")
        rc, out, _ = run(parkc, "--emit=ir", policy)
        check(rc == 1 and out == "", "broken policy: no IR either")
        rc, _, err = run(parkc, os.path.join(tmp, "nowhere"), "-o", fresh)
        check(rc == 2, "missing policy: exit 2")

    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
