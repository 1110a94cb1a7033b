// The semantic diff. See Diff.h for what is compared; this file is organised by section, in
// the order the report lists them. The number dispatch section is the exact one: every orbit
// and park access number of either side, through every dial plan scope of either side.
#include "compiler/diff/Diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "compiler/analysis/Dispatch.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "compiler/support/Strings.h"

namespace callpark::diff {

const std::vector<std::string>& rolesForConfiguration() {
  static const std::vector<std::string> r = {"RTCUniversalServerAdmins", "CsVoiceAdministrator",
                                             "CsServerAdministrator", "CsAdministrator"};
  return r;
}
const std::vector<std::string>& rolesForVoicePolicies() {
  static const std::vector<std::string> r = {"RTCUniversalServerAdmins", "CsVoiceAdministrator",
                                             "CsUserAdministrator", "CsAdministrator"};
  return r;
}

size_t DiffReport::breaking() const {
  size_t n = 0;
  for (const auto& c : changes) n += c.breaking;
  return n;
}

namespace {

using model::Model;

std::string q(const std::string& s) {
  return "\"" + s + "\"";
}

std::string plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string durationText(int64_t s) {
  std::ostringstream o;
  if (s >= 60) o << s / 60 << "m";
  if (s % 60 || s < 60) o << s % 60 << "s";
  return o.str();
}

class Differ {
 public:
  Differ(const PolicySide& o, const PolicySide& n) : o_(o), n_(n), om_(*o.model), nm_(*n.model) {}
  DiffReport run();

 private:
  const PolicySide& o_;
  const PolicySide& n_;
  const Model& om_;
  const Model& nm_;
  std::vector<Change> changes_;

  std::string where(const PolicySide& side, const SourceRange& r) const {
    if (!r.valid()) return "";
    std::string p = side.sm->path(r.file);
    if (!side.pathPrefix.empty() && p.rfind(side.pathPrefix, 0) == 0)
      p = p.substr(side.pathPrefix.size());
    return p + ":" + std::to_string(r.line) + (&side == &o_ ? " (old)" : "");
  }
  Change& add(std::string section, std::string kind, std::string subject, std::string message,
              const std::vector<std::string>& roles) {
    Change c;
    c.section = std::move(section);
    c.kind = std::move(kind);
    c.subject = std::move(subject);
    c.message = std::move(message);
    c.roles = roles;
    changes_.push_back(std::move(c));
    return changes_.back();
  }
  void breaking(Change& c, std::string why) {
    c.breaking = true;
    c.reason = std::move(why);
  }

  void topology();
  void orbits();
  void parkAccess();
  void numbers();
  void settings();
  void voicePolicies();
  void dialPlans();

  // Breaking rewrites found by numbers(), by (plan key, rule name) -> (count, witness text).
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, std::string>> breakingRules_;
};

// ---- topology -----------------------------------------------------------------------------
void Differ::topology() {
  std::set<std::string> os, ns, op, np;
  for (const auto& s : om_.sites) os.insert(s.name);
  for (const auto& s : nm_.sites) ns.insert(s.name);
  for (const auto& p : om_.pools) op.insert(p.fqdn);
  for (const auto& p : nm_.pools) np.insert(p.fqdn);
  const auto& roles = rolesForConfiguration();
  for (const auto& s : ns)
    if (!os.count(s)) {
      auto& c = add("topology", "added", "site " + q(s), "site " + q(s) + " added", roles);
      c.location =
          where(n_, nm_.sites[nm_.findSite(s)].decl ? nm_.sites[nm_.findSite(s)].decl->range
                                                    : SourceRange{});
    }
  for (const auto& s : os)
    if (!ns.count(s))
      add("topology", "removed", "site " + q(s), "site " + q(s) + " removed", roles);
  for (const auto& p : np)
    if (!op.count(p)) {
      auto& c = add("topology", "added", "pool " + q(p), "pool " + q(p) + " added", roles);
      c.location = where(n_, nm_.pools[nm_.findPool(p)].range);
    }
  for (const auto& p : op)
    if (!np.count(p))
      add("topology", "removed", "pool " + q(p), "pool " + q(p) + " removed", roles);
}

// ---- orbit ranges -------------------------------------------------------------------------
std::string poolOf(const Model& m, int p) {
  return p == model::kNone ? "?" : m.pools[p].fqdn;
}

std::string rangeText(const model::OrbitRange& r) {
  return r.start.text + ".." + r.end.text + " (" + plural(r.size(), "number", "numbers") + ")";
}

// Numbers of `a` that are not in `b`, and the first of them.
uint64_t lostNumbers(const model::OrbitRange& a, const model::OrbitRange& b, std::string* first) {
  if (!a.usable()) return 0;
  bool comparable = b.usable() && a.start.prefix == b.start.prefix &&
                    a.start.digits.size() == b.start.digits.size();
  if (!comparable) {
    if (first) *first = a.numberAt(0);
    return a.size();
  }
  uint64_t lo = std::max(a.start.value, b.start.value), hi = std::min(a.end.value, b.end.value);
  uint64_t overlap = lo <= hi ? hi - lo + 1 : 0;
  if (first && overlap < a.size()) {
    if (a.start.value < b.start.value || b.end.value < a.start.value)
      *first = a.numberAt(0);
    else
      *first = a.numberAt(b.end.value + 1 - a.start.value);
  }
  return a.size() - overlap;
}

void Differ::orbits() {
  const auto& roles = rolesForConfiguration();
  std::vector<int> added, removed;
  for (size_t i = 0; i < nm_.orbits.size(); ++i)
    if (!om_.orbitByName.count(nm_.orbits[i].name)) added.push_back(static_cast<int>(i));
  for (size_t i = 0; i < om_.orbits.size(); ++i)
    if (!nm_.orbitByName.count(om_.orbits[i].name)) removed.push_back(static_cast<int>(i));
  // Renames: same numbers and pool under another name.
  std::set<int> renamedNew, renamedOld;
  for (int r : removed)
    for (int a : added) {
      const auto& o = om_.orbits[r];
      const auto& n = nm_.orbits[a];
      if (renamedNew.count(a) || o.start.text != n.start.text || o.end.text != n.end.text ||
          poolOf(om_, o.pool) != poolOf(nm_, n.pool))
        continue;
      renamedNew.insert(a);
      renamedOld.insert(r);
      auto& c = add("orbits", "renamed", "orbit " + q(n.name),
                    "orbit range " + q(o.name) + " renamed to " + q(n.name) + " (" + rangeText(n) +
                        ", pool " + poolOf(nm_, n.pool) + ")",
                    roles);
      c.location = where(n_, n.decl ? n.decl->range : SourceRange{});
      c.details = {{"old_name", o.name}, {"new_name", n.name}};
      break;
    }
  for (int a : added) {
    if (renamedNew.count(a)) continue;
    const auto& n = nm_.orbits[a];
    auto& c = add("orbits", "added", "orbit " + q(n.name),
                  "orbit range " + q(n.name) + " added: " + rangeText(n) + " on pool " +
                      poolOf(nm_, n.pool) + " (" + model::orbitTypeName(n.type) + ")",
                  roles);
    c.location = where(n_, n.decl ? n.decl->range : SourceRange{});
    c.details = {{"numbers", n.start.text + ".." + n.end.text},
                 {"size", n.size()},
                 {"pool", poolOf(nm_, n.pool)}};
  }
  for (int r : removed) {
    if (renamedOld.count(r)) continue;
    const auto& o = om_.orbits[r];
    auto& c = add("orbits", "removed", "orbit " + q(o.name),
                  "orbit range " + q(o.name) + " removed: " + rangeText(o) + " on pool " +
                      poolOf(om_, o.pool),
                  roles);
    c.location = where(o_, o.decl ? o.decl->range : SourceRange{});
    c.details = {{"numbers", o.start.text + ".." + o.end.text},
                 {"size", o.size()},
                 {"pool", poolOf(om_, o.pool)}};
    if (o.size() > 0)
      breaking(c, plural(o.size(), "number", "numbers") + " no longer reach " +
                      (o.type == model::OrbitType::CallPark ? "a parked call" : "a group pickup") +
                      " (e.g. " + o.numberAt(0) + ")");
  }
  for (const auto& n : nm_.orbits) {
    auto it = om_.orbitByName.find(n.name);
    if (it == om_.orbitByName.end()) continue;
    const auto& o = om_.orbits[it->second];
    std::string subject = "orbit " + q(n.name);
    SourceRange at = n.decl ? n.decl->range : SourceRange{};
    if (o.start.text != n.start.text || o.end.text != n.end.text) {
      std::string lostWitness, gainedWitness;
      uint64_t lost = lostNumbers(o, n, &lostWitness);
      uint64_t gained = lostNumbers(n, o, &gainedWitness);
      const char* kind = lost && gained ? "moved_numbers" : lost ? "shrunk" : "grown";
      std::string verb = lost && gained ? "renumbered" : lost ? "shrunk" : "grown";
      auto& c =
          add("orbits", kind, subject,
              "orbit range " + q(n.name) + " " + verb + ": " + rangeText(o) + " -> " + rangeText(n),
              roles);
      c.location = where(n_, at);
      c.details = {{"old", o.start.text + ".." + o.end.text},
                   {"new", n.start.text + ".." + n.end.text},
                   {"old_size", o.size()},
                   {"new_size", n.size()},
                   {"lost", lost},
                   {"gained", gained}};
      if (lost)
        breaking(c,
                 plural(lost, "number", "numbers") + " no longer reach " +
                     (o.type == model::OrbitType::CallPark ? "a parked call" : "a group pickup") +
                     " (e.g. " + lostWitness + ")");
    }
    if (poolOf(om_, o.pool) != poolOf(nm_, n.pool)) {
      auto& c = add("orbits", "moved", subject,
                    "orbit range " + q(n.name) + " moved from pool " + poolOf(om_, o.pool) +
                        " to pool " + poolOf(nm_, n.pool) +
                        " (calls parked there when the change deploys stay on the old pool)",
                    roles);
      c.location = where(n_, at);
      c.details = {{"old_pool", poolOf(om_, o.pool)}, {"new_pool", poolOf(nm_, n.pool)}};
    }
    if (o.type != n.type) {
      auto& c = add("orbits", "retyped", subject,
                    "orbit range " + q(n.name) + " type " + model::orbitTypeName(o.type) + " -> " +
                        model::orbitTypeName(n.type),
                    roles);
      c.location = where(n_, at);
      if (o.type == model::OrbitType::CallPark)
        breaking(c, "its numbers no longer reach a parked call (they answer group pickups)");
    }
    if (o.allocation != n.allocation) {
      auto& c =
          add("orbits", "allocation", subject,
              "orbit range " + q(n.name) + " allocation " + model::allocationName(o.allocation) +
                  " -> " + model::allocationName(n.allocation),
              roles);
      c.location = where(n_, at);
    }
  }
}

void Differ::parkAccess() {
  const auto& roles = rolesForConfiguration();
  std::map<std::string, const model::ParkAccess*> om, nm;
  for (const auto& a : om_.parkAccess) om.emplace(a.number, &a);
  for (const auto& a : nm_.parkAccess) nm.emplace(a.number, &a);
  for (const auto& [num, a] : nm) {
    auto it = om.find(num);
    SourceRange at = a->decl ? a->decl->range : SourceRange{};
    if (it == om.end()) {
      add("park_access", "added", "park_access " + q(num),
          "park access number " + num + " added on pool " + poolOf(nm_, a->pool), roles)
          .location = where(n_, at);
    } else if (poolOf(om_, it->second->pool) != poolOf(nm_, a->pool)) {
      add("park_access", "moved", "park_access " + q(num),
          "park access number " + num + " moved from pool " + poolOf(om_, it->second->pool) +
              " to pool " + poolOf(nm_, a->pool),
          roles)
          .location = where(n_, at);
    }
  }
  for (const auto& [num, a] : om)
    if (!nm.count(num)) {
      auto& c =
          add("park_access", "removed", "park_access " + q(num),
              "park access number " + num + " removed (was on pool " + poolOf(om_, a->pool) + ")",
              roles);
      c.location = where(o_, a->decl ? a->decl->range : SourceRange{});
      breaking(c, "phones that transfer a call to " + num + " can no longer park it");
    }
}

// ---- numbers whose dispatch changes -------------------------------------------------------
struct Dest {
  analysis::Destination::Kind kind = analysis::Destination::NotOurs;
  std::string id;    // orbit range name or park access number
  std::string pool;  // fqdn
  bool pickup = false;
  bool operator==(const Dest&) const = default;
  std::string describe() const {
    switch (kind) {
      case analysis::Destination::Orbit:
        return std::string(pickup ? "group pickup range " : "orbit range ") + q(id) + " on pool " +
               pool;
      case analysis::Destination::ParkAccess:
        return "park access " + id + " on pool " + pool;
      case analysis::Destination::NotOurs:
        break;
    }
    return "nothing of ours";
  }
};

Dest destOf(const Model& m, const analysis::NumberIndex& idx, const std::string& number) {
  analysis::Destination d = idx.classify(number);
  Dest r;
  r.kind = d.kind;
  if (d.kind == analysis::Destination::Orbit) {
    r.id = m.orbits[d.index].name;
    r.pickup = m.orbits[d.index].type == model::OrbitType::GroupPickup;
  } else if (d.kind == analysis::Destination::ParkAccess) {
    r.id = m.parkAccess[d.index].number;
  }
  if (d.pool != model::kNone) r.pool = m.pools[d.pool].fqdn;
  return r;
}

// The dial plan that applies to callers of scope `key` in model m (falling back as the spec's
// resolution does: pool -> site -> global, site -> global, tag -> global). kNone: no plan.
int planFor(const Model& m, const std::string& key, ast::Scope::Kind kind,
            const std::string& name) {
  for (size_t i = 0; i < m.dialPlans.size(); ++i)
    if (model::describeScope(m.dialPlans[i].scope, m) == key) return static_cast<int>(i);
  if (kind == ast::Scope::Pool) {
    int p = m.findPool(name);
    if (p != model::kNone && m.pools[p].site != model::kNone) {
      int d = m.findDialPlan({ast::Scope::Site, m.pools[p].site, ""});
      if (d != model::kNone) return d;
    }
  }
  if (kind == ast::Scope::Global) return model::kNone;
  return m.findDialPlan({ast::Scope::Global, model::kNone, ""});
}

std::string scopeName(const Model& m, const model::ScopeRef& s) {
  switch (s.kind) {
    case ast::Scope::Site:
      return s.index >= 0 ? m.sites[s.index].name : "";
    case ast::Scope::Pool:
      return s.index >= 0 ? m.pools[s.index].fqdn : "";
    case ast::Scope::Tag:
      return s.tag;
    case ast::Scope::Global:
      break;
  }
  return "";
}

void Differ::numbers() {
  // Caller contexts: every dial plan scope of either side.
  struct Ctx {
    std::string key;
    ast::Scope::Kind kind;
    std::string name;
  };
  std::vector<Ctx> ctxs;
  std::set<std::string> seenCtx;
  for (const Model* m : {&om_, &nm_})
    for (const auto& d : m->dialPlans) {
      std::string k = model::describeScope(d.scope, *m);
      if (seenCtx.insert(k).second) ctxs.push_back({k, d.scope.kind, scopeName(*m, d.scope)});
    }
  if (ctxs.empty()) ctxs.push_back({"(no dial plan)", ast::Scope::Global, ""});
  std::sort(ctxs.begin(), ctxs.end(), [](const Ctx& a, const Ctx& b) { return a.key < b.key; });

  // Every number of either side, in a stable order.
  std::vector<std::string> numbers;
  std::unordered_set<std::string> seen;
  for (const Model* m : {&om_, &nm_}) {
    for (const auto& a : m->parkAccess)
      if (seen.insert(a.number).second) numbers.push_back(a.number);
    for (const auto& r : m->orbits)
      for (uint64_t i = 0; i < r.size(); ++i) {
        std::string n = r.numberAt(i);
        if (seen.insert(n).second) numbers.push_back(n);
      }
  }
  analysis::NumberIndex oIdx(om_), nIdx(nm_);
  std::map<int, normalize::CompiledDialPlan> oPlans, nPlans;
  auto compiled = [](std::map<int, normalize::CompiledDialPlan>& cache, const Model& m,
                     int idx) -> const normalize::CompiledDialPlan* {
    if (idx == model::kNone) return nullptr;
    auto it = cache.find(idx);
    if (it == cache.end())
      it = cache.emplace(idx, normalize::CompiledDialPlan::compile(m.dialPlans[idx])).first;
    return &it->second;
  };

  struct Group {
    std::string category, cause, causePlan, causeRule;
    Dest from, to;
    std::set<std::string> numbers;
    std::vector<std::string> contexts;
    std::string witness, witnessCtx, witnessOld, witnessNew;
    bool breaking = false;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;

  for (const auto& ctx : ctxs) {
    int op = planFor(om_, ctx.key, ctx.kind, ctx.name);
    int np = planFor(nm_, ctx.key, ctx.kind, ctx.name);
    const auto* ocp = compiled(oPlans, om_, op);
    const auto* ncp = compiled(nPlans, nm_, np);
    std::string oKey = op == model::kNone ? "" : model::describeScope(om_.dialPlans[op].scope, om_);
    std::string nKey = np == model::kNone ? "" : model::describeScope(nm_.dialPlans[np].scope, nm_);
    for (const auto& num : numbers) {
      normalize::Normalized on = ocp ? ocp->normalize(num) : normalize::Normalized{num, -1, false};
      normalize::Normalized nn = ncp ? ncp->normalize(num) : normalize::Normalized{num, -1, false};
      Dest od = destOf(om_, oIdx, on.result), nd = destOf(nm_, nIdx, nn.result);
      if (od == nd) continue;
      using K = analysis::Destination;
      std::string category, cause, causePlan, causeRule;
      bool brk = false;
      if (od.kind != K::NotOurs && nd.kind == K::NotOurs) {
        brk = true;
        if (nIdx.classify(num).kind != K::NotOurs && nn.matched() && nn.result != num) {
          category = "rewritten";
          causePlan = nKey;
          causeRule = nm_.dialPlans[np].rules[nn.rule].name;
          cause = "rule " + q(causeRule) + " of dial plan " + nKey;
        } else {
          category = "no_longer_orbit";
        }
      } else if (od.kind != K::NotOurs && nd.kind != K::NotOurs) {
        if (od.pool != nd.pool) {
          category = "moved";
        } else if (od.kind != nd.kind || od.pickup != nd.pickup) {
          category = "retyped";
          brk = od.kind == K::ParkAccess || !od.pickup;
        } else {
          continue;  // same pool and kind, another range name: a rename (reported with orbits)
        }
      } else {
        category = "now_reaches";
        if (on.matched() && on.result != num && !(nn.matched() && nn.result != num))
          cause = "no longer rewritten by rule " + q(om_.dialPlans[op].rules[on.rule].name) +
                  " of dial plan " + oKey;
      }
      std::string gk = category + "\x1f" + od.describe() + "\x1f" + nd.describe() + "\x1f" + cause;
      auto it = groups.find(gk);
      if (it == groups.end()) {
        Group g;
        g.category = category;
        g.cause = cause;
        g.causePlan = causePlan;
        g.causeRule = causeRule;
        g.from = od;
        g.to = nd;
        g.witness = num;
        g.witnessCtx = ctx.key;
        g.witnessOld = on.result;
        g.witnessNew = nn.result;
        g.breaking = brk;
        it = groups.emplace(gk, std::move(g)).first;
        order.push_back(gk);
      }
      it->second.numbers.insert(num);
      if (it->second.contexts.empty() || it->second.contexts.back() != ctx.key)
        it->second.contexts.push_back(ctx.key);
    }
  }
  const auto& roles = rolesForConfiguration();
  for (const auto& gk : order) {
    const Group& g = groups.at(gk);
    uint64_t n = g.numbers.size();
    std::string count = plural(n, "number", "numbers");
    std::string in =
        g.contexts.size() == ctxs.size() && ctxs.size() > 1
            ? "for callers of every dial plan"
            : "for callers of dial plan" + std::string(g.contexts.size() > 1 ? "s " : " ");
    if (!(g.contexts.size() == ctxs.size() && ctxs.size() > 1))
      for (size_t i = 0; i < g.contexts.size(); ++i) in += (i ? ", " : "") + g.contexts[i];
    std::string subject =
        g.from.kind != analysis::Destination::NotOurs
            ? (g.from.kind == analysis::Destination::Orbit ? "orbit " + q(g.from.id)
                                                           : "park_access " + q(g.from.id))
            : (g.to.kind == analysis::Destination::Orbit ? "orbit " + q(g.to.id)
                                                         : "park_access " + q(g.to.id));
    std::string msg, why;
    std::string ex = " (e.g. " + g.witness +
                     (g.witnessNew != g.witness ? " -> " + g.witnessNew : "") + ", dial plan " +
                     g.witnessCtx + ")";
    if (g.category == "rewritten") {
      msg = count + " of " + g.from.describe() + (n == 1 ? " is" : " are") + " now rewritten by " +
            g.cause + " " + in + ex;
      why = "they no longer reach " + std::string(g.from.kind == analysis::Destination::ParkAccess
                                                      ? "the park service"
                                                  : g.from.pickup ? "a group pickup"
                                                                  : "a parked call");
      auto& br = breakingRules_[{g.causePlan, g.causeRule}];
      if (br.first == 0) br.second = g.witness + " -> " + g.witnessNew;
      br.first += n;
    } else if (g.category == "no_longer_orbit") {
      msg = count + " of " + g.from.describe() +
            (n == 1 ? " no longer reaches it " : " no longer reach it ") + in + ex;
      why = "they no longer reach " + std::string(g.from.kind == analysis::Destination::ParkAccess
                                                      ? "the park service"
                                                  : g.from.pickup ? "a group pickup"
                                                                  : "a parked call");
    } else if (g.category == "moved") {
      msg = count + " moved from " + g.from.describe() + " to " + g.to.describe() + " " + in + ex;
    } else if (g.category == "retyped") {
      msg = count + " changed from " + g.from.describe() + " to " + g.to.describe() + " " + in + ex;
      why = "they no longer reach what they reached";
    } else {
      msg = count + (n == 1 ? " now reaches " : " now reach ") + g.to.describe() + " " + in +
            (g.cause.empty() ? "" : " (" + g.cause + ")") + ex;
    }
    auto& c = add("numbers", g.category, subject, msg, roles);
    if (g.breaking) breaking(c, why);
    c.details = {{"count", n},
                 {"witness", g.witness},
                 {"witness_dialplan", g.witnessCtx},
                 {"witness_old_result", g.witnessOld},
                 {"witness_new_result", g.witnessNew},
                 {"old_destination", g.from.describe()},
                 {"new_destination", g.to.describe()},
                 {"dialplans", g.contexts}};
    if (!g.causeRule.empty()) {
      c.details["rule"] = g.causeRule;
      c.details["rule_dialplan"] = g.causePlan;
    }
  }
}

// ---- park settings ------------------------------------------------------------------------
struct FieldValue {
  std::string value;
  std::string from;  // the scope that supplied it, or "default"
};

const char* const kFields[] = {"pickup_timeout", "max_pickup_attempts", "music_on_hold",
                               "music_file", "on_timeout"};

std::optional<std::string> declared(const model::ParkSettings& s, int field) {
  switch (field) {
    case 0:
      if (s.pickupTimeoutSeconds) return durationText(*s.pickupTimeoutSeconds);
      break;
    case 1:
      if (s.maxPickupAttempts) return std::to_string(*s.maxPickupAttempts);
      break;
    case 2:
      if (s.musicOnHold) return std::string(*s.musicOnHold ? "on" : "off");
      break;
    case 3:
      if (s.decl && s.decl->musicFile) return q(s.decl->musicFile->value);
      if (s.musicFile) return q(*s.musicFile);
      break;
    case 4:
      if (s.onTimeout) return q(*s.onTimeout);
      break;
  }
  return std::nullopt;
}

const char* const kDefaults[] = {"1m30s", "1", "on", "built-in", "none (disconnect)"};

// Effective value of a field at a scope ("global", `site "X"`, `pool "x"`) in m.
FieldValue effectiveAt(const Model& m, ast::Scope::Kind kind, const std::string& name, int field) {
  std::vector<model::ScopeRef> chain;
  if (kind == ast::Scope::Pool) {
    int p = m.findPool(name);
    if (p != model::kNone) {
      chain.push_back({ast::Scope::Pool, p, ""});
      if (m.pools[p].site != model::kNone) chain.push_back({ast::Scope::Site, m.pools[p].site, ""});
    }
  } else if (kind == ast::Scope::Site) {
    int s = m.findSite(name);
    if (s != model::kNone) chain.push_back({ast::Scope::Site, s, ""});
  }
  chain.push_back({ast::Scope::Global, model::kNone, ""});
  for (const auto& sc : chain) {
    int i = m.findSettings(sc);
    if (i == model::kNone) continue;
    if (auto v = declared(m.settings[i], field)) return {*v, model::describeScope(sc, m)};
  }
  return {kDefaults[field], "default"};
}

void Differ::settings() {
  struct Scope {
    ast::Scope::Kind kind;
    std::string name, key;
  };
  std::vector<Scope> scopes = {{ast::Scope::Global, "", "global"}};
  std::set<std::string> sites, pools;
  for (const Model* m : {&om_, &nm_}) {
    for (const auto& s : m->sites) sites.insert(s.name);
    for (const auto& p : m->pools) pools.insert(p.fqdn);
  }
  for (const auto& s : sites) scopes.push_back({ast::Scope::Site, s, "site " + q(s)});
  for (const auto& p : pools) scopes.push_back({ast::Scope::Pool, p, "pool " + q(p)});
  auto declares = [](const Model& m, const Scope& s, int field) {
    model::ScopeRef ref{s.kind, model::kNone, ""};
    if (s.kind == ast::Scope::Site) ref.index = m.findSite(s.name);
    if (s.kind == ast::Scope::Pool) ref.index = m.findPool(s.name);
    if (s.kind != ast::Scope::Global && ref.index == model::kNone) return false;
    int i = m.findSettings(ref);
    return i != model::kNone && declared(m.settings[i], field).has_value();
  };
  const auto& roles = rolesForConfiguration();
  for (const auto& s : scopes) {
    for (int f = 0; f < 5; ++f) {
      FieldValue ov = effectiveAt(om_, s.kind, s.name, f), nv = effectiveAt(nm_, s.kind, s.name, f);
      if (ov.value == nv.value) continue;
      bool here = s.kind == ast::Scope::Global || declares(om_, s, f) || declares(nm_, s, f);
      if (!here) continue;
      // Pools whose effective value changes because of this scope.
      std::vector<std::string> affected;
      for (const auto& p : pools) {
        FieldValue po = effectiveAt(om_, ast::Scope::Pool, p, f),
                   pn = effectiveAt(nm_, ast::Scope::Pool, p, f);
        if (po.value != pn.value && (po.from == s.key || pn.from == s.key)) affected.push_back(p);
      }
      std::string msg =
          "park settings " + s.key + ": " + kFields[f] + " " + ov.value + " -> " + nv.value;
      if (ov.from != s.key || nv.from != s.key)
        msg += " (effective; old from " + ov.from + ", new from " + nv.from + ")";
      if (!affected.empty()) {
        msg += "; pools affected: ";
        for (size_t i = 0; i < affected.size(); ++i) msg += (i ? ", " : "") + affected[i];
      }
      auto& c = add("settings", "changed", "park_settings " + s.key, msg, roles);
      c.details = {{"scope", s.key},   {"field", kFields[f]}, {"old", ov.value},
                   {"new", nv.value},  {"old_from", ov.from}, {"new_from", nv.from},
                   {"pools", affected}};
      model::ScopeRef ref{s.kind, model::kNone, ""};
      if (s.kind == ast::Scope::Site) ref.index = nm_.findSite(s.name);
      if (s.kind == ast::Scope::Pool) ref.index = nm_.findPool(s.name);
      int i = (s.kind == ast::Scope::Global || ref.index != model::kNone) ? nm_.findSettings(ref)
                                                                          : model::kNone;
      if (i != model::kNone && nm_.settings[i].decl)
        c.location = where(n_, nm_.settings[i].decl->range);
    }
  }
}

// ---- voice policies and users -------------------------------------------------------------
void Differ::voicePolicies() {
  const auto& roles = rolesForVoicePolicies();
  auto policyKey = [](const Model& m, int vp) {
    return vp == model::kNone ? std::string("(none)")
                              : model::describeScope(m.voicePolicies[vp].scope, m);
  };
  std::map<std::string, const model::VoicePolicy*> op, np;
  for (const auto& v : om_.voicePolicies) op.emplace(model::describeScope(v.scope, om_), &v);
  for (const auto& v : nm_.voicePolicies) np.emplace(model::describeScope(v.scope, nm_), &v);
  std::set<std::string> keys;
  for (auto& [k, v] : op) keys.insert(k);
  for (auto& [k, v] : np) keys.insert(k);
  std::set<std::string> flipped;
  for (const auto& k : keys) {
    int o = op.count(k) ? static_cast<int>(op[k]->callPark) : -1;
    int n = np.count(k) ? static_cast<int>(np[k]->callPark) : -1;
    if (o == n) continue;
    flipped.insert(k);
  }
  // Users by lower-case sip.
  std::map<std::string, int> ou, nu;
  for (size_t i = 0; i < om_.users.size(); ++i)
    ou.emplace(toLower(om_.users[i].sip), static_cast<int>(i));
  for (size_t i = 0; i < nm_.users.size(); ++i)
    nu.emplace(toLower(nm_.users[i].sip), static_cast<int>(i));
  std::map<std::string, std::pair<uint64_t, uint64_t>> byPolicy;  // key -> (lose, gain)
  uint64_t assignLose = 0, assignGain = 0, added = 0, removed = 0;
  std::string assignWitness;
  for (const auto& [sip, ni] : nu) {
    auto it = ou.find(sip);
    if (it == ou.end()) {
      ++added;
      continue;
    }
    bool was = om_.mayPark(it->second), is = nm_.mayPark(ni);
    if (was == is) continue;
    std::string nk = policyKey(nm_, nm_.effectiveVoicePolicy(ni));
    std::string okey = policyKey(om_, om_.effectiveVoicePolicy(it->second));
    std::string key = flipped.count(nk) ? nk : flipped.count(okey) ? okey : "";
    if (key.empty()) {
      (was ? assignLose : assignGain)++;
      if (assignWitness.empty()) assignWitness = nm_.users[ni].sip;
    } else {
      (was ? byPolicy[key].first : byPolicy[key].second)++;
    }
  }
  for (const auto& [sip, oi] : ou) removed += !nu.count(sip);
  (void)removed;
  for (const auto& k : flipped) {
    // -1: not declared, 0: off, 1: on
    int o = op.count(k) ? static_cast<int>(op[k]->callPark) : -1;
    int n = np.count(k) ? static_cast<int>(np[k]->callPark) : -1;
    auto txt = [](int v) { return v < 0 ? "(not declared)" : v ? "on" : "off"; };
    auto [lose, gain] = byPolicy[k];
    std::string msg = "voice policy " + k + ": call_park " + txt(o) + " -> " + txt(n) + "; " +
                      plural(lose, "user loses", "users lose") + " call park, " +
                      plural(gain, "user gains", "users gain") + " it";
    const char* kind = o < 0 ? "added" : n < 0 ? "removed" : "flipped";
    auto& c = add("voice_policies", kind, "voice_policy " + k, msg, roles);
    c.details = {{"policy", k},
                 {"old", txt(o)},
                 {"new", txt(n)},
                 {"users_losing", lose},
                 {"users_gaining", gain}};
    if (np.count(k) && np[k]->decl)
      c.location = where(n_, np[k]->decl->range);
    else if (op.count(k) && op[k]->decl)
      c.location = where(o_, op[k]->decl->range);
    if (lose) breaking(c, plural(lose, "user loses", "users lose") + " call park");
  }
  if (assignLose || assignGain) {
    auto& c = add("users", "assignment", "users",
                  plural(assignLose, "user loses", "users lose") + " call park and " +
                      plural(assignGain, "user gains", "users gain") +
                      " it through a changed voice policy assignment or home pool (e.g. " +
                      assignWitness + ")",
                  roles);
    c.details = {
        {"users_losing", assignLose}, {"users_gaining", assignGain}, {"witness", assignWitness}};
    if (assignLose) breaking(c, plural(assignLose, "user loses", "users lose") + " call park");
  }
  if (added || removed) {
    auto& c = add(
        "users", "membership", "users",
        plural(added, "user", "users") + " added, " + plural(removed, "user", "users") + " removed",
        roles);
    c.details = {{"added", added}, {"removed", removed}};
  }
}

// ---- dial plans and rules -----------------------------------------------------------------
void Differ::dialPlans() {
  const auto& roles = rolesForConfiguration();
  std::map<std::string, const model::DialPlan*> op, np;
  for (const auto& d : om_.dialPlans) op.emplace(model::describeScope(d.scope, om_), &d);
  for (const auto& d : nm_.dialPlans) np.emplace(model::describeScope(d.scope, nm_), &d);
  auto ruleBreak = [&](Change& c, const std::string& plan, const std::string& rule) {
    auto it = breakingRules_.find({plan, rule});
    if (it != breakingRules_.end())
      breaking(c, "rewrites " +
                      plural(it->second.first, "orbit or park access number",
                             "orbit or park access numbers") +
                      " (e.g. " + it->second.second + ")");
  };
  for (const auto& [k, d] : np)
    if (!op.count(k)) {
      auto& c =
          add("dialplans", "added", "dialplan " + k,
              "dial plan " + k + " added with " + plural(d->rules.size(), "rule", "rules"), roles);
      c.location = where(n_, d->decl ? d->decl->range : SourceRange{});
      for (const auto& r : d->rules) ruleBreak(c, k, r.name);
    }
  for (const auto& [k, d] : op)
    if (!np.count(k)) {
      auto& c = add("dialplans", "removed", "dialplan " + k,
                    "dial plan " + k + " removed (" + plural(d->rules.size(), "rule", "rules") +
                        "); its callers fall back to the next scope's plan",
                    roles);
      c.location = where(o_, d->decl ? d->decl->range : SourceRange{});
    }
  for (const auto& [k, n] : np) {
    auto oit = op.find(k);
    if (oit == op.end()) continue;
    const model::DialPlan& o = *oit->second;
    SourceRange at = n->decl ? n->decl->range : SourceRange{};
    if (o.externalAccessPrefix != n->externalAccessPrefix ||
        o.optimizeDeviceDialing != n->optimizeDeviceDialing) {
      auto& c = add("dialplans", "changed", "dialplan " + k,
                    "dial plan " + k + ": external_access_prefix " + q(o.externalAccessPrefix) +
                        " -> " + q(n->externalAccessPrefix) + ", optimize_device_dialing " +
                        (o.optimizeDeviceDialing ? "on" : "off") + " -> " +
                        (n->optimizeDeviceDialing ? "on" : "off"),
                    roles);
      c.location = where(n_, at);
    }
    std::map<std::string, const model::NormRule*> orules, nrules;
    for (const auto& r : o.rules) orules.emplace(r.name, &r);
    for (const auto& r : n->rules) nrules.emplace(r.name, &r);
    for (const auto& r : n->rules) {
      auto it = orules.find(r.name);
      SourceRange rat = r.decl ? r.decl->range : at;
      if (it == orules.end()) {
        auto& c = add("dialplans", "rule_added", "dialplan " + k + " rule " + q(r.name),
                      "dial plan " + k + ": rule " + q(r.name) + " added (priority " +
                          std::to_string(r.priority) + ", '" + r.pattern + "' -> '" +
                          r.translation + "')",
                      roles);
        c.location = where(n_, rat);
        c.details = {{"dialplan", k},
                     {"rule", r.name},
                     {"pattern", r.pattern},
                     {"translation", r.translation}};
        ruleBreak(c, k, r.name);
        continue;
      }
      const model::NormRule& x = *it->second;
      std::vector<std::string> parts;
      if (x.pattern != r.pattern)
        parts.push_back("pattern '" + x.pattern + "' -> '" + r.pattern + "'");
      if (x.translation != r.translation)
        parts.push_back("translation '" + x.translation + "' -> '" + r.translation + "'");
      if (x.priority != r.priority)
        parts.push_back("priority " + std::to_string(x.priority) + " -> " +
                        std::to_string(r.priority));
      if (x.internalExtension != r.internalExtension)
        parts.push_back(std::string("internal_extension ") + (x.internalExtension ? "on" : "off") +
                        " -> " + (r.internalExtension ? "on" : "off"));
      if (parts.empty()) continue;
      std::string msg = "dial plan " + k + ": rule " + q(r.name) + " changed: ";
      for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
      auto& c =
          add("dialplans", "rule_changed", "dialplan " + k + " rule " + q(r.name), msg, roles);
      c.location = where(n_, rat);
      c.details = {{"dialplan", k}, {"rule", r.name}};
      ruleBreak(c, k, r.name);
    }
    for (const auto& r : o.rules)
      if (!nrules.count(r.name)) {
        auto& c = add("dialplans", "rule_removed", "dialplan " + k + " rule " + q(r.name),
                      "dial plan " + k + ": rule " + q(r.name) + " removed ('" + r.pattern +
                          "' -> '" + r.translation + "')",
                      roles);
        c.location = where(o_, r.decl ? r.decl->range : SourceRange{});
        c.details = {{"dialplan", k}, {"rule", r.name}};
      }
    // Reordering of the rules both sides have, in evaluation order.
    std::vector<std::string> oo, no;
    for (const auto& r : o.rules)
      if (nrules.count(r.name)) oo.push_back(r.name);
    for (const auto& r : n->rules)
      if (orules.count(r.name)) no.push_back(r.name);
    if (oo != no) {
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + q(v[i]);
        return s;
      };
      auto& c = add("dialplans", "rules_reordered", "dialplan " + k,
                    "dial plan " + k + ": rules reordered: " + join(oo) + " -> " + join(no), roles);
      c.location = where(n_, at);
      c.details = {{"dialplan", k}, {"old_order", oo}, {"new_order", no}};
      for (const auto& [key, v] : breakingRules_)
        if (key.first == k) {
          breaking(c, "rule " + q(key.second) + " now rewrites " +
                          plural(v.first, "orbit or park access number",
                                 "orbit or park access numbers") +
                          " (e.g. " + v.second + ")");
          break;
        }
    }
  }
}

DiffReport Differ::run() {
  topology();
  orbits();
  parkAccess();
  numbers();
  settings();
  voicePolicies();
  dialPlans();
  static const std::vector<std::string> kOrder = {"topology", "orbits",   "park_access",
                                                  "numbers",  "settings", "voice_policies",
                                                  "users",    "dialplans"};
  auto rank = [](const std::string& s) {
    return std::find(kOrder.begin(), kOrder.end(), s) - kOrder.begin();
  };
  std::stable_sort(changes_.begin(), changes_.end(), [&](const Change& a, const Change& b) {
    return rank(a.section) < rank(b.section);
  });
  DiffReport r;
  r.oldLabel = o_.label;
  r.newLabel = n_.label;
  r.oldErrors = o_.errors;
  r.newErrors = n_.errors;
  r.changes = std::move(changes_);
  return r;
}

}  // namespace

DiffReport diffPolicies(const PolicySide& oldSide, const PolicySide& newSide) {
  Differ d(oldSide, newSide);
  return d.run();
}

// ---- rendering ----------------------------------------------------------------------------
namespace {

const char* sectionTitle(const std::string& s) {
  if (s == "topology") return "Topology";
  if (s == "orbits") return "Orbit ranges";
  if (s == "park_access") return "Park access numbers";
  if (s == "numbers") return "Numbers whose dispatch changes";
  if (s == "settings") return "Park settings";
  if (s == "voice_policies") return "Voice policies";
  if (s == "users") return "Users";
  if (s == "dialplans") return "Dial plans and normalization rules";
  return "Other";
}

std::string joinRoles(const std::vector<std::string>& r, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < r.size(); ++i) s += (i ? (i + 1 == r.size() ? " or " : sep) : "") + r[i];
  return s;
}

std::string summary(const DiffReport& r) {
  size_t b = r.breaking();
  return plural(r.changes.size(), "change", "changes") + ", " + std::to_string(b) + " breaking";
}

}  // namespace

std::string renderText(const DiffReport& r) {
  std::ostringstream o;
  o << "policy diff " << r.oldLabel << " -> " << r.newLabel << "\n";
  if (r.oldErrors)
    o << "note: the old policy has " << plural(r.oldErrors, "error", "errors") << "\n";
  if (r.newErrors)
    o << "note: the new policy has " << plural(r.newErrors, "error", "errors")
      << " (run parkc check on it)\n";
  std::string section;
  for (const auto& c : r.changes) {
    if (c.section != section) {
      section = c.section;
      o << "\n" << sectionTitle(section) << "\n";
    }
    o << "  " << (c.breaking ? "BREAKING " : "change   ") << c.message << "\n";
    if (c.breaking) o << "           breaking: " << c.reason << "\n";
    if (!c.location.empty()) o << "           at " << c.location << "\n";
    o << "           approve: " << joinRoles(c.roles) << "\n";
  }
  if (r.changes.empty()) o << "\nno changes in meaning\n";
  o << "\n" << summary(r) << "\n";
  return o.str();
}

std::string renderMarkdown(const DiffReport& r) {
  auto code = [](const std::string& s) {
    // Inline code that survives backticks in the text.
    return s.find('`') == std::string::npos ? "`" + s + "`" : "`` " + s + " ``";
  };
  (void)code;
  std::ostringstream o;
  o << "### Call park policy changes\n\n";
  size_t b = r.breaking();
  o << (b ? "**:warning: " : "**") << summary(r) << "**"
    << " (`" << r.oldLabel << "` → `" << r.newLabel << "`)\n";
  if (r.oldErrors)
    o << "\n> The old policy has " << plural(r.oldErrors, "error", "errors") << ".\n";
  if (r.newErrors)
    o << "\n> The new policy has " << plural(r.newErrors, "error", "errors")
      << ": run `parkc check` on it.\n";
  std::string section;
  std::map<std::string, std::set<std::string>> signoff;  // roles -> sections
  auto esc = [](const std::string& s) {
    std::string t;
    for (char c : s) {
      if (c == '*' || c == '_' || c == '<' || c == '|' || c == '[' || c == ']' || c == '\\' ||
          c == '#' || c == '`')
        t += '\\';
      t += c;
    }
    return t;
  };
  for (const auto& c : r.changes) {
    if (c.section != section) {
      section = c.section;
      o << "\n#### " << sectionTitle(section) << "\n\n";
    }
    o << "- " << (c.breaking ? "**breaking**: " : "") << esc(c.message);
    if (c.breaking) o << " — *" << esc(c.reason) << "*";
    if (!c.location.empty()) o << " (" << esc(c.location) << ")";
    o << "\n";
    signoff[joinRoles(c.roles)].insert(sectionTitle(c.section));
  }
  if (r.changes.empty()) o << "\nNo changes in meaning.\n";
  if (!signoff.empty()) {
    o << "\n#### Who approves\n\n";
    for (const auto& [roles, sections] : signoff) {
      std::string list;
      size_t i = 0;
      for (const auto& s : sections) list += (i++ ? ", " : "") + s;
      o << "- " << list << ": " << roles << "\n";
    }
  }
  return o.str();
}

std::string renderJson(const DiffReport& r) {
  nlohmann::json j;
  j["old"] = r.oldLabel;
  j["new"] = r.newLabel;
  j["old_errors"] = r.oldErrors;
  j["new_errors"] = r.newErrors;
  j["summary"] = {{"changes", r.changes.size()}, {"breaking", r.breaking()}};
  j["changes"] = nlohmann::json::array();
  for (const auto& c : r.changes) {
    nlohmann::json x = {{"section", c.section}, {"kind", c.kind},         {"subject", c.subject},
                        {"message", c.message}, {"breaking", c.breaking}, {"roles", c.roles},
                        {"details", c.details}};
    if (c.breaking) x["reason"] = c.reason;
    if (!c.location.empty()) x["location"] = c.location;
    j["changes"].push_back(x);
  }
  return j.dump(2) + "\n";
}

}  // namespace callpark::diff
