// @allow(CODE, "reason"): suppressing one code on one declaration.
//
// The order with DiagnosticEngine (the driver's pipeline):
//
//   AllowSet allows = applyAnnotations(ast, diags);   // before or after the rules run
//   ... every phase reports ...
//   finishWithAnnotations(diags, allows);             // instead of diags.finish()
//
// applyAnnotations registers every well-formed @allow as a suppression whose scope is its
// declaration's range (a dial plan rule's own range for an @allow on a rule), so diagnostics
// of that code whose primary range lies inside the declaration are dropped by finish(). An
// @allow without a reason (or with an empty one) is CP901 and suppresses nothing: the reason
// is mandatory. An @allow naming no known code is CP903 (rule names are accepted too and
// mean their code).
//
// finishWithAnnotations runs finish(), reports CP902 (warning) for each registered @allow that
// suppressed nothing, then finish()es again so the new warnings are sorted and configured like
// the rest. Call it only when every phase ran (not after --stop-after), or CP902 would blame
// @allows whose code simply had no chance to be reported.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"

namespace callpark::rules {

struct AllowSet {
  struct Entry {
    size_t suppression;    // id from DiagnosticEngine::addSuppression
    std::string code;      // canonical code ("CP502")
    SourceRange range;     // the annotation
    std::string declName;  // `orbit "Legacy"`, for the CP902 message
  };
  std::vector<Entry> entries;
};

AllowSet applyAnnotations(const ast::PolicyAst& ast, DiagnosticEngine& diags);
// Reports CP902 for unused @allows; `diags` must be finished.
void reportUnusedAllows(const AllowSet& allows, DiagnosticEngine& diags);
// finish(), reportUnusedAllows(), finish().
const std::vector<Diagnostic>& finishWithAnnotations(DiagnosticEngine& diags,
                                                     const AllowSet& allows);

}  // namespace callpark::rules
