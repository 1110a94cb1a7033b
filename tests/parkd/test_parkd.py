#!/usr/bin/env python3
"""parkd against SIPp: every scenario of issue 8, one function each.

  test_parkd.py --parkd build/runtime/parkd/parkd [--only NAME ...] [--list] [--keep]

Each test starts its own parkd on free loopback ports with tests/parkd/policy/ (pickup timeouts
divided by 10 through the CALLPARK_TEST_HOOKS test hook), runs SIPp instances as parked caller,
parker, retriever and fallback target, and checks SIPp's exit status and parkd's JSON-lines
events. Every process is killed when a test ends, whatever happens. ctest runs one test per
process (tests/parkd/CMakeLists.txt), label `sipp`.

Policy (tests/parkd/policy/lab.park), times after the test scale:
  *70 main pool, orbits 8000..8009, pickup 6 s, 1 ringback, then the fallback
  *71 fallback pool, 8100..8109, pickup 1 s, 2 ringbacks, then the fallback
  *72 no-fallback pool, 8200..8209, pickup 1 s, 1 ringback, then disconnect
  *73 tiny pool, one orbit 8300, pickup 6 s
  sip:lobby@lab.test has no call park.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Harness, TestFailure, check, free_port, wait_until  # noqa: E402

PARKC = None  # parkc, for the bundle tests (--parkc, else next to parkd in the build tree)

TESTS = {}


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


# ---- building blocks ---------------------------------------------------------------------------

def parker(h, d, name="parker", calls=1, refuse=None, parked_user="caller", talk_ms=600):
    """A SIPp UAS playing the parker (takes MESSAGEs, answers or refuses ringbacks)."""
    if refuse:
        return h.sipp(name, "refuses.xml", calls=calls,
                      subs={"USER": name, "PARKED_USER": parked_user, "CODE": refuse[0],
                            "REASON": refuse[1]})
    return h.sipp(name, "answers.xml", calls=calls,
                  subs={"USER": name, "PARKED_USER": parked_user, "WAV": h.wav(),
                        "TALK_MS": talk_ms})


def park(h, d, parker_uri, dial="*70", name="caller", rtp=None, wait_ms=20000, hangup_ms=None,
         codecs="0 8", transport="u1", timeout=20):
    """A SIPp UAC playing the parked caller, transferred to `dial` by `parker_uri`."""
    headers = "Referred-By: <%s>" % parker_uri if parker_uri else ""
    subs = {"DIAL": dial, "FROM": "sip:%s@[local_ip]:[local_port]" % name, "CALLER": name,
            "HEADERS": headers, "RTP_PORT": rtp.port if rtp else 9}
    if hangup_ms is not None:
        subs.update(HOLD_MS=hangup_ms, CODECS=codecs)
        scen = "parked_hangup.xml"
    else:
        subs.update(WAIT_MS=wait_ms)
        scen = "parked_wait_bye.xml"
    return h.sipp(name, scen, remote="127.0.0.1:%d" % d.sip_port, subs=subs, transport=transport,
                  timeout=timeout)


def retrieve(h, d, orbit, name="retriever", uri_params="", headers="", talk_ms=800,
             from_uri=None):
    return h.sipp(name, "retriever.xml", remote="127.0.0.1:%d" % d.sip_port,
                  subs={"DIAL": orbit, "URIPARAMS": uri_params, "CALLER": name,
                        "FROM": from_uri or "sip:%s@[local_ip]:[local_port]" % name,
                        "HEADERS": headers, "WAV": h.wav(), "TALK_MS": talk_ms})


def rejected(h, d, dial, code, name="rejected", from_uri=None, headers="", uri_params=""):
    return h.sipp(name, "invite_rejected.xml", remote="127.0.0.1:%d" % d.sip_port,
                  subs={"DIAL": dial, "URIPARAMS": uri_params, "CALLER": name,
                        "FROM": from_uri or "sip:%s@[local_ip]:[local_port]" % name,
                        "HEADERS": headers, "CODE": code})


def request(h, d, method, code, name=None, transport="u1"):
    return h.sipp(name or method.lower(), "request_answered.xml",
                  remote="127.0.0.1:%d" % d.sip_port, subs={"METHOD": method, "CODE": code},
                  transport=transport)


def music_ssrcs(rtp, pt=0):
    """SSRCs whose packets look like parkd's music: one payload type, 160-byte payloads."""
    return [s for s, v in rtp.snapshot().items() if v["pts"] == {pt} and v["sizes"] == {160}]


def music_goes_on(rtp, ssrc, packets):
    """Waits until music stream `ssrc` has sent `packets` more packets to the caller."""
    before = rtp.snapshot()[ssrc]["count"]
    wait_until(lambda: rtp.snapshot()[ssrc]["count"] >= before + packets, 10, "music to go on")


def wait_music(rtp, packets=25, pt=0):
    """Waits until one stream of 20 ms G.711 packets (payload type `pt`) reached the caller."""
    def ok():
        for s, v in rtp.snapshot().items():
            if v["pts"] == {pt} and v["sizes"] == {160} and v["count"] >= packets:
                return s
        return None
    ssrc = wait_until(ok, 10, "%d music packets (payload type %d, 160 bytes)" % (packets, pt))
    ts = rtp.snapshot()[ssrc]["ts"]
    steps = {b - a for a, b in zip(ts, ts[1:])}
    check(steps == {160}, "music timestamps must advance 160 per packet (20 ms), saw %s" % steps)
    return ssrc


def wait_relayed(rtp, music_ssrc, packets=20):
    """Waits until another stream than the music (the far end's voice, relayed) arrived."""
    def ok():
        for s, v in rtp.snapshot().items():
            if s != music_ssrc and v["count"] >= packets:
                return s
        return None
    return wait_until(ok, 10, "%d relayed RTP packets at the parked caller" % packets)


def parked_event(d, **kw):
    return d.wait_event(event="parked", **kw)


def event_names(d, call):
    return [e["event"] for e in d.read_events() if e.get("call") == call]


# ---- the scenarios -----------------------------------------------------------------------------

@test
def blind_park_then_retrieve(h):
    """Blind transfer to *70 (Referred-By), music (PCMU, 20 ms) before, relayed voice after."""
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=1)
    caller = park(h, d, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d)
    check(ev["parker"] == pk.uri("parker"), "the parker is the Referred-By identity: %r" % ev)
    check(ev["pool"] == "main.lab.test" and ev["orbit"].startswith("80"), "orbit of *70: %r" % ev)
    music = wait_music(rtp)
    pk.expect_success()  # the park notice (MESSAGE) reached the parker
    check("X-Callpark-Orbit: %s" % ev["orbit"] in pk.messages(),
          "the MESSAGE to the parker names the orbit")
    parked = d.admin_json("GET", "/v1/parked")["parked"]
    check(len(parked) == 1 and parked[0]["orbit"] == ev["orbit"], "/v1/parked: %r" % parked)
    r = retrieve(h, d, ev["orbit"])
    voice = wait_relayed(rtp, music)
    r.expect_success()
    caller.expect_success()  # parkd hung up the parked caller after the retriever's BYE
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "retrieved", "outcome: %r" % end)
    snap = rtp.snapshot()
    check(snap[voice]["pts"] == {0}, "relayed voice keeps PCMU")
    check(d.admin_json("GET", "/v1/parked")["parked"] == [], "nothing parked after the retrieve")
    check(d.metric("callpark_retrieves_total") == 1, "retrieves metric")


@test
def self_park_over_tcp_then_retrieve_with_outside_line(h):
    """No Referred-By: the sender parks itself; SIP over TCP; retrieve dialing 9 + orbit."""
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    caller = park(h, d, None, rtp=rtp, transport="t1")
    ev = parked_event(d)
    check(ev["parker"].startswith("sip:caller@127.0.0.1:"), "self-park: parker = sender: %r" % ev)
    music = wait_music(rtp, packets=10)
    r = retrieve(h, d, "9" + ev["orbit"])  # the dial plan turns 98001 into 8001
    wait_relayed(rtp, music, packets=10)
    r.expect_success()
    caller.expect_success()
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "retrieved", "outcome: %r" % end)


@test
def timeout_then_ringback_answered(h):
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=2)  # the park notice, then the ringback
    caller = park(h, d, pk.uri("parker"), dial="*71", rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=10)
    d.wait_event(event="ringback_started", call=ev["call"])
    pk.expect_success()  # answered (P-Asserted-Identity checked), talked, hung up
    caller.expect_success()
    wait_relayed(rtp, music, packets=10)
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "rang_back", "outcome: %r" % end)
    check(event_names(d, ev["call"]) == ["parked", "ringback_started", "ended"],
          "events: %r" % event_names(d, ev["call"]))


@test
def timeout_ringbacks_refused_then_fallback_answered(h):
    fb_port = None
    # The fallback target's port goes into the policy, so start it first.
    h_fb = h.sipp("operator", "answers.xml", calls=1,
                  subs={"USER": "operator", "PARKED_USER": "caller", "WAV": h.wav(),
                        "TALK_MS": 500})
    fb_port = h_fb.port
    d = h.parkd(h.policy(fallback_uri="sip:operator@127.0.0.1:%d" % fb_port))
    rtp = h.rtp_counter()
    # Park notice + two ringbacks, refused busy (486); the policy allows 2 attempts.
    pk = parker(h, d, calls=3, refuse=("486", "Busy Here"))
    caller = park(h, d, pk.uri("parker"), dial="*71", rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=10)
    end = d.wait_event(event="ended", call=ev["call"], timeout=20)
    check(end["outcome"] == "fallback", "outcome: %r" % end)
    pk.expect_success()
    h_fb.expect_success()
    caller.expect_success()
    wait_relayed(rtp, music, packets=10)
    names = event_names(d, ev["call"])
    check(names == ["parked", "ringback_started", "ringback_failed", "ringback_started",
                    "ringback_failed", "fallback_started", "ended"], "events: %r" % names)
    fails = [e for e in d.read_events() if e["event"] == "ringback_failed"]
    check(all(e.get("reason") == "busy" for e in fails), "486 counts as busy: %r" % fails)


@test
def no_fallback_disconnects(h):
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=2, refuse=("603", "Decline"))
    caller = park(h, d, pk.uri("parker"), dial="*72", rtp=rtp)
    ev = parked_event(d)
    wait_music(rtp, packets=10)
    caller.expect_success()  # the BYE from parkd
    pk.expect_success()
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "disconnected" and end.get("reason") == "no_fallback",
          "outcome: %r" % end)
    fail = d.wait_event(event="ringback_failed", call=ev["call"])
    check(fail.get("reason") == "rejected", "603 counts as rejected: %r" % fail)


@test
def abandon_while_parked_notifies_parker(h):
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=2)  # two MESSAGEs: parked, then abandoned
    caller = park(h, d, pk.uri("parker"), rtp=rtp, hangup_ms=1200, codecs="8")
    ev = parked_event(d)
    wait_music(rtp, packets=10, pt=8)  # the caller offered only PCMA: A-law music
    caller.expect_success()
    pk.expect_success()
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "abandoned", "outcome: %r" % end)
    msgs = pk.messages()
    check("X-Callpark-Notice: parked" in msgs and "X-Callpark-Notice: abandoned" in msgs,
          "the parker got both notices")
    check(d.admin_json("GET", "/v1/orbits")["pools"][0]["in_use"] == 0, "orbit freed")


@test
def safe_retrieve_with_stale_id(h):
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=3)  # A parked, A abandoned, B parked
    a = park(h, d, pk.uri("parker"), dial="*73", name="first", hangup_ms=300)
    ev_a = d.wait_event(event="parked")
    a.expect_success()
    d.wait_event(event="ended", call=ev_a["call"])
    b = park(h, d, pk.uri("parker"), dial="*73", name="second", rtp=rtp)
    ev_b = wait_until(lambda: [e for e in d.find(event="parked") if e["call"] != ev_a["call"]],
                      10, "the second park")[0]
    check(ev_a["orbit"] == ev_b["orbit"] == "8300", "both on the tiny pool's one orbit")
    stale = rejected(h, d, "8300", "404", name="stale", uri_params=";callid=%d" % ev_a["call"])
    stale.expect_success()
    stale2 = rejected(h, d, "8300", "404", name="stale2",
                      headers="X-Callpark-Call-Id: %d" % ev_a["call"])
    stale2.expect_success()
    refused = d.find(event="refused", reason="stale_call_id")
    check(len(refused) == 2, "two stale retrieves refused: %r" % refused)
    music = wait_music(rtp, packets=5)
    r = retrieve(h, d, "8300", uri_params=";callid=%d" % ev_b["call"])
    wait_relayed(rtp, music, packets=5)
    r.expect_success()
    b.expect_success()
    pk.expect_success()
    end = d.wait_event(event="ended", call=ev_b["call"])
    check(end["outcome"] == "retrieved", "B retrieved: %r" % end)


@test
def empty_orbit_and_unknown_number_404(h):
    d = h.parkd(h.policy())
    rejected(h, d, "8005", "404", name="empty").expect_success()
    rejected(h, d, "5555", "404", name="unknown").expect_success()
    check("Orbit Not Found" in h.sipp_log("empty"), "reason phrase names the empty orbit")
    check(d.find(event="refused", reason="orbit_not_found"), "refusal recorded")


@test
def full_pool_486(h):
    d = h.parkd(h.policy())
    pk = parker(h, d, calls=1)
    a = park(h, d, pk.uri("parker"), dial="*73", name="first")
    ev = d.wait_event(event="parked")
    b = rejected(h, d, "*73", "486", name="second", headers="Referred-By: <%s>" % pk.uri("parker"))
    b.expect_success()
    check("486 No Free Orbit" in h.sipp_log("second"), "486 says why")
    fail = d.wait_event(event="park_failed")
    check(fail["reason"] == "no_free_orbit", "park_failed: %r" % fail)
    check(d.metric("callpark_park_failures_total", reason="no_free_orbit") == 1, "metric")
    # The first call is unharmed: retrieve it.
    r = retrieve(h, d, ev["orbit"], talk_ms=200)
    r.expect_success()
    a.expect_success()
    pk.expect_success()


@test
def no_call_park_403(h):
    d = h.parkd(h.policy())
    # The lobby phone transfers a caller to *70: the parker may not park.
    rejected(h, d, "*70", "403", name="transferred",
             headers="Referred-By: <sip:lobby@lab.test>").expect_success()
    # The lobby phone parks itself.
    rejected(h, d, "*70", "403", name="self", from_uri="sip:lobby@lab.test").expect_success()
    # The lobby phone dials an orbit that holds a call.
    pk = parker(h, d, calls=1)
    caller = park(h, d, pk.uri("parker"))
    ev = parked_event(d)
    rejected(h, d, ev["orbit"], "403", name="retriever",
             from_uri="sip:lobby@lab.test").expect_success()
    check(d.admin_json("GET", "/v1/parked")["parked"][0]["call"] == ev["call"],
          "the parked call is untouched")
    retrieve(h, d, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    pk.expect_success()


GARBAGE = [
    b"",
    b"\x00" * 64,
    b"\r\n\r\n",
    b"hello",
    b"INVITE",
    b"INVITE sip:*70@127.0.0.1 SIP/2.0\r\n\r\n",
    b"SIP/2.0 200 OK\r\n\r\n",
    b"INVITE sip:*70@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
    b"Content-Length: 99999\r\n\r\nv=0",
    b"OPTIONS sip:park@127.0.0.1 SIP/2.0\r\nVia: garbage\r\nCSeq: x\r\n\r\n",
    bytes(range(256)) * 4,
]


def oversized_request(d, size):
    hdr = ("OPTIONS sip:park@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbig\r\n"
           "From: <sip:big@127.0.0.1>;tag=1\r\nTo: <sip:park@127.0.0.1>\r\n"
           "Call-ID: big@test\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n" % d.sip_port)
    filler = "X-Filler: " + "a" * 990 + "\r\n"
    body = hdr + filler * (size // len(filler)) + "Content-Length: 0\r\n\r\n"
    return body.encode()


@test
def garbage_and_oversized_while_parked(h):
    d = h.parkd(h.policy())
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=1)
    caller = park(h, d, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=10)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for g in GARBAGE:
        u.sendto(g, ("127.0.0.1", d.sip_port))
    u.sendto(oversized_request(d, 60000), ("127.0.0.1", d.sip_port))  # near the UDP maximum
    # Oversized over TCP: 1 MiB of headers, then the connection must not take parkd down.
    t = socket.create_connection(("127.0.0.1", d.sip_port), timeout=5)
    try:
        t.sendall(oversized_request(d, 1 << 20))
    except OSError:
        pass  # parkd may close the connection early: that is the point
    t.close()
    t = socket.create_connection(("127.0.0.1", d.sip_port), timeout=5)
    t.sendall(b"\x16\x03\x01garbage\r\n\r\n" * 100)
    t.close()
    # Garbage to the media port of the parked leg is dropped, not relayed or crashed on.
    check(d.alive(), "parkd survived the garbage")
    request(h, d, "OPTIONS", "200").expect_success()
    request(h, d, "OPTIONS", "200", name="options_tcp", transport="t1").expect_success()
    music_goes_on(rtp, music, packets=10)
    retrieve(h, d, ev["orbit"], talk_ms=300).expect_success()
    caller.expect_success()
    pk.expect_success()
    check(d.wait_event(event="ended", call=ev["call"])["outcome"] == "retrieved", "retrieved")


def mutate(rng, msg):
    """One random mutation of a real SIP message (bytes)."""
    b = bytearray(msg)
    kind = rng.randrange(10)
    if kind == 0:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1:  # truncate
        b = b[:rng.randrange(len(b))]
    elif kind == 2:  # drop a line
        lines = bytes(b).split(b"\r\n")
        del lines[rng.randrange(len(lines))]
        b = bytearray(b"\r\n".join(lines))
    elif kind == 3:  # duplicate a line many times
        lines = bytes(b).split(b"\r\n")
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(2, 50)
        b = bytearray(b"\r\n".join(lines))
    elif kind == 4:  # huge or negative numbers
        for tok in (b"Content-Length: ", b"CSeq: ", b"Max-Forwards: ", b"m=audio "):
            j = bytes(b).find(tok)
            if j >= 0:
                val = rng.choice([b"-1", b"4294967296", b"99999999999999999999", b"", b"0x10"])
                k = j + len(tok)
                e = k
                while e < len(b) and chr(b[e]).isdigit():
                    e += 1
                b[k:e] = val
    elif kind == 5:  # bare LF line ends / no separator
        b = bytearray(bytes(b).replace(b"\r\n", rng.choice([b"\n", b"\r", b"", b"\r\n\r\n"])))
    elif kind == 6:  # splice a random header
        hdrs = [b"Via: SIP/2.0/UDP [::1:5060", b"From: <sip:@@@>;tag=", b"To: \"unterminated",
                b"Contact: *", b"Referred-By: <>", b"Referred-By: sip:", b"Content-Type: x",
                b"X-Callpark-Call-Id: 18446744073709551617", b"Route: <sip:a;lr>,,,,",
                b"Via: SIP/2.0/TCP 127.0.0.1:0;branch=", b"CSeq: 1 ACK"]
        lines = bytes(b).split(b"\r\n")
        lines.insert(rng.randint(1, max(1, len(lines) - 2)), rng.choice(hdrs))
        b = bytearray(b"\r\n".join(lines))
    elif kind == 7:  # change the method or the request URI
        sp = bytes(b).find(b" ")
        if sp > 0:
            b[:sp] = rng.choice([b"INVITE", b"ACK", b"BYE", b"CANCEL", b"PRACK", b"UPDATE",
                                 b"REFER", b"NOTIFY", b"FOO", b"", b"INV\x00ITE"])
    elif kind == 8:  # random SDP damage
        j = bytes(b).find(b"v=0")
        if j >= 0:
            b[j:] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    else:  # insert random bytes
        pos = rng.randrange(len(b) + 1)
        b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    return bytes(b)


def sample_messages(d, port):
    sdp = ("v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 9 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n")
    def req(method, ruri, extra="", body="", ctype=""):
        return ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%%d\r\n"
                "From: <sip:fuzz@127.0.0.1:%d>;tag=f%%d\r\nTo: <%s>\r\nCall-ID: fuzz%%d@test\r\n"
                "CSeq: 1 %s\r\nMax-Forwards: 70\r\nContact: <sip:fuzz@127.0.0.1:%d>\r\n%s%s"
                "Content-Length: %d\r\n\r\n%s" % (method, ruri, port, port, ruri, method, port,
                                                  extra, ctype, len(body), body))
    base = "sip:%%s@127.0.0.1:%d" % d.sip_port
    return [
        req("INVITE", base % "*70", "Referred-By: <sip:fuzzer@127.0.0.1:9>\r\n", sdp,
            "Content-Type: application/sdp\r\n"),
        req("INVITE", base % "8001", "X-Callpark-Call-Id: 5\r\n", sdp,
            "Content-Type: application/sdp\r\n"),
        req("INVITE", base % "8001;callid=7", "", ""),
        req("OPTIONS", base % "park"),
        req("BYE", base % "8001", "", ""),
        req("MESSAGE", base % "park", "", "hello", "Content-Type: text/plain\r\n"),
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1"
        "\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        % d.sip_port,
    ]


@test
def fuzz_mutated_sip_while_parked(h):
    """A few thousand random mutations of real SIP messages (fixed seed) over UDP and TCP."""
    # Real timings (no test scale): the tiny pool's 60 s pickup timeout outlasts the fuzzing.
    d = h.parkd(h.policy(), scale=1.0)
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=1)  # the tiny pool (*73) has one orbit: 8300
    caller = park(h, d, pk.uri("parker"), dial="*73", rtp=rtp, wait_ms=300000, timeout=300)
    ev = parked_event(d)
    music = wait_music(rtp, packets=5)
    seed = int(os.environ.get("PARKD_FUZZ_SEED", "8075"))
    count = int(os.environ.get("PARKD_FUZZ_COUNT", "3000"))
    rng = random.Random(seed)
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.setblocking(False)
    port = sink.getsockname()[1]
    samples = [s.encode() for s in sample_messages(d, port)]
    for i in range(count):
        m = mutate(rng, rng.choice(samples))
        m = m.replace(b"%d", str(i).encode())
        try:
            sink.sendto(m[:65000], ("127.0.0.1", d.sip_port))
        except OSError:
            pass
        if i % 50 == 0:
            try:
                while True:
                    sink.recvfrom(65535)
            except (BlockingIOError, OSError):
                pass
            check(d.alive(), "parkd died after fuzz message %d (seed %d)" % (i, seed))
    for i in range(min(200, count // 10)):
        try:
            t = socket.create_connection(("127.0.0.1", d.sip_port), timeout=2)
            t.sendall(mutate(rng, rng.choice(samples)).replace(b"%d", b"t%d" % i))
            t.close()
        except OSError:
            pass
    check(d.alive(), "parkd survived %d mutated messages (seed %d)" % (count, seed))
    request(h, d, "OPTIONS", "200").expect_success()
    music_goes_on(rtp, music, packets=10)
    retrieve(h, d, "8300", talk_ms=200, uri_params=";callid=%d" % ev["call"]).expect_success()
    caller.expect_success()
    pk.expect_success()


@test
def reload_with_calls_parked(h):
    pol = h.policy()
    d = h.parkd(pol)
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=2)
    caller = park(h, d, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=10)
    rejected(h, d, "*74", "404", name="before").expect_success()
    with open(os.path.join(pol, "lab.park"), "a") as f:
        f.write('\nsite "Annex" { pool "extra.lab.test" }\n'
                'orbit "Extra" { numbers 8400..8409  pool "extra.lab.test" }\n'
                'park_access "*74" { pool "extra.lab.test" }\n'
                'park_settings pool "extra.lab.test" { on_timeout "sip:operator@127.0.0.1:9" }\n')
    status, _, body = d.admin("POST", "/v1/reload", token="voice")
    check(status == 200, "reload: %d %s" % (status, body))
    check('"reloaded":true' in body, body)
    d.wait_event(event="policy_replaced")
    parked = d.admin_json("GET", "/v1/parked")["parked"]
    check([p["call"] for p in parked] == [ev["call"]], "the call survived the reload: %r" % parked)
    music_goes_on(rtp, music, packets=10)
    # The new policy is in force: *74 parks now.
    caller2 = park(h, d, pk.uri("parker"), dial="*74", name="second", hangup_ms=200)
    caller2.expect_success()
    ended = d.wait_event(event="ended", outcome="abandoned")
    check(ended["orbit"].startswith("84"), "parked on the new range: %r" % ended)
    # SIGHUP reloads too.
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "SIGHUP reload: 200" in d.log_text(), 10, "the SIGHUP reload")
    retrieve(h, d, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    check(d.wait_event(event="ended", call=ev["call"])["outcome"] == "retrieved", "retrieved")


@test
def reload_broken_policy_changes_nothing(h):
    pol = h.policy()
    d = h.parkd(pol)
    rtp = h.rtp_counter()
    pk = parker(h, d, calls=1)
    caller = park(h, d, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=10)
    orbits_before = d.admin_json("GET", "/v1/orbits")
    with open(os.path.join(pol, "lab.park"), "a") as f:
        f.write('\npark_access "*74" { pool "main.lab.test" }\n'
                'orbit "Broken" { numbers 0999..1 pool "nowhere" \n')
    status, ctype, body = d.admin("POST", "/v1/reload", token="admin")
    check(status == 422, "a broken policy is refused with 422: %d %s" % (status, body))
    import json
    j = json.loads(body)
    check(j["reloaded"] is False, body)
    diags = j["diagnostics"]
    check(isinstance(diags, (list, dict)) and "CP" in json.dumps(diags),
          "the diagnostics come as JSON with their codes: %s" % body[:500])
    check(ctype.startswith("application/json"), ctype)
    check(d.admin_json("GET", "/v1/orbits") == orbits_before, "orbits unchanged")
    check([p["call"] for p in d.admin_json("GET", "/v1/parked")["parked"]] == [ev["call"]],
          "the parked call is untouched")
    rejected(h, d, "*74", "404", name="not_in_force").expect_success()
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "SIGHUP reload: 422" in d.log_text(), 10, "the refused SIGHUP reload")
    check(not d.find(event="policy_replaced")[1:], "no second policy_replaced event")
    music_goes_on(rtp, music, packets=10)
    retrieve(h, d, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    pk.expect_success()
    check(d.metric("callpark_policy_reloads_total", result="refused") == 2, "metric")


@test
def options_200_and_unsupported_method_405(h):
    d = h.parkd(h.policy())
    request(h, d, "OPTIONS", "200").expect_success()
    request(h, d, "SUBSCRIBE", "405").expect_success()
    request(h, d, "PUBLISH", "405", name="publish_tcp", transport="t1").expect_success()
    check(d.metric("callpark_sip_requests_total", method="OPTIONS") == 1, "OPTIONS counted")


def shutdown_test(h, extra, expect_reason, refer):
    d = h.parkd(h.policy(), extra_args=extra)
    pk = parker(h, d, calls=1)
    scen_subs = None
    if refer:
        caller = h.sipp("caller", "parked_refer.xml", remote="127.0.0.1:%d" % d.sip_port,
                        subs={"DIAL": "*70", "FROM": "sip:caller@[local_ip]:[local_port]",
                              "CALLER": "caller", "RTP_PORT": 9,
                              "HEADERS": "Referred-By: <%s>" % pk.uri("parker"),
                              "REFER_TO": pk.uri("parker")})
    else:
        caller = park(h, d, pk.uri("parker"))
    ev = parked_event(d)
    pk.expect_success()
    rc = d.stop(signal.SIGTERM)
    check(rc == 0, "parkd exits 0 after SIGTERM, got %s" % rc)
    caller.expect_success()
    end = d.find(event="ended", call=ev["call"])
    check(len(end) == 1 and end[0].get("reason") == expect_reason, "ended: %r" % end)
    del scen_subs


@test
def sigterm_disconnects_parked_callers(h):
    shutdown_test(h, [], "shutdown", refer=False)


@test
def sigterm_transfers_parked_callers_to_parker(h):
    shutdown_test(h, ["--on-shutdown", "parker"], "shutdown_transferred", refer=True)


@test
def admin_api_and_tokens(h):
    d = h.parkd(h.policy())
    pk = parker(h, d, calls=1)
    caller = park(h, d, pk.uri("parker"))
    ev = parked_event(d)
    import json
    for path in ("/v1/parked", "/v1/orbits", "/healthz", "/metrics"):
        status, _, body = d.admin("GET", path, token=None)
        check(status == 401, "%s without a token: %d" % (path, status))
        status, _, body = d.admin("GET", path, token="not-a-token-at-all-0000")
        check(status == 401, "%s with an unknown token: %d" % (path, status))
        for role in ("viewer", "useradmin", "voice", "admin"):
            status, _, body = d.admin("GET", path, token=role)
            check(status == 200, "%s as %s: %d" % (path, role, status))
    parked = d.admin_json("GET", "/v1/parked", token="viewer")["parked"]
    check(parked[0]["orbit"] == ev["orbit"] and parked[0]["parker"] == pk.uri("parker") and
          parked[0]["state"] == "parked", "/v1/parked: %r" % parked)
    orbits = d.admin_json("GET", "/v1/orbits", token="viewer")
    main = [p for p in orbits["pools"] if p["pool"] == "main.lab.test"][0]
    check(main["capacity"] == 10 and main["in_use"] == 1 and main["free"] == 9 and
          main["held"] == [{"orbit": ev["orbit"], "call": ev["call"]}], "/v1/orbits: %r" % main)
    health = d.admin_json("GET", "/healthz", token="viewer")
    check(health["status"] == "ok" and health["parked"] == 1, "/healthz: %r" % health)
    status, ctype, text = d.admin("GET", "/metrics", token="viewer")
    check(ctype.startswith("text/plain"), "metrics content type %s" % ctype)
    for needle in ("# TYPE callpark_parks_total counter", "callpark_parks_total 1",
                   'callpark_orbits_in_use{pool="main.lab.test"} 1',
                   'callpark_outcomes_total{outcome="retrieved"} 0',
                   'callpark_rtp_packets_total{kind="music_sent"}'):
        check(needle in text, "metrics lack %r" % needle)
    for line in text.splitlines():
        check(line.startswith("#") or len(line.split()) == 2, "bad exposition line %r" % line)
    # Reload: only the roles that may change orbit ranges and park settings (spec section 8).
    for role, want in (("viewer", 403), ("useradmin", 403), ("voice", 200), ("admin", 200)):
        status, _, body = d.admin("POST", "/v1/reload", token=role)
        check(status == want, "reload as %s: %d (want %d) %s" % (role, status, want, body))
    status, _, _ = d.admin("GET", "/v1/reload", token="admin")
    check(status == 405, "GET /v1/reload is 405, got %d" % status)
    status, _, _ = d.admin("GET", "/v1/nothing", token="admin")
    check(status == 404, "unknown path 404, got %d" % status)
    retrieve(h, d, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    check(json.loads(d.admin("GET", "/v1/parked")[2])["parked"] == [], "empty after retrieve")


# ---- compiled dispatch: bundles, back ends -----------------------------------------------------

def compile_bundle(h, policy, name="policy.bundle"):
    """`parkc compile POLICY -o BUNDLE`: the bundle parkd loads without compiling."""
    out = os.path.join(h.tmp, name)
    r = subprocess.run([PARKC, "compile", policy, "-o", out], capture_output=True, text=True,
                       timeout=120)
    check(r.returncode == 0, "parkc compile failed (%d): %s" % (r.returncode, r.stderr))
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def damaged(data):
    """The bundle with one byte of its middle flipped: its checksum no longer matches."""
    b = bytearray(data)
    b[len(b) // 2] ^= 0x5A
    return bytes(b)


EXTRA_POOL = ('\nsite "Annex" { pool "extra.lab.test" }\n'
              'orbit "Extra" { numbers 8400..8409  pool "extra.lab.test" }\n'
              'park_access "*74" { pool "extra.lab.test" }\n'
              'park_settings pool "extra.lab.test" { on_timeout "sip:operator@127.0.0.1:9" }\n')


def park_and_retrieve(h, d, pk_uri, retrieve_prefix="", name="caller"):
    """One blind park through *70 and its retrieve (dialing `retrieve_prefix` + the orbit)."""
    rtp = h.rtp_counter()
    caller = park(h, d, pk_uri, rtp=rtp, name=name)
    ev = parked_by(d, name)
    music = wait_music(rtp, packets=5)
    r = retrieve(h, d, retrieve_prefix + ev["orbit"], name="retriever-" + name, talk_ms=300)
    wait_relayed(rtp, music, packets=5)
    r.expect_success()
    caller.expect_success()
    end = d.wait_event(event="ended", call=ev["call"])
    check(end["outcome"] == "retrieved", "outcome: %r" % end)
    return ev


@test
def bundle_park_and_retrieve(h):
    """parkd --policy BUNDLE: the object code is linked from the bundle; park and retrieve."""
    bundle = compile_bundle(h, h.policy())
    d = h.parkd(bundle)
    health = d.admin_json("GET", "/healthz")
    check(health["policy_kind"] == "bundle" and health["bundle"]["stamp"] == "current" and
          health["bundle"]["loaded"] == "object code linked", "/healthz: %r" % health)
    check(health["dispatch"] == "jit" and "object code from the bundle" in
          health["dispatch_detail"], "/healthz: %r" % health)
    check("bundle: object code linked (stamp current); dispatch: jit" in d.log_text(),
          "the log says how the policy was loaded:\n" + d.log_text())
    pk = parker(h, d, calls=1)
    park_and_retrieve(h, d, pk.uri("parker"), retrieve_prefix="9")  # 9 + orbit: the dial plan
    pk.expect_success()


@test
def stale_bundle_recompiled_and_rewritten(h):
    """A bundle older than its policy: recompiled at start (file untouched unless
    --write-bundle, then rewritten atomically and identical to what parkc compile writes);
    a reload of the rewritten bundle links its object code again, with a call parked."""
    pol = h.policy()
    bundle = compile_bundle(h, pol)
    with open(os.path.join(pol, "lab.park"), "a") as f:
        f.write(EXTRA_POOL)
    old = read_bytes(bundle)
    d = h.parkd(bundle, name="first")
    health = d.admin_json("GET", "/healthz")
    b = health["bundle"]
    check(b["stamp"] == "stale" and b["loaded"] == "recompiled" and "lab.park" in
          b["stale_reason"] and b["rewritten"] is False, "/healthz: %r" % health)
    check(health["dispatch_detail"].endswith("compiled)"), "/healthz: %r" % health)
    check("bundle: stale (" in d.log_text() and "recompiled" in d.log_text(), d.log_text())
    check(read_bytes(bundle) == old, "without --write-bundle the bundle file is not touched")
    # The recompiled policy is the one in force: *74 exists now.
    c = park(h, d, None, dial="*74", name="early", hangup_ms=200)
    c.expect_success()
    ended = d.wait_event(event="ended", outcome="abandoned")
    check(ended["orbit"].startswith("84"), "parked on the new range: %r" % ended)
    check(d.stop() == 0, "parkd stops cleanly")

    d2 = h.parkd(bundle, extra_args=["--write-bundle"], name="second")
    b = d2.admin_json("GET", "/healthz")["bundle"]
    check(b["stamp"] == "stale" and b["rewritten"] is True, "/healthz: %r" % b)
    rewritten = read_bytes(bundle)
    check(rewritten != old, "--write-bundle rewrote the stale bundle")
    fresh = read_bytes(compile_bundle(h, pol, name="fresh.bundle"))
    check(rewritten == fresh, "the rewritten bundle is byte for byte what parkc compile writes")
    check(not [f for f in os.listdir(h.tmp) if f.startswith("policy.bundle") and
               f != "policy.bundle"], "no temporary file left next to the bundle")
    pk = parker(h, d2, calls=1)
    rtp = h.rtp_counter()
    caller = park(h, d2, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d2)
    music = wait_music(rtp, packets=5)
    status, _, body = d2.admin("POST", "/v1/reload", token="voice")
    check(status == 200, "reload: %d %s" % (status, body))
    j = json.loads(body)
    check(j["bundle"]["stamp"] == "current" and j["bundle"]["loaded"] == "object code linked"
          and "object code from the bundle" in j["dispatch_detail"], "reload answer: %r" % j)
    check([p["call"] for p in d2.admin_json("GET", "/v1/parked")["parked"]] == [ev["call"]],
          "the parked call survived the reload")
    music_goes_on(rtp, music, packets=5)
    retrieve(h, d2, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    pk.expect_success()


@test
def bundle_failures_change_nothing(h):
    """A damaged bundle: parkd refuses to start (exit 1, a clear message); on reload 422 and
    nothing changes. A stale bundle whose policy now has errors: 422 with the diagnostics."""
    pol = h.policy()
    bundle = compile_bundle(h, pol)
    good = read_bytes(bundle)
    bad = os.path.join(h.tmp, "damaged.bundle")
    with open(bad, "wb") as f:
        f.write(damaged(good))
    r = subprocess.run([h.parkd_binary, "--policy", bad, "--sip",
                        "udp:127.0.0.1:%d" % free_port()], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 1, "parkd on a damaged bundle exits 1, got %d" % r.returncode)
    check("damaged.bundle" in r.stderr and "damaged" in r.stderr.replace("damaged.bundle", ""),
          "the error names the bundle and the damage: %r" % r.stderr)

    d = h.parkd(bundle)
    pk = parker(h, d, calls=1)
    rtp = h.rtp_counter()
    caller = park(h, d, pk.uri("parker"), rtp=rtp)
    ev = parked_event(d)
    music = wait_music(rtp, packets=5)
    orbits_before = d.admin_json("GET", "/v1/orbits")
    health_before = d.admin_json("GET", "/healthz")
    with open(bundle, "wb") as f:
        f.write(damaged(good))
    status, _, body = d.admin("POST", "/v1/reload", token="admin")
    check(status == 422, "a damaged bundle is refused with 422: %d %s" % (status, body))
    j = json.loads(body)
    check(j["reloaded"] is False and "damaged" in j["error"], body)
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "SIGHUP reload: 422" in d.log_text(), 10, "the refused SIGHUP reload")

    # The bundle is whole again but stale, and the policy behind it is broken.
    with open(bundle, "wb") as f:
        f.write(good)
    with open(os.path.join(pol, "lab.park"), "a") as f:
        f.write('\npark_access "*74" { pool "main.lab.test" }\n'
                'orbit "Broken" { numbers 0999..1 pool "nowhere" \n')
    status, _, body = d.admin("POST", "/v1/reload", token="admin")
    check(status == 422, "a stale bundle of a broken policy is refused: %d %s" % (status, body))
    j = json.loads(body)
    check("lab.park" in j.get("bundle_stale_reason", ""), "422 says the bundle was stale: %s" %
          body[:400])
    check("CP" in json.dumps(j["diagnostics"]), "the diagnostics come with their codes: %s" %
          body[:500])
    check(read_bytes(bundle) == good, "a refused reload writes nothing")

    check(d.admin_json("GET", "/v1/orbits") == orbits_before, "orbits unchanged")
    check(d.admin_json("GET", "/healthz") == health_before, "/healthz unchanged")
    check([p["call"] for p in d.admin_json("GET", "/v1/parked")["parked"]] == [ev["call"]],
          "the parked call is untouched")
    rejected(h, d, "*74", "404", name="not_in_force").expect_success()
    check(d.metric("callpark_policy_reloads_total", result="refused") == 3, "metric")
    music_goes_on(rtp, music, packets=5)
    retrieve(h, d, ev["orbit"], talk_ms=200).expect_success()
    caller.expect_success()
    pk.expect_success()


@test
def jit_fallback_to_interpreter(h):
    """CALLPARK_JIT_FAIL=1: no executable memory for the JIT. parkd warns once, serves with
    the dispatch interpreter and says so in /healthz."""
    d = h.parkd(h.policy(), env={"CALLPARK_JIT_FAIL": "1"})
    warnings = [l for l in d.log_text().splitlines() if "warning" in l.lower()]
    check(len(warnings) == 1 and "interpreter" in warnings[0], "one warning: %r" % warnings)
    health = d.admin_json("GET", "/healthz")
    check(health["dispatch"] == "interpreter" and health["dispatch_detail"] == "interpreter" and
          "CALLPARK_JIT_FAIL" in health.get("dispatch_fallback_reason", ""),
          "/healthz: %r" % health)
    check("dispatch: interpreter (native code unavailable:" in d.log_text(), d.log_text())
    pk = parker(h, d, calls=1)
    park_and_retrieve(h, d, pk.uri("parker"), retrieve_prefix="9")
    pk.expect_success()
    rejected(h, d, "*70", "403", name="lobby", from_uri="sip:lobby@lab.test").expect_success()


# ---- dead callers, orbit randomness -----------------------------------------------------------

def parked_media(h, d, name, pk_uri, direction, answer_dir, media, rtp_port=9, wait_ms=30000):
    return h.sipp(name, "parked_media.xml", remote="127.0.0.1:%d" % d.sip_port,
                  subs={"DIAL": "*70", "FROM": "sip:%s@[local_ip]:[local_port]" % name,
                        "CALLER": name, "HEADERS": "Referred-By: <%s>" % pk_uri,
                        "RTP_PORT": rtp_port, "DIRECTION": direction, "ANSWER_DIR": answer_dir,
                        "MEDIA": media, "WAIT_MS": wait_ms}, timeout=60)


def parked_by(d, name):
    return wait_until(lambda: [e for e in d.find(event="parked")
                               if e["parked"].startswith("sip:%s@" % name)],
                      15, "%s parked" % name)[0]


@test
def dead_caller_media_timeout(h):
    """--media-timeout 2: a parked caller that stops sending RTP without a BYE ends as
    abandoned (reason media_timeout) with a BYE and a notice to its parker; a caller still
    sending, and a receive-only caller that never sends, stay parked."""
    d = h.parkd(h.policy(), extra_args=["--media-timeout", "2"])
    pk = parker(h, d, calls=4)  # three park notices, one "lost" notice
    stream = '<nop><action><exec rtp_stream="%s,%%d,0"/></action></nop>' % h.wav()
    dead = parked_media(h, d, "dead", pk.uri("parker"), "a=sendrecv", "sendrecv", stream % 1)
    talker = parked_media(h, d, "talker", pk.uri("parker"), "a=sendrecv", "sendrecv",
                          stream % -1)
    rtp = h.rtp_counter()
    listener = parked_media(h, d, "listener", pk.uri("parker"), "a=recvonly", "sendonly", "",
                            rtp_port=rtp.port)
    ev_dead, ev_talker, ev_listener = (parked_by(d, n) for n in ("dead", "talker", "listener"))
    wait_music(rtp, packets=5)  # a receive-only caller hears the music
    end = d.wait_event(event="ended", call=ev_dead["call"], timeout=30)
    check(end["outcome"] == "abandoned" and end.get("reason") == "media_timeout",
          "the silent caller ended: %r" % end)
    dead.expect_success()  # it got parkd's BYE
    parked = {p["call"] for p in d.admin_json("GET", "/v1/parked")["parked"]}
    check(parked == {ev_talker["call"], ev_listener["call"]},
          "the talking and the receive-only callers are still parked: %r" % parked)
    check(d.metric("callpark_media_timeouts_total") == 1, "media timeout metric")
    for ev, name in ((ev_talker, "talker"), (ev_listener, "listener")):
        retrieve(h, d, ev["orbit"], name="retriever-" + name, talk_ms=200).expect_success()
    talker.expect_success()
    listener.expect_success()
    pk.expect_success()
    msgs = pk.messages()
    check("X-Callpark-Reason: media_timeout" in msgs and "no audio from the caller" in msgs,
          "the parker was told the call was lost")
    for ev in (ev_talker, ev_listener):
        check(d.wait_event(event="ended", call=ev["call"])["outcome"] == "retrieved",
              "retrieved")


RANDOM_POOL = ('\nsite "Shuffle" { pool "random.lab.test" }\n'
               'orbit "Shuffled" { numbers 8500..8999  pool "random.lab.test"  '
               'allocation random }\n'
               'park_access "*75" { pool "random.lab.test" }\n'
               'park_settings pool "random.lab.test" { on_timeout "sip:operator@127.0.0.1:9" }\n')


@test
def random_orbits_differ_across_restarts(h):
    """`allocation random` is seeded from getrandom() at every start (two starts pick other
    orbits); the --seed test hook makes it repeat."""
    pol = h.policy()
    with open(os.path.join(pol, "lab.park"), "a") as f:
        f.write(RANDOM_POOL)

    def orbits(tag, extra=()):
        d = h.parkd(pol, extra_args=list(extra), name=tag)
        s = h.sipp("calls-" + tag, "parked_hangup.xml", remote="127.0.0.1:%d" % d.sip_port,
                   calls=4, extra=["-l", "1"],
                   subs={"DIAL": "*75", "FROM": "sip:caller@[local_ip]:[local_port]",
                         "CALLER": "caller", "HEADERS": "Referred-By: <sip:nobody@127.0.0.1:9>",
                         "RTP_PORT": 9, "HOLD_MS": 100, "CODECS": "0"})
        s.expect_success()
        got = [e["orbit"] for e in d.find(event="parked")]
        check(d.stop() == 0, "parkd stops cleanly")
        check(len(got) == 4 and all(o.startswith("8") for o in got), "orbits: %r" % got)
        return got

    a, b = orbits("unseeded-1"), orbits("unseeded-2")
    check(a != b, "two starts without a seed pick other orbits: %r, %r" % (a, b))
    c, e = orbits("seeded-1", ["--seed", "42"]), orbits("seeded-2", ["--seed", "42"])
    check(c == e, "the same seed repeats the orbits: %r, %r" % (c, e))


# ---- runner ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parkd", required=False, help="the parkd binary")
    ap.add_argument("--parkc", help="the parkc binary (default: the build tree's, next to parkd)")
    ap.add_argument("--only", action="append", help="run only these tests")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = ap.parse_args()
    if args.list:
        print("\n".join(TESTS))
        return 0
    if not args.parkd:
        ap.error("--parkd is required")
    global PARKC
    PARKC = os.path.abspath(args.parkc or os.path.join(
        os.path.dirname(os.path.abspath(args.parkd)), "..", "..", "compiler", "driver", "parkc"))
    names = args.only or list(TESTS)
    failed = 0
    for n in names:
        if n not in TESTS:
            print("unknown test %s" % n)
            return 2
        t0 = time.monotonic()
        h = Harness(os.path.abspath(args.parkd), keep=args.keep)
        try:
            with h:
                TESTS[n](h)
            print("PASS %s (%.1f s)" % (n, time.monotonic() - t0))
        except Exception as e:
            failed += 1
            print("FAIL %s (%.1f s): %s" % (n, time.monotonic() - t0, e))
            if not isinstance(e, TestFailure):
                traceback.print_exc()
            print("  (logs kept in %s)" % h.tmp)
            for fn in sorted(f for f in os.listdir(h.tmp) if f.endswith(".log")):
                p = os.path.join(h.tmp, fn)
                if os.path.exists(p):
                    with open(p, errors="replace") as f:
                        print("  --- %s (tail)\n%s" % (fn, f.read()[-3000:]))
            p = os.path.join(h.tmp, "events.jsonl")
            if os.path.exists(p):
                with open(p) as f:
                    print("  --- events\n" + f.read()[-3000:])
    print("%d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
