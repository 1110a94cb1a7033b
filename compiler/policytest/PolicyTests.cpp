#include "compiler/policytest/PolicyTests.h"

#include "compiler/analysis/Route.h"

namespace callpark::policytest {
namespace {

std::string dq(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// The scope in `parkc explain --dialplan` spelling.
std::string cliScope(const model::Model& m, const model::ScopeRef& s) {
  std::string t;
  switch (s.kind) {
    case ast::Scope::Global:
      return "global";
    case ast::Scope::Site:
      t = "site:" + m.sites[s.index].name;
      break;
    case ast::Scope::Pool:
      t = "pool:" + m.pools[s.index].fqdn;
      break;
    case ast::Scope::Tag:
      t = "tag:" + s.tag;
      break;
  }
  return t.find(' ') == std::string::npos ? t : "'" + t + "'";
}

SourceRange planRange(const model::DialPlan& p) {
  if (!p.decl) return {};
  return p.decl->scope.range.valid() ? p.decl->scope.range : p.decl->range;
}

SourceRange ruleRange(const model::NormRule& r) {
  if (!r.decl) return {};
  return r.decl->name.range.valid() ? r.decl->name.range : r.decl->range;
}

class Runner {
 public:
  Runner(const model::Model& m, DiagnosticEngine& diags) : m_(m), diags_(diags), router_(m) {}

  // Returns 1 passed, 0 failed, -1 not evaluated.
  int run(const ast::TestDecl& t, const ast::Expectation& e) {
    return e.kind == ast::Expectation::Park ? park(t, e) : dial(t, e);
  }

 private:
  const model::Model& m_;
  DiagnosticEngine& diags_;
  analysis::Router router_;

  int dial(const ast::TestDecl& t, const ast::Expectation& e) {
    if (!e.number) return -1;
    const std::string& number = e.number->value;
    int plan = model::kNone, user = model::kNone;
    std::string caller, explainArg;
    analysis::PlanChoice choice;
    if (e.asUser) {
      user = m_.findUser(e.asUser->value);
      if (user == model::kNone) return -1;  // CP910
      choice = analysis::choosePlan(m_, user);
      plan = choice.plan;
      caller = "as " + dq(e.asUser->value);
      explainArg = "--as " + e.asUser->value;
    } else if (e.withDialPlan) {
      std::optional<model::ScopeRef> ref = analysis::resolveScope(m_, *e.withDialPlan);
      if (!ref) return -1;  // CP911
      plan = m_.findDialPlan(*ref);
      if (plan == model::kNone) return -1;  // CP911
      caller = "with dialplan " + model::describeScope(*ref, m_);
      explainArg = "--dialplan " + cliScope(m_, *ref);
    } else {
      return -1;
    }

    // What the expectation names.
    int wantOrbit = model::kNone, wantPool = model::kNone;
    std::string expected;
    const std::string want = e.resultName ? e.resultName->value : std::string();
    switch (e.result) {
      case ast::Expectation::Orbit: {
        auto it = m_.orbitByName.find(want);
        if (it == m_.orbitByName.end()) return -1;  // CP912
        wantOrbit = it->second;
        expected = "orbit " + dq(want);
        break;
      }
      case ast::Expectation::ParkPool:
        wantPool = m_.findPool(want);
        if (wantPool == model::kNone) return -1;  // CP913
        expected = "park pool " + dq(want);
        break;
      case ast::Expectation::Number:
        expected = dq(want) + (e.internal ? " internal" : "");
        break;
      case ast::Expectation::NotOurs:
        expected = "not ours";
        break;
      default:
        return -1;
    }

    analysis::Routed r = router_.route(plan, number);
    const analysis::Destination& d = r.destination;
    const std::string& result = r.normalized.result;
    bool ok = false;
    switch (e.result) {
      case ast::Expectation::Orbit:
        ok = d.kind == analysis::Destination::Orbit && d.index == wantOrbit;
        break;
      case ast::Expectation::ParkPool:
        ok = d.kind == analysis::Destination::ParkAccess && d.pool == wantPool;
        break;
      case ast::Expectation::Number:
        ok = result == want && (!e.internal || r.normalized.internal);
        break;
      case ast::Expectation::NotOurs:
        ok = d.kind == analysis::Destination::NotOurs;
        break;
      default:
        break;
    }
    if (ok) return 1;

    std::string actual;
    if (e.result == ast::Expectation::Number) {
      actual = dq(result) + (r.normalized.internal ? " internal" : "");
      if (result == want && e.internal)
        actual += " without the internal flag" +
                  std::string(plan != model::kNone && !m_.dialPlans[plan].optimizeDeviceDialing
                                  ? " (the plan does not optimize device dialing)"
                                  : "");
    } else if (d.kind == analysis::Destination::NotOurs) {
      actual = dq(result) + ", which is not ours";
    } else {
      actual = analysis::describeDestination(m_, d, result);
    }
    Diagnostic& diag = diags_.report(kDialFailed, Severity::Error, e.range,
                                     "test " + dq(t.name.value) + ": dial " + dq(number) + " " +
                                         caller + ": expected " + expected + ", got " + actual);

    if (plan == model::kNone) {
      diag.note({}, "no dial plan applies (" + choice.why + "), so the number is used as dialed");
    } else {
      const model::DialPlan& p = m_.dialPlans[plan];
      std::string planName = "dialplan " + model::describeScope(p.scope, m_);
      std::string applies = e.asUser ? planName + " applies: " + choice.why : std::string();
      int rule = r.normalized.rule;
      std::string_view input = router_.compiled(plan).stripPrefix(number);
      std::string stripped =
          input.size() != number.size()
              ? " (after removing the external access prefix " + dq(p.externalAccessPrefix) + ")"
              : "";
      if (rule >= 0) {
        if (!applies.empty()) diag.note(planRange(p), applies);
        const model::NormRule& nr = p.rules[rule];
        diag.note(ruleRange(nr),
                  "rule " + dq(nr.name) + " (priority " + std::to_string(nr.priority) + ") of " +
                      planName + " is the first to match " + dq(input) + stripped + "; it gives " +
                      dq(result) + (r.normalized.internal ? ", an internal extension" : ""));
      } else {
        diag.note(planRange(p),
                  (applies.empty() ? "no rule of " + planName : applies + "; none of its rules") +
                      " matches " + dq(input) + stripped + ", so the number is used as dialed");
        applies.clear();
      }
    }
    if (d.kind == analysis::Destination::Orbit) {
      const model::OrbitRange& o = m_.orbits[d.index];
      if (o.decl)
        diag.note(o.decl->numbers ? o.decl->numbers->range : o.decl->range,
                  dq(result) + " is in orbit range " + dq(o.name));
    } else if (d.kind == analysis::Destination::ParkAccess) {
      const model::ParkAccess& pa = m_.parkAccess[d.index];
      if (pa.decl) diag.note(pa.decl->number.range, dq(result) + " is a park access number");
    }
    diag.suggest("`parkc explain " + number + " " + explainArg +
                 "` shows every rule tried and where the number goes");
    return 0;
  }

  int park(const ast::TestDecl& t, const ast::Expectation& e) {
    if (!e.asUser) return -1;
    int user = m_.findUser(e.asUser->value);
    if (user == model::kNone) return -1;  // CP910
    bool wantAllowed = e.result == ast::Expectation::Allowed;
    if (!wantAllowed && e.result != ast::Expectation::Denied) return -1;
    analysis::PolicyChoice c = analysis::choosePolicy(m_, user);
    if (c.mayPark == wantAllowed) return 1;
    Diagnostic& diag = diags_.report(
        kParkFailed, Severity::Error, e.range,
        "test " + dq(t.name.value) + ": park as " + dq(e.asUser->value) + ": expected " +
            (wantAllowed ? "allowed" : "denied") + ", got " + (c.mayPark ? "allowed" : "denied"));
    SourceRange at;
    if (c.policy != model::kNone && m_.voicePolicies[c.policy].decl) {
      const ast::VoicePolicyDecl* vd = m_.voicePolicies[c.policy].decl;
      at = vd->callPark              ? vd->callPark->range
           : vd->scope.range.valid() ? vd->scope.range
                                     : vd->range;
    }
    diag.note(at, c.why);
    diag.suggest(wantAllowed ? "assign " + e.asUser->value +
                                   " a voice policy with `call_park on`, or enable call park in "
                                   "the policy that governs them"
                             : "give " + e.asUser->value +
                                   " a voice policy with `call_park off`, or correct the "
                                   "expectation");
    return 0;
  }
};

}  // namespace

int RunResult::passed() const {
  int n = 0;
  for (const TestOutcome& t : tests) n += t.passed();
  return n;
}

int RunResult::failed() const {
  return static_cast<int>(tests.size()) - passed();
}

RunResult runTests(const model::Model& m, DiagnosticEngine& diags) {
  RunResult out;
  if (!m.ast) return out;
  Runner runner(m, diags);
  for (const ast::TestDecl& t : m.ast->tests) {
    TestOutcome o;
    o.name = t.name.value;
    o.range = t.name.range.valid() ? t.name.range : t.range;
    for (const ast::Expectation& e : t.expectations) {
      ++o.expectations;
      int v = runner.run(t, e);
      if (v == 0) ++o.failed;
      if (v < 0) ++o.unresolved;
    }
    out.tests.push_back(std::move(o));
  }
  return out;
}

}  // namespace callpark::policytest
