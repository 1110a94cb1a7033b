// Where a dialed number goes, step by step (spec §5 and §6), straight from the model: which
// dial plan applies to a caller and why, how the plan normalizes the number, and what the
// result is (a park access number, an orbit of a range, or not ours).
//
// This is the reading of the spec that `parkc test` (compiler/policytest) and `parkc explain`
// share, so a test and an explanation can never disagree. It uses the normalization engine
// (normalize::CompiledDialPlan, plans compiled lazily and cached) and NumberIndex.
//
// Thread safety: a Router caches compiled plans and is not thread-safe. It refers to the model,
// which must outlive it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/analysis/Dispatch.h"
#include "compiler/model/Model.h"
#include "compiler/normalize/CompiledDialPlan.h"

namespace callpark::analysis {

// The dial plan that applies to a user, and why: the user's assigned plan, else the plan of the
// user's pool, else of the user's site, else global (Model::effectiveDialPlan). `why` is one
// sentence in the administrator's words, e.g. "sip:bob@contoso.com has no dial plan of their
// own, pool \"dublin-fe01.contoso.com\" has none, site \"Dublin\" has one".
struct PlanChoice {
  int plan = model::kNone;  // kNone: no plan applies, numbers are used as dialed
  std::string why;
};
PlanChoice choosePlan(const model::Model& m, int user);

// The voice policy that decides whether a user may park, and why (Model::effectiveVoicePolicy).
struct PolicyChoice {
  int policy = model::kNone;  // kNone: none declared, call park is off
  bool mayPark = false;
  std::string why;
};
PolicyChoice choosePolicy(const model::Model& m, int user);

// Resolves a scope as a test writes it (`site "Dublin"`); nullopt when the site or pool is
// unknown. The plan itself may still be missing (Model::findDialPlan).
std::optional<model::ScopeRef> resolveScope(const model::Model& m, const ast::Scope& s);

// Resolves a scope as given on the command line, in Lync's identity spelling: "global",
// "site:Dublin", "pool:fqdn" or "service:Registrar:fqdn", "tag:Name" or a bare tag "Name".
// nullopt with *error set when the site or pool is unknown.
std::optional<model::ScopeRef> parseScope(const model::Model& m, std::string_view text,
                                          std::string* error);

struct Routed {
  int plan = model::kNone;
  normalize::Normalized normalized;       // rule -1: no rule matched (or no plan)
  std::optional<normalize::Trace> trace;  // with route(..., withTrace = true) and a plan
  Destination destination;
};

class Router {
 public:
  explicit Router(const model::Model& m) : m_(m), index_(m) {}

  // Normalizes `dialed` with plan `plan` (kNone: no plan, used as dialed) and classifies it.
  Routed route(int plan, std::string_view dialed, bool withTrace = false);

  // The compiled plan (compiled on first use; rules that do not compile are skipped, as
  // everywhere: the normalize phase reports them).
  const normalize::CompiledDialPlan& compiled(int plan);
  const NumberIndex& index() const { return index_; }

 private:
  const model::Model& m_;
  NumberIndex index_;
  std::map<int, std::unique_ptr<normalize::CompiledDialPlan>> plans_;
};

// "orbit 7001 of range \"Dublin CPO 1\" (pool \"dublin-fe01.contoso.com\")",
// "park access number *71 of pool \"dublin-fe01.contoso.com\"", "not ours".
std::string describeDestination(const model::Model& m, const Destination& d,
                                std::string_view number);

}  // namespace callpark::analysis
