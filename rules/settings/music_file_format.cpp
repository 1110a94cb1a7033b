// CP410 music-file-format: a music_file is WAV in one of the accepted encodings (spec §3).
#include "rules/Registry.h"
#include "rules/internal/Audio.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->musicFile || !s.musicFile) continue;
    auto probe = internal::probeAudio(*s.musicFile);
    if (probe.status != internal::AudioProbe::Ok || probe.supported) continue;
    out.report(s.decl->musicFile->range,
               "music_file \"" + s.decl->musicFile->value + "\" is " +
                   internal::describeFormat(probe) +
                   "; music on hold must be WAV with PCM 16-bit mono at 8 or 16 kHz, or G.711 "
                   "mono at 8 kHz")
        .suggest("convert it, e.g. ffmpeg -i in.wav -ac 1 -ar 8000 -c:a pcm_s16le out.wav");
  }
}

}  // namespace

extern const Rule kMusicFileFormat{
    "CP410",
    "music-file-format",
    "settings",
    Severity::Error,
    "a music on hold file is not in an accepted WAV format",
    R"md(The park service streams music on hold over RTP without transcoding: it accepts WAV
holding PCM 16-bit mono at 8 or 16 kHz, or G.711 (mu-law or A-law) mono at 8 kHz. CD-quality
stereo, 24-bit studio masters, FLAC or Ogg files decode but cannot be streamed as they are.

**Failing example**

```park
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/stereo-44k.wav" }
```

**Fix**: `ffmpeg -i stereo-44k.wav -ac 1 -ar 8000 -c:a pcm_s16le redmond.wav`.)md",
    &check};

}  // namespace callpark::rules
