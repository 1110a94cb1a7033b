// libre's random numbers, served from a getrandom() buffer for the whole parkd process.
//
// libre 1.1.0 built against OpenSSL draws every SIP tag, branch, Call-ID, CSeq and RTP SSRC
// with RAND_bytes(), one call each; under SIPp load that was 7 % of parkd's CPU (OpenSSL's
// DRBG locking and bookkeeping per call). The definitions below interpose libre's rand_*
// functions exactly as LibreTimers.cpp does for its timers (libre calls them through the PLT),
// keeping the same quality: bytes from the kernel CSPRNG (getrandom), fetched 4 KiB at a time.
// Single event-loop thread, so the buffer needs no lock.
#include <re.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace {

uint8_t gBuf[4096];
size_t gPos = sizeof gBuf;

void refill() {
  size_t got = 0;
  while (got < sizeof gBuf) {
    ssize_t n = getrandom(gBuf + got, sizeof gBuf - got, 0);
    if (n > 0)
      got += size_t(n);
    else if (n < 0 && errno != EINTR)
      break;  // cannot happen on Linux >= 3.17 for <= 32 MiB
  }
  gPos = 0;
}

void take(void* out, size_t n) {
  auto* p = static_cast<uint8_t*>(out);
  while (n > 0) {
    if (gPos == sizeof gBuf) refill();
    size_t k = std::min(n, sizeof gBuf - gPos);
    std::memcpy(p, gBuf + gPos, k);
    gPos += k;
    p += k;
    n -= k;
  }
}

}  // namespace

extern "C" {

void rand_init(void) {}

uint16_t rand_u16(void) {
  uint16_t v;
  take(&v, sizeof v);
  return v;
}

uint32_t rand_u32(void) {
  uint32_t v;
  take(&v, sizeof v);
  return v;
}

uint64_t rand_u64(void) {
  uint64_t v;
  take(&v, sizeof v);
  return v;
}

// Like libre's: a random character from [0-9a-zA-Z].
char rand_char(void) {
  static const char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  uint8_t b;
  do take(&b, 1);
  while (b >= 248);  // 248 = 4 * 62: no modulo bias
  return kAlphabet[b % 62];
}

void rand_str(char* str, size_t size) {
  if (!str || !size) return;
  for (size_t i = 0; i + 1 < size; ++i) str[i] = rand_char();
  str[size - 1] = '\0';
}

void rand_bytes(uint8_t* p, size_t size) {
  if (p) take(p, size);
}

}  // extern "C"
