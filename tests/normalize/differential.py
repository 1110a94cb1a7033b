#!/usr/bin/env python3
"""Differential test of the normalization engine against Python's `re`.

Generates random patterns of the supported .NET subset (as a tree), renders each tree twice:
as .NET text (what an administrator writes; fed to the engine through normalize_probe) and as
Python text (an independent mapping written here: named groups `(?P<..>)`, `\\d` -> `[0-9]`,
`\\z` -> `\\Z`, .NET group numbering computed from the tree). Random translations in .NET
substitution syntax are parsed here by an independent implementation of .NET's rules and
turned into Python `Match.expand` templates. Dial strings are random over `0-9*#+` or sampled
from the pattern so that most cases match.

For every case the full-match verdict and the substituted result must agree; translations
that reference a missing group must be rejected by the engine with CP703 (CP704 for a
malformed `${`). Any other disagreement is printed and fails the test, except the documented
dialect differences listed in KNOWN_DIFFERENCES (compiler/normalize/README.md, "Known dialect
differences"):

  empty-iteration capture (CP705): a group inside a repetition whose body can match the empty
      string, e.g. `(\d*){1,5}` on "912345" or `(?:(x??)|y)+`. .NET's interpreter (RegexInterpreter
      Branchmark/Branchcount: "empty match -> straight"), Perl and Python run one more iteration
      after the last non-empty one when the body can match empty there, record its empty capture
      and leave the loop; RE2 never records an empty iteration, so it keeps the last non-empty
      capture. Python is right for .NET semantics here; the engine cannot reproduce it with RE2,
      so it warns (CP705) on every translation that uses such a group. A disagreement is only
      accepted when the engine flagged the rule with CP705 and both sides agree on the match
      verdict.

Bounded and seeded: every case is generated from --seed; sampled dial strings are at most
MAX_INPUT characters (real dial strings are shorter), and a case on which Python's backtracking
`re` needs more than PY_BUDGET seconds (nested unbounded quantifiers can make it exponential) is
skipped and counted, never waited for. All cases go to one normalize_probe process through stdin.

Usage: differential.py --probe path/to/normalize_probe [--seed N] [--patterns N] [--inputs N]
"""
import argparse
import random
import re
import signal
import subprocess
import sys
import time

ALPHABET = "0123456789*#+"
MAX_INPUT = 20    # characters in a sampled dial string
PY_BUDGET = 0.25  # seconds Python's `re` may spend on one case

# --- pattern trees -----------------------------------------------------------------------
# Node kinds:
#   ("lit", ch)                  literal dial character
#   ("set", net, py, chars)      a class / shorthand: .NET text, Python text, chars it accepts
#   ("any",)                     .
#   ("seq", [nodes])
#   ("alt", [nodes])
#   ("group", kind, name, node)  kind: cap | noncap | named | named_q
#   ("rep", node, lo, hi, lazy, form)   hi None: unbounded; form: * + ? {n} {n,} {n,m}
#   ("ncap", node)               (?n:...) : groups inside are not capturing (unnamed ones)

SETS = [
    ("\\d", "[0-9]", "0123456789"),
    ("\\D", "[^0-9]", "*#+"),
    ("\\w", "[0-9A-Za-z_]", "0123456789"),
    ("[0-5]", "[0-5]", "012345"),
    ("[^3-7]", "[^3-7]", "012389*#+"),
    ("[*#]", "[*#]", "*#"),
    ("[\\d#]", "[0-9#]", "0123456789#"),
    ("[1-9*]", "[1-9*]", "123456789*"),
    ("[+]", "[+]", "+"),
]

NET_LIT = {"*": "\\*", "+": "\\+", "#": "#"}
PY_LIT = {"*": "\\*", "+": "\\+", "#": "\\#"}


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.names = 0

    def atom(self, depth):
        r = self.r
        x = r.random()
        if depth < 3 and x < 0.28:
            kind = r.choice(["cap", "cap", "noncap", "named", "named_q", "ncap"])
            inner = self.alt(depth + 1)
            if kind == "ncap":
                return ("ncap", inner)
            name = None
            if kind in ("named", "named_q"):
                self.names += 1
                name = "g%d" % self.names
            return ("group", kind, name, inner)
        if x < 0.55:
            return ("lit", r.choice(ALPHABET))
        if x < 0.93:
            return ("set",) + r.choice(SETS)
        return ("any",)

    def quantified(self, depth):
        a = self.atom(depth)
        if self.r.random() < 0.35:
            form = self.r.choice(["*", "+", "?", "{n}", "{n,}", "{n,m}"])
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}.get(form, (None, None))
            if form == "{n}":
                lo = hi = self.r.randint(0, 3)
            elif form == "{n,}":
                lo, hi = self.r.randint(0, 3), None
            elif form == "{n,m}":
                lo = self.r.randint(0, 2)
                hi = lo + self.r.randint(0, 3)
            return ("rep", a, lo, hi, self.r.random() < 0.3, form)
        return a

    def seq(self, depth):
        n = self.r.randint(1, 4 if depth else 5)
        return ("seq", [self.quantified(depth) for _ in range(n)])

    def alt(self, depth):
        if self.r.random() < 0.2:
            return ("alt", [self.seq(depth) for _ in range(self.r.randint(2, 3))])
        return self.seq(depth)


def quant_text(lo, hi, form):
    if form in ("*", "+", "?"):
        return form
    if form == "{n}":
        return "{%d}" % lo
    if form == "{n,}":
        return "{%d,}" % lo
    return "{%d,%d}" % (lo, hi)


def render(node, py, ncap=False, x=False):
    """.NET (py=False) or Python (py=True) text of a tree. x: .NET IgnorePatternWhitespace
    spelling (blanks between tokens, `#` escaped since it starts a comment)."""
    k = node[0]
    sep = " " if x else ""
    if k == "lit":
        if x and node[1] == "#":
            return "\\#"
        return (PY_LIT if py else NET_LIT).get(node[1], node[1])
    if k == "set":
        return node[2] if py else node[1]
    if k == "any":
        return "."
    if k == "seq":
        return sep.join(render(n, py, ncap, x) for n in node[1])
    if k == "alt":
        return (sep + "|" + sep).join(render(n, py, ncap, x) for n in node[1])
    if k == "ncap":
        inner = render(node[1], py, True, x)
        return "(?:" + inner + ")" if py else "(?n:" + inner + ")"
    if k == "group":
        kind, name, inner = node[1], node[2], render(node[3], py, ncap, x)
        if kind == "cap":
            if ncap:
                return "(?:" + inner + ")" if py else "(" + inner + ")"
            return "(" + inner + ")"
        if kind == "noncap":
            return "(?:" + inner + ")"
        if py:
            return "(?P<%s>%s)" % (name, inner)
        return ("(?<%s>%s)" if kind == "named" else "(?'%s'%s)") % (name, inner)
    if k == "rep":
        a = node[1]
        inner = render(a, py, ncap, x)
        q = quant_text(node[2], node[3], node[5]) + ("?" if node[4] else "")
        return inner + sep + q
    raise ValueError(k)


def capture_groups(node, ncap=False, out=None):
    """Capturing groups in order of their opening parenthesis: list of names (None: unnamed)."""
    if out is None:
        out = []
    k = node[0]
    if k in ("seq", "alt"):
        for n in node[1]:
            capture_groups(n, ncap, out)
    elif k == "ncap":
        capture_groups(node[1], True, out)
    elif k == "group":
        if node[1] == "cap" and not ncap:
            out.append(None)
        elif node[1] in ("named", "named_q"):
            out.append(node[2])
        capture_groups(node[3], ncap, out)
    elif k == "rep":
        capture_groups(node[1], ncap, out)
    return out


def net_numbering(groups):
    """.NET group number -> Python group index; names -> .NET number."""
    order = [i for i, g in enumerate(groups) if g is None] + [
        i for i, g in enumerate(groups) if g is not None]
    to_py = {0: 0}
    names = {}
    for num, i in enumerate(order, start=1):
        to_py[num] = i + 1
        if groups[i] is not None:
            names[groups[i]] = num
    return to_py, names


def sample(node, r):
    """A random string the (sub)pattern can match (ignoring nothing: trees have no anchors)."""
    k = node[0]
    if k == "lit":
        return node[1]
    if k == "set":
        return r.choice(node[3])
    if k == "any":
        return r.choice(ALPHABET)
    if k == "seq":
        return "".join(sample(n, r) for n in node[1])
    if k == "alt":
        return sample(r.choice(node[1]), r)
    if k == "ncap":
        return sample(node[1], r)
    if k == "group":
        return sample(node[3], r)
    if k == "rep":
        lo, hi = node[2], node[3]
        n = r.randint(lo, hi if hi is not None else lo + 3)
        return "".join(sample(node[1], r) for _ in range(n))
    raise ValueError(k)


# --- translations --------------------------------------------------------------------------

def random_translation(r, count, names):
    parts = []
    for _ in range(r.randint(0, 5)):
        x = r.random()
        if x < 0.3:
            parts.append(r.choice(["+", "+1", "0", "9", "#", "*", "44"]))
        elif x < 0.55:
            parts.append("$%d" % r.randint(0, count + (1 if r.random() < 0.15 else 0)))
        elif x < 0.65:
            parts.append("${%d}" % r.randint(0, count))
        elif x < 0.72 and names:
            parts.append("${%s}" % r.choice(sorted(names)))
        elif x < 0.75:
            parts.append("${nosuch}")
        elif x < 0.78:
            parts.append("${1")
        else:
            parts.append(r.choice(["$$", "$&", "$_", "$+", "$`", "$'", "$a", "$", "$-"]))
    return "".join(parts)


def parse_net_substitution(text, count, names):
    """Independent reading of .NET's substitution rules. Returns (pieces, error_code):
    pieces are str (literal) or int (.NET group number) or 'before'/'after' (empty here)."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "$" or i + 1 >= len(text):
            out.append(c)
            i += 1
            continue
        n = text[i + 1]
        if n.isdigit():
            j = i + 1
            while j < len(text) and text[j].isdigit():
                j += 1
            num = int(text[i + 1:j])
            if num > count:
                return None, "CP703"
            out.append(num)
            i = j
            continue
        if n == "{":
            m = re.match(r"\{(\w+)\}", text[i + 1:], re.ASCII)
            if not m:
                return None, "CP704"
            name = m.group(1)
            if name.isdigit():
                if int(name) > count:
                    return None, "CP703"
                out.append(int(name))
            elif name in names:
                out.append(names[name])
            else:
                return None, "CP703"
            i += 1 + m.end()
            continue
        if n == "$":
            out.append("$")
        elif n in "&_":
            out.append(0)
        elif n in "`'":
            pass
        elif n == "+":
            out.append(count)
        else:
            out.append("$")
            i += 1
            continue
        i += 2
    return out, None


def python_template(pieces, to_py):
    t = []
    for p in pieces:
        if isinstance(p, int):
            t.append("\\g<%d>" % to_py[p])
        else:
            t.append(p.replace("\\", "\\\\"))
    return "".join(t)


# Disagreements that are documented dialect differences (compiler/normalize/README.md).
# Each entry: (name, predicate(expected, engine_fields)).
def empty_iteration_capture(expected, got):
    return expected[0] == "MATCH" and got[0] == "MATCH" and "CP705" in got[2:]


KNOWN_DIFFERENCES = [("empty-iteration capture (CP705)", empty_iteration_capture)]


class Budget(Exception):
    pass


def _alarm(signum, frame):
    raise Budget()


def python_fullmatch(cre, s):
    """cre.fullmatch(s), or Budget when it takes longer than PY_BUDGET (sre polls signals)."""
    signal.setitimer(signal.ITIMER_REAL, PY_BUDGET)
    try:
        return cre.fullmatch(s)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--patterns", type=int, default=400)
    ap.add_argument("--inputs", type=int, default=12)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    r = random.Random(args.seed)
    signal.signal(signal.SIGALRM, _alarm)
    started = time.time()
    skipped = 0

    cases = []  # (net_pattern, translation, input, expected)
    for _ in range(args.patterns):
        g = Gen(r)
        tree = g.alt(0)
        xmode = r.random() < 0.1
        net, pyp = render(tree, False, x=xmode), render(tree, True)
        # Anchors: optional, in the .NET spellings; Python equivalents on full-match input.
        pre = r.choice(["", "", "^", "\\A"])
        post = r.choice(["", "", "$", "\\z", "\\Z"])
        net = pre + ("(?:%s)" % net if (pre or post) else net) + post
        pyp = "(?:%s)" % pyp
        if xmode:
            net = "(?x) " + net + " # comment"
        groups = capture_groups(tree)
        to_py, names = net_numbering(groups)
        count = len(groups)
        translation = random_translation(r, count, names)
        pieces, err = parse_net_substitution(translation, count, names)
        cre = re.compile(pyp)
        inputs = set()
        for _ in range(args.inputs):
            if r.random() < 0.6:
                s = sample(tree, r)[:MAX_INPUT]
            else:
                s = "".join(r.choice(ALPHABET) for _ in range(r.randint(0, 10)))
            inputs.add(s)
        for s in sorted(inputs):
            if err:
                expected = ("ERR", err)
            else:
                try:
                    m = python_fullmatch(cre, s)
                except Budget:
                    skipped += 1
                    continue
                expected = ("MATCH", m.expand(python_template(pieces, to_py))) if m else ("NOMATCH",)
            cases.append((net, translation, s, expected, pyp))

    payload = "".join("%s\t%s\t%s\n" % (c[0], c[1], c[2]) for c in cases)
    proc = subprocess.run([args.probe], input=payload, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr)
        return 2
    lines = proc.stdout.split("\n")[:-1]
    if len(lines) != len(cases):
        print("probe answered %d lines for %d cases" % (len(lines), len(cases)))
        return 2

    bad = 0
    counts = {"MATCH": 0, "NOMATCH": 0, "ERR": 0}
    known = {name: 0 for name, _ in KNOWN_DIFFERENCES}
    flagged = 0  # cases the engine answered with a CP705 warning
    for case, line in zip(cases, lines):
        fields = tuple(line.split("\t"))
        exp = case[3]
        if fields[0] == "ERR":
            got = ("ERR", fields[1])
        elif fields[0] == "MATCH":
            got = ("MATCH", fields[1])
        else:
            got = (fields[0],)
        warnings = fields[len(got):] if fields[0] != "ERR" else ()
        flagged += "CP705" in warnings
        counts[exp[0]] = counts.get(exp[0], 0) + 1
        if got == exp:
            continue
        name = next((n for n, k in KNOWN_DIFFERENCES if k(exp, got + tuple(warnings))), None)
        if name:
            known[name] += 1
            if args.verbose:
                print("KNOWN %s: pattern=%r translation=%r input=%r engine=%r python=%r"
                      % (name, case[0], case[1], case[2], line, exp))
            continue
        bad += 1
        if bad <= 25:
            print("DISAGREE pattern=%r python=%r translation=%r input=%r\n  engine=%r\n  python=%r"
                  % (case[0], case[4], case[1], case[2], line, exp))
    print("differential: seed %d, %d cases (%d patterns), expected match %d / no match %d / "
          "error %d; %d skipped (Python over budget); %d flagged CP705; "
          "%d disagreements outside documented differences; documented: %s; %.1f s"
          % (args.seed, len(cases), args.patterns, counts["MATCH"], counts["NOMATCH"],
             counts["ERR"], skipped, flagged, bad,
             ", ".join("%s %d" % kv for kv in known.items()) or "none", time.time() - started))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
