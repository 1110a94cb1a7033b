#include "rules/internal/Audio.h"

#include <sndfile.h>

#include <cctype>
#include <filesystem>
#include <system_error>
#include <vector>

namespace callpark::rules::internal {

namespace {
// libsndfile's "Format not recognised." as a phrase inside our sentence: "format not recognised".
std::string asPhrase(std::string s) {
  while (!s.empty() && (s.back() == '.' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[0])) &&
      std::islower(static_cast<unsigned char>(s[1])))
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}
}  // namespace

AudioProbe probeAudio(const std::string& path) {
  AudioProbe p;
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    p.status = AudioProbe::Missing;
    p.error = "it does not exist";
    return p;
  }
  if (!std::filesystem::is_regular_file(st)) {
    p.status = AudioProbe::NotAFile;
    p.error = std::filesystem::is_directory(st) ? "it is a directory" : "it is not a regular file";
    return p;
  }
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) {
    p.status = AudioProbe::Undecodable;
    p.error = asPhrase(sf_strerror(nullptr));
    return p;
  }
  p.wav = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV ||
          (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX;
  int sub = info.format & SF_FORMAT_SUBMASK;
  switch (sub) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
      p.encoding = "PCM 8-bit";
      break;
    case SF_FORMAT_PCM_16:
      p.encoding = "PCM 16-bit";
      break;
    case SF_FORMAT_PCM_24:
      p.encoding = "PCM 24-bit";
      break;
    case SF_FORMAT_PCM_32:
      p.encoding = "PCM 32-bit";
      break;
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
      p.encoding = "floating point";
      break;
    case SF_FORMAT_ULAW:
      p.encoding = "G.711 mu-law";
      break;
    case SF_FORMAT_ALAW:
      p.encoding = "G.711 A-law";
      break;
    default: {
      SF_FORMAT_INFO fi{};
      fi.format = sub;
      p.encoding = sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name
                       ? fi.name
                       : "an unknown encoding";
    }
  }
  if (!p.wav) {
    SF_FORMAT_INFO fi{};
    fi.format = info.format & SF_FORMAT_TYPEMASK;
    std::string container = sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name
                                ? fi.name
                                : "a non-WAV container";
    p.encoding += " in " + container;
  }
  p.sampleRate = info.samplerate;
  p.channels = info.channels;
  // Decode everything: a header that promises more frames than the data holds is corrupt.
  std::vector<short> buf(4096 * static_cast<size_t>(std::max(1, info.channels)));
  sf_count_t total = 0;
  for (;;) {
    sf_count_t n = sf_readf_short(f, buf.data(), 4096);
    if (n <= 0) break;
    total += n;
  }
  int err = sf_error(f);
  std::string errText = err ? sf_strerror(f) : "";
  sf_close(f);
  if (err != SF_ERR_NO_ERROR) {
    p.status = AudioProbe::Undecodable;
    p.error = asPhrase(errText);
    return p;
  }
  if (info.frames > 0 && total < info.frames) {
    p.status = AudioProbe::Undecodable;
    p.error = "the audio data ends after " + std::to_string(total) + " of " +
              std::to_string(info.frames) + " frames (the file is truncated)";
    return p;
  }
  p.status = AudioProbe::Ok;
  p.seconds = info.samplerate > 0 ? static_cast<double>(total) / info.samplerate : 0;
  bool mono = info.channels == 1;
  p.supported =
      p.wav && mono &&
      ((sub == SF_FORMAT_PCM_16 && (info.samplerate == 8000 || info.samplerate == 16000)) ||
       ((sub == SF_FORMAT_ULAW || sub == SF_FORMAT_ALAW) && info.samplerate == 8000));
  return p;
}

std::string describeFormat(const AudioProbe& p) {
  return p.encoding + ", " + std::to_string(p.sampleRate) + " Hz, " +
         (p.channels == 1 ? std::string("mono") : std::to_string(p.channels) + " channels");
}

}  // namespace callpark::rules::internal
