// G.711 companding (ITU-T G.711): 16-bit linear PCM <-> mu-law (PCMU, RTP payload type 0) and
// A-law (PCMA, payload type 8), and the direct mu-law <-> A-law conversion the RTP relay uses
// when the two legs of a connected call negotiated different codecs.
//
// Pure functions over static tables; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace callpark::media {

enum class Codec : uint8_t { Pcmu = 0, Pcma = 8 };  // value = static RTP payload type

uint8_t linearToUlaw(int16_t sample);
uint8_t linearToAlaw(int16_t sample);
int16_t ulawToLinear(uint8_t code);
int16_t alawToLinear(uint8_t code);

// Converts `n` bytes in place between the two laws (from -> to). No-op when from == to.
void transcode(Codec from, Codec to, uint8_t* data, size_t n);

// The code of digital silence in each law (0xFF for mu-law, 0xD5 for A-law).
inline uint8_t silenceByte(Codec c) {
  return c == Codec::Pcmu ? 0xFF : 0xD5;
}

}  // namespace callpark::media
