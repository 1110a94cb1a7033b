#include "runtime/media/Music.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>

namespace callpark::media {

MusicClip::MusicClip(const std::vector<int16_t>& pcm8k, std::string name) : name_(std::move(name)) {
  frames_ = std::max<size_t>(1, (pcm8k.size() + kFrameSamples - 1) / kFrameSamples);
  pcmu_.assign(frames_ * kFrameSamples, silenceByte(Codec::Pcmu));
  pcma_.assign(frames_ * kFrameSamples, silenceByte(Codec::Pcma));
  for (size_t i = 0; i < pcm8k.size(); ++i) {
    pcmu_[i] = linearToUlaw(pcm8k[i]);
    pcma_[i] = linearToAlaw(pcm8k[i]);
  }
}

std::vector<int16_t> resampleTo8k(const std::vector<int16_t>& in, unsigned rate) {
  if (rate == kSampleRate || in.empty() || rate == 0) return in;
  std::vector<double> src(in.begin(), in.end());
  if (rate > kSampleRate) {
    // Box filter over the decimation factor: a crude but adequate anti-alias for speech/music.
    size_t w = std::max<size_t>(1, rate / kSampleRate);
    std::vector<double> f(src.size());
    double acc = 0;
    for (size_t i = 0; i < src.size(); ++i) {
      acc += src[i];
      if (i >= w) acc -= src[i - w];
      f[i] = acc / double(std::min(i + 1, w));
    }
    src.swap(f);
  }
  double step = double(rate) / kSampleRate;
  size_t n = size_t(double(src.size()) / step);
  std::vector<int16_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    double pos = i * step;
    size_t j = size_t(pos);
    double frac = pos - double(j);
    double a = src[std::min(j, src.size() - 1)], b = src[std::min(j + 1, src.size() - 1)];
    out[i] = int16_t(std::clamp(std::lround(a + (b - a) * frac), -32768L, 32767L));
  }
  return out;
}

MusicLoad loadWavMusic(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return {nullptr, "cannot open music file " + path + ": " + sf_strerror(nullptr)};
  auto close = [&] { sf_close(f); };
  if (info.channels != 1) {
    close();
    return {nullptr, "music file " + path + " has " + std::to_string(info.channels) +
                         " channels; music on hold must be mono"};
  }
  if (info.samplerate <= 0 || double(info.frames) / info.samplerate > kMaxMusicSeconds) {
    close();
    return {nullptr, "music file " + path + " is longer than 30 minutes"};
  }
  std::vector<int16_t> pcm(size_t(info.frames));
  sf_count_t got = sf_read_short(f, pcm.data(), info.frames);
  close();
  if (got <= 0) return {nullptr, "music file " + path + " holds no audio"};
  pcm.resize(size_t(got));
  auto clip = std::make_shared<MusicClip>(resampleTo8k(pcm, unsigned(info.samplerate)), path);
  return {clip, ""};
}

std::vector<int16_t> generateDefaultMusic() {
  // I - vi - IV - V in C major, 4 s per chord: soft pads plus a slow arpeggio, with gentle
  // attack and release so the loop point is inaudible.
  constexpr double kPi = 3.14159265358979323846;
  const double chords[4][3] = {{261.63, 329.63, 392.00},   // C
                               {220.00, 261.63, 329.63},   // Am
                               {174.61, 220.00, 261.63},   // F
                               {196.00, 246.94, 293.66}};  // G
  constexpr unsigned kChordSec = 4;
  const size_t perChord = kSampleRate * kChordSec;
  std::vector<int16_t> out(perChord * 4);
  for (size_t c = 0; c < 4; ++c) {
    for (size_t i = 0; i < perChord; ++i) {
      double t = double(i) / kSampleRate;
      // Pad envelope: 0.4 s fade in and out around each chord.
      double env = std::min({1.0, t / 0.4, (kChordSec - t) / 0.4});
      double pad = 0;
      for (double hz : chords[c])
        pad += std::sin(2 * kPi * hz * t) + 0.25 * std::sin(4 * kPi * hz * t);
      pad *= env / 3.75;
      // Arpeggio: each chord tone an octave up, one per half second, with a decaying bell.
      size_t note = size_t(t * 2) % 3;
      double nt = std::fmod(t, 0.5);
      double bell = std::exp(-nt * 5) * std::min(1.0, nt / 0.01) *
                    std::sin(2 * kPi * chords[c][note] * 2 * nt);
      double v = 0.55 * pad + 0.35 * bell;
      out[c * perChord + i] = int16_t(std::lround(std::clamp(v, -1.0, 1.0) * 8000));
    }
  }
  return out;
}

std::shared_ptr<const MusicClip> defaultMusic() {
  static const std::shared_ptr<const MusicClip> clip =
      std::make_shared<MusicClip>(generateDefaultMusic(), "built-in");
  return clip;
}

std::shared_ptr<const MusicClip> silenceClip() {
  static const std::shared_ptr<const MusicClip> clip =
      std::make_shared<MusicClip>(std::vector<int16_t>(kFrameSamples, 0), "silence");
  return clip;
}

}  // namespace callpark::media
