// CP407 music-file-undecodable: a music_file decodes as audio.
#include "rules/Registry.h"
#include "rules/internal/Audio.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->musicFile || !s.musicFile) continue;
    auto probe = internal::probeAudio(*s.musicFile);
    if (probe.status != internal::AudioProbe::Undecodable) continue;
    out.report(s.decl->musicFile->range, "music_file \"" + s.decl->musicFile->value +
                                             "\" is not a playable audio file: " + probe.error)
        .suggest("export it as WAV, PCM 16-bit mono at 8 or 16 kHz (or G.711)");
  }
}

}  // namespace

extern const Rule kMusicFileUndecodable{
    "CP407",
    "music-file-undecodable",
    "settings",
    Severity::Error,
    "a music on hold file cannot be decoded",
    R"md(The file exists but is not audio the park service can decode: a WMA file left over from
Lync, a file truncated by a bad copy, a text file with a `.wav` name. The whole file is decoded
at compile time, so truncated data is caught too.

**Failing example**

```park
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/redmond.wma" }
```

**Fix**: convert it, e.g. `ffmpeg -i redmond.wma -ac 1 -ar 8000 -c:a pcm_s16le redmond.wav`.)md",
    &check};

}  // namespace callpark::rules
