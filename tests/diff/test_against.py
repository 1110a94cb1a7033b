#!/usr/bin/env python3
"""parkc diff --against GIT-REF on a temporary git repository.

The policy lives in a subfolder (policy/) of the repository, as examples/ci expects. Commit it,
change it in the working tree, and check that `parkc diff --against HEAD policy` reads the old
files through git (the committed range, not the working tree's), reports the exact changes,
classifies them, and exits 2 with --fail-on-breaking. Also: an unknown ref is a tool error, and a
folder that did not exist at the ref diffs against an empty policy.

usage: test_against.py PARKC
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

PARKC = None

BASE = '''site "S" { pool "fe01.example.com" }
orbit "O" {
  numbers 7000..7099
  pool "fe01.example.com"
}
voice_policy global { call_park on }
dialplan global {
  rule "Orbits" priority 0 { pattern '^(70\\d{2})$' translation '$1' }
  rule "Four" priority 1 { pattern '^(\\d{4})$' translation '+1425555$1' }
}
user "sip:a@example.com" { pool "fe01.example.com" }
'''


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + list(args),
                   cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def parkc(cwd, *args):
    p = subprocess.run([PARKC] + list(args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Against(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = self.tmp.name
        os.makedirs(os.path.join(self.repo, "policy"))
        with open(os.path.join(self.repo, "policy", "policy.park"), "w") as f:
            f.write(BASE)
        git(self.repo, "init", "-q")
        git(self.repo, "add", ".")
        git(self.repo, "commit", "-q", "-m", "base")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text):
        with open(os.path.join(self.repo, "policy", "policy.park"), "w") as f:
            f.write(text)

    def test_unchanged_working_tree_has_no_changes(self):
        rc, out, err = parkc(self.repo, "diff", "--against", "HEAD", "--format", "json", "policy")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["summary"], {"changes": 0, "breaking": 0})

    def test_changes_against_head(self):
        # Shrink the range and move the pass-through rule after the 4-digit rule.
        self.write(BASE.replace("7000..7099", "7000..7049")
                       .replace("priority 0 { pattern '^(70", "priority 2 { pattern '^(70"))
        rc, out, err = parkc(self.repo, "diff", "--against", "HEAD", "--format", "json",
                             "--fail-on-breaking", "policy")
        self.assertEqual(rc, 2, err)
        report = json.loads(out)
        self.assertEqual(report["old"], "HEAD:policy")
        kinds = {(c["section"], c["kind"]): c for c in report["changes"]}
        shrunk = kinds[("orbits", "shrunk")]
        self.assertTrue(shrunk["breaking"])
        self.assertEqual(shrunk["details"]["lost"], 50)
        rewritten = kinds[("numbers", "rewritten")]
        # Exactly the 50 numbers still in the range are rewritten by "Four"; the other 50 are
        # no longer orbits at all.
        self.assertEqual(rewritten["details"]["count"], 50)
        self.assertEqual(rewritten["details"]["rule"], "Four")
        self.assertEqual(rewritten["details"]["witness"], "7000")
        self.assertEqual(rewritten["details"]["witness_new_result"], "+14255557000")
        self.assertEqual(kinds[("numbers", "no_longer_orbit")]["details"]["count"], 50)
        self.assertIn("CsVoiceAdministrator", shrunk["roles"])
        self.assertIn("CsServerAdministrator", shrunk["roles"])
        reordered = kinds[("dialplans", "rules_reordered")]
        self.assertTrue(reordered["breaking"])

    def test_committed_change_is_the_new_base(self):
        self.write(BASE.replace("call_park on", "call_park off"))
        git(self.repo, "commit", "-q", "-am", "park off")
        rc, out, _ = parkc(self.repo, "diff", "--against", "HEAD~1", "--format", "json", "policy")
        self.assertEqual(rc, 0)
        vp = [c for c in json.loads(out)["changes"] if c["section"] == "voice_policies"]
        self.assertEqual(len(vp), 1)
        self.assertEqual(vp[0]["details"]["users_losing"], 1)
        self.assertIn("CsUserAdministrator", vp[0]["roles"])
        rc, out, _ = parkc(self.repo, "diff", "--against", "HEAD", "--format", "json", "policy")
        self.assertEqual(json.loads(out)["summary"]["changes"], 0)

    def test_from_inside_the_policy_folder_and_markdown(self):
        self.write(BASE.replace("7000..7099", "7000..7199"))
        rc, out, err = parkc(os.path.join(self.repo, "policy"), "diff", "--against", "HEAD",
                             "--format", "markdown")
        self.assertEqual(rc, 0, err)
        self.assertIn("### Call park policy changes", out)
        self.assertIn("grown", out)
        self.assertIn("0 breaking", out)

    def test_unknown_ref_is_a_tool_error(self):
        rc, _, err = parkc(self.repo, "diff", "--against", "no-such-branch", "policy")
        self.assertEqual(rc, 2)
        self.assertIn("no-such-branch", err)

    def test_new_folder_diffs_against_an_empty_policy(self):
        os.makedirs(os.path.join(self.repo, "other"))
        with open(os.path.join(self.repo, "other", "p.park"), "w") as f:
            f.write(BASE)
        rc, out, err = parkc(self.repo, "diff", "--against", "HEAD", "--format", "json", "other")
        self.assertEqual(rc, 0, err)
        kinds = [(c["section"], c["kind"]) for c in json.loads(out)["changes"]]
        self.assertIn(("orbits", "added"), kinds)


if __name__ == "__main__":
    PARKC = os.path.abspath(sys.argv.pop(1))
    unittest.main()
