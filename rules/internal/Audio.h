// Music on hold files, as the park service will play them (spec §3): a WAV file holding PCM
// 16-bit mono at 8 or 16 kHz, or G.711 (mu-law / A-law) mono at 8 kHz, at most 30 minutes long.
// Decoded with libsndfile. Private to rules/.
#pragma once

#include <string>

namespace callpark::rules::internal {

inline constexpr double kMaxMusicSeconds = 30 * 60;

struct AudioProbe {
  enum Status { Missing, NotAFile, Undecodable, Ok } status = Missing;
  std::string error;     // why it is missing / undecodable
  bool wav = false;      // WAV container
  std::string encoding;  // "PCM 16-bit", "G.711 mu-law", "PCM 24-bit", "FLAC", ...
  int sampleRate = 0;
  int channels = 0;
  double seconds = 0;
  bool supported = false;  // one of the accepted formats above
};

// Opens and fully decodes `path` (so truncated data is caught, not just a bad header).
AudioProbe probeAudio(const std::string& path);
// "PCM 16-bit, 44100 Hz, 2 channels" for messages.
std::string describeFormat(const AudioProbe& p);

}  // namespace callpark::rules::internal
