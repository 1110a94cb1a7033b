#include "compiler/dispatch/passes/Passes.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "compiler/dispatch/passes/DigitAutomaton.h"
#include "compiler/normalize/Pattern.h"
#include "compiler/normalize/Substitution.h"

namespace callpark::dispatch {

using namespace ir;

// ---- model -> IR -----------------------------------------------------------------------------

namespace {

void push(std::vector<int>& chain, int v) {
  if (v != model::kNone) chain.push_back(v);
}

}  // namespace

Module buildModule(const model::Model& m) {
  Module out;
  for (const auto& p : m.pools) out.poolNames.push_back(p.fqdn);
  for (const auto& o : m.orbits) out.rangeNames.push_back(o.name);
  for (const auto& u : m.users) out.userNames.push_back(u.sip);
  for (const auto& v : m.voicePolicies)
    out.voicePolicyNames.push_back(model::describeScope(v.scope, m));
  for (const auto& d : m.dialPlans) out.dialPlanNames.push_back(model::describeScope(d.scope, m));

  for (size_t i = 0; i < m.dialPlans.size(); ++i) {
    const model::DialPlan& dp = m.dialPlans[i];
    Plan p;
    p.modelPlans = {static_cast<int>(i)};
    p.name = out.dialPlanNames[i];
    p.honourInternal = dp.optimizeDeviceDialing;
    if (dp.optimizeDeviceDialing) p.stripPrefix = dp.externalAccessPrefix;
    for (size_t k = 0; k < dp.rules.size(); ++k) {
      const model::NormRule& nr = dp.rules[k];
      Rule r;
      r.index = static_cast<int>(k);
      r.name = nr.name;
      r.pattern = nr.pattern;
      r.translation = nr.translation;
      r.internal = nr.internalExtension;
      p.rules.push_back(std::move(r));
    }
    out.plans.push_back(std::move(p));
    out.planOfModel.push_back(static_cast<int>(i));
  }
  for (const auto& v : m.voicePolicies) out.vpMayPark.push_back(v.callPark ? 1 : 0);

  const int globalPlan = m.findDialPlan({ast::Scope::Global, model::kNone, {}});
  const int globalVp = m.findVoicePolicy({ast::Scope::Global, model::kNone, {}});
  out.global.name = "global";
  push(out.global.planChain, globalPlan);
  push(out.global.vpChain, globalVp);
  auto poolChains = [&](int pool, Context& c) {
    if (pool != model::kNone) {
      push(c.planChain, m.findDialPlan({ast::Scope::Pool, pool, {}}));
      int site = m.pools[pool].site;
      if (site != model::kNone) {
        push(c.planChain, m.findDialPlan({ast::Scope::Site, site, {}}));
        push(c.vpChain, m.findVoicePolicy({ast::Scope::Site, site, {}}));
      }
    }
    push(c.planChain, globalPlan);
    push(c.vpChain, globalVp);
  };
  for (size_t p = 0; p < m.pools.size(); ++p) {
    Context c;
    poolChains(static_cast<int>(p), c);
    out.pools.push_back(std::move(c));
  }
  for (const auto& u : m.users) {
    Context c;
    push(c.planChain, u.dialPlan);
    push(c.vpChain, u.voicePolicy);
    poolChains(u.pool, c);
    out.users.push_back(std::move(c));
  }

  for (const auto& s : m.settings) {
    SettingsDecl d;
    d.pickupTimeoutSeconds = s.pickupTimeoutSeconds;
    d.maxPickupAttempts = s.maxPickupAttempts;
    d.musicOnHold = s.musicOnHold;
    d.onTimeout = s.onTimeout;
    d.musicFile = s.musicFile;
    out.settingsDecls.push_back(std::move(d));
  }
  const int globalSettings = m.findSettings({ast::Scope::Global, model::kNone, {}});
  push(out.globalSettings.chain, globalSettings);
  for (size_t p = 0; p < m.pools.size(); ++p) {
    Settings s;
    push(s.chain, m.findSettings({ast::Scope::Pool, static_cast<int>(p), {}}));
    if (m.pools[p].site != model::kNone)
      push(s.chain, m.findSettings({ast::Scope::Site, m.pools[p].site, {}}));
    push(s.chain, globalSettings);
    out.poolSettings.push_back(std::move(s));
  }

  // Park access numbers first (they win over orbits), then orbit ranges; declaration order.
  for (size_t a = 0; a < m.parkAccess.size(); ++a) {
    const model::ParkAccess& pa = m.parkAccess[a];
    if (pa.pool == model::kNone || pa.number.empty()) continue;
    Entry e;
    e.action = Action::Park;
    e.name = pa.number;
    e.pool = pa.pool;
    e.target = static_cast<int>(a);
    if (auto k = numericKey(pa.number)) {
      e.numeric = true;
      e.prefix = k->prefix;
      e.digits = k->digits;
      e.lo = e.hi = k->value;
    } else {
      e.exact = pa.number;
    }
    out.entries.push_back(std::move(e));
  }
  std::map<std::pair<int, int>, uint64_t> poolNext;  // (pool, type) -> next pool orbit index
  for (size_t r = 0; r < m.orbits.size(); ++r) {
    const model::OrbitRange& o = m.orbits[r];
    if (o.pool == model::kNone || !o.usable()) continue;
    Entry e;
    e.action = o.type == model::OrbitType::CallPark ? Action::Retrieve : Action::Pickup;
    e.name = o.name;
    e.pool = o.pool;
    e.target = static_cast<int>(r);
    e.numeric = true;
    e.prefix = o.start.prefix;
    e.digits = static_cast<int>(o.start.digits.size());
    e.lo = o.start.value;
    e.hi = o.end.value;
    uint64_t& next = poolNext[{o.pool, static_cast<int>(o.type)}];
    e.poolBase = next;
    next += o.size();
    out.entries.push_back(std::move(e));
  }
  return out;
}

model::DialPlan toModelPlan(const Plan& p) {
  model::DialPlan d;
  d.optimizeDeviceDialing = p.honourInternal;
  d.externalAccessPrefix = p.stripPrefix;
  for (const Rule& r : p.rules) {
    model::NormRule nr;
    nr.name = r.name;
    nr.pattern = r.pattern;
    nr.translation = r.translation;
    nr.internalExtension = r.internal;
    nr.declIndex = r.index;
    d.rules.push_back(std::move(nr));
  }
  return d;
}

// ---- passes ----------------------------------------------------------------------------------

namespace {

class LowerRules : public Pass {
 public:
  const char* name() const override { return "lower-rules"; }
  const char* summary() const override {
    return ".NET patterns and translations -> RE2 text and substitution pieces";
  }
  void run(Module& m) override {
    struct Lowered {
      std::optional<normalize::CompiledPattern> pattern;
      std::string error;
      int wholeGroup = -1;
    };
    std::unordered_map<std::string, Lowered> cache;  // by .NET pattern text
    for (Plan& p : m.plans) {
      for (Rule& r : p.rules) {
        auto it = cache.find(r.pattern);
        if (it == cache.end()) {
          Lowered l;
          normalize::CompileResult c = normalize::compilePattern(r.pattern);
          if (c.ok()) {
            l.pattern = std::move(*c.compiled);
            if (auto a = DigitAutomaton::parse(l.pattern->pattern.re2))
              l.wholeGroup = a->wholeMatchGroup();
          } else {
            l.error = c.error->message;
          }
          it = cache.emplace(r.pattern, std::move(l)).first;
        }
        const Lowered& l = it->second;
        r.pieces.clear();
        r.identity = false;
        if (!l.pattern) {
          r.compiled = false;
          r.error = "pattern: " + l.error;
          r.re2.clear();
          continue;
        }
        normalize::TranslationResult t =
            normalize::parseTranslation(r.translation, l.pattern->pattern);
        if (!t.ok()) {
          r.compiled = false;
          r.error = "translation: " + t.error->message;
          r.re2.clear();
          continue;
        }
        r.compiled = true;
        r.error.clear();
        r.re2 = l.pattern->pattern.re2;
        int groups = 0, group = -1;
        bool literal = false;
        for (const auto& pc : t.substitution->pieces()) {
          r.pieces.push_back({pc.literal, pc.group});
          if (!pc.literal.empty()) literal = true;
          if (pc.group >= 0) ++groups, group = pc.group;
        }
        r.identity = !literal && groups == 1 && (group == 0 || group == l.wholeGroup);
      }
    }
  }
};

class DedupPlans : public Pass {
 public:
  const char* name() const override { return "dedup-plans"; }
  const char* summary() const override { return "identical dial plans become one plan"; }
  void run(Module& m) override {
    std::map<std::string, int> seen;
    std::vector<Plan> kept;
    std::vector<int> newId(m.plans.size());
    for (size_t p = 0; p < m.plans.size(); ++p) {
      Plan& plan = m.plans[p];
      std::string key = plan.stripPrefix + '\0' + (plan.honourInternal ? "1" : "0");
      for (const Rule& r : plan.rules) {
        key += '\0' + std::to_string(r.index) + '\0' + r.pattern + '\0' + r.translation + '\0' +
               (r.internal ? "1" : "0");
      }
      auto it = seen.find(key);
      if (it != seen.end()) {
        newId[p] = it->second;
        auto& mp = kept[it->second].modelPlans;
        mp.insert(mp.end(), plan.modelPlans.begin(), plan.modelPlans.end());
        continue;
      }
      newId[p] = static_cast<int>(kept.size());
      seen.emplace(std::move(key), newId[p]);
      kept.push_back(std::move(plan));
    }
    for (int& x : m.planOfModel) x = newId[x];
    for (Context* c : contexts(m))
      if (m.policyFolded && c->plan >= 0) c->plan = newId[c->plan];
    m.plans = std::move(kept);
    m.planRow.clear();  // plan ids changed
    m.rows.clear();
  }
  static std::vector<Context*> contexts(Module& m) {
    std::vector<Context*> v{&m.global};
    for (auto& c : m.pools) v.push_back(&c);
    for (auto& c : m.users) v.push_back(&c);
    return v;
  }
};

class FoldPolicy : public Pass {
 public:
  const char* name() const override { return "fold-policy"; }
  const char* summary() const override {
    return "caller chains (assigned, pool, site, global) -> constant (plan, may_park)";
  }
  void run(Module& m) override {
    auto fold = [&](Context& c) {
      c.plan = c.planChain.empty() ? kNone : m.planOfModel[c.planChain.front()];
      c.mayPark = !c.vpChain.empty() && m.vpMayPark[c.vpChain.front()];
      c.planChain = {};  // decided: 100,000 users need not carry them into the bundle
      c.vpChain = {};
    };
    fold(m.global);
    for (auto& c : m.pools) fold(c);
    for (auto& c : m.users) fold(c);
    m.policyFolded = true;
  }
};

class FoldSettings : public Pass {
 public:
  const char* name() const override { return "fold-settings"; }
  const char* summary() const override {
    return "park_settings chains -> effective settings per pool, field by field";
  }
  void run(Module& m) override {
    auto fold = [&](Settings& s) {
      Settings d;  // defaults (spec §3)
      bool t = false, a = false, moh = false, on = false, mf = false;
      for (int idx : s.chain) {
        const SettingsDecl& decl = m.settingsDecls[idx];
        if (!t && decl.pickupTimeoutSeconds)
          d.pickupTimeoutSeconds = *decl.pickupTimeoutSeconds, t = true;
        if (!a && decl.maxPickupAttempts)
          d.maxPickupAttempts = static_cast<int32_t>(*decl.maxPickupAttempts), a = true;
        if (!moh && decl.musicOnHold) d.musicOnHold = *decl.musicOnHold, moh = true;
        if (!on && decl.onTimeout) d.onTimeout = *decl.onTimeout, on = true;
        if (!mf && decl.musicFile) d.musicFile = *decl.musicFile, mf = true;
      }
      d.chain = s.chain;
      s = std::move(d);
    };
    fold(m.globalSettings);
    for (auto& s : m.poolSettings) fold(s);
    m.settingsFolded = true;
  }
};

class LowerOrbits : public Pass {
 public:
  const char* name() const override { return "lower-orbits"; }
  const char* summary() const override {
    return "entries -> per-key sorted, merged intervals -> compare tree or jump table";
  }
  void run(Module& m) override {
    m.exact.clear();
    m.keys.clear();
    std::map<std::pair<char, int>, std::map<uint64_t, std::pair<uint64_t, int>>> byKey;
    for (size_t e = 0; e < m.entries.size(); ++e) {
      const Entry& en = m.entries[e];
      if (!en.numeric) {
        m.exact.push_back(static_cast<int>(e));
        continue;
      }
      auto& set = byKey[{en.prefix, en.digits}];
      insertGaps(set, en.lo, en.hi, static_cast<int>(e));
    }
    for (auto& [key, set] : byKey) {
      KeyGroup g;
      g.prefix = key.first;
      g.digits = key.second;
      for (const auto& [lo, v] : set) {
        if (!g.intervals.empty() && g.intervals.back().entry == v.second &&
            g.intervals.back().hi + 1 == lo)
          g.intervals.back().hi = v.first;  // merge neighbours of the same entry
        else
          g.intervals.push_back({lo, v.first, v.second});
      }
      uint64_t span = g.intervals.back().hi - g.intervals.front().lo + 1, covered = 0;
      for (const auto& iv : g.intervals) covered += iv.hi - iv.lo + 1;
      if (g.intervals.size() >= 4 && span <= 4096 && covered * 2 >= span) {
        Node t;
        t.kind = Node::Table;
        t.base = g.intervals.front().lo;
        t.table.assign(span, kNone);
        for (const auto& iv : g.intervals)
          for (uint64_t v = iv.lo; v <= iv.hi; ++v) t.table[v - t.base] = iv.entry;
        g.nodes.push_back(std::move(t));
        g.root = 0;
      } else {
        g.root = tree(g, 0, static_cast<int>(g.intervals.size()) - 1);
      }
      m.keys.push_back(std::move(g));
    }
    m.orbitsLowered = true;
  }

 private:
  // Adds [lo, hi] -> entry where the set does not cover it yet (earlier entries win).
  static void insertGaps(std::map<uint64_t, std::pair<uint64_t, int>>& set, uint64_t lo,
                         uint64_t hi, int entry) {
    uint64_t cur = lo;
    auto it = set.upper_bound(cur);
    if (it != set.begin()) {
      auto prev = std::prev(it);
      if (prev->second.first >= cur) {
        if (prev->second.first >= hi) return;
        cur = prev->second.first + 1;
      }
    }
    while (cur <= hi) {
      it = set.lower_bound(cur);
      if (it != set.end() && it->first == cur) {
        if (it->second.first >= hi) return;
        cur = it->second.first + 1;
        continue;
      }
      uint64_t end = (it == set.end() || it->first > hi) ? hi : it->first - 1;
      set.emplace(cur, std::make_pair(end, entry));
      if (end >= hi) return;
      cur = end + 1;
    }
  }
  // Balanced compare tree over intervals [a, b]; parents get lower node ids than children.
  static int tree(KeyGroup& g, int a, int b) {
    if (a > b) return kNone;
    int mid = a + (b - a) / 2;
    int id = static_cast<int>(g.nodes.size());
    g.nodes.push_back(Node{});
    g.nodes[id].kind = Node::Compare;
    g.nodes[id].interval = mid;
    int l = tree(g, a, mid - 1);
    int r = tree(g, mid + 1, b);
    g.nodes[id].left = l;
    g.nodes[id].right = r;
    return id;
  }
};

class OrbitTransparency : public Pass {
 public:
  const char* name() const override { return "orbit-transparency"; }
  const char* summary() const override {
    return "per plan and orbit entry: the rule outcome known at compile time, if uniform";
  }
  void run(Module& m) override {
    // Distinct RE2 patterns and their automata; statuses cached per (pattern, entry). Plans
    // whose compiled rules are the same patterns with the same identity flags (templates that
    // differ only in translations) share one row, computed once.
    std::unordered_map<std::string, int> patId;
    std::vector<std::optional<DigitAutomaton>> autos;
    std::vector<std::vector<int8_t>> status;  // -1 unknown yet; 0 none 1 all 2 mixed 3 opaque
    const size_t nE = m.entries.size();
    auto idOf = [&](const std::string& re2) {
      auto [it, fresh] = patId.emplace(re2, static_cast<int>(autos.size()));
      if (fresh) {
        autos.push_back(DigitAutomaton::parse(re2));
        status.emplace_back(nE, -1);
      }
      return it->second;
    };
    auto statusOf = [&](int pid, int e) -> int {
      int8_t& st = status[pid][e];
      if (st >= 0) return st;
      auto& a = autos[pid];
      if (!a) return st = 3;
      const Entry& en = m.entries[e];
      st = static_cast<int8_t>(a->rangeStatus(en.prefix, en.digits, en.lo, en.hi));
      return st;
    };
    std::map<std::vector<int16_t>, int> rowIds;
    std::map<std::vector<int>, int> rowOfSignature;
    m.rows.clear();
    m.planRow.assign(m.plans.size(), 0);
    for (size_t p = 0; p < m.plans.size(); ++p) {
      struct R {
        int pid, index;
        bool identity;
      };
      std::vector<R> rules;
      std::vector<int> signature;
      for (const Rule& r : m.plans[p].rules) {
        if (!r.compiled) continue;
        rules.push_back({idOf(r.re2), r.index, r.identity});
        signature.insert(signature.end(), {rules.back().pid, r.index, r.identity ? 1 : 0});
      }
      if (auto it = rowOfSignature.find(signature); it != rowOfSignature.end()) {
        m.planRow[p] = it->second;
        continue;
      }
      std::vector<int16_t> row(nE, kUnknown);
      for (size_t e = 0; e < nE; ++e) {
        if (!m.entries[e].numeric) continue;
        int16_t v = kNoRuleFires;
        for (const R& r : rules) {
          int st = statusOf(r.pid, static_cast<int>(e));
          if (st == 0) continue;  // matches none of the entry
          v = (st == 1 && r.identity && r.index <= INT16_MAX) ? static_cast<int16_t>(r.index)
                                                              : kUnknown;
          break;
        }
        row[e] = v;
      }
      auto [it, fresh] = rowIds.emplace(row, static_cast<int>(m.rows.size()));
      if (fresh) m.rows.push_back(std::move(row));
      m.planRow[p] = it->second;
      rowOfSignature.emplace(std::move(signature), it->second);
    }
  }
};

class PlanAutomata : public Pass {
 public:
  const char* name() const override { return "plan-automata"; }
  const char* summary() const override {
    return "digit-only dial plans -> one first-match DFA each (shared); translations from "
           "offsets where the pattern fixes them";
  }
  void run(Module& m) override {
    constexpr size_t kMaxStates = 4096;
    m.dfas.clear();
    std::map<std::vector<std::string>, int> byPatterns;
    std::map<std::pair<std::string, std::vector<int>>, std::optional<std::vector<CaptureSpan>>>
        spanCache;
    for (Plan& plan : m.plans) {
      plan.dfa = kNone;
      std::vector<std::string> patterns, key;
      std::vector<int> index;
      for (Rule& r : plan.rules) {
        r.spansKnown = false;
        r.spans.clear();
        if (!r.compiled) continue;
        patterns.push_back(r.re2);
        index.push_back(r.index);
        key.push_back(std::to_string(r.index) + ":" + r.re2);
        std::vector<int> groups;
        for (const Piece& pc : r.pieces)
          if (pc.group >= 0) groups.push_back(pc.group);
        auto [it, fresh] = spanCache.try_emplace({r.re2, groups});
        if (fresh) it->second = DigitAutomaton::captureSpans(r.re2, groups);
        if (!it->second) continue;
        r.spansKnown = true;
        for (const CaptureSpan& c : *it->second)
          r.spans.push_back({c.group, c.beginFromEnd, c.endFromEnd, c.begin, c.end});
      }
      if (patterns.empty()) continue;
      auto [it, fresh] = byPatterns.try_emplace(key, kNone);
      if (fresh) {
        std::optional<FirstMatchDfa> d = DigitAutomaton::firstMatch(patterns, kMaxStates);
        if (d) {
          Dfa out;
          out.start = d->start;
          out.next = std::move(d->next);
          for (int16_t a : d->accept)
            out.accept.push_back(a < 0 ? -1 : static_cast<int16_t>(index[a]));
          it->second = static_cast<int>(m.dfas.size());
          m.dfas.push_back(std::move(out));
        }
      }
      plan.dfa = it->second;
    }
  }
};

}  // namespace

std::vector<std::unique_ptr<Pass>> standardPipeline() {
  std::vector<std::unique_ptr<Pass>> v;
  v.push_back(std::make_unique<LowerRules>());
  v.push_back(std::make_unique<DedupPlans>());
  v.push_back(std::make_unique<FoldPolicy>());
  v.push_back(std::make_unique<FoldSettings>());
  v.push_back(std::make_unique<LowerOrbits>());
  v.push_back(std::make_unique<OrbitTransparency>());
  v.push_back(std::make_unique<PlanAutomata>());
  return v;
}

std::vector<std::string> passNames() {
  std::vector<std::string> names;
  for (const auto& p : standardPipeline()) names.push_back(p->name());
  return names;
}

void runPipeline(Module& m, const PipelineOptions& opts) {
  for (auto& pass : standardPipeline()) {
    if (std::find(opts.skip.begin(), opts.skip.end(), pass->name()) != opts.skip.end()) continue;
    auto t0 = std::chrono::steady_clock::now();
    pass->run(m);
    auto t1 = std::chrono::steady_clock::now();
    m.passesRun.push_back(pass->name());
    if (opts.timings)
      opts.timings->emplace_back(pass->name(), std::chrono::duration<double>(t1 - t0).count());
    if (opts.after) opts.after(pass->name(), m);
  }
}

Module lowerModel(const model::Model& mm, const PipelineOptions& opts) {
  Module m = buildModule(mm);
  runPipeline(m, opts);
  return m;
}

}  // namespace callpark::dispatch
