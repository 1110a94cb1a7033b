#include "compiler/dispatch/ir/Ir.h"

#include "compiler/dispatch/ir/internal/Binary.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <ostream>
#include <sstream>

namespace callpark::dispatch::ir {

const char* actionName(Action a) {
  switch (a) {
    case Action::NotOurs:
      return "not_ours";
    case Action::Park:
      return "park";
    case Action::Retrieve:
      return "retrieve";
    case Action::Pickup:
      return "pickup";
  }
  return "?";
}

std::optional<NumericKey> numericKey(std::string_view s) {
  NumericKey k;
  if (!s.empty() && (s[0] == '*' || s[0] == '#')) {
    k.prefix = s[0];
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  k.digits = static_cast<int>(s.size());
  k.value = v;
  return k;
}

int Module::classify(std::string_view number) const {
  for (int e : exact)
    if (entries[e].exact == number) return e;
  auto key = numericKey(number);
  if (!key) return kNone;
  for (const KeyGroup& g : keys) {
    if (g.prefix != key->prefix || g.digits != key->digits) continue;
    int n = g.root;
    while (n != kNone) {
      const Node& node = g.nodes[n];
      switch (node.kind) {
        case Node::Miss:
          return kNone;
        case Node::Compare: {
          const Interval& iv = g.intervals[node.interval];
          if (key->value < iv.lo)
            n = node.left;
          else if (key->value > iv.hi)
            n = node.right;
          else
            return iv.entry;
          break;
        }
        case Node::Table: {
          if (key->value < node.base || key->value - node.base >= node.table.size()) return kNone;
          return node.table[key->value - node.base];
        }
      }
    }
    return kNone;
  }
  return kNone;
}

// ---- printing --------------------------------------------------------------------------------

namespace {

std::string quote(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    o.push_back(c);
  }
  o.push_back('"');
  return o;
}

std::string keyText(char prefix, int digits) {
  std::string s = prefix ? std::string(1, prefix) : std::string("-");
  return "key " + s + " " + std::to_string(digits);
}

std::string numberText(char prefix, int digits, uint64_t v) {
  std::string d = std::to_string(v);
  if (static_cast<int>(d.size()) < digits) d.insert(0, digits - d.size(), '0');
  return prefix ? std::string(1, prefix) + d : d;
}

void printChain(std::ostream& os, const char* what, const std::vector<int>& chain) {
  os << " " << what << "=[";
  for (size_t i = 0; i < chain.size(); ++i) os << (i ? " " : "") << chain[i];
  os << "]";
}

void printContext(std::ostream& os, const Module& m, const char* kind, const Context& c, int index,
                  const std::string& name) {
  os << "context " << kind;
  if (index >= 0) os << " " << index;
  if (!name.empty()) os << " " << quote(name);
  if (m.policyFolded) {
    os << " plan=" << (c.plan < 0 ? std::string("none") : "@" + std::to_string(c.plan))
       << " may_park=" << (c.mayPark ? 1 : 0);
  } else {
    printChain(os, "dialplans", c.planChain);
    printChain(os, "voice_policies", c.vpChain);
  }
  os << "\n";
}

void printSettings(std::ostream& os, const Module& m, const Settings& s, const std::string& who) {
  os << "settings " << who;
  if (!m.settingsFolded) {
    printChain(os, "chain", s.chain);
  } else {
    os << " pickup_timeout=" << s.pickupTimeoutSeconds << "s attempts=" << s.maxPickupAttempts
       << " music_on_hold=" << (s.musicOnHold ? "on" : "off")
       << " on_timeout=" << quote(s.onTimeout) << " music_file=" << quote(s.musicFile);
  }
  os << "\n";
}

void printNode(std::ostream& os, const KeyGroup& g, int n, int depth) {
  std::string ind(2 * depth + 4, ' ');
  if (n == kNone) {
    os << ind << "miss\n";
    return;
  }
  const Node& node = g.nodes[n];
  switch (node.kind) {
    case Node::Miss:
      os << ind << "miss\n";
      return;
    case Node::Compare: {
      const Interval& iv = g.intervals[node.interval];
      os << ind << "if " << numberText(g.prefix, g.digits, iv.lo) << ".."
         << numberText(g.prefix, g.digits, iv.hi) << " -> entry " << iv.entry << "\n";
      if (node.left != kNone || node.right != kNone) {
        os << ind << "below:\n";
        printNode(os, g, node.left, depth + 1);
        os << ind << "above:\n";
        printNode(os, g, node.right, depth + 1);
      }
      return;
    }
    case Node::Table: {
      os << ind << "table base " << numberText(g.prefix, g.digits, node.base) << " size "
         << node.table.size() << ":";
      // Runs of equal entries keep the text short.
      size_t i = 0;
      while (i < node.table.size()) {
        size_t j = i;
        while (j + 1 < node.table.size() && node.table[j + 1] == node.table[i]) ++j;
        os << " [" << i << ".." << j << "]=" << node.table[i];
        i = j + 1;
      }
      os << "\n";
      return;
    }
  }
}

}  // namespace

void print(const Module& m, std::ostream& os) {
  os << "; callpark dispatch IR (ABI v1)\n";
  os << "; passes:";
  if (m.passesRun.empty()) os << " (none)";
  for (const auto& p : m.passesRun) os << " " << p;
  os << "\n";
  for (size_t p = 0; p < m.plans.size(); ++p) {
    const Plan& plan = m.plans[p];
    os << "plan @" << p << " " << quote(plan.name);
    if (!plan.stripPrefix.empty()) os << " strip " << quote(plan.stripPrefix);
    if (plan.honourInternal) os << " honour_internal";
    if (plan.dfa >= 0) os << " dfa #" << plan.dfa;
    os << " models=[";
    for (size_t i = 0; i < plan.modelPlans.size(); ++i) os << (i ? " " : "") << plan.modelPlans[i];
    os << "] {\n";
    for (const Rule& r : plan.rules) {
      os << "  rule " << r.index << " " << quote(r.name) << " ";
      if (r.re2.empty() && !r.compiled && r.error.empty()) {
        os << "dotnet " << quote(r.pattern) << " -> " << quote(r.translation);
      } else if (!r.compiled) {
        os << "skipped " << quote(r.error);
      } else {
        os << "/" << r.re2 << "/ ->";
        if (r.identity) {
          os << " same";
        } else {
          for (const Piece& pc : r.pieces) {
            if (!pc.literal.empty()) os << " " << quote(pc.literal);
            if (pc.group >= 0) os << " $" << pc.group;
          }
          if (r.pieces.empty()) os << " \"\"";
        }
      }
      if (r.internal) os << " internal";
      if (r.spansKnown) {
        os << " spans";
        for (const Span& sp : r.spans)
          os << " $" << sp.group << "=" << (sp.beginFromEnd ? "len-" : "") << sp.begin << ".."
             << (sp.endFromEnd ? "len-" : "") << sp.end;
      }
      os << "\n";
    }
    os << "}\n";
  }
  for (size_t d = 0; d < m.dfas.size(); ++d) {
    size_t finals = 0;
    for (int16_t a : m.dfas[d].accept) finals += a >= 0;
    os << "dfa #" << d << " " << m.dfas[d].accept.size() << " states, " << finals << " accepting\n";
  }
  if (m.policyFolded) {
    os << "dialplan_map";
    for (size_t i = 0; i < m.planOfModel.size(); ++i) os << " " << i << "->@" << m.planOfModel[i];
    os << "\n";
  }
  os << "voice_policies";
  for (size_t i = 0; i < m.vpMayPark.size(); ++i)
    os << " " << i << "=" << (m.vpMayPark[i] ? "on" : "off");
  os << "\n";
  printContext(os, m, "global", m.global, -1, "");
  for (size_t i = 0; i < m.pools.size(); ++i)
    printContext(os, m, "pool", m.pools[i], static_cast<int>(i),
                 i < m.poolNames.size() ? m.poolNames[i] : "");
  for (size_t i = 0; i < m.users.size(); ++i)
    printContext(os, m, "user", m.users[i], static_cast<int>(i),
                 i < m.userNames.size() ? m.userNames[i] : "");
  printSettings(os, m, m.globalSettings, "global");
  for (size_t i = 0; i < m.poolSettings.size(); ++i)
    printSettings(os, m, m.poolSettings[i],
                  "pool " + std::to_string(i) + " " + quote(m.poolNames[i]));
  for (size_t e = 0; e < m.entries.size(); ++e) {
    const Entry& en = m.entries[e];
    os << "entry " << e << " " << actionName(en.action) << " " << quote(en.name) << " ";
    if (en.numeric)
      os << numberText(en.prefix, en.digits, en.lo) << ".."
         << numberText(en.prefix, en.digits, en.hi);
    else
      os << "exact " << quote(en.exact);
    os << " pool " << en.pool << " target " << en.target;
    if (en.action == Action::Retrieve || en.action == Action::Pickup)
      os << " pool_base " << en.poolBase;
    os << "\n";
  }
  if (m.orbitsLowered) {
    os << "classify {\n";
    for (int e : m.exact)
      os << "  exact " << quote(m.entries[e].exact) << " -> entry " << e << "\n";
    for (const KeyGroup& g : m.keys) {
      os << "  " << keyText(g.prefix, g.digits) << " (" << g.intervals.size() << " intervals)\n";
      printNode(os, g, g.root, 0);
    }
    os << "}\n";
  }
  if (!m.planRow.empty()) {
    os << "transparency {\n";
    for (size_t r = 0; r < m.rows.size(); ++r) {
      os << "  row " << r << ":";
      for (size_t e = 0; e < m.rows[r].size(); ++e) {
        int16_t v = m.rows[r][e];
        os << " "
           << (v == kNoRuleFires ? std::string("none")
               : v == kUnknown   ? std::string("?")
                                 : "r" + std::to_string(v));
      }
      os << "\n";
    }
    os << "  plans:";
    for (size_t p = 0; p < m.planRow.size(); ++p) os << " @" << p << "=row" << m.planRow[p];
    os << "\n}\n";
  }
}

std::string toText(const Module& m) {
  std::ostringstream os;
  print(m, os);
  return os.str();
}

std::vector<std::string> verify(const Module& m, bool lowered) {
  std::vector<std::string> out;
  auto fail = [&](std::string s) { out.push_back(std::move(s)); };
  if (lowered) {
    if (!m.policyFolded) fail("caller contexts are not folded (run fold-policy)");
    if (!m.settingsFolded) fail("settings are not folded (run fold-settings)");
    if (!m.orbitsLowered) fail("orbit table is not lowered (run lower-orbits)");
  }
  int nplans = static_cast<int>(m.plans.size());
  for (size_t p = 0; p < m.plans.size(); ++p)
    for (const Rule& r : m.plans[p].rules)
      if (lowered && r.compiled && r.re2.empty())
        fail("plan @" + std::to_string(p) + " rule " + std::to_string(r.index) + " has no RE2");
  for (size_t d = 0; d < m.dfas.size(); ++d) {
    const Dfa& a = m.dfas[d];
    size_t n = a.accept.size();
    if (n == 0 || a.next.size() != n * 12 || a.start < 0 || static_cast<size_t>(a.start) >= n)
      fail("dfa #" + std::to_string(d) + " is malformed");
    if (!a.next.empty() && *std::max_element(a.next.begin(), a.next.end()) >= n)
      fail("dfa #" + std::to_string(d) + " has a transition out of range");
  }
  for (size_t p = 0; p < m.plans.size(); ++p) {
    const Plan& plan = m.plans[p];
    if (plan.dfa < kNone || plan.dfa >= static_cast<int>(m.dfas.size()))
      fail("plan dfa out of range");
    if (plan.dfa >= 0)
      for (int16_t a : m.dfas[plan.dfa].accept)
        if (a < -1 || a >= static_cast<int>(plan.rules.size()) ||
            (a >= 0 && !plan.rules[a].compiled))
          fail("plan @" + std::to_string(p) + ": dfa accepts a rule it does not have");
    for (const Rule& r : plan.rules) {
      if (!r.spansKnown) continue;
      size_t groups = 0;
      for (const Piece& pc : r.pieces) groups += pc.group >= 0;
      if (r.spans.size() != groups) fail("rule spans do not match its pieces");
      for (const Span& sp : r.spans)
        if (sp.begin < 0 || sp.end < 0) fail("negative span");
    }
  }
  if (m.policyFolded) {
    if (m.planOfModel.size() != m.dialPlanNames.size()) fail("dialplan map size");
    for (int p : m.planOfModel)
      if (p < 0 || p >= nplans) fail("dialplan map entry out of range");
    auto ctx = [&](const Context& c, const std::string& who) {
      if (c.plan < kNone || c.plan >= nplans) fail(who + ": plan out of range");
    };
    ctx(m.global, "global");
    for (const auto& c : m.pools) ctx(c, "pool");
    for (const auto& c : m.users) ctx(c, "user");
  }
  if (m.pools.size() != m.poolNames.size() || m.poolSettings.size() != m.poolNames.size())
    fail("pool tables disagree in size");
  if (m.users.size() != m.userNames.size()) fail("user table size");
  if (m.vpMayPark.size() != m.voicePolicyNames.size()) fail("voice policy table size");
  int nentries = static_cast<int>(m.entries.size());
  for (int e : m.exact)
    if (e < 0 || e >= nentries || m.entries[e].numeric) fail("bad exact entry");
  for (const KeyGroup& g : m.keys) {
    for (size_t i = 0; i < g.intervals.size(); ++i) {
      const Interval& iv = g.intervals[i];
      if (iv.lo > iv.hi) fail("empty interval");
      if (i && g.intervals[i - 1].hi >= iv.lo) fail("intervals overlap or are unsorted");
      if (iv.entry < 0 || iv.entry >= nentries) fail("interval entry out of range");
    }
    for (const Node& n : g.nodes) {
      if (n.kind == Node::Compare &&
          (n.interval < 0 || n.interval >= static_cast<int>(g.intervals.size())))
        fail("compare node without interval");
      for (int32_t t : n.table)
        if (t < kNone || t >= nentries) fail("table entry out of range");
      int self = static_cast<int>(&n - g.nodes.data());
      if ((n.left != kNone && n.left <= self) || (n.right != kNone && n.right <= self))
        fail("orbit tree children must follow their parent");
    }
  }
  if (!m.planRow.empty()) {
    if (static_cast<int>(m.planRow.size()) != nplans) fail("transparency: plan rows");
    for (int32_t r : m.planRow)
      if (r < 0 || r >= static_cast<int>(m.rows.size())) fail("transparency: row index");
    for (const auto& row : m.rows)
      if (static_cast<int>(row.size()) != nentries) fail("transparency: row width");
  }
  return out;
}

// ---- binary form -----------------------------------------------------------------------------

namespace {

constexpr char kMagic[8] = {'C', 'P', 'D', 'I', 'R', '0', '0', '1'};

using binary::Reader;
using binary::Writer;

void writeContext(Writer& w, const Context& c) {
  w.str(c.name);
  w.ints(c.planChain);
  w.ints(c.vpChain);
  w.i64(c.plan);
  w.b(c.mayPark);
}
Context readContext(Reader& r) {
  Context c;
  c.name = r.str();
  c.planChain = r.ints();
  c.vpChain = r.ints();
  c.plan = r.i32();
  c.mayPark = r.b();
  return c;
}
void writeSettings(Writer& w, const Settings& s) {
  w.ints(s.chain);
  w.i64(s.pickupTimeoutSeconds);
  w.i64(s.maxPickupAttempts);
  w.b(s.musicOnHold);
  w.str(s.onTimeout);
  w.str(s.musicFile);
}
Settings readSettings(Reader& r) {
  Settings s;
  s.chain = r.ints();
  s.pickupTimeoutSeconds = r.i64();
  s.maxPickupAttempts = r.i32();
  s.musicOnHold = r.b();
  s.onTimeout = r.str();
  s.musicFile = r.str();
  return s;
}

}  // namespace

std::string writeBinary(const Module& m) {
  Writer w;
  w.out.append(kMagic, sizeof kMagic);
  w.strs(m.poolNames);
  w.strs(m.rangeNames);
  w.strs(m.userNames);
  w.strs(m.voicePolicyNames);
  w.strs(m.dialPlanNames);
  w.u64(m.plans.size());
  for (const Plan& p : m.plans) {
    w.ints(p.modelPlans);
    w.str(p.name);
    w.str(p.stripPrefix);
    w.b(p.honourInternal);
    w.u64(p.rules.size());
    for (const Rule& r : p.rules) {
      w.i64(r.index);
      w.str(r.name);
      w.str(r.pattern);
      w.str(r.translation);
      w.b(r.internal);
      w.b(r.compiled);
      w.str(r.error);
      w.str(r.re2);
      w.u64(r.pieces.size());
      for (const Piece& pc : r.pieces) {
        w.str(pc.literal);
        w.i64(pc.group);
      }
      w.b(r.identity);
      w.b(r.spansKnown);
      w.u64(r.spans.size());
      for (const Span& sp : r.spans) {
        w.i64(sp.group);
        w.b(sp.beginFromEnd);
        w.b(sp.endFromEnd);
        w.i64(sp.begin);
        w.i64(sp.end);
      }
    }
    w.i64(p.dfa);
  }
  w.u64(m.dfas.size());
  static_assert(std::endian::native == std::endian::little, "DFA tables are stored raw");
  for (const Dfa& d : m.dfas) {  // tables as raw little-endian 16-bit words: read with memcpy
    w.i64(d.start);
    w.str(std::string_view(reinterpret_cast<const char*>(d.next.data()), d.next.size() * 2));
    w.str(std::string_view(reinterpret_cast<const char*>(d.accept.data()), d.accept.size() * 2));
  }
  w.ints(m.planOfModel);
  w.u64(m.vpMayPark.size());
  for (uint8_t v : m.vpMayPark) w.b(v);
  writeContext(w, m.global);
  w.u64(m.pools.size());
  for (const auto& c : m.pools) writeContext(w, c);
  w.u64(m.users.size());
  for (const auto& c : m.users) writeContext(w, c);
  w.b(m.policyFolded);
  w.u64(m.settingsDecls.size());
  for (const SettingsDecl& d : m.settingsDecls) {
    w.b(d.pickupTimeoutSeconds.has_value());
    if (d.pickupTimeoutSeconds) w.i64(*d.pickupTimeoutSeconds);
    w.b(d.maxPickupAttempts.has_value());
    if (d.maxPickupAttempts) w.i64(*d.maxPickupAttempts);
    w.b(d.musicOnHold.has_value());
    if (d.musicOnHold) w.b(*d.musicOnHold);
    w.b(d.onTimeout.has_value());
    if (d.onTimeout) w.str(*d.onTimeout);
    w.b(d.musicFile.has_value());
    if (d.musicFile) w.str(*d.musicFile);
  }
  writeSettings(w, m.globalSettings);
  w.u64(m.poolSettings.size());
  for (const auto& s : m.poolSettings) writeSettings(w, s);
  w.b(m.settingsFolded);
  w.u64(m.entries.size());
  for (const Entry& e : m.entries) {
    w.u64(static_cast<uint64_t>(e.action));
    w.str(e.name);
    w.i64(e.pool);
    w.i64(e.target);
    w.b(e.numeric);
    w.u64(static_cast<uint8_t>(e.prefix));
    w.i64(e.digits);
    w.u64(e.lo);
    w.u64(e.hi);
    w.str(e.exact);
    w.u64(e.poolBase);
  }
  w.ints(m.exact);
  w.u64(m.keys.size());
  for (const KeyGroup& g : m.keys) {
    w.u64(static_cast<uint8_t>(g.prefix));
    w.i64(g.digits);
    w.u64(g.intervals.size());
    for (const Interval& iv : g.intervals) {
      w.u64(iv.lo);
      w.u64(iv.hi);
      w.i64(iv.entry);
    }
    w.u64(g.nodes.size());
    for (const Node& n : g.nodes) {
      w.u64(n.kind);
      w.i64(n.interval);
      w.i64(n.left);
      w.i64(n.right);
      w.u64(n.base);
      w.u64(n.table.size());
      for (int32_t t : n.table) w.i64(t);
    }
    w.i64(g.root);
  }
  w.b(m.orbitsLowered);
  w.ints(std::vector<int>(m.planRow.begin(), m.planRow.end()));
  w.u64(m.rows.size());
  for (const auto& row : m.rows) {
    w.u64(row.size());
    for (int16_t v : row) w.i64(v);
  }
  w.strs(m.passesRun);
  return w.out;
}

std::optional<Module> readBinary(std::string_view bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  Reader r{bytes.substr(sizeof kMagic)};
  Module m;
  m.poolNames = r.strs();
  m.rangeNames = r.strs();
  m.userNames = r.strs();
  m.voicePolicyNames = r.strs();
  m.dialPlanNames = r.strs();
  m.plans.resize(r.count());
  for (Plan& p : m.plans) {
    p.modelPlans = r.ints();
    p.name = r.str();
    p.stripPrefix = r.str();
    p.honourInternal = r.b();
    p.rules.resize(r.count());
    for (Rule& ru : p.rules) {
      ru.index = r.i32();
      ru.name = r.str();
      ru.pattern = r.str();
      ru.translation = r.str();
      ru.internal = r.b();
      ru.compiled = r.b();
      ru.error = r.str();
      ru.re2 = r.str();
      ru.pieces.resize(r.count());
      for (Piece& pc : ru.pieces) {
        pc.literal = r.str();
        pc.group = r.i32();
      }
      ru.identity = r.b();
      ru.spansKnown = r.b();
      ru.spans.resize(r.count());
      for (Span& sp : ru.spans) {
        sp.group = r.i32();
        sp.beginFromEnd = r.b();
        sp.endFromEnd = r.b();
        sp.begin = r.i32();
        sp.end = r.i32();
      }
    }
    p.dfa = r.i32();
  }
  m.dfas.resize(r.count());
  for (Dfa& d : m.dfas) {
    d.start = r.i32();
    std::string_view next = r.view(), accept = r.view();
    if (next.size() % 2 || accept.size() % 2) r.ok = false;
    d.next.resize(next.size() / 2);
    std::memcpy(d.next.data(), next.data(), d.next.size() * 2);
    d.accept.resize(accept.size() / 2);
    std::memcpy(d.accept.data(), accept.data(), d.accept.size() * 2);
  }
  m.planOfModel = r.ints();
  m.vpMayPark.resize(r.count());
  for (auto& v : m.vpMayPark) v = r.b();
  m.global = readContext(r);
  m.pools.resize(r.count());
  for (auto& c : m.pools) c = readContext(r);
  m.users.resize(r.count());
  for (auto& c : m.users) c = readContext(r);
  m.policyFolded = r.b();
  m.settingsDecls.resize(r.count());
  for (SettingsDecl& d : m.settingsDecls) {
    if (r.b()) d.pickupTimeoutSeconds = r.i64();
    if (r.b()) d.maxPickupAttempts = r.i64();
    if (r.b()) d.musicOnHold = r.b();
    if (r.b()) d.onTimeout = r.str();
    if (r.b()) d.musicFile = r.str();
  }
  m.globalSettings = readSettings(r);
  m.poolSettings.resize(r.count());
  for (auto& s : m.poolSettings) s = readSettings(r);
  m.settingsFolded = r.b();
  m.entries.resize(r.count());
  for (Entry& e : m.entries) {
    uint64_t a = r.u64();
    if (a > 3) r.ok = false;
    e.action = static_cast<Action>(a);
    e.name = r.str();
    e.pool = r.i32();
    e.target = r.i32();
    e.numeric = r.b();
    e.prefix = static_cast<char>(r.u64());
    e.digits = r.i32();
    e.lo = r.u64();
    e.hi = r.u64();
    e.exact = r.str();
    e.poolBase = r.u64();
  }
  m.exact = r.ints();
  m.keys.resize(r.count());
  for (KeyGroup& g : m.keys) {
    g.prefix = static_cast<char>(r.u64());
    g.digits = r.i32();
    g.intervals.resize(r.count());
    for (Interval& iv : g.intervals) {
      iv.lo = r.u64();
      iv.hi = r.u64();
      iv.entry = r.i32();
    }
    g.nodes.resize(r.count());
    for (Node& n : g.nodes) {
      uint64_t k = r.u64();
      if (k > 2) r.ok = false;
      n.kind = static_cast<Node::Kind>(k);
      n.interval = r.i32();
      n.left = r.i32();
      n.right = r.i32();
      n.base = r.u64();
      n.table.resize(r.count());
      for (auto& t : n.table) t = r.i32();
    }
    g.root = r.i32();
    if (g.root < kNone || g.root >= static_cast<int>(g.nodes.size())) r.ok = false;
    for (const Node& n : g.nodes)
      if (n.left < kNone || n.left >= static_cast<int>(g.nodes.size()) || n.right < kNone ||
          n.right >= static_cast<int>(g.nodes.size()))
        r.ok = false;
  }
  m.orbitsLowered = r.b();
  auto rowsOf = r.ints();
  m.planRow.assign(rowsOf.begin(), rowsOf.end());
  m.rows.resize(r.count());
  for (auto& row : m.rows) {
    row.resize(r.count());
    for (auto& v : row) v = static_cast<int16_t>(r.i64());
  }
  m.passesRun = r.strs();
  if (!r.ok || !r.in.empty()) return std::nullopt;
  if (!verify(m, false).empty()) return std::nullopt;
  return m;
}

}  // namespace callpark::dispatch::ir
