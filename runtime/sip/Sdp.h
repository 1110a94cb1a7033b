// The small part of SDP (RFC 4566) a park server needs for offer/answer (RFC 3264) of one
// G.711 audio stream: parse the peer's connection address, audio port and payload formats;
// pick PCMU or PCMA; write an offer (both) or an answer (the chosen one).
//
// parseSdp never throws and accepts CRLF or LF line ends; anything it does not understand is
// ignored. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/media/G711.h"

namespace callpark::sip {

struct MediaDesc {
  std::string address;       // from the media-level c= line, else the session-level one
  uint16_t port = 0;         // m=audio port; 0 = stream rejected/disabled
  std::vector<int> formats;  // payload types in the order offered
  std::vector<std::pair<int, std::string>> rtpmap;  // pt -> "PCMU/8000" (upper-cased name)
  std::string direction = "sendrecv";               // sendrecv, sendonly, recvonly, inactive
  bool hasAudio = false;
};

std::optional<MediaDesc> parseSdp(std::string_view body);

// The first offered format we can send and receive (PCMU or PCMA, by static payload type or
// by rtpmap name), or nullopt.
std::optional<media::Codec> chooseCodec(const MediaDesc& d);
// True when the description lists `c`.
bool offersCodec(const MediaDesc& d, media::Codec c);

// What a description says its sender will do with the stream (RFC 3264 §5.1, §6.1), with the
// direction attribute, a disabled stream (port 0) and the old hold form (c=0.0.0.0) taken into
// account: peerSends is false for recvonly / inactive, peerReceives for sendonly / inactive.
bool peerSends(const MediaDesc& d);
bool peerReceives(const MediaDesc& d);
// The direction of our answer to `offer`: sendonly <-> recvonly, inactive -> inactive, else
// sendrecv (a disabled or held stream is answered inactive).
std::string_view answerDirection(const MediaDesc& offer);

// An SDP body for our side: `codecs` in preference order (offer: PCMU and PCMA; answer: the
// chosen one), plus telephone-event only when `dtmf` is true.
std::string buildSdp(std::string_view ip, uint16_t port, uint64_t sessionId, uint64_t version,
                     const std::vector<media::Codec>& codecs,
                     std::string_view direction = "sendrecv");

}  // namespace callpark::sip
