// CP406 music-file-missing: a music_file exists and is a regular file.
#include "rules/Registry.h"
#include "rules/internal/Audio.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->musicFile || !s.musicFile) continue;
    auto probe = internal::probeAudio(*s.musicFile);
    if (probe.status != internal::AudioProbe::Missing &&
        probe.status != internal::AudioProbe::NotAFile)
      continue;
    out.report(s.decl->musicFile->range, "music_file \"" + s.decl->musicFile->value + "\" for " +
                                             model::describeScope(s.scope, ctx.model) +
                                             " cannot be played: " + probe.error + " (looked for " +
                                             *s.musicFile + ")")
        .suggest("music_file paths are relative to the .park file that names them");
  }
}

}  // namespace

extern const Rule kMusicFileMissing{
    "CP406",
    "music-file-missing",
    "settings",
    Severity::Error,
    "a music on hold file does not exist",
    R"md(The park service plays the `music_file` to parked callers. A path that does not exist is
found at compile time rather than when the first caller is put on hold. Paths are relative to
the folder of the `.park` file that names them.

**Failing example**

```park
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/redmnod.wav" }
```

**Fix**: correct the path (`"moh/redmond.wav"`) or add the file to the policy repository.)md",
    &check};

}  // namespace callpark::rules
