// The semantic diff between two policies (`parkc diff`).
//
// diffPolicies() compares two resolved models and lists what changes for the people who use
// the phones, not which lines moved:
//  - orbit ranges added, removed, renamed, resized (grown or shrunk), moved to another pool,
//    retyped; park access numbers added, removed, moved;
//  - numbers whose dispatch changes: every orbit and park access number of either policy is
//    normalized by every dial plan of either policy (old plan vs new plan for that scope) and
//    classified (analysis::NumberIndex) on each side. Numbers that are newly rewritten by a rule,
//    no longer an orbit, moved to another pool, or newly reach an orbit are computed exactly,
//    number by number, and reported aggregated: one change per (old destination, new
//    destination, cause) with the count, the dial plans concerned and a witness number;
//  - park settings per scope (global, site, pool), with the old and new effective values at
//    that scope and the pools that inherit the change;
//  - voice policies whose call park flag flipped, with how many users gain or lose call park,
//    and users whose call park changes through their own assignment;
//  - dial plans added or removed, their prefix / device-dialing changes, rules added, removed,
//    changed and reordered.
// Each change says whether it is breaking (a number that reached a parked call, a group pickup
// or a park access number no longer does; an orbit range shrinks or disappears; users lose call
// park) and which administrative roles of spec §8 may approve it.
//
// Thread safety: pure function of its inputs. The report does not refer to the models.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/model/Model.h"

namespace callpark::diff {

struct Change {
  std::string section;  // "orbits", "park_access", "numbers", "settings", "voice_policies",
                        // "users", "dialplans", "topology"
  std::string kind;     // "added", "removed", "resized", "moved", "rewritten", "flipped", ...
  std::string subject;  // what changed, e.g. `orbit "Dublin CPO 1"`
  std::string message;  // one sentence for people
  bool breaking = false;
  std::string reason;              // why it is breaking (empty when it is not)
  std::vector<std::string> roles;  // who may approve it (spec §8)
  std::string location;            // "file:line" of the declaration (new side, else old)
  nlohmann::json details = nlohmann::json::object();  // machine-readable facts
};

struct PolicySide {
  const model::Model* model = nullptr;
  const SourceManager* sm = nullptr;
  std::string label;       // "old" / "new" / "origin/main"
  std::string pathPrefix;  // stripped from file paths in locations ("" for none)
  size_t errors = 0;       // diagnostics at error level when it was compiled
};

struct DiffReport {
  std::string oldLabel, newLabel;
  size_t oldErrors = 0, newErrors = 0;
  std::vector<Change> changes;
  size_t breaking() const;
};

DiffReport diffPolicies(const PolicySide& oldSide, const PolicySide& newSide);

// The roles of spec §8.
const std::vector<std::string>& rolesForConfiguration();  // orbits, settings, music, rules
const std::vector<std::string>& rolesForVoicePolicies();  // voice policies, user assignments

std::string renderText(const DiffReport& r);
std::string renderMarkdown(const DiffReport& r);
std::string renderJson(const DiffReport& r);

}  // namespace callpark::diff
