// RTP media for the park server: one UDP socket per call leg, music on hold, and an RTP relay
// between the two legs of a connected call.
//
// Runs inside libre's event loop (re_main); every method must be called from that thread.
//
// Endpoint: the media side of one SIP leg. It owns a UDP socket bound to an ephemeral port on
// the server's media address; the port goes into the leg's SDP. The remote address starts as the
// one from the peer's SDP; with symmetric RTP latching, the first RTP packet received from the
// peer re-targets the endpoint to the packet's source address (NATed phones send from another
// address than the one they advertise). A new SDP (re-INVITE) resets the latch.
//
// Music: every endpoint in music mode gets one 20 ms packet per tick from a single shared clock.
// Frame n is due at epoch + n * 20 ms on CLOCK_MONOTONIC (microseconds); a libre timer (ms
// resolution) wakes the loop at the next due time and every frame that has come due is sent,
// so a late tick is caught up rather than stretching the stream, and a stall longer than 200 ms
// skips ahead instead of bursting. How late each frame's last packet left is kept as a
// histogram (MediaStats): that is the send jitter a listener sees, measured at the source.
// Each listener starts at the beginning of its clip, with its own SSRC, sequence number and
// timestamp.
//
// Relay: bridge(a, b) stops the music on both and forwards every RTP packet received on one to
// the other's remote address, rewriting the payload (mu-law <-> A-law) and payload type when the
// legs negotiated different codecs. Packets from a not yet latched source are accepted (that is
// what latches); packets that are not RTP version 2 are dropped and counted.
#pragma once

#include <re.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/media/G711.h"
#include "runtime/media/Music.h"

namespace callpark::media {

// Lateness buckets of music frames (upper bounds, microseconds; the last is +Inf).
inline constexpr uint32_t kLatenessBucketsUs[] = {500, 1000, 2000, 5000, 10000, 20000, 50000};
inline constexpr size_t kLatenessBuckets =
    sizeof kLatenessBucketsUs / sizeof kLatenessBucketsUs[0] + 1;

struct MediaStats {
  uint64_t musicPackets = 0;     // music/silence packets sent
  uint64_t relayedPackets = 0;   // packets forwarded between bridged legs
  uint64_t receivedPackets = 0;  // RTP packets received on any endpoint
  uint64_t droppedPackets = 0;   // not RTP, or nowhere to send them
  uint64_t ticks = 0;            // music frames sent on the shared clock
  uint64_t lateTicks = 0;        // frames that started more than 10 ms after their due time
  uint64_t skippedFrames = 0;    // frames given up because the loop was stalled > 200 ms
  uint64_t maxLatenessUs = 0;    // worst start lateness of a frame
  uint64_t maxBurstUs = 0;       // longest time to send one frame to every listener
  // Histogram of each frame's start lateness: when its first packet left, relative to its due
  // time (epoch + n * 20 ms). Every listener's packets leave in the same order within a frame,
  // so a stream's send jitter is this lateness's variation (plus the small variation of its
  // place in the burst); per-bucket counts for kLatenessBucketsUs, plus the sum.
  uint64_t latenessBuckets[kLatenessBuckets] = {};
  uint64_t latenessSumUs = 0;
};

class MediaEngine {
 public:
  class Endpoint;

  // `ip` is the address RTP sockets bind to (and that SDP advertises); port ignored.
  explicit MediaEngine(const struct sa& ip);
  ~MediaEngine();
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  // A new endpoint with its own socket; nullptr (and *error) when no socket could be opened.
  Endpoint* open(std::string* error);
  // Stops everything the endpoint does, unbridges its peer, closes the socket, frees it.
  void close(Endpoint* e);

  uint16_t localPort(const Endpoint* e) const;
  const struct sa& address() const { return ip_; }

  // Where to send and in which codec (from the negotiated SDP). Resets the latch.
  void setRemote(Endpoint* e, const struct sa& remote, Codec codec);
  void playMusic(Endpoint* e, std::shared_ptr<const MusicClip> clip);
  void stopMusic(Endpoint* e);
  bool playing(const Endpoint* e) const;
  void bridge(Endpoint* a, Endpoint* b);
  // Packets received on the endpoint so far (RTP, and RTCP multiplexed on the RTP port): the
  // liveness signal for dead-caller detection. Wraps around; compare for change only.
  uint32_t received(const Endpoint* e) const;

  const MediaStats& stats() const { return stats_; }
  size_t musicListeners() const { return music_.size(); }
  size_t endpoints() const { return open_; }

 private:
  static void onRtp(const struct sa* src, struct mbuf* mb, void* arg);
  static void onTick(void* arg);
  void tick();
  void sendFrame(Endpoint* e);
  void unbridge(Endpoint* e);

  struct sa ip_;
  std::vector<Endpoint*> music_;
  struct tmr tmr_;
  int64_t epochUs_ = 0;   // music clock origin (CLOCK_MONOTONIC, microseconds)
  uint64_t frameNo_ = 0;  // frames sent on the shared clock
  size_t open_ = 0;
  MediaStats stats_;
};

}  // namespace callpark::media
