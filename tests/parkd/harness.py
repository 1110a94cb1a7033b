"""Test harness for parkd against SIPp (standard library only).

What it gives a test:
  - free loopback ports chosen at run time (UDP and TCP both free);
  - Parkd: starts parkd on a copy of tests/parkd/policy/ (or any policy) with the test time
    scale, an events file, an admin port and a tokens file; waits until it serves; reads its
    JSON-lines events; stops it (SIGTERM, then SIGKILL);
  - Sipp: one SIPp instance running a scenario template from tests/parkd/scenarios/ (the
    harness fills @NAME@ placeholders, SIPp fills its own [keywords]); waits for its exit status;
  - RtpCounter: a UDP socket playing the parked caller's media port; counts RTP packets by SSRC,
    payload type and payload size;
  - admin(): one HTTP request to parkd's admin API;
  - every process started is killed when the test ends, passes or fails (Harness is a context
    manager and also registers an atexit hook).

Nothing here waits on wall-clock time for a result: waits poll for a condition and only give up
after a generous deadline (they bound the test's duration, they are not assertions on speed).
"""

import atexit
import http.client
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "scenarios")
POLICY = os.path.join(HERE, "policy")
SIPP = shutil.which("sipp") or "/usr/bin/sipp"

# Tokens of the test tokens file (TOKEN ROLE per line).
TOKENS = {
    "admin": ("t0k-universal-0123456789", "RTCUniversalServerAdmins"),
    "voice": ("t0k-voice-admin-0123456789", "CsVoiceAdministrator"),
    "viewer": ("t0k-view-only-0123456789", "CsViewOnlyAdministrator"),
    "useradmin": ("t0k-user-admin-0123456789", "CsUserAdministrator"),
}

_live_processes = []


def _kill_all():
    for p in list(_live_processes):
        if p.poll() is None:
            try:
                p.kill()
                p.wait(timeout=5)
            except Exception:
                pass


atexit.register(_kill_all)


class TestFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise TestFailure(what)


# Ports are drawn below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768 and
# up on Debian): a port the kernel hands out to some socket bound to port 0 (parkd's RTP legs,
# SIPp's media, another test's clients) cannot be the one a test picked a moment ago and is
# about to give to a server. Collisions between two tests picking the same port are left to the
# caller's retry (Parkd below starts again on new ports).
_PORT_LOW, _PORT_HIGH = 20000, 32000
_rng = random.Random(os.getpid() ^ int(time.time() * 1000))
# Every port handed out in this process, never handed out again: a port is only checked free,
# not held, so two picks in a row could otherwise return the same one before either is bound.
_given = set()


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(kind="both"):
    """A port free for UDP (and TCP unless kind == "udp") on 127.0.0.1 (SIP listens on both)."""
    high = min(_PORT_HIGH, _ephemeral_low() - 1)
    for _ in range(500):
        port = _rng.randrange(_PORT_LOW, high)
        if port in _given:
            continue
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            u.close()
        if kind == "udp":
            _given.add(port)
            return port
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            t.close()
        _given.add(port)
        return port
    raise RuntimeError("no free port")


def free_media_port():
    """An even UDP port whose successor is free too (SIPp's media uses port and port + 2)."""
    for _ in range(200):
        port = free_port("udp")
        if port % 2 or port > 65000:
            continue
        ok = not any(p in _given for p in (port + 1, port + 2, port + 3))
        for p in (port, port + 1, port + 2, port + 3):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            _given.update((port, port + 1, port + 2, port + 3))
            return port
    raise RuntimeError("no free media port pair")


def wait_until(pred, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TestFailure("timed out waiting for " + what)
        time.sleep(interval)


def write_mulaw_wav(path, seconds=2.0, hz=440.0):
    """A mono 8 kHz G.711 mu-law WAV (format tag 7) with a tone: what SIPp's rtp_stream plays."""
    import math

    def ulaw(sample):
        bias, clip = 0x84, 32635
        sign = 0x80 if sample < 0 else 0
        v = min(abs(sample), clip) + bias
        exp = 7
        mask = 0x4000
        while exp > 0 and not (v & mask):
            exp -= 1
            mask >>= 1
        mant = (v >> (exp + 3)) & 0x0F
        return (~(sign | (exp << 4) | mant)) & 0xFF

    n = int(8000 * seconds)
    data = bytes(ulaw(int(8000 * math.sin(2 * math.pi * hz * i / 8000))) for i in range(n))
    fmt = struct.pack("<HHIIHHH", 7, 1, 8000, 8000, 1, 8, 0)
    fact = struct.pack("<I", n)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" +
            struct.pack("<I", 4) + fact + b"data" + struct.pack("<I", n) + data)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


class RtpCounter:
    """Receives RTP on a loopback UDP port and counts packets per SSRC."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.by_ssrc = {}  # ssrc -> dict(count, pts, sizes, first, last, seqs)
        self.other = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                data, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            if len(data) < 12 or data[0] >> 6 != 2:
                with self.lock:
                    self.other += 1
                continue
            pt = data[1] & 0x7F
            seq, ts, ssrc = struct.unpack("!HII", data[2:12])
            with self.lock:
                s = self.by_ssrc.setdefault(
                    ssrc, {"count": 0, "pts": set(), "sizes": set(), "first": now, "last": now,
                           "seq": seq, "ts": []})
                s["count"] += 1
                s["pts"].add(pt)
                s["sizes"].add(len(data) - 12)
                s["last"] = now
                if len(s["ts"]) < 5000:
                    s["ts"].append(ts)

    def snapshot(self):
        with self.lock:
            return {k: dict(v, pts=set(v["pts"]), sizes=set(v["sizes"]), ts=list(v["ts"]))
                    for k, v in self.by_ssrc.items()}

    def total(self):
        with self.lock:
            return sum(v["count"] for v in self.by_ssrc.values())

    def close(self):
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


class Parkd:
    def __init__(self, h, binary, policy_dir, scale=10.0, extra_args=(), ring_timeout=None,
                 tcp=True, tokens=True, env=None, name="parkd"):
        """`policy_dir`: a policy directory or a bundle. `env`: extra environment variables.
        `name` names its log and event files (several parkd in one test need distinct names)."""
        self.h = h
        self.events_path = os.path.join(h.tmp, "events.jsonl" if name == "parkd" else
                                        name + "-events.jsonl")
        self.log_path = os.path.join(h.tmp, name + ".log")
        self.policy_dir = policy_dir
        self._read = 0
        self.events = []
        if tokens:
            self.tokens_path = os.path.join(h.tmp, "tokens")
            with open(self.tokens_path, "w") as f:
                f.write("# test tokens\n")
                for tok, role in TOKENS.values():
                    f.write("%s %s\n" % (tok, role))
        env = dict(os.environ, **(env or {}))
        if scale != 1.0 or "--seed" in extra_args:
            env["CALLPARK_TEST_HOOKS"] = "1"
        # The ports are free when chosen; another test may take one before parkd binds it. Then
        # parkd exits at start saying so, and it starts again on other ports.
        for attempt in range(5):
            self.sip_port = free_port()
            self.admin_port = free_port()
            args = [binary, "--policy", policy_dir,
                    "--sip", "udp:127.0.0.1:%d" % self.sip_port,
                    "--admin", "127.0.0.1:%d" % self.admin_port,
                    "--events", self.events_path]
            if tcp:
                args += ["--sip", "tcp:127.0.0.1:%d" % self.sip_port]
            if tokens:
                args += ["--admin-tokens", self.tokens_path]
            if scale != 1.0:
                args += ["--test-time-scale", str(scale)]
            if ring_timeout is not None:
                args += ["--ring-timeout", str(ring_timeout)]
            args += list(extra_args)
            self.log = open(self.log_path, "w")
            self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                         env=env, cwd=h.tmp)
            _live_processes.append(self.proc)
            h.processes.append(self.proc)
            try:
                wait_until(lambda: self._serving(), 30, "parkd to start")
                return
            except TestFailure:
                if attempt == 4 or "Address already in use" not in self.log_text():
                    raise
                self.log.close()

    def _serving(self):
        if self.proc.poll() is not None:
            raise TestFailure("parkd exited with %s during start:\n%s" %
                              (self.proc.returncode, self.log_text()))
        return "parkd: serving" in self.log_text()

    def log_text(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def read_events(self):
        try:
            with open(self.events_path) as f:
                f.seek(self._read)
                chunk = f.read()
        except OSError:
            return self.events
        # Only whole lines.
        cut = chunk.rfind("\n")
        if cut >= 0:
            for line in chunk[:cut].splitlines():
                if line.strip():
                    self.events.append(json.loads(line))
            self._read += len(chunk[:cut + 1].encode())
        return self.events

    def find(self, **match):
        out = []
        for e in self.read_events():
            if all(e.get(k) == v for k, v in match.items()):
                out.append(e)
        return out

    def wait_event(self, timeout=15, **match):
        def pred():
            if not self.alive():
                raise TestFailure("parkd died (rc %s):\n%s" % (self.proc.returncode,
                                                              self.log_text()[-3000:]))
            found = self.find(**match)
            return found[0] if found else None
        return wait_until(pred, timeout, "event %r" % (match,))

    def uri(self, user):
        return "sip:%s@127.0.0.1:%d" % (user, self.sip_port)

    def admin(self, method, path, token="admin", body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + (TOKENS[token][0] if token in TOKENS else token)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read().decode()
        conn.close()
        return r.status, r.getheader("Content-Type"), data

    def admin_json(self, method, path, token="admin"):
        status, _, data = self.admin(method, path, token)
        check(status == 200, "%s %s answered %d: %s" % (method, path, status, data))
        return json.loads(data)

    def metric(self, name, **labels):
        _, _, text = self.admin("GET", "/metrics")
        want = name
        if labels:
            want += "{" + ",".join('%s="%s"' % kv for kv in labels.items()) + "}"
        for line in text.splitlines():
            if line.startswith(want + " "):
                return float(line.split()[-1])
        return None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestFailure("parkd did not stop within %ds after signal %d" % (timeout, sig))
        self.log.close()
        return self.proc.returncode


def render(text, subs, name):
    """Fills @NAME@ placeholders of a scenario template. A placeholder alone on its line takes
    a value of several lines (one header each) or, when empty, removes the line (an empty line
    would end a SIP message's headers)."""
    import re
    out = []
    for line in text.split("\n"):
        m = re.fullmatch(r"(\s*)@([A-Z_]+)@\s*", line)
        if m and m.group(2) in subs:
            value = str(subs[m.group(2)])
            for v in value.split("\n"):
                if v.strip():
                    out.append(m.group(1) + v.strip())
            continue
        out.append(line)
    text = "\n".join(out)
    for k, v in subs.items():
        text = text.replace("@%s@" % k, str(v))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError("scenario %s: unfilled placeholders %s" % (name, sorted(set(left))))
    return text


class Sipp:
    """One SIPp process on a scenario template."""

    def __init__(self, h, name, scenario, remote=None, calls=1, subs=None, keys=None,
                 service=None, transport="u1", extra=(), timeout=20, rate=None, port=None):
        self.h = h
        self.name = name
        self.port = port or free_port()
        self.media_port = free_media_port()
        self.dir = os.path.join(h.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(SCENARIOS, scenario)) as f:
            text = render(f.read(), subs or {}, scenario)
        self.scenario_path = os.path.join(self.dir, scenario)
        with open(self.scenario_path, "w") as f:
            f.write(text)
        args = [SIPP]
        if remote:
            args.append(remote)
        args += ["-sf", self.scenario_path, "-i", "127.0.0.1", "-p", str(self.port),
                 "-mi", "127.0.0.1", "-mp", str(self.media_port), "-m", str(calls),
                 "-t", transport, "-nostdin", "-timeout", "%ds" % timeout, "-timeout_error",
                 "-trace_err", "-error_file", os.path.join(self.dir, "errors.log"),
                 "-trace_msg", "-message_file", os.path.join(self.dir, "messages.log"),
                 "-max_recv_loops", "1000", "-nr"]
        if service:
            args += ["-s", service]
        if rate:
            args += ["-r", str(rate)]
        for k, v in (keys or {}).items():
            args += ["-key", k, str(v)]
        args += list(extra)
        self.args = args
        self.out = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT,
                                     cwd=self.dir, stdin=subprocess.DEVNULL)
        _live_processes.append(self.proc)
        h.processes.append(self.proc)

    @property
    def uri_host(self):
        return "127.0.0.1:%d" % self.port

    def uri(self, user):
        return "sip:%s@127.0.0.1:%d" % (user, self.port)

    def wait(self, timeout=30):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TestFailure("SIPp %s did not finish within %ds\n%s" %
                              (self.name, timeout, self.diagnostics()))
        self.out.close()
        return rc

    def expect_success(self, timeout=30):
        rc = self.wait(timeout)
        if rc != 0:
            raise TestFailure("SIPp %s exited %d (0 = every call succeeded)\n%s" %
                              (self.name, rc, self.diagnostics()))

    def diagnostics(self):
        out = ["  command: " + " ".join(self.args)]
        for fn in ("errors.log", "messages.log"):
            p = os.path.join(self.dir, fn)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    text = f.read()
                out.append("  --- %s (last 4000 chars)\n%s" % (fn, text[-4000:]))
        return "\n".join(out)

    def messages(self):
        p = os.path.join(self.dir, "messages.log")
        if not os.path.exists(p):
            return ""
        with open(p, errors="replace") as f:
            return f.read()


class Harness:
    def __init__(self, parkd_binary, keep=False):
        self.parkd_binary = parkd_binary
        self.tmp = tempfile.mkdtemp(prefix="parkd-test-")
        self.processes = []
        self.keep = keep
        self.counters = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        for p in self.processes:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=5)
                except Exception:
                    pass
        for c in self.counters:
            c.close()
        if exc_type is None and not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def policy(self, fallback_uri="sip:operator@127.0.0.1:9", source=POLICY, subs=None):
        """Copies a policy template into the test folder, filling @FALLBACK@ (and `subs`)."""
        dst = os.path.join(self.tmp, "policy")
        if os.path.exists(dst):
            shutil.rmtree(dst)
        shutil.copytree(source, dst)
        for root, _, files in os.walk(dst):
            for fn in files:
                if not fn.endswith(".park"):
                    continue
                p = os.path.join(root, fn)
                with open(p) as f:
                    text = f.read()
                text = text.replace("@FALLBACK@", fallback_uri)
                for k, v in (subs or {}).items():
                    text = text.replace("@%s@" % k, v)
                with open(p, "w") as f:
                    f.write(text)
        return dst

    def parkd(self, policy_dir, **kw):
        return Parkd(self, self.parkd_binary, policy_dir, **kw)

    def sipp(self, name, scenario, **kw):
        return Sipp(self, name, scenario, **kw)

    def sipp_log(self, name):
        """The messages SIPp instance `name` sent and received (its -trace_msg file)."""
        p = os.path.join(self.tmp, name, "messages.log")
        if not os.path.exists(p):
            return ""
        with open(p, errors="replace") as f:
            return f.read()

    def rtp_counter(self):
        c = RtpCounter()
        self.counters.append(c)
        return c

    def wav(self):
        p = os.path.join(self.tmp, "tone-pcmu.wav")
        if not os.path.exists(p):
            write_mulaw_wav(p)
        return p
