#include "runtime/media/MediaEngine.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace callpark::media {

namespace {
int64_t monoUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}
constexpr int64_t kFrameUs = int64_t(kFrameMs) * 1000;
}  // namespace

class MediaEngine::Endpoint {
 public:
  MediaEngine* engine = nullptr;
  struct udp_sock* sock = nullptr;
  int fd = -1;
  uint16_t port = 0;
  struct sa remote {};
  bool haveRemote = false;
  bool latched = false;
  Codec codec = Codec::Pcmu;
  // Outgoing stream (music)
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint32_t ts = 0;
  bool first = true;
  std::shared_ptr<const MusicClip> clip;
  size_t musicPos = 0;
  size_t musicIndex = SIZE_MAX;  // index in engine->music_, SIZE_MAX when not playing
  Endpoint* peer = nullptr;
  uint32_t rx = 0;  // packets received (RTP and muxed RTCP)
};

MediaEngine::MediaEngine(const struct sa& ip) : ip_(ip) {
  sa_set_port(&ip_, 0);
  tmr_init(&tmr_);
}

MediaEngine::~MediaEngine() {
  tmr_cancel(&tmr_);
}

MediaEngine::Endpoint* MediaEngine::open(std::string* error) {
  auto* e = new Endpoint;
  e->engine = this;
  struct sa local = ip_;
  int err = udp_listen(&e->sock, &local, &MediaEngine::onRtp, e);
  if (err) {
    if (error) *error = std::string("cannot open an RTP socket: ") + strerror(err);
    delete e;
    return nullptr;
  }
  struct sa bound;
  udp_local_get(e->sock, &bound);
  e->port = sa_port(&bound);
  e->fd = udp_sock_fd(e->sock, sa_af(&ip_));
  e->ssrc = rand_u32();
  e->seq = uint16_t(rand_u16());
  e->ts = rand_u32();
  ++open_;
  return e;
}

void MediaEngine::close(Endpoint* e) {
  if (!e) return;
  stopMusic(e);
  unbridge(e);
  mem_deref(e->sock);
  --open_;
  delete e;
}

uint16_t MediaEngine::localPort(const Endpoint* e) const {
  return e->port;
}

void MediaEngine::setRemote(Endpoint* e, const struct sa& remote, Codec codec) {
  e->remote = remote;
  e->haveRemote = sa_isset(&remote, SA_ALL) && sa_port(&remote) != 0;
  e->latched = false;
  e->codec = codec;
}

void MediaEngine::playMusic(Endpoint* e, std::shared_ptr<const MusicClip> clip) {
  unbridge(e);
  e->clip = std::move(clip);
  e->musicPos = 0;
  if (e->musicIndex == SIZE_MAX) {
    e->musicIndex = music_.size();
    music_.push_back(e);
  }
  if (music_.size() == 1) {
    epochUs_ = monoUs();
    frameNo_ = 1;  // frame 0 is sent right now, by the first tick
    sendFrame(e);
    tmr_start(&tmr_, kFrameMs, &MediaEngine::onTick, this);
  }
}

void MediaEngine::stopMusic(Endpoint* e) {
  if (e->musicIndex == SIZE_MAX) return;
  size_t i = e->musicIndex;
  music_[i] = music_.back();
  music_[i]->musicIndex = i;
  music_.pop_back();
  e->musicIndex = SIZE_MAX;
  e->clip.reset();
  if (music_.empty()) tmr_cancel(&tmr_);
}

bool MediaEngine::playing(const Endpoint* e) const {
  return e->musicIndex != SIZE_MAX;
}

uint32_t MediaEngine::received(const Endpoint* e) const {
  return e->rx;
}

void MediaEngine::bridge(Endpoint* a, Endpoint* b) {
  stopMusic(a);
  stopMusic(b);
  unbridge(a);
  unbridge(b);
  a->peer = b;
  b->peer = a;
}

void MediaEngine::unbridge(Endpoint* e) {
  if (e->peer) {
    e->peer->peer = nullptr;
    e->peer = nullptr;
  }
}

void MediaEngine::onTick(void* arg) {
  static_cast<MediaEngine*>(arg)->tick();
}

void MediaEngine::tick() {
  int64_t now = monoUs();
  uint64_t due = uint64_t((now - epochUs_) / kFrameUs) + 1;  // frames whose time has come
  if (due > frameNo_ + 10) {                                 // stalled > 200 ms: skip, no burst
    stats_.skippedFrames += due - 1 - frameNo_;
    frameNo_ = due - 1;
  }
  while (frameNo_ < due) {
    int64_t dueUs = epochUs_ + int64_t(frameNo_) * kFrameUs;
    int64_t begin = monoUs();
    // Each sendto runs the whole UDP/IP path in the kernel, which evicts the next listener's
    // Endpoint from the cache: profiled at 2,000 listeners, the first load of an Endpoint was
    // most of sendFrame's own time. Fetch the Endpoints a few sends ahead, and the frame each
    // will copy a little later (by then its Endpoint is in the cache).
    const size_t n = music_.size();
    for (size_t i = 0; i < n; ++i) {
      if (i + 8 < n) {
        const char* ahead = reinterpret_cast<const char*>(music_[i + 8]);
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 64);
      }
      if (i + 4 < n) {
        const Endpoint* soon = music_[i + 4];
        if (soon->clip) __builtin_prefetch(soon->clip->frame(soon->codec, soon->musicPos));
      }
      sendFrame(music_[i]);
    }
    stats_.maxBurstUs = std::max(stats_.maxBurstUs, uint64_t(monoUs() - begin));
    int64_t late = std::max<int64_t>(0, begin - dueUs);
    stats_.maxLatenessUs = std::max(stats_.maxLatenessUs, uint64_t(late));
    stats_.latenessSumUs += uint64_t(late);
    size_t b = 0;
    while (b + 1 < kLatenessBuckets && late > int64_t(kLatenessBucketsUs[b])) ++b;
    ++stats_.latenessBuckets[b];
    if (late > 10'000) ++stats_.lateTicks;
    ++stats_.ticks;
    ++frameNo_;
  }
  if (!music_.empty()) {
    int64_t next = epochUs_ + int64_t(frameNo_) * kFrameUs;
    int64_t waitUs = next - monoUs();
    tmr_start(&tmr_, waitUs > 0 ? uint64_t((waitUs + 999) / 1000) : 0, &MediaEngine::onTick, this);
  }
}

void MediaEngine::sendFrame(Endpoint* e) {
  if (!e->haveRemote || !e->clip) return;
  uint8_t pkt[12 + kFrameSamples];
  pkt[0] = 0x80;
  pkt[1] = uint8_t((e->first ? 0x80 : 0) | uint8_t(e->codec));
  pkt[2] = uint8_t(e->seq >> 8);
  pkt[3] = uint8_t(e->seq);
  pkt[4] = uint8_t(e->ts >> 24);
  pkt[5] = uint8_t(e->ts >> 16);
  pkt[6] = uint8_t(e->ts >> 8);
  pkt[7] = uint8_t(e->ts);
  pkt[8] = uint8_t(e->ssrc >> 24);
  pkt[9] = uint8_t(e->ssrc >> 16);
  pkt[10] = uint8_t(e->ssrc >> 8);
  pkt[11] = uint8_t(e->ssrc);
  std::memcpy(pkt + 12, e->clip->frame(e->codec, e->musicPos), kFrameSamples);
  ssize_t n = ::sendto(e->fd, pkt, sizeof pkt, MSG_DONTWAIT, &e->remote.u.sa, e->remote.len);
  if (n < 0)
    ++stats_.droppedPackets;
  else
    ++stats_.musicPackets;
  e->first = false;
  ++e->seq;
  e->ts += kFrameSamples;
  ++e->musicPos;
}

void MediaEngine::onRtp(const struct sa* src, struct mbuf* mb, void* arg) {
  auto* e = static_cast<Endpoint*>(arg);
  MediaEngine* self = e->engine;
  size_t len = mbuf_get_left(mb);
  uint8_t* p = mbuf_buf(mb);
  if (len < 12 || (p[0] >> 6) != 2) {
    ++self->stats_.droppedPackets;
    return;
  }
  ++e->rx;
  uint8_t pt = p[1] & 0x7F;
  if (pt >= 72 && pt <= 76) return;  // RTCP on the RTP port (rtcp-mux): alive, nothing to relay
  ++self->stats_.receivedPackets;
  if (!e->latched) {
    e->remote = *src;
    e->haveRemote = true;
    e->latched = true;
  }
  Endpoint* peer = e->peer;
  if (!peer || !peer->haveRemote) {
    if (!peer) return;  // parked: the caller's voice goes nowhere
    ++self->stats_.droppedPackets;
    return;
  }
  if (e->codec != peer->codec && (pt == uint8_t(e->codec))) {
    size_t cc = p[0] & 0x0F;
    size_t hdr = 12 + 4 * cc;
    if (p[0] & 0x10) {  // header extension
      if (len >= hdr + 4) hdr += 4 + 4 * ((size_t(p[hdr + 2]) << 8) | p[hdr + 3]);
    }
    if (hdr <= len) {
      size_t payload = len - hdr;
      if (p[0] & 0x20 && payload > 0) payload -= std::min<size_t>(payload, p[len - 1]);
      transcode(e->codec, peer->codec, p + hdr, payload);
      p[1] = uint8_t((p[1] & 0x80) | uint8_t(peer->codec));
    }
  }
  ssize_t n = ::sendto(peer->fd, p, len, MSG_DONTWAIT, &peer->remote.u.sa, peer->remote.len);
  if (n < 0)
    ++self->stats_.droppedPackets;
  else
    ++self->stats_.relayedPackets;
}

}  // namespace callpark::media
