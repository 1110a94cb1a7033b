// A canonical text dump of a policy's meaning.
//
// Two policies mean the same when their dumps are equal. The dump holds every resolved fact of
// the model (sites, pools, orbit ranges, park access numbers, park settings per scope, voice
// policies, dial plans with their rules in evaluation order, users) plus the parts of the AST
// that carry meaning but are not in the model (`@allow` suppressions, rule descriptions, test
// blocks). It leaves out everything that does not: source ranges, file names, declaration order
// across files, layout and comments. Entities are sorted by their identity, so the dump does
// not depend on the order in which files were read.
//
// Used by the `parkc fmt` meaning test and the export/import round trip (which compares with
// DumpOptions{false, false}: PowerShell has no annotations or tests, and Lync priorities are
// positions).
#pragma once

#include <string>

#include "compiler/model/Model.h"

namespace callpark::diff {

struct DumpOptions {
  bool astExtras = true;   // @allow annotations, test blocks, `users from` lines
  bool priorities = true;  // rule priorities as written; false: only the evaluation order
};

std::string canonicalDump(const model::Model& m, const DumpOptions& opts = {});

}  // namespace callpark::diff
