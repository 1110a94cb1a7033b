#!/usr/bin/env python3
"""parkc as a process: exit codes, help, formats (JSON schema, SARIF 2.1.0 structure, GitHub).

usage: test_cli.py PARKC EXAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

PARKC = None
EXAMPLES = None

CLEAN = '''
site "S" { pool "fe01.example.com" }
orbit "O" { numbers 7000..7009  pool "fe01.example.com" }
park_access "*70" { pool "fe01.example.com" }
park_settings global { on_timeout "sip:operator@example.com" }
voice_policy global { call_park on }
dialplan global { rule "Ten" priority 1 { pattern '^(\\d{10})$' translation '+1$1' } }
'''
# Same policy without a fallback URI: at least one warning (no on_timeout anywhere).
WARN_ONLY = CLEAN.replace('park_settings global { on_timeout "sip:operator@example.com" }', '')
SYNTAX_ERROR = 'orbit "O" {\n  numbers 7000..7009\n'


def run(args, cwd=None, env_extra=None):
    env = dict(os.environ, NO_COLOR="1")
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([PARKC] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Policy:
    def __init__(self, files):
        self.dir = tempfile.TemporaryDirectory()
        for name, text in files.items():
            path = os.path.join(self.dir.name, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            mode = "wb" if isinstance(text, bytes) else "w"
            with open(path, mode) as f:
                f.write(text)

    def __enter__(self):
        return self.dir.name

    def __exit__(self, *a):
        self.dir.cleanup()


class ExitCodes(unittest.TestCase):
    def test_version_and_help(self):
        rc, out, _ = run(["--version"])
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^parkc \d+\.\d+\.\d+")
        rc, out, _ = run(["help"])
        self.assertEqual(rc, 0)
        self.assertIn("check", out)
        rc, out, _ = run(["check", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("--format", out)
        rc, out, _ = run(["help", "check"])
        self.assertEqual(rc, 0)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run([])[0], 2)
        self.assertEqual(run(["frobnicate"])[0], 2)
        self.assertEqual(run(["check"])[0], 2)
        self.assertEqual(run(["check", "--bogus", "."])[0], 2)
        self.assertEqual(run(["check", "--format", "xml", "."])[0], 2)

    def test_io_errors_exit_2(self):
        rc, _, err = run(["check", "/nonexistent/policy"])
        self.assertEqual(rc, 2)
        self.assertIn("does not exist", err)
        with Policy({"README.txt": "no policy here"}) as d:
            rc, _, err = run(["check", d])
            self.assertEqual(rc, 2)
            self.assertIn("no .park file", err)

    def test_clean_policy_exit_0(self):
        with Policy({"a.park": CLEAN}) as d:
            rc, out, err = run(["check", d])
            self.assertEqual(rc, 0, out + err)

    def test_syntax_error_exit_1(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 1)
            self.assertIn("error[CP1", out)
            self.assertNotIn("mismatched input", out)

    def test_werror(self):
        with Policy({"a.park": WARN_ONLY}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 0, out)
            self.assertIn("warning[", out)
            rc, out, _ = run(["check", "--werror", d])
            self.assertEqual(rc, 1, out)

    def test_not_utf8(self):
        with Policy({"a.park": b'site "\xff\xfe" { pool "x.example.com" }\n'}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 1)
            self.assertIn("UTF-8", out)

    def test_example_is_clean(self):
        rc, out, err = run(["check", EXAMPLES])
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("error[", out)

    def test_color_only_when_asked(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            _, out, _ = run(["check", d])
            self.assertNotIn("\x1b[", out)
            _, out, _ = run(["check", "--color=always", d])
            self.assertIn("\x1b[", out)


class Formats(unittest.TestCase):
    def test_json_schema(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            rc, out, _ = run(["check", "--format", "json", d])
            self.assertEqual(rc, 1)
            doc = json.loads(out)
            self.assertEqual(doc["schema"], "callpark-diagnostics")
            self.assertEqual(doc["version"], 1)
            self.assertGreaterEqual(doc["summary"]["errors"], 1)
            for diag in doc["diagnostics"]:
                self.assertRegex(diag["code"], r"^CP\d{3}$")
                self.assertIn(diag["severity"], ("error", "warning", "note"))
                for key in ("file", "line", "column", "endLine", "endColumn"):
                    self.assertIn(key, diag["range"])
                self.assertIsInstance(diag["notes"], list)

    def test_sarif_structure(self):
        # The required structure of SARIF 2.1.0 (sarifLog, run, tool.driver, result,
        # location, region), checked field by field, plus GitHub code scanning's needs.
        with Policy({"a.park": SYNTAX_ERROR, "b.park": WARN_ONLY}) as d:
            rc, out, _ = run(["check", "--format", "sarif", d])
            self.assertEqual(rc, 1)
            log = json.loads(out)
            self.assertEqual(log["version"], "2.1.0")
            self.assertIn("sarif-2.1.0", log["$schema"])
            self.assertIsInstance(log["runs"], list)
            self.assertEqual(len(log["runs"]), 1)
            run_ = log["runs"][0]
            driver = run_["tool"]["driver"]
            self.assertEqual(driver["name"], "parkc")
            ids = [r["id"] for r in driver["rules"]]
            self.assertEqual(len(ids), len(set(ids)))
            for r in driver["rules"]:
                self.assertIn("text", r["shortDescription"])
            self.assertGreater(len(run_["results"]), 0)
            for res in run_["results"]:
                self.assertIn(res["ruleId"], ids)
                self.assertEqual(ids[res["ruleIndex"]], res["ruleId"])
                self.assertIn(res["level"], ("error", "warning", "note", "none"))
                self.assertIsInstance(res["message"]["text"], str)
                for loc in res["locations"]:
                    pl = loc["physicalLocation"]
                    self.assertIsInstance(pl["artifactLocation"]["uri"], str)
                    reg = pl["region"]
                    self.assertGreaterEqual(reg["startLine"], 1)
                    self.assertGreaterEqual(reg["startColumn"], 1)
                    self.assertGreaterEqual(reg["endLine"], reg["startLine"])
                    if reg["endLine"] == reg["startLine"]:
                        self.assertGreater(reg["endColumn"], reg["startColumn"])

    def test_github_annotations(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            rc, out, _ = run(["check", "--format", "github", d])
            self.assertEqual(rc, 1)
            lines = [l for l in out.splitlines() if l]
            self.assertTrue(lines)
            for l in lines:
                self.assertRegex(l, r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,"
                                    r"endLine=\d+,endColumn=\d+,title=CP\d{3}::")


if __name__ == "__main__":
    PARKC = os.path.abspath(sys.argv[1])
    EXAMPLES = os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"])
