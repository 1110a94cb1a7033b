#!/usr/bin/env python3
"""parkd under SIPp load: call rate, response times, CPU per cycle, music capacity.

  bench.py --parkd build/runtime/parkd/parkd --sink build/bench/parkd/parkd_rtp_sink
           [--window 60] [--sweep-window 8] [--rates 100,200,...] [--music 2000,4000]
           [--skip-rate] [--skip-music]

1. Park-retrieve cycles (cycle_uac.xml: park through *70 with Referred-By, hold 1 s, retrieve
   the orbit parkd answered with, retriever hangs up, parkd hangs up the parked caller; the park
   notice goes to a SIPp parker). A sweep of increasing call rates, `--sweep-window` seconds
   each, finds the highest rate with zero failed calls that SIPp actually sustained (its
   cumulative call rate within 3 % of the target); that rate is then measured over `--window`
   seconds (60 by default), stepping down by a tenth of it (up to four times) until a long run
   is clean, and reported with response-time percentiles (SIPp -trace_rtt) and parkd's CPU time
   per cycle (/proc/PID/stat utime + stime over the run / cycles). When the highest rate given
   is still clean the limit is above it: the table says ">=", pass higher --rates.
   Failed calls are explained by SIPp's error log (-trace_err, in the work directory) and by
   the datagrams the kernel dropped at the target's and the UAC's full sockets (/proc/net/udp),
   printed with each run. Every SIPp gets 4 MiB socket buffers, as parkd's SIP sockets have.
2. The same sweep and window against fake_parkd.xml (SIPp playing parkd, the same 12 messages
   per cycle): the SIPp-to-SIPp ceiling of this machine, and parkd's rate as a fraction of it.
   A third run, parkd-quiet, repeats parkd's with parked callers whose SDP says sendonly: parkd
   plays them no music, so its CPU per cycle is the SIP work alone (the difference to the parkd
   run is the 50 music packets of the 1 s hold). `--kinds` picks the runs.
3. Music capacity: N callers parked at once (10-minute pickup timeout), every one's SDP naming
   parkd_rtp_sink's port (held by an unread socket until the sink starts); after all are
   parked the sink measures inter-arrival jitter (kernel receive timestamps) for 10 s,
   and parkd's own send-lateness histogram (/metrics) and CPU share over the same seconds are
   read. One core sustains N when every frame left within 10 ms of its due time (no late
   frames), no packet was lost, and parkd used less than 100 % of one core.

Prints `uptime` first: numbers from a loaded machine are not comparable.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "parkd"))
from harness import free_port, render  # noqa: E402

SIPP = "/usr/bin/sipp"
# Every SIPp gets the socket buffers parkd gives its SIP sockets (runtime/sip/SipStack.cpp):
# with the 208 KiB default, SIPp playing parkd dropped datagrams at 2,000 cycles/s, and the
# ceiling parkd is compared with must be SIPp's, not its socket buffer's.
SIPP_BUFFER = str(4 << 20)
CLK = os.sysconf("SC_CLK_TCK")
NOTICE_UAC = """  <recv request="MESSAGE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]M[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>"""

POLICY = """site "Bench" { pool "bench.example.test" }
orbit "Bench" { numbers 10000..19999  pool "bench.example.test" }
park_access "*70" { pool "bench.example.test" }
park_settings global {
  pickup_timeout 10m
  max_pickup_attempts 1
  music_on_hold on
  on_timeout "sip:operator@127.0.0.1:9"
}
voice_policy global { call_park on }
dialplan global { rule "Outside line" priority 0 { pattern '^9(\\d{5})$'  translation '$1' } }
"""

HOLD_UAC = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="park and stay parked">
  <send retrans="500">
    <![CDATA[
      INVITE sip:*70@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:caller[call_number]@[local_ip]:[local_port]>;tag=[pid]H[call_number]
      To: <sip:*70@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
      Referred-By: <@PARKER@>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio @RTP_PORT@ RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:caller[call_number]@[local_ip]:[local_port]>;tag=[pid]H[call_number]
      To: <sip:*70@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv request="BYE" timeout="600000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
"""


def cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return 0


def udp_drops(port):
    """Datagrams the kernel dropped at the UDP socket bound to 127.0.0.1:port (its receive
    buffer was full), from /proc/net/udp; None when no such socket."""
    try:
        with open("/proc/net/udp") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[1].upper() == "0100007F:%04X" % port:
                    return int(parts[-1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Proc:
    def __init__(self, args, cwd, name):
        self.out = open(os.path.join(cwd, name + ".log"), "w")
        self.p = subprocess.Popen(args, cwd=cwd, stdout=self.out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()


class Parkd(Proc):
    def __init__(self, binary, policy, tmp, extra=()):
        self.sip_port = free_port()
        self.admin_port = free_port()
        args = [binary, "--policy", policy, "--sip", "udp:127.0.0.1:%d" % self.sip_port,
                "--admin", "127.0.0.1:%d" % self.admin_port] + list(extra)
        super().__init__(args, tmp, "parkd")
        deadline = time.time() + 30
        while time.time() < deadline:
            if "parkd: serving" in open(os.path.join(tmp, "parkd.log")).read():
                return
            if self.p.poll() is not None:
                raise RuntimeError("parkd exited: " + open(os.path.join(tmp, "parkd.log")).read())
            time.sleep(0.05)
        raise RuntimeError("parkd did not start")

    def metrics(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.admin_port,
                                    timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
        return out


def sipp_stats(csv_path):
    """The last row of SIPp's -trace_stat file, as a dict."""
    with open(csv_path) as f:
        rows = [r.strip().split(";") for r in f if r.strip()]
    head = rows[0]
    return dict(zip(head, rows[-1]))


def rtt_values(tmp):
    """Response times (ms) per rtd number from SIPp's -trace_rtt file(s)."""
    out = {}
    for fn in os.listdir(tmp):
        if not fn.endswith("_rtt.csv"):
            continue
        with open(os.path.join(tmp, fn)) as f:
            for line in f:
                parts = line.strip().split(";")
                if len(parts) < 3 or not parts[0][:1].isdigit():
                    continue
                # SIPp 3.6: Date_ms;response_time_ms;rtd_no
                try:
                    out.setdefault(parts[2], []).append((float(parts[0]), float(parts[1])))
                except ValueError:
                    pass
    return out


def run_cycles(target, rate, seconds, tmp, notice, parker_uri, rtp_port, cpu_pid=None,
               direction=""):
    """One SIPp UAC run of park-retrieve cycles at `rate` per second for `seconds`."""
    os.makedirs(tmp, exist_ok=True)
    with open(os.path.join(HERE, "cycle_uac.xml")) as f:
        text = render(f.read(), {"DIAL": "*70", "PARKER": parker_uri, "RTP_PORT": rtp_port,
                                 "HOLD_MS": 1000, "NOTICE": notice, "DIRECTION": direction},
                      "cycle_uac.xml")
    scen = os.path.join(tmp, "cycle.xml")
    with open(scen, "w") as f:
        f.write(text)
    calls = int(rate * seconds)
    uac_port = free_port()
    args = [SIPP, target, "-sf", scen, "-i", "127.0.0.1", "-p", str(uac_port), "-t", "u1",
            "-r", str(rate), "-m", str(calls), "-l", str(int(rate * 4) + 50), "-nostdin",
            "-buff_size", SIPP_BUFFER,
            "-trace_stat", "-stf", os.path.join(tmp, "stat.csv"), "-fd", "1",
            "-trace_rtt", "-rtt_freq", "1", "-timeout", "%ds" % (seconds + 60), "-nr",
            "-recv_timeout", "10000",  # a lost message fails its call after 10 s
            "-trace_err",  # cycle_PID_errors.log: what each failed call was waiting for
            "-max_recv_loops", "10000", "-max_sched_loops", "10000"]
    t0 = time.time()
    c0 = cpu_ticks(cpu_pid) if cpu_pid else 0
    p = subprocess.Popen(args, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    sipp_c0 = cpu_ticks(p.pid)
    samples = []
    uac_drops = None  # sampled while SIPp runs: its socket is gone once it exits
    while p.poll() is None:
        time.sleep(0.5)
        samples.append(cpu_ticks(p.pid))
        d = udp_drops(uac_port)
        uac_drops = d if d is not None else uac_drops
    elapsed = time.time() - t0
    c1 = cpu_ticks(cpu_pid) if cpu_pid else 0
    drops = udp_drops(int(target.rsplit(":", 1)[1]))
    st = sipp_stats(os.path.join(tmp, "stat.csv"))
    ok = int(st.get("SuccessfulCall(C)", 0))
    failed = int(st.get("FailedCall(C)", 0))
    retrans = int(st.get("Retransmissions(C)", 0))
    achieved = float(st.get("CallRate(C)", 0))
    rtts = rtt_values(tmp)
    # The rate SIPp really started cycles at: park answers received per second, first to last.
    parks = sorted(d for d, _ in rtts.get("1", []))
    if len(parks) > 1 and parks[-1] > parks[0]:
        achieved = (len(parks) - 1) / ((parks[-1] - parks[0]) / 1000.0)
    sipp_cpu = (max(samples) - sipp_c0) / CLK / elapsed if samples else float("nan")
    return {"rate": rate, "seconds": seconds, "calls": calls, "ok": ok, "failed": failed,
            "rc": p.returncode, "retransmissions": retrans, "achieved": achieved,
            "elapsed": elapsed, "sipp_cpu": sipp_cpu, "target_udp_drops": drops,
            "uac_udp_drops": uac_drops,
            "cpu_per_cycle_us": ((c1 - c0) / CLK / ok * 1e6) if (cpu_pid and ok) else None,
            "target_cpu": ((c1 - c0) / CLK / elapsed) if cpu_pid else None,
            "rtt": {k: (percentile([x for _, x in v], .5), percentile([x for _, x in v], .9),
                        percentile([x for _, x in v], .99), max(x for _, x in v))
                    for k, v in rtts.items()}}


def sustained(r):
    return r["failed"] == 0 and r["rc"] == 0 and r["ok"] == r["calls"] and \
        r["achieved"] >= 0.97 * r["rate"]


def describe(r):
    s = ("rate %4d/s: %6d ok %4d failed, achieved %.1f/s, %d retrans, SIPp CPU %.0f%%" %
         (r["rate"], r["ok"], r["failed"], r["achieved"], r["retransmissions"],
          100 * r["sipp_cpu"]))
    if r["cpu_per_cycle_us"] is not None:
        s += ", parkd %.0f us/cycle (%.0f%% of a core)" % (r["cpu_per_cycle_us"],
                                                          100 * r["target_cpu"])
    if r.get("target_udp_drops"):
        s += ", %d datagrams dropped at the target's full SIP socket" % r["target_udp_drops"]
    if r.get("uac_udp_drops"):
        s += ", %d datagrams dropped at the SIPp UAC's full socket" % r["uac_udp_drops"]
    return s


class Target:
    """parkd (with a SIPp parker) or the SIPp stand-in for parkd."""

    def __init__(self, kind, args, tmp, policy):
        self.kind = kind
        self.tmp = tmp
        os.makedirs(tmp, exist_ok=True)
        self.procs = []
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # music goes here, unread
        self.rtp.bind(("127.0.0.1", 0))
        self.rtp_port = self.rtp.getsockname()[1]
        # parkd-quiet: the parked callers' SDP says sendonly, so parkd plays them no music:
        # the same SIP work without the RTP, which splits parkd's CPU per cycle into the two.
        self.direction = "a=sendonly" if kind == "parkd-quiet" else ""
        if kind in ("parkd", "parkd-quiet"):
            parker_port = free_port()
            self.procs.append(Proc([SIPP, "-sf", os.path.join(HERE, "parker_sink.xml"), "-i",
                                    "127.0.0.1", "-p", str(parker_port), "-t", "u1", "-nostdin",
                                    "-buff_size", SIPP_BUFFER,
                                    "-nr"], tmp, "parker"))
            self.parker_uri = "sip:parker@127.0.0.1:%d" % parker_port
            self.parkd = Parkd(args.parkd, policy, tmp)
            self.procs.append(self.parkd)
            self.target = "127.0.0.1:%d" % self.parkd.sip_port
            self.notice = ""
            self.pid = self.parkd.p.pid
        else:
            port = free_port()
            self.procs.append(Proc([SIPP, "-sf", os.path.join(HERE, "fake_parkd.xml"), "-i",
                                    "127.0.0.1", "-p", str(port), "-t", "u1", "-nostdin",
                                    "-buff_size", SIPP_BUFFER, "-nr",
                                    "-max_recv_loops", "10000", "-max_sched_loops", "10000"],
                                   tmp, "fake"))
            self.target = "127.0.0.1:%d" % port
            self.parker_uri = "sip:parker@127.0.0.1:9"
            self.notice = NOTICE_UAC
            self.pid = self.procs[-1].p.pid
            time.sleep(0.5)

    def run(self, rate, seconds, tag):
        return run_cycles(self.target, rate, seconds, os.path.join(self.tmp, tag), self.notice,
                          self.parker_uri, self.rtp_port,
                          cpu_pid=self.pid, direction=self.direction)

    def close(self):
        for p in reversed(self.procs):
            p.stop()
        self.rtp.close()


def sweep(make, rates, seconds, label):
    best = None
    for rate in rates:
        target = make("sweep-%d" % rate)
        try:
            r = target.run(rate, seconds, "%s-sweep-%d" % (label, rate))
        finally:
            target.close()
        print("  %-6s sweep %s" % (label, describe(r)), flush=True)
        if not sustained(r):
            break
        best = rate
    if best is not None and best == rates[-1]:
        print("  %-6s the highest rate given (%d/s) was clean: the limit is above it, add "
              "higher --rates to find it" % (label, best), flush=True)
    return best


def rate_bench(args, tmp, policy):
    """Each run gets a fresh target: calls a failed run left behind (a SIPp call that gave up
    leaves its caller parked, with music) must not load the next run."""
    rates = [int(x) for x in args.rates.split(",")]
    results = {}
    for kind in args.kinds.split(","):
        def make(tag, kind=kind):
            return Target(kind, args, os.path.join(tmp, kind, tag), policy)
        best = sweep(make, rates, args.sweep_window, kind)
        if best is None:
            print("  %s: not even %d/s sustained" % (kind, rates[0]))
            results[kind] = None
            continue
        # Confirm over the full window, stepping down by a tenth of the sweep's best rate while
        # the long run is not clean: some costs only build up after the first 32 s (Timer J
        # transactions and their memory), which a short sweep does not see.
        for rate in [int(best * f) for f in (1.0, 0.9, 0.8, 0.7, 0.6)]:
            t = make("window-%d" % rate)
            try:
                r = t.run(rate, args.window, "%s-window-%d" % (kind, rate))
                if kind != "sipp":
                    try:
                        m = t.parkd.metrics()
                    except OSError as e:  # a server too busy to answer is a result, not a crash
                        print("  %s: GET /metrics after the run failed: %s" % (kind, e))
                        m = {}
                    r["metrics"] = {k: v for k, v in m.items()
                                    if k.startswith(("callpark_outcomes_total",
                                                     "callpark_park_failures_total",
                                                     "callpark_rtp_packets_total"))}
            finally:
                t.close()
            print("  %-6s %ds  %s" % (kind, args.window, describe(r)), flush=True)
            if sustained(r):
                break
        if sustained(r):
            r["at_top_of_sweep"] = best == rates[-1] and r["rate"] == best
        results[kind] = r if sustained(r) else None
    return results


def music_bench(args, tmp, policy):
    out = []
    for n in [int(x) for x in args.music.split(",")]:
        d = os.path.join(tmp, "music-%d" % n)
        os.makedirs(d, exist_ok=True)
        # Until the sink runs, an unread socket holds its port: music sent to a closed port
        # would make the kernel answer every packet with an ICMP error, in parkd's time.
        placeholder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        placeholder.bind(("127.0.0.1", 0))
        sink_port = placeholder.getsockname()[1]
        # The SIPp callers send no RTP: dead-caller detection would end them after 60 s.
        parkd = Parkd(args.parkd, policy, d,
                      extra=["--max-fds", str(n * 2 + 1000), "--media-timeout", "0"])
        parker_port = free_port()
        parker = Proc([SIPP, "-sf", os.path.join(HERE, "parker_sink.xml"), "-i", "127.0.0.1",
                       "-p", str(parker_port), "-t", "u1", "-nostdin", "-buff_size", SIPP_BUFFER,
                       "-nr"], d, "parker")
        scen = os.path.join(d, "hold.xml")
        with open(scen, "w") as f:
            f.write(render(HOLD_UAC, {"PARKER": "sip:parker@127.0.0.1:%d" % parker_port,
                                      "RTP_PORT": sink_port}, "hold"))
        uac = Proc([SIPP, "127.0.0.1:%d" % parkd.sip_port, "-sf", scen, "-i", "127.0.0.1",
                    "-p", str(free_port()), "-t", "u1", "-r", "250", "-m", str(n), "-l",
                    str(n + 10), "-nostdin", "-buff_size", SIPP_BUFFER, "-nr", "-timeout", "900s",
                    "-trace_stat", "-stf",
                    os.path.join(d, "uac_stat.csv"), "-fd", "1", "-trace_err"], d, "uac")
        try:
            deadline = time.time() + n / 100 + 60
            parked = 0
            while time.time() < deadline:
                parked = parkd.metrics().get("callpark_parked_calls", 0)
                if parked >= n:
                    break
                time.sleep(0.5)
            if parked < n:
                m = parkd.metrics()
                why = {k: v for k, v in m.items() if v and k.startswith(
                    ("callpark_park_failures_total", "callpark_sip_rejections_total",
                     "callpark_media_endpoints"))}
                try:
                    st = sipp_stats(os.path.join(d, "uac_stat.csv"))
                    why.update({k: v for k, v in st.items()
                                if k.startswith("Failed") and k.endswith("(C)") and v != "0"})
                except (OSError, IndexError):
                    pass
                print("  music %5d: only %d parked (%s; SIPp's errors in %s)" %
                      (n, parked, why, d))
                out.append({"n": n, "parked": parked, "why": why})
                break
            time.sleep(1.0)
            placeholder.close()
            m0 = parkd.metrics()
            c0 = cpu_ticks(parkd.p.pid)
            t0 = time.time()
            sink = subprocess.run([args.sink, str(sink_port), "0.5", "10"], capture_output=True,
                                  text=True, timeout=60)
            t1 = time.time()
            c1 = cpu_ticks(parkd.p.pid)
            m1 = parkd.metrics()
            res = json.loads(sink.stdout)
            bounds = []
            for k in m1:
                mm = re.match(r'callpark_music_frame_lateness_seconds_bucket\{le="([^"]+)"\}', k)
                if mm:
                    bounds.append((float("inf") if mm.group(1) == "+Inf" else float(mm.group(1)),
                                   m1[k] - m0.get(k, 0)))
            bounds.sort()
            frames = bounds[-1][1] if bounds else 0

            def send_pct(q):
                for b, c in bounds:
                    if c >= q * frames:
                        return b * 1e6
                return float("nan")
            row = {"n": n, "parked": int(parked), "parkd_cpu": (c1 - c0) / CLK / (t1 - t0),
                   "frames": frames,
                   "late_frames": m1.get("callpark_music_late_frames_total", 0) -
                   m0.get("callpark_music_late_frames_total", 0),
                   "send_lateness_p50_us_le": send_pct(0.5),
                   "send_lateness_p99_us_le": send_pct(0.99),
                   "send_lateness_max_us": m1.get("callpark_music_max_lateness_seconds", 0) * 1e6,
                   "burst_max_us": m1.get("callpark_music_max_burst_seconds", 0) * 1e6,
                   "sink": res}
            out.append(row)
            print("  music %5d parked: parkd %.0f%% of a core; frame start lateness p50 <= %.0f us, "
                  "p99 <= %.0f us, %d of %d frames > 10 ms late, longest burst %.0f us; "
                  "receiver: %d streams, "
                  "%.1f pkt/s each, jitter p50 %.0f us p99 %.0f us max %.0f us, "
                  "%d gaps > 10 ms, %d sequence gaps" %
                  (n, 100 * row["parkd_cpu"], row["send_lateness_p50_us_le"],
                   row["send_lateness_p99_us_le"], row["late_frames"], frames,
                   row["burst_max_us"], res["streams"],
                   res["packets_per_stream_per_s"], res["jitter_us"]["p50"],
                   res["jitter_us"]["p99"], res["jitter_us"]["max"], res["gaps_over_10ms"],
                   res["sequence_gaps"]), flush=True)
        finally:
            placeholder.close()
            parkd.stop(signal.SIGKILL)
            uac.stop(signal.SIGKILL)
            parker.stop(signal.SIGKILL)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parkd", required=True)
    ap.add_argument("--sink", help="parkd_rtp_sink binary (music test)")
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--sweep-window", type=int, default=8)
    ap.add_argument("--rates", default="100,200,300,400,500,600,700,800,900,1000")
    ap.add_argument("--music", default="1000,2000,3000,4000")
    ap.add_argument("--kinds", default="sipp,parkd,parkd-quiet",
                    help="which rate runs, comma-separated: sipp (the SIPp-to-SIPp ceiling), "
                    "parkd, parkd-quiet (parked callers want no music: SIP cost alone)")
    ap.add_argument("--skip-rate", action="store_true")
    ap.add_argument("--skip-music", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    # The servers run in their own temporary folders: binaries given relative to here must
    # still be found there.
    args.parkd = os.path.abspath(args.parkd)
    if args.sink:
        args.sink = os.path.abspath(args.sink)
    print("machine: %d cores; %s" % (os.cpu_count(),
                                     subprocess.run(["uptime"], capture_output=True,
                                                    text=True).stdout.strip()))
    tmp = tempfile.mkdtemp(prefix="parkd-bench-")
    policy = os.path.join(tmp, "policy")
    os.makedirs(policy)
    with open(os.path.join(policy, "bench.park"), "w") as f:
        f.write(POLICY)
    results = {}
    if not args.skip_rate:
        print("== park-retrieve cycles (park, hold 1 s, retrieve, hang up; 12 SIP messages)")
        results["rate"] = rate_bench(args, tmp, policy)
        p, s = results["rate"].get("parkd"), results["rate"].get("sipp")
        print("\n| run | rate (cycles/s) | failed | parkd CPU/cycle | park INVITE->200 p50/p90/p99/max (ms) | retrieve INVITE->200 p50/p90/p99/max (ms) |")
        print("|---|---|---|---|---|---|")
        rows = (("SIPp-to-SIPp", "sipp"), ("parkd", "parkd"),
                ("parkd, callers want no music", "parkd-quiet"))
        for name, kind in rows:
            if kind not in results["rate"]:
                continue
            r = results["rate"][kind]
            if not r:
                print("| %s | not sustained | | | | |" % name)
                continue
            fmt = lambda t: "/".join("%.1f" % x for x in t) if t else "-"  # noqa: E731
            print("| %s, %d s | %s%.1f | %d | %s | %s | %s |" % (
                name, r["seconds"], ">= " if r.get("at_top_of_sweep") else "", r["achieved"],
                r["failed"], "%.0f us" % r["cpu_per_cycle_us"] if kind != "sipp" else "-",
                fmt(r["rtt"].get("1")), fmt(r["rtt"].get("2"))))
        if p and s:
            print("\nparkd reaches %.0f%% of the SIPp-to-SIPp ceiling (%.1f vs %s%.1f cycles/s)" %
                  (100 * p["achieved"] / s["achieved"], p["achieved"],
                   ">= " if s.get("at_top_of_sweep") else "", s["achieved"]))
            if s.get("at_top_of_sweep"):
                print("(the ceiling was not reached at the highest rate given: the fraction is "
                      "an upper bound; pass higher --rates)")
    if not args.skip_music:
        if not args.sink:
            ap.error("--sink is required for the music test")
        print("== parked callers hearing music on hold (one parkd event loop = one core)")
        results["music"] = music_bench(args, tmp, policy)
    print("machine after: %s" % subprocess.run(["uptime"], capture_output=True,
                                              text=True).stdout.strip())
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    print("(work files in %s)" % tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
