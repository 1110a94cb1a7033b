// Model building: one pass per kind of declaration, in dependency order (sites and their pools
// first, since everything else names pools or sites), then users (inline, then each users file).
//
// Duplicates: the first declaration wins every lookup. A duplicate site is merged into the first
// (its pools still belong to that site, so they resolve); a pool declared twice, a duplicate user
// and a users file named twice are dropped; other duplicates (orbits, park access numbers,
// settings / policies / dial plans at one scope) stay in their vectors so later checks see their
// contents, but lookups (orbitByName, find*) return the first.
// Declarations at a scope their kind does not allow (park_settings for a tag, voice_policy for a
// pool) are reported and left out of the model.
// Unknown references stay kNone. Names are matched exactly (site names, tags), pools by their
// canonical FQDN; suggestions come from closestMatch, which ignores case.
#include "compiler/model/ModelBuilder.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "compiler/model/internal/UsersJson.h"
#include "compiler/support/Strings.h"

namespace callpark::model {

namespace {

std::string inQuotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// A path written in `file`, relative to that file's folder (absolute paths stay as written).
std::string relativeTo(const SourceManager& sm, FileId file, const std::string& written) {
  std::filesystem::path p(written);
  if (written.empty() || p.is_absolute() || file == kNoFile || file >= sm.fileCount())
    return written;
  std::filesystem::path dir = std::filesystem::path(sm.path(file)).parent_path();
  if (dir.empty()) return p.lexically_normal().string();
  return (dir / p).lexically_normal().string();
}

// "tel:+14255551000;ext=1000" -> number "+14255551000", extension "1000".
void splitLine(std::string_view line, std::string& number, std::string& extension) {
  std::string_view s = line;
  if (s.size() >= 4 && toLower(s.substr(0, 4)) == "tel:") s.remove_prefix(4);
  size_t semi = s.find(';');
  number = std::string(s.substr(0, semi));
  extension.clear();
  while (semi != std::string_view::npos) {
    s.remove_prefix(semi + 1);
    semi = s.find(';');
    std::string_view param = s.substr(0, semi);
    if (param.size() >= 4 && toLower(param.substr(0, 4)) == "ext=") {
      extension = std::string(param.substr(4));
      break;
    }
  }
}

// Strips a "Tag:" prefix (how Lync writes per-user policy identities).
std::string_view stripTag(std::string_view s) {
  if (s.size() >= 4 && toLower(s.substr(0, 4)) == "tag:") s.remove_prefix(4);
  return s;
}

class Builder {
 public:
  Builder(const ast::PolicyAst& ast, SourceManager& sm, DiagnosticEngine& diags)
      : ast_(ast), sm_(sm), diags_(diags), m_(std::make_unique<Model>()) {
    m_->ast = &ast;
  }

  std::unique_ptr<Model> run() {
    sites();
    orbits();
    parkAccess();
    settings();
    voicePolicies();
    dialPlans();
    inlineUsers();
    usersFiles();
    return std::move(m_);
  }

 private:
  // ---- helpers -------------------------------------------------------------------------
  Diagnostic& duplicate(SourceRange here, SourceRange first, std::string what) {
    return diags_.report("CP201", Severity::Error, here, what + " is declared more than once")
        .note(first, "first declared here");
  }

  std::vector<std::string> poolNames() const {
    std::vector<std::string> v;
    for (const auto& p : m_->pools) v.push_back(p.fqdn);
    return v;
  }

  // Resolves a pool spelling; reports CP202 (with `who` saying who names it) when unknown.
  int resolvePool(const std::string& spelling, SourceRange at, const std::string& who) {
    int idx = m_->findPool(spelling);
    if (idx != kNone) return idx;
    Diagnostic& d =
        diags_.report("CP202", Severity::Error, at,
                      who + " names pool " + inQuotes(spelling) + ", which no site declares");
    std::string best = closestMatch(canonicalPool(spelling), poolNames());
    if (!best.empty())
      d.suggest("did you mean " + inQuotes(best) + "?", at, inQuotes(best));
    else
      d.suggest("declare the pool inside its site: site \"...\" { pool " +
                inQuotes(canonicalPool(spelling)) + " }");
    return kNone;
  }

  int resolveSite(const ast::Str& name, const std::string& who) {
    int idx = m_->findSite(name.value);
    if (idx != kNone) return idx;
    Diagnostic& d =
        diags_.report("CP203", Severity::Error, name.range,
                      who + " names site " + inQuotes(name.value) + ", which is not declared");
    std::vector<std::string> names;
    for (const auto& s : m_->sites) names.push_back(s.name);
    std::string best = closestMatch(name.value, names);
    if (!best.empty())
      d.suggest("did you mean " + inQuotes(best) + "?", name.range, inQuotes(best));
    return kNone;
  }

  // Resolves a declaration's scope. Returns false (after CP207) when `kind` is not allowed.
  bool resolveScope(const ast::Scope& s, const char* declKind, bool allowPool, bool allowTag,
                    const char* allowedText, ScopeRef& out) {
    out = ScopeRef{};
    out.kind = s.kind;
    if ((s.kind == ast::Scope::Pool && !allowPool) || (s.kind == ast::Scope::Tag && !allowTag)) {
      diags_.report("CP207", Severity::Error, s.range.valid() ? s.range : s.name.range,
                    std::string(declKind) + " cannot be declared for a " +
                        ast::scopeKindName(s.kind) + "; allowed scopes are " + allowedText);
      return false;
    }
    std::string who = std::string(declKind) + " " + ast::scopeKindName(s.kind);
    switch (s.kind) {
      case ast::Scope::Global:
        break;
      case ast::Scope::Site:
        out.index = resolveSite(s.name, who);
        break;
      case ast::Scope::Pool:
        out.index = resolvePool(s.name.value, s.name.range, who);
        break;
      case ast::Scope::Tag:
        out.tag = s.name.value;
        break;
    }
    return true;
  }

  // The first element of `items` declared at `scope`, or kNone (also for unresolved scopes).
  template <class T>
  int earlierAtScope(const std::vector<T>& items, const ScopeRef& scope) const {
    if ((scope.kind == ast::Scope::Site || scope.kind == ast::Scope::Pool) && scope.index == kNone)
      return kNone;  // unresolved: already reported
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].scope == scope) return static_cast<int>(i);
    return kNone;
  }

  // Validates a keyword-valued field against its allowed spellings.
  int enumValue(const ast::Str& v, const std::vector<std::string>& allowed, const char* what) {
    for (size_t i = 0; i < allowed.size(); ++i)
      if (v.value == allowed[i]) return static_cast<int>(i);
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i)
      list += (i ? (i + 1 == allowed.size() ? " or " : ", ") : "") + allowed[i];
    Diagnostic& d = diags_.report("CP206", Severity::Error, v.range,
                                  inQuotes(v.value) + " is not " + what + "; expected " + list);
    std::string best = closestMatch(v.value, allowed);
    if (!best.empty()) d.suggest("did you mean `" + best + "`?", v.range, best);
    return -1;
  }

  // ---- passes --------------------------------------------------------------------------
  void sites() {
    std::map<std::string, SourceRange> poolFirst;
    for (const auto& decl : ast_.sites) {
      int si;
      auto it = m_->siteByName.find(decl.name.value);
      if (it != m_->siteByName.end()) {
        si = it->second;
        duplicate(decl.name.range, m_->sites[si].decl->name.range,
                  "site " + inQuotes(decl.name.value));
      } else {
        si = static_cast<int>(m_->sites.size());
        m_->sites.push_back(Site{decl.name.value, {}, &decl});
        m_->siteByName.emplace(decl.name.value, si);
      }
      for (const auto& p : decl.pools) {
        std::string fqdn = canonicalPool(p.value);
        auto pit = m_->poolByName.find(fqdn);
        if (pit != m_->poolByName.end()) {
          const Pool& first = m_->pools[pit->second];
          duplicate(p.range, first.range, "pool " + inQuotes(fqdn)).notes.back().message =
              "first declared here, in site " + inQuotes(m_->sites[first.site].name);
          continue;
        }
        int pi = static_cast<int>(m_->pools.size());
        m_->pools.push_back(Pool{fqdn, si, p.range});
        m_->poolByName.emplace(fqdn, pi);
        m_->sites[si].pools.push_back(pi);
      }
    }
  }

  void orbits() {
    static const std::vector<std::string> kTypes = {"callpark", "group_pickup"};
    static const std::vector<std::string> kAllocs = {"least_recent", "random", "next", "first"};
    for (const auto& decl : ast_.orbits) {
      OrbitRange o;
      o.name = decl.name.value;
      o.decl = &decl;
      std::string who = "orbit " + inQuotes(o.name);
      auto it = m_->orbitByName.find(o.name);
      if (it != m_->orbitByName.end())
        duplicate(decl.name.range, m_->orbits[it->second].decl->name.range,
                  "orbit range " + inQuotes(o.name));
      if (decl.numbers) {
        o.start = DialNumber::parse(decl.numbers->start.value);
        o.end = DialNumber::parse(decl.numbers->end.value);
      }
      if (decl.pool) o.pool = resolvePool(decl.pool->value, decl.pool->range, who);
      if (decl.type) {
        int t = enumValue(*decl.type, kTypes, "an orbit type");
        if (t >= 0) o.type = static_cast<OrbitType>(t);
      }
      if (decl.allocation) {
        int a = enumValue(*decl.allocation, kAllocs, "an allocation order");
        if (a >= 0) o.allocation = static_cast<Allocation>(a);
      }
      if (it == m_->orbitByName.end())
        m_->orbitByName.emplace(o.name, static_cast<int>(m_->orbits.size()));
      m_->orbits.push_back(std::move(o));
    }
  }

  void parkAccess() {
    std::map<std::string, int> byNumber;
    for (const auto& decl : ast_.parkAccess) {
      ParkAccess pa;
      pa.number = decl.number.value;
      pa.decl = &decl;
      auto [it, fresh] = byNumber.emplace(pa.number, static_cast<int>(m_->parkAccess.size()));
      if (!fresh)
        duplicate(decl.number.range, m_->parkAccess[it->second].decl->number.range,
                  "park access number " + inQuotes(pa.number));
      if (decl.pool)
        pa.pool =
            resolvePool(decl.pool->value, decl.pool->range, "park_access " + inQuotes(pa.number));
      m_->parkAccess.push_back(std::move(pa));
    }
  }

  void settings() {
    for (const auto& decl : ast_.parkSettings) {
      ParkSettings ps;
      ps.decl = &decl;
      if (!resolveScope(decl.scope, "park_settings", true, false, "global, site and pool",
                        ps.scope))
        continue;
      int first = earlierAtScope(m_->settings, ps.scope);
      if (first != kNone)
        duplicate(decl.scope.range.valid() ? decl.scope.range : decl.keyword,
                  m_->settings[first].decl->keyword,
                  "park_settings for " + describeScope(ps.scope, *m_));
      if (decl.pickupTimeout) ps.pickupTimeoutSeconds = decl.pickupTimeout->value.seconds;
      if (decl.maxPickupAttempts) ps.maxPickupAttempts = decl.maxPickupAttempts->value;
      if (decl.musicOnHold) ps.musicOnHold = decl.musicOnHold->value;
      if (decl.onTimeout) ps.onTimeout = decl.onTimeout->value;
      if (decl.musicFile)
        ps.musicFile = relativeTo(sm_, decl.musicFile->range.file, decl.musicFile->value);
      m_->settings.push_back(std::move(ps));
    }
  }

  void voicePolicies() {
    for (const auto& decl : ast_.voicePolicies) {
      VoicePolicy vp;
      vp.decl = &decl;
      if (!resolveScope(decl.scope, "voice_policy", false, true, "global, site and tag (per user)",
                        vp.scope))
        continue;
      int first = earlierAtScope(m_->voicePolicies, vp.scope);
      if (first != kNone)
        duplicate(decl.scope.range.valid() ? decl.scope.range : decl.keyword,
                  m_->voicePolicies[first].decl->keyword,
                  "voice_policy for " + describeScope(vp.scope, *m_));
      if (decl.callPark) {
        vp.callPark = decl.callPark->value;
        vp.callParkWritten = true;
      }
      int idx = static_cast<int>(m_->voicePolicies.size());
      if (vp.scope.kind == ast::Scope::Tag) m_->voicePolicyByTag.emplace(vp.scope.tag, idx);
      m_->voicePolicies.push_back(std::move(vp));
    }
  }

  void dialPlans() {
    for (const auto& decl : ast_.dialPlans) {
      DialPlan dp;
      dp.decl = &decl;
      resolveScope(decl.scope, "dialplan", true, true, "global, site, pool and tag", dp.scope);
      int first = earlierAtScope(m_->dialPlans, dp.scope);
      if (first != kNone)
        duplicate(decl.scope.range.valid() ? decl.scope.range : decl.keyword,
                  m_->dialPlans[first].decl->keyword,
                  "dialplan for " + describeScope(dp.scope, *m_));
      if (decl.externalAccessPrefix) dp.externalAccessPrefix = decl.externalAccessPrefix->value;
      if (decl.optimizeDeviceDialing) dp.optimizeDeviceDialing = decl.optimizeDeviceDialing->value;
      for (size_t i = 0; i < decl.rules.size(); ++i) {
        const ast::RuleDecl& r = decl.rules[i];
        NormRule nr;
        nr.name = r.name.value;
        if (r.priority) {
          nr.priority = r.priority->value;
          nr.priorityWritten = true;
        }
        if (r.pattern) nr.pattern = r.pattern->value;
        if (r.translation) nr.translation = r.translation->value;
        nr.internalExtension = r.internalExtension.has_value();
        nr.declIndex = static_cast<int>(i);
        nr.decl = &r;
        dp.rules.push_back(std::move(nr));
      }
      std::stable_sort(dp.rules.begin(), dp.rules.end(), [](const NormRule& a, const NormRule& b) {
        return a.priority < b.priority;
      });
      int idx = static_cast<int>(m_->dialPlans.size());
      if (dp.scope.kind == ast::Scope::Tag) m_->dialPlanByTag.emplace(dp.scope.tag, idx);
      m_->dialPlans.push_back(std::move(dp));
    }
  }

  // Tags for suggestions, sorted (maps are).
  std::vector<std::string> tags(const std::map<std::string, int>& byTag) const {
    std::vector<std::string> v;
    for (const auto& [k, _] : byTag) v.push_back(k);
    return v;
  }

  // Adds a user unless its SIP address is taken (then CP201 and the user is dropped).
  bool addUser(User u, SourceRange sipRange) {
    std::string key = toLower(u.sip);
    auto [it, fresh] = m_->userBySip.emplace(key, static_cast<int>(m_->users.size()));
    if (!fresh) {
      duplicate(sipRange, m_->users[it->second].range, "user " + inQuotes(u.sip));
      return false;
    }
    m_->users.push_back(std::move(u));
    return true;
  }

  void inlineUsers() {
    for (const auto& decl : ast_.users) {
      User u;
      u.sip = decl.sip.value;
      u.range = decl.range.valid() ? decl.range : decl.sip.range;
      u.decl = &decl;
      std::string who = "user " + inQuotes(u.sip);
      if (decl.pool) u.pool = resolvePool(decl.pool->value, decl.pool->range, who);
      if (decl.line) {
        u.line = decl.line->value;
        u.lineRange = decl.line->range;
        splitLine(u.line, u.lineNumber, u.extension);
      }
      if (decl.voicePolicy)
        u.voicePolicy = resolveTag(m_->voicePolicyByTag, decl.voicePolicy->value,
                                   decl.voicePolicy->range, who, true, nullptr);
      if (decl.dialplan)
        u.dialPlan = resolveTag(m_->dialPlanByTag, decl.dialplan->value, decl.dialplan->range, who,
                                false, nullptr);
      addUser(std::move(u), decl.sip.range);
    }
  }

  // Unknown references from a users file are grouped: per (code, name) the first few are
  // reported one by one, the rest are counted in a note on the last one reported.
  struct Pending {
    std::string code, message, suggestion, replacement;
    SourceRange range;
  };
  struct PendingGroup {
    std::vector<Pending> shown;
    size_t more = 0;
  };
  static constexpr size_t kShownPerName = 10;

  void deferOrReport(std::map<std::pair<std::string, std::string>, PendingGroup>* groups,
                     const std::string& code, const std::string& name, Pending p) {
    if (!groups) {
      Diagnostic& d = diags_.report(code, Severity::Error, p.range, p.message);
      if (!p.suggestion.empty())
        d.suggest(p.suggestion, p.range,
                  p.replacement.empty() ? std::nullopt : std::optional<std::string>(p.replacement));
      return;
    }
    PendingGroup& g = (*groups)[{code, name}];
    if (g.shown.size() < kShownPerName)
      g.shown.push_back(std::move(p));
    else
      ++g.more;
  }

  void flush(std::map<std::pair<std::string, std::string>, PendingGroup>& groups,
             const std::string& what) {
    for (auto& [key, g] : groups) {
      for (size_t i = 0; i < g.shown.size(); ++i) {
        Pending& p = g.shown[i];
        Diagnostic& d = diags_.report(p.code, Severity::Error, p.range, p.message);
        if (!p.suggestion.empty())
          d.suggest(
              p.suggestion, p.range,
              p.replacement.empty() ? std::nullopt : std::optional<std::string>(p.replacement));
        if (i + 1 == g.shown.size() && g.more > 0)
          d.note({}, std::to_string(g.more) + " more user" + (g.more == 1 ? "" : "s") + " in " +
                         what + " name the same " + inQuotes(key.second));
      }
    }
    groups.clear();
  }

  // Resolves a per-user (tag) voice policy or dial plan; CP204 / CP205 when unknown.
  int resolveTag(const std::map<std::string, int>& byTag, const std::string& name, SourceRange at,
                 const std::string& who, bool voice,
                 std::map<std::pair<std::string, std::string>, PendingGroup>* groups) {
    auto it = byTag.find(name);
    if (it != byTag.end()) return it->second;
    const char* kind = voice ? "voice policy" : "dial plan";
    const char* keyword = voice ? "voice_policy" : "dialplan";
    Pending p;
    p.code = voice ? "CP204" : "CP205";
    p.range = at;
    p.message = who + " is assigned " + kind + " " + inQuotes(name) + ", but no " + keyword +
                " is declared for that tag";
    std::string best = closestMatch(name, tags(byTag));
    if (!best.empty()) {
      p.suggestion = "did you mean " + inQuotes(best) + "?";
      p.replacement = inQuotes(best);
    } else {
      p.suggestion = "declare it: " + std::string(keyword) + " " + inQuotes(name) + " { ... }";
    }
    std::string code = p.code;
    deferOrReport(groups, code, name, std::move(p));
    return kNone;
  }

  void usersFiles() {
    std::map<std::string, SourceRange> seen;
    for (const auto& decl : ast_.usersFrom) {
      std::string path = relativeTo(sm_, decl.path.range.file, decl.path.value);
      auto [it, fresh] = seen.emplace(path, decl.path.range);
      if (!fresh) {
        duplicate(decl.path.range, it->second, "users file " + inQuotes(decl.path.value));
        continue;
      }
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        diags_.report("CP208", Severity::Error, decl.path.range,
                      "users file " + inQuotes(path) + " is a directory, not a JSON file");
        continue;
      }
      std::string err;
      std::optional<FileId> file = sm_.load(path, &err);
      if (!file) {
        diags_
            .report("CP208", Severity::Error, decl.path.range,
                    "users file " + inQuotes(path) + " not found (" + err + ")")
            .suggest(
                "the path is relative to the file that names it; export the users with "
                "`Get-CsUser | Select-Object SipAddress,LineURI,RegistrarPool,VoicePolicy,"
                "DialPlan | ConvertTo-Json | Out-File -Encoding utf8 users.json`");
        continue;
      }
      loadUsersFile(*file);
    }
  }

  void loadUsersFile(FileId file) {
    std::map<std::pair<std::string, std::string>, PendingGroup> groups;
    // Resolved pool spellings of this file, so 100,000 users naming a handful of pools cost a
    // handful of canonicalisations.
    struct PoolLookup {
      int index = kNone;
      std::string canonical, best;  // for unknown pools
    };
    std::map<std::string, PoolLookup, std::less<>> poolCache;
    std::string fileName = inQuotes(sm_.path(file));
    internal::readUsersJson(file, sm_, diags_, [&](internal::JsonUser& ju) {
      if (!ju.sip) {
        if (ju.sipWrongType) return;  // CP210 said why
        diags_
            .report("CP211", Severity::Error, ju.range,
                    "this entry of users file " + fileName + " has no SipAddress")
            .suggest("add \"SipAddress\": \"sip:name@domain\" or remove the entry");
        return;
      }
      User u;
      u.sip = std::move(ju.sip->value);
      u.range = ju.range;
      std::string who = "user " + inQuotes(u.sip);
      if (ju.pool) {
        auto pc = poolCache.find(ju.pool->value);
        if (pc == poolCache.end()) {
          PoolLookup l;
          l.index = m_->findPool(ju.pool->value);
          if (l.index == kNone) {
            l.canonical = canonicalPool(ju.pool->value);
            l.best = closestMatch(l.canonical, poolNames());
          }
          pc = poolCache.emplace(ju.pool->value, std::move(l)).first;
        }
        u.pool = pc->second.index;
        if (u.pool == kNone) {
          Pending p;
          p.code = "CP202";
          p.range = ju.pool->range;
          p.message =
              who + " has RegistrarPool " + inQuotes(ju.pool->value) + ", which no site declares";
          if (!pc->second.best.empty()) {
            p.suggestion = "did you mean " + inQuotes(pc->second.best) + "?";
            p.replacement = inQuotes(pc->second.best);
          } else {
            p.suggestion = "declare the pool inside its site, or fix the export";
          }
          deferOrReport(&groups, "CP202", pc->second.canonical, std::move(p));
        }
      }
      if (ju.line) {
        u.line = std::move(ju.line->value);
        u.lineRange = ju.line->range;
        splitLine(u.line, u.lineNumber, u.extension);
      }
      if (ju.voicePolicy)
        u.voicePolicy =
            resolveTag(m_->voicePolicyByTag, std::string(stripTag(ju.voicePolicy->value)),
                       ju.voicePolicy->range, who, true, &groups);
      if (ju.dialPlan)
        u.dialPlan = resolveTag(m_->dialPlanByTag, std::string(stripTag(ju.dialPlan->value)),
                                ju.dialPlan->range, who, false, &groups);
      SourceRange sipRange = ju.sip->range;
      addUser(std::move(u), sipRange);
    });
    flush(groups, "users file " + fileName);
  }

  const ast::PolicyAst& ast_;
  SourceManager& sm_;
  DiagnosticEngine& diags_;
  std::unique_ptr<Model> m_;
};

}  // namespace

std::unique_ptr<Model> buildModel(const ast::PolicyAst& ast, SourceManager& sm,
                                  DiagnosticEngine& diags) {
  return Builder(ast, sm, diags).run();
}

}  // namespace callpark::model
