// parkc explain: how one dialed number is handled, step by step (compiler/analysis/Route.h).
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

#include "compiler/analysis/Route.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"
#include "compiler/support/Strings.h"

namespace callpark::driver {

extern const char* const kExplainUsage =
    "usage: parkc explain [options] NUMBER (--as SIP-URI | --dialplan SCOPE) [PATH...]\n"
    "\n"
    "Explains how the policy at PATH (default: the current directory) handles NUMBER dialed by a\n"
    "user or through a dial plan: which dial plan applies and why, every rule of the plan tried\n"
    "in order (match, no match, or also matching but shadowed by an earlier rule) with its\n"
    "translation, and the decision: a park request (park access number), a retrieve or group\n"
    "pickup (an orbit of which range and pool), or not ours. Source locations throughout.\n"
    "\n"
    "options:\n"
    "  --as SIP-URI            the caller; the dial plan that applies to them is used\n"
    "  --dialplan SCOPE        a dial plan by scope: global, site:NAME, pool:FQDN, tag:NAME\n"
    "                          (or just NAME for a per-user tag)\n"
    "  --format FMT            text (default) or json\n"
    "  --no-config             ignore parkc.json\n"
    "\n"
    "exit status: 0 explained, 1 the policy cannot be read (syntax errors), 2 usage (unknown\n"
    "user or scope, bad arguments) or the tool could not run\n";

namespace {

// Whether parsing failed (CP1xx errors): then the model is missing or unreliable.
bool syntaxErrors(const Compilation& c) {
  for (const Diagnostic& d : c.diags.diagnostics())
    if (d.severity == Severity::Error && d.code.rfind("CP1", 0) == 0) return true;
  return false;
}

std::string dq(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

std::string where(const SourceManager& sm, const SourceRange& r) {
  if (!r.valid()) return "";
  return sm.path(r.file) + ":" + std::to_string(r.line) + ":" + std::to_string(r.col);
}

nlohmann::json jsonRange(const SourceManager& sm, const SourceRange& r) {
  if (!r.valid()) return nullptr;
  return {{"file", sm.path(r.file)},
          {"line", r.line},
          {"column", r.col},
          {"endLine", r.endLine},
          {"endColumn", r.endCol}};
}

SourceRange ruleAt(const model::NormRule& r) {
  if (!r.decl) return {};
  return r.decl->name.range.valid() ? r.decl->name.range : r.decl->range;
}

SourceRange planAt(const model::DialPlan& p) {
  if (!p.decl) return {};
  return p.decl->scope.range.valid() ? p.decl->scope.range : p.decl->range;
}

}  // namespace

int runExplain(const std::vector<std::string>& args) {
  const Command& self = *findCommand("explain");
  std::string number, asUser, scope;
  bool haveAs = false, haveScope = false;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& dst, bool& seen) {
      if (a.rfind(flag + "=", 0) == 0) {
        dst = a.substr(flag.size() + 1);
      } else if (a == flag && i + 1 < args.size()) {
        dst = args[++i];
      } else {
        return a == flag ? -1 : 0;
      }
      seen = true;
      return 1;
    };
    int r = value("--as", asUser, haveAs);
    if (r == 0) r = value("--dialplan", scope, haveScope);
    if (r < 0) return usageError(self, a + " needs a value");
    if (r > 0) continue;
    if (number.empty() && !a.empty() && a[0] != '-') {
      number = a;
      continue;
    }
    rest.push_back(a);
  }
  if (number.empty()) return usageError(self, "give the NUMBER to explain");
  if (haveAs == haveScope) return usageError(self, "give exactly one of --as and --dialplan");
  bool hasPath = false;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--format")
      ++i;  // its value is not a path
    else if (rest[i][0] != '-')
      hasPath = true;
  }
  if (!hasPath) rest.push_back(".");
  CommonOptions opts;
  if (auto err = parseCommonOptions(rest, opts)) return usageError(self, *err);
  if (opts.format != render::Format::Text && opts.format != render::Format::Json)
    return usageError(self, "--format is text or json");
  opts.compile.stopAfter = "model";
  opts.compile.runPolicyTests = false;
  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc explain: " << c.toolError << "\n";
    return 2;
  }
  if (syntaxErrors(c) || !c.model) {
    std::cerr << render::renderText(c.diags.diagnostics(), c.sm, renderOptions(false))
              << "parkc explain: the policy has syntax errors; fix them first\n";
    return 1;
  }
  const model::Model& m = *c.model;

  // The caller and the plan.
  int user = model::kNone, plan = model::kNone;
  std::string why;
  if (haveAs) {
    user = m.findUser(asUser);
    if (user == model::kNone) {
      std::vector<std::string> sips;
      for (const model::User& u : m.users) sips.push_back(u.sip);
      std::string best = closestMatch(asUser, sips);
      std::cerr << "parkc explain: " << asUser << " is not a user of the policy"
                << (best.empty() ? "" : "; did you mean " + best + "?") << "\n";
      return 2;
    }
    analysis::PlanChoice pc = analysis::choosePlan(m, user);
    plan = pc.plan;
    why = pc.why;
  } else {
    std::string err;
    std::optional<model::ScopeRef> ref = analysis::parseScope(m, scope, &err);
    if (!ref) {
      std::cerr << "parkc explain: " << err << "\n";
      return 2;
    }
    plan = m.findDialPlan(*ref);
    if (plan == model::kNone) {
      std::cerr << "parkc explain: no dial plan is declared for " << model::describeScope(*ref, m)
                << "\n";
      return 2;
    }
    why = "named with --dialplan";
  }

  analysis::Router router(m);
  analysis::Routed r = router.route(plan, number, /*withTrace=*/true);
  const analysis::Destination& d = r.destination;
  const std::string& result = r.normalized.result;
  std::optional<analysis::PolicyChoice> policy;
  if (user != model::kNone) policy = analysis::choosePolicy(m, user);

  // The decision, in words.
  std::string action, decision;
  SourceRange decisionAt;
  switch (d.kind) {
    case analysis::Destination::ParkAccess: {
      const model::ParkAccess& pa = m.parkAccess[d.index];
      action = "park";
      decision = "a park request on pool " + dq(m.pools[d.pool].fqdn) + ": " + result +
                 " is a park access number";
      if (pa.decl) decisionAt = pa.decl->number.range;
      break;
    }
    case analysis::Destination::Orbit: {
      const model::OrbitRange& o = m.orbits[d.index];
      bool pickup = o.type == model::OrbitType::GroupPickup;
      action = pickup ? "group pickup" : "retrieve";
      decision = std::string(pickup ? "a group pickup" : "a retrieve") + " of orbit " + result +
                 " of range " + dq(o.name) + " (" + o.start.text + ".." + o.end.text +
                 ") on pool " + (d.pool != model::kNone ? dq(m.pools[d.pool].fqdn) : "?");
      if (o.decl) decisionAt = o.decl->numbers ? o.decl->numbers->range : o.decl->range;
      break;
    }
    case analysis::Destination::NotOurs:
      action = "none";
      decision = "not ours: " + dq(result) +
                 " is neither an orbit nor a park access number, so the call is routed as usual";
      break;
  }
  std::string policyLine;
  if (policy && d.kind != analysis::Destination::NotOurs &&
      !(d.kind == analysis::Destination::Orbit &&
        m.orbits[d.index].type == model::OrbitType::GroupPickup))
    policyLine = asUser + (policy->mayPark ? " may " : " may not ") +
                 (d.kind == analysis::Destination::ParkAccess ? "park" : "retrieve parked calls") +
                 ": " + policy->why;

  if (opts.format == render::Format::Json) {
    nlohmann::json j;
    j["dialed"] = number;
    if (user != model::kNone) {
      const model::User& u = m.users[user];
      j["caller"] = {{"user", u.sip},
                     {"pool", u.pool != model::kNone ? nlohmann::json(m.pools[u.pool].fqdn)
                                                     : nlohmann::json(nullptr)}};
    } else {
      j["caller"] = nullptr;
    }
    if (plan != model::kNone) {
      const model::DialPlan& p = m.dialPlans[plan];
      j["dialplan"] = {{"scope", model::describeScope(p.scope, m)},
                       {"why", why},
                       {"range", jsonRange(c.sm, planAt(p))},
                       {"externalAccessPrefix", p.externalAccessPrefix},
                       {"optimizeDeviceDialing", p.optimizeDeviceDialing}};
    } else {
      j["dialplan"] = nullptr;
      j["why"] = why;
    }
    j["input"] = r.trace ? r.trace->input : number;
    j["prefixStripped"] = r.trace && r.trace->prefixStripped;
    nlohmann::json rules = nlohmann::json::array();
    if (r.trace) {
      const model::DialPlan& p = m.dialPlans[plan];
      const normalize::CompiledDialPlan& cp = router.compiled(plan);
      for (const normalize::TraceStep& s : r.trace->steps) {
        const model::NormRule& nr = p.rules[s.rule];
        nlohmann::json jr = {{"position", s.rule + 1},
                             {"name", nr.name},
                             {"priority", nr.priority},
                             {"pattern", nr.pattern},
                             {"translation", nr.translation},
                             {"internalExtension", nr.internalExtension},
                             {"state", normalize::traceStateName(s.state)},
                             {"range", jsonRange(c.sm, ruleAt(nr))}};
        if (s.state == normalize::TraceStep::Matched || s.state == normalize::TraceStep::Shadowed)
          jr["result"] = s.result;
        if (const normalize::TextError* e = cp.ruleError(s.rule))
          jr["error"] = e->code + ": " + e->message;
        rules.push_back(std::move(jr));
      }
    }
    j["rules"] = std::move(rules);
    j["result"] = {{"number", result},
                   {"rule", r.normalized.rule >= 0
                                ? nlohmann::json(m.dialPlans[plan].rules[r.normalized.rule].name)
                                : nlohmann::json(nullptr)},
                   {"internal", r.normalized.internal}};
    nlohmann::json dj = {{"kind", analysis::destinationKindName(d.kind)},
                         {"action", action},
                         {"text", decision},
                         {"range", jsonRange(c.sm, decisionAt)}};
    if (d.kind == analysis::Destination::Orbit) dj["orbitRange"] = m.orbits[d.index].name;
    if (d.pool != model::kNone) dj["pool"] = m.pools[d.pool].fqdn;
    if (!policyLine.empty()) {
      dj["callerMayPark"] = policy->mayPark;
      dj["policy"] = policy->why;
    }
    j["decision"] = std::move(dj);
    std::cout << j.dump(2) << "\n";
    return 0;
  }

  std::ostringstream out;
  out << "dialed " << number;
  if (user != model::kNone) out << " as " << m.users[user].sip;
  out << "\n";
  if (plan == model::kNone) {
    out << "dial plan: none (" << why << "): the number is used as dialed\n";
  } else {
    const model::DialPlan& p = m.dialPlans[plan];
    std::string at = where(c.sm, planAt(p));
    out << "dial plan: " << model::describeScope(p.scope, m) << (at.empty() ? "" : "  " + at)
        << "\n";
    out << "  why: " << why << "\n";
    if (r.trace->prefixStripped)
      out << "external access prefix " << dq(p.externalAccessPrefix)
          << " removed (optimize_device_dialing on): the rules see " << r.trace->input << "\n";
    else if (!p.externalAccessPrefix.empty() && !p.optimizeDeviceDialing)
      out << "external access prefix " << dq(p.externalAccessPrefix)
          << " not removed: the plan does not optimize device dialing\n";
    out << "rules, in order (priority, then declaration):\n";
    const normalize::CompiledDialPlan& cp = router.compiled(plan);
    for (const normalize::TraceStep& s : r.trace->steps) {
      const model::NormRule& nr = p.rules[s.rule];
      out << "  " << s.rule + 1 << ". " << dq(nr.name) << " priority " << nr.priority << "  '"
          << nr.pattern << "' -> '" << nr.translation << "'";
      if (nr.internalExtension) out << " internal_extension";
      std::string at2 = where(c.sm, ruleAt(nr));
      out << (at2.empty() ? "" : "  " + at2);
      switch (s.state) {
        case normalize::TraceStep::Matched:
          out << "\n     match: " << dq(s.result) << (r.normalized.internal ? " internal" : "")
              << "  <- the first match wins";
          break;
        case normalize::TraceStep::Shadowed:
          out << "\n     matches too (would give " << dq(s.result) << "), but an earlier rule won";
          break;
        case normalize::TraceStep::NoMatch:
          out << "\n     no match";
          break;
        case normalize::TraceStep::NotCompiled: {
          const normalize::TextError* e = cp.ruleError(s.rule);
          out << "\n     skipped: " << (e ? e->code + " " + e->message : std::string("error"));
          break;
        }
      }
      out << "\n";
    }
    if (p.rules.empty()) out << "  (the plan has no rules)\n";
  }
  out << "result: " << result;
  if (r.normalized.rule >= 0)
    out << " (rule " << dq(m.dialPlans[plan].rules[r.normalized.rule].name)
        << (r.normalized.internal ? ", internal extension" : "") << ")";
  else if (plan != model::kNone)
    out << " (no rule matched: used as dialed)";
  out << "\n";
  std::string at3 = where(c.sm, decisionAt);
  out << "decision: " << decision << (at3.empty() ? "" : "  " + at3) << "\n";
  if (!policyLine.empty()) out << "  " << policyLine << "\n";
  std::cout << out.str();
  return 0;
}

}  // namespace callpark::driver
