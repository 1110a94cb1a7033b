#include "compiler/ast/Ast.h"

namespace callpark::ast {

const char* scopeKindName(Scope::Kind k) {
  switch (k) {
    case Scope::Global:
      return "global";
    case Scope::Site:
      return "site";
    case Scope::Pool:
      return "pool";
    case Scope::Tag:
      return "tag";
  }
  return "global";
}

}  // namespace callpark::ast
