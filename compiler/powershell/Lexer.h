// A PowerShell tokenizer for the subset that Lync / Skype for Business configuration scripts
// use, producing a tree of statements (compiler/powershell/Importer.cpp interprets it).
//
// What it understands, as PowerShell does:
//  - single-quoted strings: literal, `''` is one quote;
//  - double-quoted strings: `""` and backtick escapes (`` `n `t `0 `$ `" `` ...), and variable
//    expansion: `$name`, `${name}`, `$1` and `$(...)`. Each expansion is kept as a Part so the
//    importer can tell a `$1` that PowerShell expands to nothing (the capture reference the
//    administrator meant for the regex engine) from a variable the script set;
//  - here-strings `@'...'@` and `@"..."@`;
//  - comments `# ...` (only at the start of a token) and `<# ... #>`;
//  - backtick line continuation (a backtick as the last character of a line), newlines and `;`
//    as statement ends, except inside `( )`, `@( )`, `$( )`, `[ ]` and `@{ }`;
//  - parameters `-Name` and `-Name:value`, variables, barewords (argument-mode strings such
//    as `site:Redmond` or `*1000`), operators `= += | , .` and the groups above plus `{ }`.
// What it does not: splatting (`@params` is reported by the importer), type literals beyond
// skipping `[...]`, expression-mode arithmetic. Unterminated strings and groups are reported.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/support/Source.h"

namespace callpark::powershell {

struct Part {  // one piece of a double-quoted string
  enum Kind { Text, Variable, SubExpression } kind = Text;
  std::string text;  // the literal text, or the variable name (without `$`)
  SourceRange range;
};

struct Elem {
  enum Kind {
    Word,          // bareword / command name / number
    Parameter,     // -Name (text = "Name"); `-Name:value` puts the value in children[0]
    SingleQuoted,  // text = the value
    DoubleQuoted,  // text = the raw source between the quotes; parts = its expansion
    Variable,      // text = name without `$` (`true`, `1`, `NR`, `env:x`)
    Operator,      // = += | , . > 2> etc.
    Splat,         // @name
    Paren,         // ( ... )     children: the tokens inside (flat, no statements)
    SubExpr,       // $( ... )
    ArrayExpr,     // @( ... )
    Hash,          // @{ ... }
    Block,         // { ... }     statements: the statements inside
    Bracket,       // [ ... ]     type literal or index, skipped by the importer
  } kind = Word;
  std::string text;
  SourceRange range;
  std::vector<Part> parts;
  std::vector<Elem> children;
  std::vector<std::vector<Elem>> statements;  // Block only
};

using Statement = std::vector<Elem>;

// Tokenizes a whole script into statements. Problems (unterminated strings, unbalanced
// brackets) are CP950 diagnostics; what could be read is still returned.
std::vector<Statement> tokenizeScript(const SourceManager& sm, FileId file,
                                      DiagnosticEngine& diags);

}  // namespace callpark::powershell
