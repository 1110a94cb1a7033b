#include "runtime/media/G711.h"

#include <array>

namespace callpark::media {

uint8_t linearToUlaw(int16_t sample) {
  constexpr int kBias = 0x84, kClip = 32635;
  int v = sample;
  int sign = 0;
  if (v < 0) {
    v = -v;
    sign = 0x80;
  }
  if (v > kClip) v = kClip;
  v += kBias;
  int exponent = 7;
  for (int mask = 0x4000; (v & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  int mantissa = (v >> (exponent + 3)) & 0x0F;
  return uint8_t(~(sign | (exponent << 4) | mantissa));
}

int16_t ulawToLinear(uint8_t code) {
  constexpr int kBias = 0x84;
  int u = uint8_t(~code);
  int t = ((u & 0x0F) << 3) + kBias;
  t <<= (u & 0x70) >> 4;
  return int16_t((u & 0x80) ? (kBias - t) : (t - kBias));
}

uint8_t linearToAlaw(int16_t sample) {
  static constexpr int kSegEnd[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
  int v = sample >> 3;
  int mask;
  if (v >= 0) {
    mask = 0xD5;
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  int seg = 0;
  while (seg < 8 && v > kSegEnd[seg]) ++seg;
  if (seg >= 8) return uint8_t(0x7F ^ mask);
  int aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0F : (v >> seg) & 0x0F;
  return uint8_t(aval ^ mask);
}

int16_t alawToLinear(uint8_t code) {
  int a = code ^ 0x55;
  int t = (a & 0x0F) << 4;
  int seg = (a & 0x70) >> 4;
  switch (seg) {
    case 0:
      t += 8;
      break;
    case 1:
      t += 0x108;
      break;
    default:
      t = (t + 0x108) << (seg - 1);
      break;
  }
  return int16_t((a & 0x80) ? t : -t);
}

namespace {
struct Tables {
  std::array<uint8_t, 256> u2a{}, a2u{};
  Tables() {
    for (int i = 0; i < 256; ++i) {
      u2a[i] = linearToAlaw(ulawToLinear(uint8_t(i)));
      a2u[i] = linearToUlaw(alawToLinear(uint8_t(i)));
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}
}  // namespace

void transcode(Codec from, Codec to, uint8_t* data, size_t n) {
  if (from == to) return;
  const auto& table = from == Codec::Pcmu ? tables().u2a : tables().a2u;
  for (size_t i = 0; i < n; ++i) data[i] = table[data[i]];
}

}  // namespace callpark::media
