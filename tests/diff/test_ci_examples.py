#!/usr/bin/env python3
"""examples/ci stays in step with parkc: every `run:` step of the GitHub workflow that calls
parkc, and every hook of the pre-commit configuration, is run as written on a sample policy
repository (policy/ folder, an origin/main ref, a change in the working tree), with a stand-in
`gh` that records what would be posted.

usage: test_ci_examples.py PARKC EXAMPLES_CI_DIR
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest

PARKC = None
CI = None

POLICY = '''site "S" { pool "fe01.example.com" }
orbit "O" { numbers 7000..7099  pool "fe01.example.com" }
park_access "*70" { pool "fe01.example.com" }
park_settings global { on_timeout "sip:operator@example.com" }
voice_policy global { call_park on }
dialplan global { rule "Ten" priority 1 { pattern '^(\\d{10})$' translation '+1$1' } }
'''


def workflow_steps(path):
    """(name, script) of every `run:` step, block scalars included."""
    lines = open(path, encoding="utf-8").read().splitlines()
    steps, name = [], ""
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*- name: (.*)", line)
        if m:
            name = m.group(1)
        m = re.match(r"(\s*)run: (.*)", line)
        if m:
            indent, rest = len(m.group(1)), m.group(2)
            if rest.strip() == "|":
                body = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    body.append(lines[i].strip())
                    i += 1
                steps.append((name, "\n".join(body)))
                continue
            steps.append((name, rest))
        i += 1
    return steps


def hooks(path):
    """(id, command line) of every pre-commit hook: entry followed by its args."""
    text = open(path, encoding="utf-8").read()
    out = []
    for block in text.split("- id: ")[1:]:
        hid = block.split("\n", 1)[0].strip()
        entry = re.search(r"^\s*entry: (.*)$", block, re.M).group(1)
        args = re.search(r"^\s*args: \[(.*)\]$", block, re.M)
        out.append((hid, entry + " " + " ".join(a.strip() for a in args.group(1).split(",")) if args else entry))
    return out


class CiExamples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = os.path.join(self.tmp.name, "repo")
        self.bin = os.path.join(self.tmp.name, "bin")
        os.makedirs(os.path.join(self.repo, "policy"))
        os.makedirs(self.bin)
        os.symlink(PARKC, os.path.join(self.bin, "parkc"))
        with open(os.path.join(self.bin, "gh"), "w") as f:
            f.write('#!/bin/sh\necho "$@" >> "$GH_LOG"\n')
        os.chmod(os.path.join(self.bin, "gh"), 0o755)
        with open(os.path.join(self.repo, "policy", "policy.park"), "w") as f:
            f.write(POLICY)
        self.sh("parkc fmt policy")  # the sample repository keeps its policy formatted
        env = self.env()
        for cmd in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"],
                    ["update-ref", "refs/remotes/origin/main", "HEAD"]):
            subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + cmd,
                           cwd=self.repo, env=env, check=True, stdout=subprocess.DEVNULL)
        # The pull request: shrink the orbit range.
        path = os.path.join(self.repo, "policy", "policy.park")
        text = open(path).read().replace("7000..7099", "7000..7049")
        open(path, "w").write(text)

    def tearDown(self):
        self.tmp.cleanup()

    def env(self):
        return dict(os.environ, PATH=self.bin + ":" + os.environ["PATH"], POLICY_DIR="policy",
                    BASE_REF="main", PR="7", GH_TOKEN="x", NO_COLOR="1",
                    GITHUB_ENV=os.path.join(self.tmp.name, "github_env"),
                    GITHUB_STEP_SUMMARY=os.path.join(self.tmp.name, "summary.md"),
                    GH_LOG=os.path.join(self.tmp.name, "gh.log"),
                    GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                    GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")

    def sh(self, script):
        p = subprocess.run(["bash", "-e", "-c", script], cwd=self.repo, env=self.env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_workflow_steps(self):
        steps = [(n, s) for n, s in workflow_steps(os.path.join(CI, ".github", "workflows", "callpark.yml"))
                 if any(line.strip().startswith("parkc ") for line in s.splitlines())]
        names = [n for n, _ in steps]
        self.assertEqual(names, ["Formatting", "Check (SARIF for code scanning)", "Annotations",
                                 "Semantic diff against the base branch"])
        for name, script in steps:
            rc, out, err = self.sh(script)
            self.assertEqual(rc, 0, "%s failed: %s %s" % (name, out, err))
        sarif = json.load(open(os.path.join(self.repo, "callpark.sarif")))
        self.assertEqual(sarif["version"], "2.1.0")
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "github_env")))  # no errors
        md = open(os.path.join(self.repo, "diff.md")).read()
        self.assertIn("### Call park policy changes", md)
        self.assertIn("**breaking**", md)
        self.assertIn("CsVoiceAdministrator", md)
        self.assertEqual(open(os.path.join(self.tmp.name, "summary.md")).read(), md)
        self.assertIn("pr comment 7 --edit-last --body-file diff.md", open(os.path.join(self.tmp.name, "gh.log")).read())

    def test_formatting_step_fails_on_unformatted_policy(self):
        with open(os.path.join(self.repo, "policy", "messy.park"), "w") as f:
            f.write('voice_policy   site "S" {call_park on}\n')
        script = dict(workflow_steps(os.path.join(CI, ".github", "workflows", "callpark.yml")))["Formatting"]
        rc, out, _ = self.sh(script)
        self.assertEqual(rc, 1)
        self.assertEqual(out.strip(), "policy/messy.park")

    def test_pre_commit_hooks(self):
        hs = dict(hooks(os.path.join(CI, ".pre-commit-config.yaml")))
        self.assertEqual(sorted(hs), ["parkc-check", "parkc-diff", "parkc-fmt"])
        for hid, cmd in hs.items():
            rc, out, err = self.sh(cmd)
            self.assertEqual(rc, 0, "%s: %s %s" % (hid, out, err))
            if hid == "parkc-diff":
                self.assertIn("### Call park policy changes", out)
                self.assertIn("shrunk", out)
        json.load(open(os.path.join(self.repo, "callpark.sarif")))


if __name__ == "__main__":
    PARKC = os.path.abspath(sys.argv.pop(1))
    CI = os.path.abspath(sys.argv.pop(1))
    unittest.main()
