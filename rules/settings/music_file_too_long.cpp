// CP408 music-file-too-long: a music_file plays for at most 30 minutes (spec §3).
#include <cmath>

#include "rules/Registry.h"
#include "rules/internal/Audio.h"

namespace callpark::rules {
namespace {

std::string minutesSeconds(double secs) {
  auto s = static_cast<long long>(std::floor(secs));
  return std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
}

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->musicFile || !s.musicFile) continue;
    auto probe = internal::probeAudio(*s.musicFile);
    if (probe.status != internal::AudioProbe::Ok || probe.seconds <= internal::kMaxMusicSeconds)
      continue;
    out.report(s.decl->musicFile->range, "music_file \"" + s.decl->musicFile->value +
                                             "\" plays for " + minutesSeconds(probe.seconds) +
                                             "; music on hold is at most 30 minutes long")
        .suggest("trim it; the park service loops the file anyway");
  }
}

}  // namespace

extern const Rule kMusicFileTooLong{
    "CP408",
    "music-file-too-long",
    "settings",
    Severity::Error,
    "a music on hold file is longer than 30 minutes",
    R"md(Music on hold is loaded into memory by every park service that plays it and looped for as
long as a call stays parked. Thirty minutes is far beyond any pickup timeout; a longer file is
almost always the wrong file (a whole album, a recording of a meeting).

**Failing example**

```park
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/album.wav" }   // 52 minutes
```

**Fix**: trim the file to a few minutes; it loops.)md",
    &check};

}  // namespace callpark::rules
