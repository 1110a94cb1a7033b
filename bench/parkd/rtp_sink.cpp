// rtp_sink: receives the music-on-hold RTP of many parked calls on one UDP port and measures
// how evenly each stream arrives (bench/parkd/bench.py's music capacity test).
//
//   parkd_rtp_sink PORT WARMUP_S MEASURE_S
//
// Every parked caller of the test advertises this port in its SDP, so parkd sends each stream
// here from its own socket with its own SSRC. After WARMUP_S seconds the sink measures for
// MEASURE_S seconds: per SSRC the inter-arrival gap, whose deviation from 20 ms is the jitter a
// phone would see (send jitter plus loopback and this receiver's own scheduling: an upper bound
// on parkd's send jitter). It prints one JSON object: streams seen, packets, packets per stream
// per second, gap deviation percentiles (microseconds), gaps more than 10 ms off, and sequence
// gaps (lost or reordered packets).
//
// Arrival times are the kernel's (SO_TIMESTAMPNS: when the packet was queued on the socket, which
// on loopback is when parkd sent it), so the receiver's own scheduling does not count. The sink
// drains the socket with non-blocking recvmmsg in batches of 64 and sleeps 1 ms when it is
// empty instead of blocking on it: a blocked reader would be woken for every packet, and on
// loopback that wake-up (an inter-processor interrupt on a VM) is charged to the sender, a cost
// parkd does not have when its RTP leaves through a network card. The socket buffer is raised to
// 16 MiB (a 1 ms nap at 150,000 packets/s queues 150 packets).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace {

int64_t nowNs() {  // the clock of SO_TIMESTAMPNS
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Stream {
  int64_t last = 0;
  uint16_t seq = 0;
  uint64_t packets = 0;
  uint64_t seqGaps = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: parkd_rtp_sink PORT WARMUP_S MEASURE_S\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  double warmup = std::atof(argv[2]), measure = std::atof(argv[3]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int buf = 16 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("bind");
    return 1;
  }
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  std::fprintf(stderr, "rtp_sink: listening on 127.0.0.1:%d\n", port);

  constexpr int kBatch = 64;
  static uint8_t data[kBatch][256];
  static uint8_t control[kBatch][CMSG_SPACE(sizeof(timespec))];
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  auto arm = [&] {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {data[i], sizeof data[i]};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
  };
  // The kernel's receive time of message i (CLOCK_REALTIME), or `fallback` without one.
  auto arrival = [&](int i, int64_t fallback) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
      }
    return fallback;
  };
  std::unordered_map<uint32_t, Stream> streams;
  std::vector<int64_t> devs;  // |gap - 20 ms| in ns, measurement window only
  devs.reserve(1 << 22);
  uint64_t packets = 0, late10 = 0, seqGaps = 0;
  const int64_t start = nowNs();
  const int64_t measureFrom = start + int64_t(warmup * 1e9);
  const int64_t measureTo = measureFrom + int64_t(measure * 1e9);
  for (;;) {
    arm();
    int n = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    int64_t now = nowNs();
    if (now >= measureTo) break;
    if (n < kBatch) {
      timespec nap{0, 1'000'000};
      nanosleep(&nap, nullptr);
    }
    for (int i = 0; i < n; ++i) {
      if (msgs[i].msg_len < 12) continue;
      int64_t t = arrival(i, now);
      const uint8_t* p = data[i];
      uint32_t ssrc =
          (uint32_t(p[8]) << 24) | (uint32_t(p[9]) << 16) | (uint32_t(p[10]) << 8) | p[11];
      uint16_t seq = uint16_t((p[2] << 8) | p[3]);
      Stream& s = streams[ssrc];
      bool measuring = t >= measureFrom;
      if (s.last && measuring) {
        int64_t gap = t - s.last;
        if (uint16_t(seq - s.seq) == 1) {
          int64_t dev = std::llabs(gap - 20'000'000);
          devs.push_back(dev);
          if (dev > 10'000'000) ++late10;
        } else {
          ++seqGaps;
        }
        ++packets;
        ++s.packets;
      }
      s.last = t;
      s.seq = seq;
    }
  }
  std::sort(devs.begin(), devs.end());
  auto pct = [&](double q) -> double {
    if (devs.empty()) return 0;
    size_t i = std::min(devs.size() - 1, size_t(q * double(devs.size())));
    return double(devs[i]) / 1000.0;
  };
  size_t active = 0;
  for (auto& [ssrc, s] : streams) active += s.packets > 0;
  std::printf(
      "{\"streams\": %zu, \"packets\": %llu, \"packets_per_stream_per_s\": %.2f, "
      "\"jitter_us\": {\"p50\": %.0f, \"p90\": %.0f, \"p99\": %.0f, \"p999\": %.0f, \"max\": "
      "%.0f}, "
      "\"gaps_over_10ms\": %llu, \"sequence_gaps\": %llu}\n",
      active, (unsigned long long)packets,
      active ? double(packets) / double(active) / measure : 0.0, pct(0.5), pct(0.9), pct(0.99),
      pct(0.999), devs.empty() ? 0.0 : double(devs.back()) / 1000.0, (unsigned long long)late10,
      (unsigned long long)seqGaps);
  close(fd);
  return 0;
}
