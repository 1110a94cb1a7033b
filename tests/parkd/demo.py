#!/usr/bin/env python3
"""`make run`'s park server demo: parkd on examples/contoso, a scripted park and retrieve.

  demo.py --parkd build/runtime/parkd/parkd [--policy examples/contoso]

Starts parkd on free loopback ports with the real policy and real timings (no test hook), a
SIPp instance playing the SIP proxy in front of Contoso's phones (parkd's --outbound-proxy,
which takes the park notice for Alice), then:
  1. an outside caller, blind-transferred by Alice (Referred-By), is parked by dialing *70;
  2. the caller hears music on hold (RTP counted here);
  3. Carol dials the orbit and talks; the caller hears her (relayed RTP counted);
  4. Carol hangs up, parkd hangs up the caller;
then prints parkd's event log and stops it with SIGTERM. Exit status 0 when all of it worked.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Harness, TestFailure, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parkd", required=True)
    ap.add_argument("--policy", default=os.path.join(ROOT, "examples", "contoso"))
    args = ap.parse_args()
    h = Harness(os.path.abspath(args.parkd))
    try:
        with h:
            proxy = h.sipp("proxy", "proxy_message.xml", calls=1)
            d = h.parkd(os.path.abspath(args.policy), scale=1.0, tokens=False,
                        extra_args=["--outbound-proxy", "sip:127.0.0.1:%d;transport=udp" %
                                    proxy.port])
            print("parkd serving examples/contoso: SIP udp+tcp 127.0.0.1:%d, admin "
                  "http://127.0.0.1:%d" % (d.sip_port, d.admin_port))
            status, _, body = d.admin("GET", "/healthz", token=None)
            health = json.loads(body) if status == 200 else {}
            print("   decisions by the compiled policy: %s" %
                  health.get("dispatch_detail", "unknown (GET /healthz -> %d)" % status))
            rtp = h.rtp_counter()
            caller = h.sipp("caller", "parked_wait_bye.xml",
                            remote="127.0.0.1:%d" % d.sip_port,
                            subs={"DIAL": "*70", "FROM": "sip:+14255550123@contoso.com",
                                  "CALLER": "outside", "RTP_PORT": rtp.port, "WAIT_MS": 20000,
                                  "HEADERS": "Referred-By: <sip:alice@contoso.com>"})
            ev = d.wait_event(event="parked")
            print("1. Alice parked the caller on orbit %s (pool %s, call id %d)" %
                  (ev["orbit"], ev["pool"], ev["call"]))
            proxy.expect_success()
            print("   the park notice reached Alice through the proxy (SIP MESSAGE)")
            wait_until(lambda: rtp.total() >= 50, 10, "music on hold")
            print("2. the caller hears music on hold: %d RTP packets (PCMU, 20 ms) so far" %
                  rtp.total())
            status, _, body = d.admin("GET", "/v1/parked", token=None)
            print("   GET /v1/parked -> %d %s" % (status, body.strip()))
            music = max(rtp.snapshot().items(), key=lambda kv: kv[1]["count"])[0]
            carol = h.sipp("carol", "retriever.xml", remote="127.0.0.1:%d" % d.sip_port,
                           subs={"DIAL": ev["orbit"], "URIPARAMS": "", "CALLER": "carol",
                                 "FROM": "sip:carol@contoso.com", "HEADERS": "",
                                 "WAV": h.wav(), "TALK_MS": 1000})
            carol.expect_success()
            caller.expect_success()
            voice = sum(v["count"] for s, v in rtp.snapshot().items() if s != music)
            print("3. Carol dialed %s and talked: the caller received %d RTP packets of her "
                  "voice through parkd" % (ev["orbit"], voice))
            if voice == 0:
                raise TestFailure("no relayed RTP reached the caller")
            end = d.wait_event(event="ended", call=ev["call"])
            print("4. Carol hung up; parkd hung up the caller: outcome %s" % end["outcome"])
            rc = d.stop()
            print("== parkd event log (--events, JSON lines)")
            with open(d.events_path) as f:
                sys.stdout.write(f.read())
            print("parkd stopped (SIGTERM), exit status %d" % rc)
            return 0 if rc == 0 and end["outcome"] == "retrieved" else 1
    except TestFailure as e:
        print("demo failed: %s (logs in %s)" % (e, h.tmp))
        log = os.path.join(h.tmp, "parkd.log")
        if os.path.exists(log):
            print(open(log).read()[-3000:])
        return 1


if __name__ == "__main__":
    sys.exit(main())
