// CP409 music-file-silenced: a music_file is not set where music_on_hold off applies.
#include <map>

#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  // For each settings block whose music_file reaches a pool, the pools where music is off.
  std::map<int, std::vector<size_t>> silenced;
  std::map<int, int> offFrom;  // settings index -> the settings that turned music off (first)
  for (size_t p = 0; p < m.pools.size(); ++p) {
    auto eff = m.effectiveSettings(static_cast<int>(p));
    if (eff.fromMusicFile == model::kNone || eff.musicOnHold) continue;
    silenced[eff.fromMusicFile].push_back(p);
    offFrom.emplace(eff.fromMusicFile, eff.fromMusicOnHold);
  }
  for (const auto& [idx, pools] : silenced) {
    const auto& s = m.settings[static_cast<size_t>(idx)];
    if (!s.decl || !s.decl->musicFile) continue;
    std::string names;
    for (size_t i = 0; i < pools.size() && i < 3; ++i)
      names += (i ? ", \"" : "\"") + m.pools[pools[i]].fqdn + "\"";
    if (pools.size() > 3) names += " and " + std::to_string(pools.size() - 3) + " more";
    auto& d = out.report(s.decl->musicFile->range,
                         "music_file \"" + s.decl->musicFile->value +
                             "\" is never played: " + "music_on_hold is off for " +
                             (pools.size() == 1 ? "pool " : "pools ") + names);
    int off = offFrom[idx];
    if (off != model::kNone) {
      const auto& so = m.settings[static_cast<size_t>(off)];
      if (so.decl && so.decl->musicOnHold)
        d.note(so.decl->musicOnHold->range,
               "music_on_hold is turned off here, for " + model::describeScope(so.scope, m));
    }
    d.suggest("remove the music_file, or turn music_on_hold on for those pools");
  }
}

}  // namespace

extern const Rule kMusicFileSilenced{
    "CP409",
    "music-file-silenced",
    "settings",
    Severity::Warning,
    "a music on hold file is set where music on hold is off",
    R"md(With `music_on_hold off` a parked caller hears comfort noise, whatever `music_file` says.
A file configured for a pool where music is off is dead configuration: either the file or the
switch is a mistake. Settings resolve field by field (pool, else site, else global), so the
switch may come from another scope; the note shows where.

**Failing example**

```park
site "Redmond" { pool "redmond-fe01.contoso.com" }
park_settings global { music_on_hold off }
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/redmond.wav" }
```

**Fix**: `park_settings pool "redmond-fe01.contoso.com" { music_on_hold on  music_file "moh/redmond.wav" }`,
or remove the file.)md",
    &check};

}  // namespace callpark::rules
