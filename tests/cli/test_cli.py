#!/usr/bin/env python3
"""parkc as a process: exit codes, help, I/O errors, formats (JSON schema, SARIF 2.1.0 structure
field by field, GitHub annotations), colour, baselines, the rule catalogue.

usage: test_cli.py PARKC EXAMPLES_DIR
"""
import json
import os
import pty
import re
import select
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
# Name errors: a duplicate (with a note) and an unknown pool (line 2 of b.park, after an emoji).
NAME_ERRORS = 'site "S" { pool "fe02.example.com" }\n'
EXTRA = 'orbit "E" { numbers 7100..7109  pool "fe01.example.com" } /* \U0001F600 */ orbit "F" { numbers 7200..7209  pool "nope.example.com" }\n'


def run(args, cwd=None, env_extra=None):
    """Runs parkc; its output must be valid UTF-8 whatever the input (strict decoding)."""
    env = dict(os.environ, NO_COLOR="1")
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([PARKC] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def run_on_tty(args, env):
    """Runs parkc with stdout on a pseudo-terminal; returns (exit code, output bytes)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(PARKC, [PARKC] + args, env)
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


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
        with Policy({}) as d:  # an empty directory
            rc, _, err = run(["check", d])
            self.assertEqual(rc, 2)
            self.assertIn("no .park file", err)
        rc, _, err = run(["check", "/dev/null"])
        self.assertEqual(rc, 2)
        self.assertIn("not a regular file", err)

    def test_unreadable_files_exit_2(self):
        # A .park file that cannot be read is an error, never skipped silently: a dangling
        # link works as an unreadable file even for root; a mode-000 file for other users.
        with Policy({"a.park": CLEAN}) as d:
            os.symlink(os.path.join(d, "missing-target"), os.path.join(d, "b.park"))
            rc, _, err = run(["check", d])
            self.assertEqual(rc, 2, err)
            self.assertRegex(err, r"cannot read '.*b\.park': No such file or directory")
        if os.geteuid() != 0:
            with Policy({"a.park": CLEAN, "b.park": CLEAN}) as d:
                os.chmod(os.path.join(d, "b.park"), 0)
                rc, _, err = run(["check", d])
                self.assertEqual(rc, 2, err)
                self.assertIn("Permission denied", err)

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
        # The invalid bytes are shown as \xNN, so the output itself is valid UTF-8 (run()
        # decodes strictly) and a terminal is never sent raw bytes.
        with Policy({"a.park": b'site "Z\xfcrich" { pool "x.example.com" }\n'}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 1, out)
            self.assertIn("error[CP100]", out)
            self.assertIn("not valid UTF-8", out)
            self.assertIn('site "Z\\xFCrich"', out)
            self.assertNotIn("\ufffd", out)
        with Policy({"a.park": "site \"S\" { pool \"p\" }\n".encode("utf-16")}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 1, out)
            self.assertIn("UTF-16", out)

    def test_control_characters_are_not_sent_to_the_terminal(self):
        with Policy({"a.park": 'site "S" { pool "p" }\x1b[2J\x07\n'}) as d:
            rc, out, _ = run(["check", d])
            self.assertEqual(rc, 1, out)
            self.assertNotIn("\x1b", out)
            self.assertNotIn("\x07", out)
            self.assertIn("\\x1B", out)

    def test_syntax_error_is_never_antlr_text(self):
        for text in [SYNTAX_ERROR, "orbit { }", "}}}", "@", "dialplan global { rule }",
                     "test \"t\" { dial }", 'site "S" { pool }', "users from", "\"\"\""]:
            with Policy({"a.park": text}) as d:
                rc, out, _ = run(["check", d])
                self.assertEqual(rc, 1, text)
                for word in ("mismatched input", "expecting", "extraneous", "no viable",
                             "<missing", "<EOF>"):
                    self.assertNotIn(word, out, text)

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
            _, out, _ = run(["check", "--color=never", d], env_extra={"NO_COLOR": ""})
            self.assertNotIn("\x1b[", out)

    def test_color_on_a_terminal_unless_no_color(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
            env["TERM"] = "xterm"
            rc, out = run_on_tty(["check", d], env)
            self.assertEqual(rc, 1)
            self.assertIn(b"\x1b[", out)
            env["NO_COLOR"] = "1"
            rc, out = run_on_tty(["check", d], env)
            self.assertEqual(rc, 1)
            self.assertNotIn(b"\x1b[", out)


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

    def check_region(self, reg):
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            self.assertIsInstance(reg[key], int, key)
            self.assertGreaterEqual(reg[key], 1, key)
        self.assertGreaterEqual(reg["endLine"], reg["startLine"])
        if reg["endLine"] == reg["startLine"]:
            self.assertGreater(reg["endColumn"], reg["startColumn"])

    def check_physical(self, pl, files):
        self.assertEqual(set(pl.keys()), {"artifactLocation", "region"})
        self.assertIsInstance(pl["artifactLocation"]["uri"], str)
        self.assertIn(pl["artifactLocation"]["uri"], files)
        self.assertIsInstance(pl["artifactLocation"].get("uriBaseId", ""), str)
        self.check_region(pl["region"])

    def test_sarif_structure(self):
        # The required structure of SARIF 2.1.0 (sarifLog, run, tool.driver with its rules,
        # result, location, physicalLocation, region), checked field by field, plus what GitHub
        # code scanning needs (ruleIndex, partialFingerprints, a location per located result).
        files = {"a.park": WARN_ONLY + NAME_ERRORS, "b.park": "//  Zürich \U0001F600 \n" + EXTRA}
        with Policy(files) as d:
            rc, out, _ = run(["check", "--format", "sarif", "."], cwd=d)
            self.assertEqual(rc, 1, out)
            log = json.loads(out)
            self.assertEqual(set(log.keys()), {"$schema", "version", "runs"})
            self.assertEqual(log["version"], "2.1.0")
            self.assertIn("sarif-2.1.0", log["$schema"])
            self.assertIsInstance(log["runs"], list)
            self.assertEqual(len(log["runs"]), 1)
            run_ = log["runs"][0]
            self.assertEqual(run_["columnKind"], "utf16CodeUnits")
            driver = run_["tool"]["driver"]
            self.assertEqual(driver["name"], "parkc")
            self.assertRegex(driver["version"], r"^\d+\.\d+\.\d+")
            self.assertRegex(driver["semanticVersion"], r"^\d+\.\d+\.\d+")
            # The rules table: one reportingDescriptor per code reported, from the catalogue.
            rules = driver["rules"]
            ids = [r["id"] for r in rules]
            self.assertEqual(len(ids), len(set(ids)))
            reported = {res["ruleId"] for res in run_["results"]}
            self.assertEqual(set(ids), reported)
            for r in rules:
                self.assertRegex(r["id"], r"^CP\d{3}$")
                self.assertRegex(r["name"], r"^[a-z0-9-]+$")
                self.assertIsInstance(r["shortDescription"]["text"], str)
                self.assertTrue(r["shortDescription"]["text"])
                self.assertIn(r["defaultConfiguration"]["level"], ("error", "warning", "note"))
                self.assertIn("**Fix**", r["help"]["markdown"])
                self.assertIsInstance(r["help"]["text"], str)
            self.assertEqual(len(run_["results"]), 3)  # CP201, CP202, CP404
            levels = set()
            for res in run_["results"]:
                self.assertIn(res["ruleId"], ids)
                self.assertEqual(ids[res["ruleIndex"]], res["ruleId"])
                self.assertIn(res["level"], ("error", "warning", "note", "none"))
                levels.add(res["level"])
                self.assertIsInstance(res["message"]["text"], str)
                self.assertTrue(res["message"]["text"])
                self.assertIsInstance(res["partialFingerprints"]["callparkFingerprint/v1"], str)
                self.assertEqual(len(res["locations"]), 1)
                self.check_physical(res["locations"][0]["physicalLocation"], files)
                for rel in res.get("relatedLocations", []):
                    self.assertIsInstance(rel["id"], int)
                    self.assertIsInstance(rel["message"]["text"], str)
                    self.check_physical(rel["physicalLocation"], files)
            self.assertEqual(levels, {"error", "warning"})
            # Notes become related locations (a duplicate points at the first declaration).
            dup = [r for r in run_["results"] if r["ruleId"] == "CP201"]
            self.assertEqual(len(dup), 1)
            self.assertEqual(len(dup[0]["relatedLocations"]), 1)
            # Columns are UTF-16 code units: the orbit after the emoji line is unaffected, a
            # finding after the emoji on its line is shifted by 2 units, not 4 bytes.
            by_code = {r["ruleId"]: r for r in run_["results"]}
            reg = by_code["CP202"]["locations"][0]["physicalLocation"]["region"]
            line = EXTRA.split("\n")[0]
            before = line[:line.index('"nope.example.com"')]
            self.assertEqual((reg["startLine"], reg["startColumn"]),
                             (2, len(before.encode("utf-16-le")) // 2 + 1))
            self.assertEqual(reg["endColumn"] - reg["startColumn"], len('"nope.example.com"'))

    def test_github_annotations(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            rc, out, _ = run(["check", "--format", "github", d])
            self.assertEqual(rc, 1)
            lines = [l for l in out.splitlines() if l]
            self.assertTrue(lines)
            for l in lines:
                self.assertRegex(l, r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,"
                                    r"endLine=\d+,endColumn=\d+,title=CP\d{3}::")


class Baselines(unittest.TestCase):
    def test_write_then_check_against_baseline(self):
        with Policy({"a.park": WARN_ONLY}) as d:
            rc, out, err = run(["check", "--write-baseline", "base.json", "."], cwd=d)
            self.assertEqual(rc, 0, err)
            self.assertIn("recorded 1 finding in base.json", err)
            base = json.load(open(os.path.join(d, "base.json")))
            self.assertEqual(base["version"], 1)
            self.assertEqual([f["code"] for f in base["findings"]], ["CP404"])
            self.assertEqual(base["findings"][0]["file"], "a.park")
            rc, out, _ = run(["check", "--baseline", "base.json", "."], cwd=d)
            self.assertEqual(rc, 0)
            self.assertIn("no problems found", out)
            self.assertIn("1 known finding not shown", out)
            # A new finding is reported; the known one still is not.
            with open(os.path.join(d, "b.park"), "w") as f:
                f.write('orbit "Dup" { numbers 7005..7014  pool "fe01.example.com" }\n')
            rc, out, _ = run(["check", "--baseline", "base.json", "--format", "json", "."], cwd=d)
            self.assertEqual(rc, 1)
            codes = [x["code"] for x in json.loads(out)["diagnostics"]]
            self.assertEqual(codes, ["CP308"])
            # parkc.json can name the baseline.
            with open(os.path.join(d, "parkc.json"), "w") as f:
                f.write('{ "baseline": "base.json", "CP308": "warning" }\n')
            rc, out, _ = run(["check", "."], cwd=d)
            self.assertEqual(rc, 0, out)
            self.assertIn("warning[CP308]", out)
            self.assertNotIn("CP404", out)

    def test_no_baseline_from_a_policy_with_syntax_errors(self):
        with Policy({"a.park": SYNTAX_ERROR}) as d:
            rc, _, err = run(["check", "--write-baseline", "base.json", "."], cwd=d)
            self.assertEqual(rc, 1)
            self.assertIn("no baseline written", err)
            self.assertFalse(os.path.exists(os.path.join(d, "base.json")))


class RuleCatalogue(unittest.TestCase):
    def test_rules_lists_every_code(self):
        rc, out, _ = run(["rules"])
        self.assertEqual(rc, 0)
        lines = out.splitlines()
        codes = [l.split()[0] for l in lines]
        self.assertEqual(codes, sorted(codes))
        for code in ("CP020", "CP100", "CP101", "CP120", "CP201", "CP211", "CP301", "CP308",
                     "CP313", "CP401", "CP410", "CP501", "CP502", "CP601", "CP606", "CP901",
                     "CP903", "CP910", "CP913"):
            self.assertIn(code, codes)
        for l in lines:
            self.assertRegex(l, r"^CP\d{3}  [a-z0-9-]+ +(error|warning|note) +\S")

    def test_rules_code_prints_its_page(self):
        for key in ("CP308", "cp308", "orbit-range-overlap"):
            rc, out, _ = run(["rules", key])
            self.assertEqual(rc, 0)
            self.assertTrue(out.startswith("CP308 orbit-range-overlap (orbit, error by default)"))
            self.assertIn("**Failing example**", out)
            self.assertIn("**Fix**", out)
            self.assertIn("parkc.json", out)
        rc, _, err = run(["rules", "CP999"])
        self.assertEqual(rc, 2)
        self.assertIn("no rule", err)

    def test_text_output_says_how_to_change_a_severity(self):
        with Policy({"a.park": WARN_ONLY}) as d:
            _, out, _ = run(["check", d])
            self.assertIn('= CP404 is a warning by default; set "CP404": "error" | "warning" | '
                          '"note" | "off" in parkc.json to change it', out)


if __name__ == "__main__":
    PARKC = os.path.abspath(sys.argv[1])
    EXAMPLES = os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"])
