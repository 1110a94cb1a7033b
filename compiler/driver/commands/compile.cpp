// parkc compile: a checked policy -> dispatch IR -> native code, written as a bundle (or as
// the IR, the LLVM module or an object file). See compiler/dispatch/README.md.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "compiler/dispatch/bundle/Bundle.h"
#include "compiler/dispatch/ir/Ir.h"
#include "compiler/dispatch/jit/Jit.h"
#include "compiler/dispatch/passes/Passes.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"

namespace callpark::driver {

extern const char* const kCompileUsage =
    "usage: parkc compile [options] PATH... -o FILE\n"
    "\n"
    "Compiles a policy for parkd: the whole check (a policy with errors is not compiled), then\n"
    "the dispatch IR and its passes, then native code with LLVM. By default writes a bundle:\n"
    "the IR, the object code, what parkd needs of the policy, stamped with the hashes of the\n"
    "inputs and the compiler's version (parkd reuses the object code while the stamp matches).\n"
    "\n"
    "options:\n"
    "  -o FILE               where to write (required for bundle and obj)\n"
    "  --emit=KIND           bundle (default); ir: the lowered dispatch IR as text; llvm: the\n"
    "                        LLVM module as handed to the code generator; obj: an ELF object\n"
    "                        file; stamp: the stamp a bundle would carry\n"
    "                        (ir, llvm and stamp go to stdout unless -o is given)\n"
    "  --dump-after=PASS     print the IR after PASS (repeatable; `all` for every pass):\n"
    "                        lower-rules, dedup-plans, fold-policy, fold-settings,\n"
    "                        lower-orbits, orbit-transparency, plan-automata\n"
    "  -O0, -O1, -O2         LLVM optimization level (default -O2)\n"
    "  --format FMT          diagnostics as text (default), json, sarif, github\n"
    "  --werror              treat warnings as errors\n"
    "\n"
    "Diagnostics go to stderr. exit status: 0 compiled, 1 the policy has errors (nothing is\n"
    "written), 2 the tool could not run (usage, I/O, LLVM)\n";

namespace {

enum class Emit { Bundle, Ir, Llvm, Obj, Stamp };

bool writeOut(const std::string& path, const std::string& bytes) {
  if (path.empty()) {
    std::cout << bytes;
    std::cout.flush();
    return true;
  }
  std::string error;
  if (!dispatch::bundle::writeFile(path, bytes, &error)) {
    std::cerr << "parkc compile: " << error << "\n";
    return false;
  }
  return true;
}

}  // namespace

int runCompile(const std::vector<std::string>& args) {
  const Command& self = *findCommand("compile");
  std::string output;
  Emit emit = Emit::Bundle;
  int optLevel = 2;
  std::vector<std::string> dumpAfter, rest;
  std::vector<std::string> passes = dispatch::passNames();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o") {
      if (i + 1 >= args.size()) return usageError(self, "-o needs a file name");
      output = args[++i];
    } else if (a.rfind("-o", 0) == 0 && a.size() > 2 && a[2] != '-' && a.rfind("-O", 0) != 0) {
      output = a.substr(2);
    } else if (a.rfind("--emit=", 0) == 0 || a == "--emit") {
      std::string v = a == "--emit" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(7);
      if (v == "bundle")
        emit = Emit::Bundle;
      else if (v == "ir")
        emit = Emit::Ir;
      else if (v == "llvm")
        emit = Emit::Llvm;
      else if (v == "obj")
        emit = Emit::Obj;
      else if (v == "stamp")
        emit = Emit::Stamp;
      else
        return usageError(self, "unknown --emit kind '" + v + "' (bundle, ir, llvm, obj, stamp)");
    } else if (a.rfind("--dump-after=", 0) == 0 || a == "--dump-after") {
      std::string v = a == "--dump-after" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(13);
      if (v != "all" && std::find(passes.begin(), passes.end(), v) == passes.end()) {
        std::string known;
        for (const auto& p : passes) known += (known.empty() ? "" : ", ") + p;
        return usageError(self, "unknown pass '" + v + "' (" + known + ", all)");
      }
      dumpAfter.push_back(v);
    } else if (a == "-O0" || a == "-O1" || a == "-O2") {
      optLevel = a[2] - '0';
    } else {
      rest.push_back(a);
    }
  }
  CommonOptions opts;
  if (auto err = parseCommonOptions(rest, opts)) return usageError(self, *err);
  if (!opts.compile.stopAfter.empty())
    return usageError(self, "--stop-after does not apply: compile needs the whole check");
  if ((emit == Emit::Bundle || emit == Emit::Obj) && output.empty())
    return usageError(self, "give the output file with -o FILE");

  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc compile: " << c.toolError << "\n";
    return 2;
  }
  if (!c.diags.diagnostics().empty()) {
    std::cerr << render::render(opts.format, c.diags.diagnostics(), c.sm,
                                renderOptions(opts.color && isatty(STDERR_FILENO)));
    std::cerr.flush();
  }
  if (c.diags.hasErrors() || !c.model) {
    std::cerr << "parkc compile: the policy has errors; nothing was compiled\n";
    return 1;
  }

  dispatch::PipelineOptions po;
  if (!dumpAfter.empty()) {
    po.after = [&](const std::string& pass, const dispatch::ir::Module& m) {
      if (std::find(dumpAfter.begin(), dumpAfter.end(), pass) == dumpAfter.end() &&
          std::find(dumpAfter.begin(), dumpAfter.end(), "all") == dumpAfter.end())
        return;
      std::cout << "; ---- IR after " << pass << "\n" << dispatch::ir::toText(m);
      std::cout.flush();
    };
  }
  dispatch::ir::Module m = dispatch::lowerModel(*c.model, po);
  std::vector<std::string> problems = dispatch::ir::verify(m, true);
  if (!problems.empty()) {
    std::cerr << "parkc compile: internal error: the lowered IR is malformed: " << problems[0]
              << "\n";
    return 2;
  }
  dispatch::jit::Options jo;
  jo.optLevel = optLevel;
  std::string error;
  switch (emit) {
    case Emit::Ir:
      return writeOut(output, dispatch::ir::toText(m)) ? 0 : 2;
    case Emit::Llvm: {
      std::string text;
      if (!dispatch::jit::emitLLVM(m, jo, &text, &error)) {
        std::cerr << "parkc compile: LLVM: " << error << "\n";
        return 2;
      }
      return writeOut(output, text) ? 0 : 2;
    }
    case Emit::Stamp:
    case Emit::Obj:
    case Emit::Bundle:
      break;
  }
  dispatch::bundle::Bundle b;
  b.stamp = dispatch::bundle::makeStamp(opts.compile.paths, c.sm, *c.model, optLevel);
  if (emit == Emit::Stamp) return writeOut(output, b.stamp.describe()) ? 0 : 2;
  if (!dispatch::jit::emitObject(m, b.stamp.digest(), jo, &b.object, &error)) {
    std::cerr << "parkc compile: LLVM: " << error << "\n";
    return 2;
  }
  if (emit == Emit::Obj) return writeOut(output, b.object) ? 0 : 2;
  b.policy = dispatch::bundle::PolicyInfo::fromModel(*c.model);
  b.ir = dispatch::ir::writeBinary(m);
  std::string bytes = dispatch::bundle::write(b);
  if (!writeOut(output, bytes)) return 2;
  std::cout << "wrote " << output << ": " << m.plans.size() << " dial plan"
            << (m.plans.size() == 1 ? "" : "s") << " after deduplication, " << m.entries.size()
            << " park access numbers and orbit ranges, " << m.users.size()
            << " users; native code for "
            << dispatch::jit::hostTarget().substr(0, dispatch::jit::hostTarget().find(' ')) << "\n";
  return 0;
}

}  // namespace callpark::driver
