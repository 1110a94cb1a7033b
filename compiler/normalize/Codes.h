// The diagnostic codes of the normalization engine (CP7xx), documented for the rule catalogue
// (rules/catalog) and `parkc explain <code>`. compiler/normalize/README.md shows the same table.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"

namespace callpark::normalize {

struct CodeDoc {
  const char* code;      // "CP701"
  const char* name;      // "unsupported-regex-construct"
  Severity severity;
  const char* summary;   // one line
  const char* why;       // why it matters
  const char* example;   // a failing example (.park)
  const char* fix;       // how to fix it
};

// CP701..CP704, in code order.
const std::vector<CodeDoc>& codeCatalog();

}  // namespace callpark::normalize
