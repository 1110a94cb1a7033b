// The importer: interprets the configuration cmdlets of a tokenized script into a PolicyDraft.
// See Importer.h for what is understood; this file is the cmdlet table, parameter binding (as
// PowerShell binds: exact name, else unique case-insensitive prefix), value evaluation (strings,
// variables, arrays, hash tables, in-memory rule objects, Get-Content file contents) and one
// handler per cmdlet.
#include "compiler/powershell/Importer.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "compiler/model/Model.h"
#include "compiler/powershell/Codes.h"
#include "compiler/powershell/Lexer.h"
#include "compiler/support/Strings.h"

namespace callpark::powershell {
namespace {

struct Value {
  enum Kind { Unknown, Null, Str, Bool, Array, Rule, File, Hash } kind = Unknown;
  std::string str;
  bool b = false;
  std::vector<Value> items;
  DraftRule rule;
  std::vector<std::pair<std::string, Value>> hash;  // keys lower-case
  SourceRange range;
  std::string why;  // Unknown: the reason
};

struct Param {
  const char* name;
  bool isSwitch;
};

const std::vector<Param>& commonParams() {
  static const std::vector<Param> p = {{"Force", true},
                                       {"WhatIf", true},
                                       {"Confirm", true},
                                       {"Verbose", true},
                                       {"Debug", true},
                                       {"ErrorAction", false},
                                       {"WarningAction", false},
                                       {"ErrorVariable", false},
                                       {"WarningVariable", false},
                                       {"OutVariable", false},
                                       {"OutBuffer", false},
                                       {"InformationAction", false},
                                       {"InformationVariable", false},
                                       {"PipelineVariable", false}};
  return p;
}

struct Cmdlet {
  const char* name;
  std::vector<Param> params;      // besides the common ones
  std::vector<const char*> used;  // parameters the importer interprets (others get a CP959 note)
};

const std::vector<Cmdlet>& cmdlets() {
  static const std::vector<Param> orbit = {{"Identity", false},
                                           {"CallParkService", false},
                                           {"NumberRangeStart", false},
                                           {"NumberRangeEnd", false},
                                           {"Type", false},
                                           {"InMemory", true},
                                           {"Instance", false}};
  static const std::vector<Param> cps = {
      {"Identity", false},          {"CallPickupTimeoutThreshold", false},
      {"EnableMusicOnHold", false}, {"MaxCallPickupAttempts", false},
      {"OnTimeoutURI", false},      {"InMemory", true},
      {"Instance", false}};
  static const std::vector<Param> voice = {{"Identity", false},
                                           {"AllowCallForwarding", false},
                                           {"AllowPSTNReRouting", false},
                                           {"AllowSimulRing", false},
                                           {"CallForwardingSimulRingUsageType", false},
                                           {"CustomCallForwardingSimulRingUsages", false},
                                           {"Description", false},
                                           {"EnableBusyOptions", false},
                                           {"EnableBWPolicyOverride", false},
                                           {"EnableCallPark", false},
                                           {"EnableCallTransfer", false},
                                           {"EnableDelegation", false},
                                           {"EnableMaliciousCallTracing", false},
                                           {"EnableTeamCall", false},
                                           {"EnableVoicemailEscapeTimer", false},
                                           {"InMemory", true},
                                           {"Instance", false},
                                           {"Name", false},
                                           {"PreventPSTNTollBypass", false},
                                           {"PstnUsages", false},
                                           {"PSTNVoicemailEscapeTimer", false},
                                           {"Tenant", false},
                                           {"VoiceDeploymentMode", false}};
  static const std::vector<Param> grant = {
      {"Identity", false}, {"PolicyName", false}, {"DomainController", false},
      {"PassThru", true},  {"Tenant", false},     {"Global", true},
      {"Group", false}};
  static const std::vector<Param> plan = {{"Identity", false},
                                          {"City", false},
                                          {"CountryCode", false},
                                          {"Description", false},
                                          {"DialinConferencingRegion", false},
                                          {"ExternalAccessPrefix", false},
                                          {"InMemory", true},
                                          {"Instance", false},
                                          {"NormalizationRules", false},
                                          {"OptimizeDeviceDialing", false},
                                          {"SimpleName", false},
                                          {"State", false},
                                          {"Tenant", false}};
  static const std::vector<Param> rule = {{"Identity", false},
                                          {"Description", false},
                                          {"InMemory", true},
                                          {"Instance", false},
                                          {"IsInternalExtension", false},
                                          {"Name", false},
                                          {"Parent", false},
                                          {"Pattern", false},
                                          {"Priority", false},
                                          {"Tenant", false},
                                          {"Translation", false}};
  static const std::vector<Param> remove = {{"Identity", false}, {"Tenant", false}};
  static const std::vector<Param> moh = {
      {"Service", false}, {"Content", false}, {"Identity", false}};
  static const std::vector<Param> setUser = {{"Identity", false},
                                             {"LineURI", false},
                                             {"EnterpriseVoiceEnabled", false},
                                             {"Enabled", false},
                                             {"HostedVoiceMail", false},
                                             {"PrivateLine", false},
                                             {"SipAddress", false},
                                             {"AudioVideoDisabled", false},
                                             {"RemoteCallControlTelephonyEnabled", false},
                                             {"LineServerURI", false},
                                             {"DomainController", false},
                                             {"PassThru", true}};
  static const std::vector<Param> moveUser = {{"Identity", false},
                                              {"Target", false},
                                              {"DomainController", false},
                                              {"PassThru", true},
                                              {"ProxyPool", false},
                                              {"MoveToTeams", true},
                                              {"IgnoreBackupData", true},
                                              {"MoveConferenceData", true},
                                              {"HostedMigrationOverrideUrl", false},
                                              {"Credential", false}};
  static const std::vector<Cmdlet> c = {
      {"New-CsCallParkOrbit",
       orbit,
       {"Identity", "CallParkService", "NumberRangeStart", "NumberRangeEnd", "Type"}},
      {"Set-CsCallParkOrbit",
       orbit,
       {"Identity", "CallParkService", "NumberRangeStart", "NumberRangeEnd", "Type"}},
      {"New-CsCpsConfiguration",
       cps,
       {"Identity", "CallPickupTimeoutThreshold", "EnableMusicOnHold", "MaxCallPickupAttempts",
        "OnTimeoutURI"}},
      {"Set-CsCpsConfiguration",
       cps,
       {"Identity", "CallPickupTimeoutThreshold", "EnableMusicOnHold", "MaxCallPickupAttempts",
        "OnTimeoutURI"}},
      {"Set-CsCallParkServiceMusicOnHoldFile", moh, {"Service", "Content", "Identity"}},
      {"New-CsVoicePolicy", voice, {"Identity", "EnableCallPark"}},
      {"Set-CsVoicePolicy", voice, {"Identity", "EnableCallPark"}},
      {"Grant-CsVoicePolicy", grant, {"Identity", "PolicyName"}},
      {"Grant-CsDialPlan", grant, {"Identity", "PolicyName"}},
      {"New-CsDialPlan",
       plan,
       {"Identity", "Description", "ExternalAccessPrefix", "NormalizationRules",
        "OptimizeDeviceDialing"}},
      {"Set-CsDialPlan",
       plan,
       {"Identity", "Description", "ExternalAccessPrefix", "NormalizationRules",
        "OptimizeDeviceDialing"}},
      {"New-CsTenantDialPlan",
       plan,
       {"Identity", "Description", "ExternalAccessPrefix", "NormalizationRules",
        "OptimizeDeviceDialing"}},
      {"Set-CsTenantDialPlan",
       plan,
       {"Identity", "Description", "ExternalAccessPrefix", "NormalizationRules",
        "OptimizeDeviceDialing"}},
      {"New-CsVoiceNormalizationRule",
       rule,
       {"Identity", "Description", "IsInternalExtension", "Name", "Parent", "Pattern", "Priority",
        "Translation"}},
      {"Set-CsVoiceNormalizationRule",
       rule,
       {"Identity", "Description", "IsInternalExtension", "Pattern", "Priority", "Translation"}},
      {"Remove-CsVoiceNormalizationRule", remove, {"Identity"}},
      {"Set-CsUser", setUser, {"Identity", "LineURI"}},
      {"Move-CsUser", moveUser, {"Identity", "Target"}},
  };
  return c;
}

// Parameters that never change what the policy means: not worth a note.
bool harmless(const std::string& p) {
  static const std::set<std::string> h = {"force",
                                          "whatif",
                                          "confirm",
                                          "verbose",
                                          "debug",
                                          "erroraction",
                                          "warningaction",
                                          "errorvariable",
                                          "warningvariable",
                                          "outvariable",
                                          "outbuffer",
                                          "informationaction",
                                          "informationvariable",
                                          "pipelinevariable",
                                          "inmemory",
                                          "passthru",
                                          "domaincontroller",
                                          "tenant",
                                          "instance"};
  return h.count(p) > 0;
}

const std::set<std::string>& keywords() {
  static const std::set<std::string> k = {
      "if",  "elseif", "else",    "foreach",  "for",    "while", "do",       "until",  "switch",
      "try", "catch",  "finally", "function", "filter", "trap",  "param",    "begin",  "process",
      "end", "return", "break",   "continue", "exit",   "throw", "workflow", "default"};
  return k;
}

struct Bound {
  Value value;
  SourceRange paramRange;
};

class Importer {
 public:
  Importer(const SourceManager& sm, FileId f, DiagnosticEngine& d, ImportSummary& s)
      : sm_(sm), f_(f), d_(d), sum_(s) {}

  PolicyDraft run() {
    auto stmts = tokenizeScript(sm_, f_, d_);
    statements(stmts, 0);
    directives();
    finish();
    return std::move(d_out_);
  }

 private:
  const SourceManager& sm_;
  FileId f_;
  DiagnosticEngine& d_;
  ImportSummary& sum_;
  PolicyDraft d_out_;
  std::map<std::string, Value> vars_;
  size_t conditional_ = 0;
  SourceRange firstConditional_, firstTenant_, firstSkipped_;
  size_t tenantPlans_ = 0;
  std::map<size_t, SourceRange> keepAllAt_;      // dial plan index -> the New-CsDialPlan command
  std::map<std::string, std::string> poolSite_;  // pool -> site ("" unknown)
  std::set<std::string> sites_;

  Diagnostic& report(const char* code, Severity s, SourceRange r, std::string msg) {
    return d_.report(code, s, r, std::move(msg));
  }
  int line(const SourceRange& r) const { return static_cast<int>(r.line); }

  // ---- statements -------------------------------------------------------------------------
  void statements(const std::vector<Statement>& ss, int depth) {
    for (const auto& s : ss) statement(s, depth);
  }

  void blocksIn(const Statement& s, size_t from, int depth) {
    for (size_t k = from; k < s.size(); ++k) {
      if (s[k].kind == Elem::Block) statements(s[k].statements, depth + 1);
      if (s[k].kind == Elem::Paren || s[k].kind == Elem::SubExpr || s[k].kind == Elem::ArrayExpr)
        nestedCommands(s[k].children, depth);
    }
  }
  // Commands inside `( )` at statement level, e.g. `if ((Get-X ...))`: counted as skipped.
  void nestedCommands(const std::vector<Elem>& es, int depth) {
    if (!es.empty() && es[0].kind == Elem::Word && es[0].text.find('-') != std::string::npos &&
        !keywords().count(toLower(es[0].text)))
      skip(es[0]);
    for (const auto& e : es)
      if (e.kind == Elem::Block) statements(e.statements, depth + 1);
  }

  void statement(const Statement& s, int depth) {
    if (s.empty()) return;
    if (s[0].kind == Elem::Variable && s.size() > 1 && s[1].kind == Elem::Operator &&
        (s[1].text == "=" || s[1].text == "+=")) {
      Value v = expression(s, 2, depth);
      std::string name = toLower(s[0].text);
      if (s[1].text == "=") {
        vars_[name] = v;
      } else {
        Value& cur = vars_[name];
        if (cur.kind == Value::Array) {
          if (v.kind == Value::Array)
            cur.items.insert(cur.items.end(), v.items.begin(), v.items.end());
          else
            cur.items.push_back(v);
        } else if (cur.kind == Value::Str && v.kind == Value::Str) {
          cur.str += v.str;
        } else {
          cur = Value{};
          cur.why = "`$" + s[0].text + "` is built in a way this importer does not follow";
        }
      }
      return;
    }
    if (s[0].kind == Elem::Word && keywords().count(toLower(s[0].text))) {
      if (depth == 0 && conditional_ == 0) firstConditional_ = s[0].range;
      ++conditionalMarks_;
      blocksIn(s, 1, depth);
      --conditionalMarks_;
      return;
    }
    pipeline(s, 0, depth);
  }
  int conditionalMarks_ = 0;

  // Runs the pipeline s[from..]; returns the value of its last command.
  Value pipeline(const Statement& s, size_t from, int depth) {
    Value out;
    if (clearRulesIdiom(s, from)) return out;
    size_t segStart = from;
    bool piped = false;
    for (size_t k = from; k <= s.size(); ++k) {
      if (k == s.size() || (s[k].kind == Elem::Operator && s[k].text == "|")) {
        if (k > segStart) out = segment(s, segStart, k, piped, depth);
        piped = true;
        segStart = k + 1;
      }
    }
    return out;
  }

  // `Get-CsVoiceNormalizationRule -Filter 'PLAN/*' | Remove-CsVoiceNormalizationRule`: empties
  // a dial plan (how a script resets the global plan, whose rules it cannot know).
  bool clearRulesIdiom(const Statement& s, size_t from) {
    if (s.size() < from + 4) return false;
    size_t bar = from + 1;
    while (bar < s.size() && !(s[bar].kind == Elem::Operator && s[bar].text == "|")) ++bar;
    if (bar + 1 >= s.size() || toLower(s[from].text) != "get-csvoicenormalizationrule" ||
        toLower(s[bar + 1].text) != "remove-csvoicenormalizationrule")
      return false;
    for (size_t k = bar + 2; k < s.size(); ++k)
      if (s[k].kind == Elem::Operator && s[k].text == "|") return false;
    for (size_t k = from + 1; k + 1 < bar; ++k) {
      if (s[k].kind != Elem::Parameter || toLower(s[k].text) != "filter") continue;
      Value v = eval(s[k + 1]);
      if (v.kind != Value::Str || v.str.size() < 3 || v.str.compare(v.str.size() - 2, 2, "/*") != 0)
        return false;
      auto sc = scope(v.str.substr(0, v.str.size() - 2), v.range, true, true, "a dial plan");
      if (!sc) return true;
      int idx = planIndex(*sc);
      if (idx < 0) {
        d_out_.dialPlans.push_back(DraftDialPlan{*sc, "", "", std::nullopt, {}});
        idx = static_cast<int>(d_out_.dialPlans.size() - 1);
      }
      d_out_.dialPlans[idx].rules.clear();
      keepAllAt_.erase(idx);
      sum_.commands += 2;
      imported(s[bar + 1], "removal of every rule of dial plan " + scopeText(*sc));
      return true;
    }
    return false;
  }

  Value segment(const Statement& s, size_t b, size_t e, bool piped, int depth) {
    const Elem& head = s[b];
    if (head.kind != Elem::Word) {
      Statement part(s.begin() + b, s.begin() + e);
      blocksIn(part, 0, depth);
      if (e - b == 1) return eval(head);
      return Value{};
    }
    Statement seg(s.begin() + b, s.begin() + e);
    return command(seg, piped, depth);
  }

  Value expression(const Statement& s, size_t from, int depth) {
    if (from >= s.size()) return Value{};
    if (s[from].kind == Elem::Word && !looksLikeValue(s[from].text))
      return pipeline(s, from, depth);
    // value [, value]*
    std::vector<Value> items;
    bool comma = false;
    for (size_t k = from; k < s.size(); ++k) {
      if (s[k].kind == Elem::Operator && s[k].text == ",") {
        comma = true;
        continue;
      }
      if (s[k].kind == Elem::Operator && s[k].text == "|") return pipeline(s, from, depth);
      items.push_back(eval(s[k]));
    }
    if (comma) {
      Value a;
      a.kind = Value::Array;
      a.items = items;
      a.range = s[from].range;
      return a;
    }
    if (items.size() == 1) return items[0];
    Value u;
    u.why = "an expression this importer does not evaluate";
    return u;
  }
  static bool looksLikeValue(const std::string& w) {
    return !w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '+');
  }

  // ---- values -----------------------------------------------------------------------------
  Value eval(const Elem& e) {
    Value v;
    v.range = e.range;
    switch (e.kind) {
      case Elem::Word:
      case Elem::SingleQuoted:
        v.kind = Value::Str;
        v.str = e.text;
        return v;
      case Elem::DoubleQuoted:
        return expand(e);
      case Elem::Variable: {
        std::string n = toLower(e.text);
        if (n == "true" || n == "false") {
          v.kind = Value::Bool;
          v.b = n == "true";
          return v;
        }
        if (n == "null") {
          v.kind = Value::Null;
          return v;
        }
        auto it = vars_.find(n);
        if (it != vars_.end()) {
          Value x = it->second;
          if (x.kind == Value::Unknown && x.why.empty())
            x.why = "`$" + e.text + "` holds the result of a command this importer does not follow";
          x.range = e.range;
          return x;
        }
        v.why = "`$" + e.text + "` is not set by this script";
        return v;
      }
      case Elem::Paren:
      case Elem::SubExpr:
        if (!e.children.empty() && e.children[0].kind == Elem::Word) {
          Statement st = e.children;
          Value r = command(st, false, 1);
          r.range = e.range;
          return r;
        }
        if (e.children.size() == 1) return eval(e.children[0]);
        v.why = "an expression this importer does not evaluate";
        return v;
      case Elem::ArrayExpr: {
        v.kind = Value::Array;
        for (const auto& c : e.children)
          if (!(c.kind == Elem::Operator && c.text == ",")) v.items.push_back(eval(c));
        return v;
      }
      case Elem::Hash: {
        v.kind = Value::Hash;
        const auto& c = e.children;
        for (size_t k = 0; k + 2 < c.size() + 0 || k + 2 == c.size();) {
          if (k + 2 >= c.size() + 0 && k + 2 != c.size()) break;
          if (!(c[k + 1].kind == Elem::Operator && c[k + 1].text == "=")) {
            ++k;
            continue;
          }
          std::string key = toLower(c[k].text);
          size_t j = k + 2;
          std::vector<Value> items;
          bool comma = false;
          while (j < c.size()) {
            if (j < c.size()) items.push_back(eval(c[j]));
            ++j;
            if (j < c.size() && c[j].kind == Elem::Operator && c[j].text == ",") {
              comma = true;
              ++j;
              continue;
            }
            break;
          }
          Value item;
          if (comma || items.size() != 1) {
            item.kind = Value::Array;
            item.items = items;
          } else {
            item = items[0];
          }
          v.hash.push_back({key, item});
          k = j;
        }
        return v;
      }
      default:
        v.why = "a value this importer does not evaluate";
        return v;
    }
  }

  Value expand(const Elem& e) {
    Value v;
    v.kind = Value::Str;
    v.range = e.range;
    bool glued = e.text == "\x01glued";
    for (const auto& p : e.parts) {
      if (p.kind == Part::Text) {
        v.str += p.text;
      } else if (p.kind == Part::SubExpression) {
        Value u;
        u.range = e.range;
        u.why = "the string contains `" + p.text + "`, which is computed when the script runs";
        return u;
      } else {
        std::string n = toLower(p.text);
        bool digits = !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        });
        if (digits && !glued) {
          std::string raw = e.text;
          Diagnostic& dg =
              report(codes::kDoubleQuotedCapture, Severity::Warning, p.range,
                     "PowerShell expands `$" + p.text +
                         "` inside double quotes to an "
                         "empty string, so the deployment stores this value without it");
          dg.note(e.range, "the value PowerShell passes is \"" + expandedPreview(e) + "\"");
          if (raw.find('\'') == std::string::npos && raw.find('`') == std::string::npos)
            dg.suggest("use single quotes so the capture reference reaches the normalization rule",
                       e.range, "'" + raw + "'");
          continue;  // expands to nothing, as in PowerShell
        }
        if (n == "true" || n == "false") {
          v.str += n == "true" ? "True" : "False";
          continue;
        }
        if (n == "null") continue;
        auto it = vars_.find(n);
        if (it != vars_.end() && it->second.kind == Value::Str) {
          v.str += it->second.str;
          continue;
        }
        Value u;
        u.range = e.range;
        u.why = it == vars_.end() ? "`$" + p.text + "` is not set by this script"
                                  : "`$" + p.text + "` does not hold a string this importer knows";
        return u;
      }
    }
    return v;
  }
  std::string expandedPreview(const Elem& e) {
    std::string s;
    for (const auto& p : e.parts)
      if (p.kind == Part::Text) s += p.text;
    return s;
  }

  // ---- commands ---------------------------------------------------------------------------
  // Counts a command with nothing to import, under its first spelling (PowerShell names are
  // case-insensitive). Switch labels (`0 { ... }`) are values, not commands.
  void skip(const Elem& head) {
    if (head.text.empty() || std::isdigit(static_cast<unsigned char>(head.text[0]))) return;
    if (sum_.skipped.empty()) firstSkipped_ = head.range;
    auto it = spelling_.emplace(toLower(head.text), head.text).first;
    sum_.skipped[it->second]++;
  }
  std::map<std::string, std::string> spelling_;

  const Cmdlet* findCmdlet(const std::string& name) {
    for (const auto& c : cmdlets())
      if (toLower(c.name) == toLower(name)) return &c;
    return nullptr;
  }

  Value command(const Statement& seg, bool piped, int depth) {
    const Elem& head = seg[0];
    std::string lname = toLower(head.text);
    const Cmdlet* c = findCmdlet(head.text);
    if (!c) {
      Value out;
      if (lname == "get-content" || lname == "gc" || lname == "cat") {
        // The file name: first positional argument or -Path / -LiteralPath.
        for (size_t k = 1; k < seg.size(); ++k) {
          if (seg[k].kind == Elem::Parameter) {
            std::string p = toLower(seg[k].text);
            bool takes = p != "raw" && p != "force" && p != "asbytestream";
            if (takes && k + 1 < seg.size() &&
                (p == "path" || p == "literalpath" || p == "pspath")) {
              Value f = eval(seg[k + 1]);
              if (f.kind == Value::Str) {
                out.kind = Value::File;
                out.str = f.str;
              }
              break;
            }
            if (takes) ++k;
            continue;
          }
          Value f = eval(seg[k]);
          if (f.kind == Value::Str) {
            out.kind = Value::File;
            out.str = f.str;
          }
          break;
        }
      }
      if (keywords().count(lname)) {
        blocksIn(seg, 1, depth);
        return out;
      }
      skip(head);
      blocksIn(seg, 1, depth);
      if (out.kind == Value::Unknown) out.why = "the output of `" + head.text + "`";
      return out;
    }
    ++sum_.commands;
    if (depth > 0 || conditionalMarks_ > 0) {
      if (conditional_ == 0 && !firstConditional_.valid()) firstConditional_ = head.range;
      ++conditional_;
    }
    if (piped) {
      report(codes::kPipelineInput, Severity::Warning, head.range,
             "`" + head.text +
                 "` takes the objects it changes from the pipeline; which ones is "
                 "known only when the script runs, so this command was skipped")
          .suggest("name the object with -Identity instead of piping it", head.range, head.text);
      return Value{};
    }
    std::map<std::string, Bound> args;
    if (!bind(*c, seg, args)) return Value{};
    // Parameters with no equivalent in the policy language.
    std::vector<std::string> ignored;
    for (const auto& [name, b] : args) {
      bool used = false;
      for (const char* u : c->used) used |= toLower(u) == name;
      if (!used && !harmless(name)) ignored.push_back(canonicalName(*c, name));
    }
    if (!ignored.empty()) {
      std::string list;
      for (size_t i = 0; i < ignored.size(); ++i) list += (i ? ", -" : "-") + ignored[i];
      report(codes::kIgnoredParameters, Severity::Note, head.range,
             "`" + std::string(c->name) + "`: " + list + (ignored.size() == 1 ? " has" : " have") +
                 " no equivalent in a Callpark policy and " +
                 (ignored.size() == 1 ? "was" : "were") + " not imported");
    }
    return dispatch(*c, head, args);
  }

  std::string canonicalName(const Cmdlet& c, const std::string& lower) {
    for (const auto& p : c.params)
      if (toLower(p.name) == lower) return p.name;
    for (const auto& p : commonParams())
      if (toLower(p.name) == lower) return p.name;
    return lower;
  }

  bool bind(const Cmdlet& c, const Statement& seg, std::map<std::string, Bound>& args) {
    std::vector<Param> all = c.params;
    all.insert(all.end(), commonParams().begin(), commonParams().end());
    for (size_t k = 1; k < seg.size(); ++k) {
      const Elem& e = seg[k];
      if (e.kind == Elem::Splat) {
        report(codes::kSplatting, Severity::Warning, e.range,
               "splatting (`@" + e.text + "`) is not supported by parkc import; `" +
                   std::string(c.name) + "` was skipped")
            .suggest("write the parameters out", e.range, "-Identity ...");
        return false;
      }
      if (e.kind == Elem::Parameter) {
        std::string want = toLower(e.text);
        std::vector<const Param*> hits;
        const Param* exact = nullptr;
        for (const auto& p : all) {
          std::string n = toLower(p.name);
          if (n == want) exact = &p;
          if (n.rfind(want, 0) == 0) hits.push_back(&p);
        }
        const Param* p = exact;
        if (!p && hits.size() == 1) p = hits[0];
        if (!p && hits.empty()) {
          std::vector<std::string> names;
          for (const auto& x : c.params) names.push_back(x.name);
          Diagnostic& dg = report(codes::kUnknownParameter, Severity::Error, e.range,
                                  "`" + std::string(c.name) + "` has no parameter -" + e.text +
                                      "; PowerShell rejects this command, so it was skipped");
          std::string guess = closestMatch(e.text, names);
          if (!guess.empty()) dg.suggest("use -" + guess, e.range, "-" + guess);
          return false;
        }
        if (!p) {
          std::string list;
          for (size_t i = 0; i < hits.size(); ++i)
            list += (i ? ", -" : "-") + std::string(hits[i]->name);
          report(codes::kAmbiguousParameter, Severity::Error, e.range,
                 "-" + e.text + " is ambiguous for `" + std::string(c.name) + "`: it abbreviates " +
                     list + "; PowerShell rejects this command, so it was skipped");
          return false;
        }
        std::string key = toLower(p->name);
        Bound b;
        b.paramRange = e.range;
        if (!e.children.empty()) {
          b.value = eval(e.children[0]);
        } else if (p->isSwitch) {
          b.value.kind = Value::Bool;
          b.value.b = true;
          b.value.range = e.range;
        } else {
          if (k + 1 >= seg.size() || seg[k + 1].kind == Elem::Parameter) {
            report(codes::kMissingValue, Severity::Error, e.range,
                   "-" + std::string(p->name) +
                       " needs a value; PowerShell rejects this command, so "
                       "it was skipped");
            return false;
          }
          std::vector<Value> items;
          items.push_back(eval(seg[++k]));
          bool comma = false;
          while (k + 2 < seg.size() + 1 && k + 1 < seg.size() &&
                 seg[k + 1].kind == Elem::Operator && seg[k + 1].text == ",") {
            comma = true;
            k += 2;
            if (k < seg.size()) items.push_back(eval(seg[k]));
          }
          if (comma) {
            b.value.kind = Value::Array;
            b.value.items = items;
            b.value.range = items.front().range;
          } else {
            b.value = items[0];
          }
        }
        args[key] = b;
        continue;
      }
      if (e.kind == Elem::Operator && (e.text == "2>" || e.text == ">" || e.text == ">>")) {
        ++k;  // redirection target
        continue;
      }
      if (e.kind == Elem::Block) continue;
      if (!args.count("identity") && hasParam(c, "Identity")) {
        Bound b;
        b.value = eval(e);
        b.paramRange = e.range;
        args["identity"] = b;
        continue;
      }
      report(codes::kUnknownParameter, Severity::Error, e.range,
             "`" + std::string(c.name) +
                 "` does not take this argument here; PowerShell rejects "
                 "this command, so it was skipped");
      return false;
    }
    return true;
  }
  static bool hasParam(const Cmdlet& c, const char* n) {
    for (const auto& p : c.params)
      if (std::string(p.name) == n) return true;
    return false;
  }

  // ---- value conversions ------------------------------------------------------------------
  // A string value, or nullopt after a diagnostic.
  std::optional<std::string> str(const std::map<std::string, Bound>& a, const char* name,
                                 const Elem& head, bool required) {
    auto it = a.find(toLower(name));
    if (it == a.end()) {
      if (required)
        report(codes::kMissingValue, Severity::Error, head.range,
               "`" + head.text + "` needs -" + name + "; the command was skipped");
      return std::nullopt;
    }
    const Value& v = it->second.value;
    if (v.kind == Value::Str) return v.str;
    if (v.kind == Value::Bool) return std::string(v.b ? "True" : "False");
    if (v.kind == Value::Unknown) {
      report(codes::kUnknownVariable, Severity::Warning,
             v.range.valid() ? v.range : it->second.paramRange,
             "the value of -" + std::string(name) +
                 " cannot be known without running the script: " +
                 (v.why.empty() ? "it is computed" : v.why) +
                 (required ? "; the command was skipped" : "; the parameter was skipped"));
      return std::nullopt;
    }
    if (v.kind == Value::Null) return std::string();
    report(codes::kInvalidValue, Severity::Error, v.range.valid() ? v.range : it->second.paramRange,
           "-" + std::string(name) + " needs a single text value here");
    return std::nullopt;
  }
  std::optional<bool> boolean(const std::map<std::string, Bound>& a, const char* name,
                              const Elem& head) {
    auto it = a.find(toLower(name));
    if (it == a.end()) return std::nullopt;
    const Value& v = it->second.value;
    if (v.kind == Value::Bool) return v.b;
    if (v.kind == Value::Str) {
      std::string s = toLower(v.str);
      if (s == "true" || s == "$true" || s == "1") return true;
      if (s == "false" || s == "$false" || s == "0") return false;
    }
    if (v.kind == Value::Unknown) {
      str(a, name, head, false);
      return std::nullopt;
    }
    report(codes::kInvalidValue, Severity::Error, v.range.valid() ? v.range : it->second.paramRange,
           "-" + std::string(name) + " takes $true or $false")
        .suggest("write $true or $false", v.range, "$true");
    return std::nullopt;
  }
  std::optional<int64_t> integer(const std::map<std::string, Bound>& a, const char* name,
                                 const Elem& head) {
    auto s = str(a, name, head, false);
    if (!s) return std::nullopt;
    if (!s->empty() && s->size() < 10 && std::all_of(s->begin(), s->end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return std::stoll(*s);
    const auto& b = a.at(toLower(name));
    report(codes::kInvalidValue, Severity::Error,
           b.value.range.valid() ? b.value.range : b.paramRange,
           "-" + std::string(name) + " takes a whole number, not \"" + *s + "\"");
    return std::nullopt;
  }
  // .NET TimeSpan text: [d.]hh:mm[:ss].
  std::optional<int64_t> timespan(const std::map<std::string, Bound>& a, const char* name,
                                  const Elem& head) {
    auto s = str(a, name, head, false);
    if (!s) return std::nullopt;
    std::vector<int64_t> parts;
    int64_t days = 0;
    std::string t = *s;
    size_t dot = t.find('.');
    size_t colon = t.find(':');
    bool ok = colon != std::string::npos;
    if (ok && dot != std::string::npos && dot < colon) {
      std::string d = t.substr(0, dot);
      ok = !d.empty() && std::all_of(d.begin(), d.end(), ::isdigit);
      if (ok) days = std::stoll(d);
      t = t.substr(dot + 1);
    }
    std::stringstream ss(t);
    std::string piece;
    while (ok && std::getline(ss, piece, ':')) {
      ok =
          !piece.empty() && piece.size() <= 6 && std::all_of(piece.begin(), piece.end(), ::isdigit);
      if (ok) parts.push_back(std::stoll(piece));
    }
    ok = ok && (parts.size() == 2 || parts.size() == 3);
    if (!ok) {
      const auto& b = a.at(toLower(name));
      report(codes::kInvalidValue, Severity::Error,
             b.value.range.valid() ? b.value.range : b.paramRange,
             "-" + std::string(name) + " takes a time span like 00:01:30, not \"" + *s + "\"")
          .suggest("write hours:minutes:seconds", b.value.range, "00:01:30");
      return std::nullopt;
    }
    return days * 86400 + parts[0] * 3600 + parts[1] * 60 + (parts.size() == 3 ? parts[2] : 0);
  }

  // ---- identities and the draft -----------------------------------------------------------
  std::string pool(const std::string& spelling) {
    std::string p = model::canonicalPool(spelling);
    if (!poolSite_.count(p)) poolSite_[p] = "";
    return p;
  }
  std::optional<DraftScope> scope(const std::string& id, const SourceRange& at, bool allowPool,
                                  bool allowTag, const char* what) {
    DraftScope s;
    std::string l = toLower(id);
    if (l == "global") return s;
    if (l.rfind("site:", 0) == 0) {
      s.kind = DraftScope::Site;
      s.name = id.substr(5);
      sites_.insert(s.name);
      return s;
    }
    if (l.rfind("service:", 0) == 0) {
      if (!allowPool) {
        report(codes::kInvalidValue, Severity::Error, at,
               std::string(what) +
                   " cannot be set for a service (pool); use global, site:NAME or a tag");
        return std::nullopt;
      }
      s.kind = DraftScope::Pool;
      s.name = pool(id);
      return s;
    }
    if (!allowTag) {
      report(codes::kInvalidValue, Severity::Error, at,
             std::string(what) + " is global, site:NAME or service:...; \"" + id +
                 "\" is none of them");
      return std::nullopt;
    }
    s.kind = DraftScope::Tag;
    s.name = l.rfind("tag:", 0) == 0 ? id.substr(4) : id;
    return s;
  }
  static std::string scopeText(const DraftScope& s) {
    switch (s.kind) {
      case DraftScope::Global:
        return "global";
      case DraftScope::Site:
        return "site:" + s.name;
      case DraftScope::Pool:
        return "service:" + s.name;
      case DraftScope::Tag:
        return s.name;
    }
    return "global";
  }
  std::optional<std::string> userSip(const std::string& id, const SourceRange& at) {
    std::string l = toLower(id);
    if (l.rfind("sip:", 0) == 0) return id;
    if (id.find('@') != std::string::npos && id.find(' ') == std::string::npos) return "sip:" + id;
    report(codes::kUserIdentity, Severity::Warning, at,
           "\"" + id +
               "\" is not a SIP address; which user it names is known only to Active "
               "Directory, so the command was skipped")
        .suggest("name the user by SIP address", at, "\"sip:user@example.com\"");
    return std::nullopt;
  }
  DraftUser& user(const std::string& sip) {
    for (auto& u : d_out_.users)
      if (toLower(u.sip) == toLower(sip)) return u;
    d_out_.users.push_back({sip, "", "", "", ""});
    return d_out_.users.back();
  }
  int planIndex(const DraftScope& s) {
    for (size_t i = 0; i < d_out_.dialPlans.size(); ++i)
      if (d_out_.dialPlans[i].scope == s) return static_cast<int>(i);
    return -1;
  }
  DraftSettings& settings(const DraftScope& s) {
    for (auto& x : d_out_.settings)
      if (x.scope == s) return x;
    d_out_.settings.push_back({});
    d_out_.settings.back().scope = s;
    return d_out_.settings.back();
  }
  DraftVoicePolicy* voicePolicy(const DraftScope& s) {
    for (auto& x : d_out_.voicePolicies)
      if (x.scope == s) return &x;
    return nullptr;
  }
  void imported(const Elem& head, const std::string& what) {
    sum_.imported.push_back(what + " (" + head.text + ", line " + std::to_string(head.range.line) +
                            ")");
  }

  // Rules from a -NormalizationRules value (a list of in-memory rules or @{Add=...}).
  void applyRules(DraftDialPlan& plan, const Value& v, const SourceRange& at) {
    auto rulesOf = [&](const Value& x, std::vector<DraftRule>& out) {
      std::vector<const Value*> stack = {&x};
      std::vector<Value> flat;
      std::function<void(const Value&)> walk = [&](const Value& y) {
        if (y.kind == Value::Array)
          for (const auto& z : y.items) walk(z);
        else
          flat.push_back(y);
      };
      walk(x);
      for (const auto& y : flat) {
        if (y.kind == Value::Rule)
          out.push_back(y.rule);
        else {
          report(codes::kUnknownVariable, Severity::Warning, y.range.valid() ? y.range : at,
                 "this normalization rule is not one the script created with "
                 "New-CsVoiceNormalizationRule -InMemory" +
                     (y.why.empty() ? std::string() : " (" + y.why + ")") + "; it was skipped");
        }
      }
    };
    auto addAll = [&](const std::vector<DraftRule>& rs) {
      for (const auto& r : rs) {
        bool dup = false;
        for (const auto& x : plan.rules) dup |= toLower(x.name) == toLower(r.name);
        if (dup) {
          report(codes::kUnknownObject, Severity::Warning, at,
                 "dial plan " + scopeText(plan.scope) + " already has a rule named \"" + r.name +
                     "\"; the second one was skipped");
          continue;
        }
        plan.rules.push_back(r);
      }
    };
    if (v.kind == Value::Hash) {
      for (const auto& [k, x] : v.hash) {
        std::vector<DraftRule> rs;
        rulesOf(x, rs);
        if (k == "add")
          addAll(rs);
        else if (k == "replace") {
          plan.rules.clear();
          addAll(rs);
        } else if (k == "remove") {
          for (const auto& r : rs)
            plan.rules.erase(std::remove_if(plan.rules.begin(), plan.rules.end(),
                                            [&](const DraftRule& y) {
                                              return toLower(y.name) == toLower(r.name);
                                            }),
                             plan.rules.end());
        } else {
          report(codes::kInvalidValue, Severity::Error, v.range,
                 "-NormalizationRules takes @{Add=...}, @{Replace=...} or @{Remove=...}");
        }
      }
      return;
    }
    std::vector<DraftRule> rs;
    rulesOf(v, rs);
    plan.rules.clear();
    addAll(rs);
  }

  Value dispatch(const Cmdlet& c, const Elem& head, std::map<std::string, Bound>& a) {
    std::string n = toLower(c.name);
    Value none;
    if (n == "new-cscallparkorbit" || n == "set-cscallparkorbit") {
      auto id = str(a, "Identity", head, true);
      if (!id) return none;
      DraftOrbit* o = nullptr;
      for (auto& x : d_out_.orbits)
        if (x.name == *id) o = &x;
      bool isNew = n[0] == 'n';
      if (isNew && o) {
        report(codes::kUnknownObject, Severity::Warning, head.range,
               "orbit \"" + *id +
                   "\" was already created earlier in the script; New-CsCallParkOrbit "
                   "fails for an existing orbit, so this command was skipped");
        return none;
      }
      DraftOrbit next = o ? *o : DraftOrbit{};
      next.name = *id;
      if (auto v = str(a, "NumberRangeStart", head, isNew))
        next.start = *v;
      else if (isNew)
        return none;
      if (auto v = str(a, "NumberRangeEnd", head, isNew))
        next.end = *v;
      else if (isNew)
        return none;
      if (auto v = str(a, "CallParkService", head, isNew))
        next.pool = pool(*v);
      else if (isNew)
        return none;
      if (auto v = str(a, "Type", head, false)) {
        std::string t = toLower(*v);
        if (t == "callpark")
          next.type = "callpark";
        else if (t == "grouppickup")
          next.type = "group_pickup";
        else
          report(codes::kInvalidValue, Severity::Error, a["type"].value.range,
                 "-Type is CallPark or GroupPickup, not \"" + *v + "\"");
      }
      for (const std::string* num : {&next.start, &next.end}) {
        bool ok = !num->empty();
        for (size_t i = 0; i < num->size(); ++i)
          ok &= std::isdigit(static_cast<unsigned char>((*num)[i])) ||
                (i == 0 && ((*num)[0] == '*' || (*num)[0] == '#'));
        if (!ok && !(num->empty() && !isNew)) {
          report(codes::kInvalidValue, Severity::Error, head.range,
                 "orbit \"" + *id + "\": \"" + *num +
                     "\" is not a dial string (an optional * or #, then digits); the command was "
                     "skipped");
          return none;
        }
      }
      if (!o && !isNew) {
        if (next.start.empty() || next.end.empty() || next.pool.empty()) {
          report(codes::kUnknownObject, Severity::Warning, head.range,
                 "orbit \"" + *id +
                     "\" is not created by this script and this command does not say "
                     "all of its numbers and pool; it was skipped");
          return none;
        }
        report(codes::kUnknownObject, Severity::Warning, head.range,
               "orbit \"" + *id +
                   "\" is not created by this script; it is imported with what this "
                   "command sets");
      }
      if (o)
        *o = next;
      else
        d_out_.orbits.push_back(next);
      imported(head, "orbit \"" + *id + "\" " + next.start + ".." + next.end + " on " + next.pool);
      return none;
    }
    if (n == "new-cscpsconfiguration" || n == "set-cscpsconfiguration") {
      std::string id = "global";
      if (a.count("identity")) {
        auto v = str(a, "Identity", head, true);
        if (!v) return none;
        id = *v;
      }
      auto s = scope(id, a.count("identity") ? a["identity"].value.range : head.range, true, false,
                     "Call Park service configuration");
      if (!s) return none;
      bool exists = false;
      for (const auto& x : d_out_.settings) exists |= x.scope == *s;
      if (n[0] == 'n' && (exists || s->kind == DraftScope::Global)) {
        report(codes::kUnknownObject, Severity::Warning, head.range,
               "the Call Park configuration " + scopeText(*s) +
                   " already exists; New-CsCpsConfiguration "
                   "fails for it, so this command was skipped")
            .suggest("use Set-CsCpsConfiguration", head.range, "Set-CsCpsConfiguration");
        return none;
      }
      DraftSettings& st = settings(*s);
      if (auto v = timespan(a, "CallPickupTimeoutThreshold", head)) st.pickupTimeoutSeconds = *v;
      if (auto v = integer(a, "MaxCallPickupAttempts", head)) st.maxPickupAttempts = *v;
      if (auto v = boolean(a, "EnableMusicOnHold", head)) st.musicOnHold = *v;
      if (a.count("ontimeouturi")) {
        if (auto v = str(a, "OnTimeoutURI", head, false)) {
          if (v->empty())
            st.onTimeout.reset();
          else
            st.onTimeout = *v;
        }
      }
      imported(head, "park settings " + scopeText(*s));
      return none;
    }
    if (n == "set-cscallparkservicemusiconholdfile") {
      std::string svc;
      if (a.count("service")) {
        auto v = str(a, "Service", head, true);
        if (!v) return none;
        svc = *v;
      } else if (auto v = str(a, "Identity", head, true)) {
        svc = *v;
      } else {
        return none;
      }
      auto it = a.find("content");
      if (it == a.end()) {
        report(codes::kMissingValue, Severity::Error, head.range,
               "`" + head.text + "` needs -Content; the command was skipped");
        return none;
      }
      const Value& v = it->second.value;
      if (v.kind != Value::File) {
        report(codes::kUnknownVariable, Severity::Warning, v.range.valid() ? v.range : head.range,
               "which file -Content reads cannot be known without running the script (expected "
               "`Get-Content -ReadCount 0 -Encoding Byte FILE`, directly or through a variable); "
               "the command was skipped");
        return none;
      }
      DraftScope s{DraftScope::Pool, pool(svc)};
      settings(s).musicFile = v.str;
      imported(head, "music on hold file \"" + v.str + "\" for pool " + s.name);
      return none;
    }
    if (n == "new-csvoicepolicy" || n == "set-csvoicepolicy") {
      std::string id = "global";
      if (a.count("identity")) {
        auto v = str(a, "Identity", head, true);
        if (!v) return none;
        id = *v;
      }
      auto s = scope(id, a.count("identity") ? a["identity"].value.range : head.range, false, true,
                     "a voice policy");
      if (!s) return none;
      DraftVoicePolicy* vp = voicePolicy(*s);
      if (n[0] == 'n' && (vp || s->kind == DraftScope::Global)) {
        report(codes::kUnknownObject, Severity::Warning, head.range,
               "voice policy " + scopeText(*s) +
                   " already exists; New-CsVoicePolicy fails for it, so "
                   "this command was skipped")
            .suggest("use Set-CsVoicePolicy", head.range, "Set-CsVoicePolicy");
        return none;
      }
      if (!vp) {
        d_out_.voicePolicies.push_back({*s, std::nullopt});
        vp = &d_out_.voicePolicies.back();
      }
      if (auto v = boolean(a, "EnableCallPark", head)) vp->callPark = *v;
      imported(head,
               "voice policy " + scopeText(*s) +
                   (vp->callPark ? (*vp->callPark ? " (call park on)" : " (call park off)") : ""));
      return none;
    }
    if (n == "grant-csvoicepolicy" || n == "grant-csdialplan") {
      bool voice = n == "grant-csvoicepolicy";
      auto id = str(a, "Identity", head, true);
      if (!id) return none;
      auto sip = userSip(*id, a["identity"].value.range);
      if (!sip) return none;
      if (!a.count("policyname")) {
        report(codes::kMissingValue, Severity::Error, head.range,
               "`" + head.text + "` needs -PolicyName; the command was skipped");
        return none;
      }
      auto name = str(a, "PolicyName", head, true);
      if (!name) return none;
      std::string tag = toLower(*name).rfind("tag:", 0) == 0 ? name->substr(4) : *name;
      DraftUser& u = user(*sip);
      (voice ? u.voicePolicy : u.dialPlan) = tag;
      if (!tag.empty()) {
        DraftScope s{DraftScope::Tag, tag};
        bool exists = voice ? voicePolicy(s) != nullptr : planIndex(s) >= 0;
        if (!exists) {
          report(codes::kUnknownObject, Severity::Warning, a["policyname"].value.range,
                 std::string(voice ? "voice policy" : "dial plan") + " \"" + tag +
                     "\" is not created by this script; it is imported as an empty declaration "
                     "(its settings are unknown: add them)");
          if (voice)
            d_out_.voicePolicies.push_back({s, std::nullopt});
          else
            d_out_.dialPlans.push_back(DraftDialPlan{s, "", "", std::nullopt, {}});
        }
      }
      imported(head,
               std::string(voice ? "voice policy" : "dial plan") + " \"" + tag + "\" for " + *sip);
      return none;
    }
    if (n == "new-csdialplan" || n == "set-csdialplan" || n == "new-cstenantdialplan" ||
        n == "set-cstenantdialplan") {
      bool isNew = n[0] == 'n', tenant = n.find("tenant") != std::string::npos;
      std::string id = "global";
      if (a.count("identity")) {
        auto v = str(a, "Identity", head, true);
        if (!v) return none;
        id = *v;
      } else if (isNew) {
        report(codes::kMissingValue, Severity::Error, head.range,
               "`" + head.text + "` needs -Identity; the command was skipped");
        return none;
      }
      auto s = scope(id, a.count("identity") ? a["identity"].value.range : head.range, true, true,
                     "a dial plan");
      if (!s) return none;
      int idx = planIndex(*s);
      if (isNew && (idx >= 0 || s->kind == DraftScope::Global)) {
        report(codes::kUnknownObject, Severity::Warning, head.range,
               "dial plan " + scopeText(*s) + " already exists; `" + head.text +
                   "` fails for it, so this command was skipped");
        return none;
      }
      if (tenant) {
        if (tenantPlans_++ == 0) firstTenant_ = head.range;
      }
      if (idx < 0) {
        d_out_.dialPlans.push_back(DraftDialPlan{*s, "", "", std::nullopt, {}});
        idx = static_cast<int>(d_out_.dialPlans.size() - 1);
        if (isNew && !tenant) {
          DraftRule keep;
          keep.name = "Keep All";
          d_out_.dialPlans[idx].rules.push_back(keep);
          keepAllAt_[idx] = head.range;
        }
      }
      DraftDialPlan& p = d_out_.dialPlans[idx];
      if (auto v = str(a, "Description", head, false)) p.description = *v;
      if (auto v = str(a, "ExternalAccessPrefix", head, false)) p.externalAccessPrefix = *v;
      if (auto v = boolean(a, "OptimizeDeviceDialing", head)) p.optimizeDeviceDialing = *v;
      if (a.count("normalizationrules"))
        applyRules(p, a["normalizationrules"].value, a["normalizationrules"].paramRange);
      imported(head, "dial plan " + scopeText(*s) + " (" + std::to_string(p.rules.size()) +
                         (p.rules.size() == 1 ? " rule)" : " rules)"));
      return none;
    }
    if (n == "new-csvoicenormalizationrule" || n == "set-csvoicenormalizationrule" ||
        n == "remove-csvoicenormalizationrule") {
      std::string parent, name;
      SourceRange at = head.range;
      if (a.count("identity")) {
        auto v = str(a, "Identity", head, true);
        if (!v) return none;
        at = a["identity"].value.range;
        size_t slash = v->find('/');
        if (slash == std::string::npos) {
          if (n[0] != 'n' || !a.count("name")) {
            report(
                codes::kInvalidValue, Severity::Error, at,
                "a normalization rule's identity is DIALPLAN/NAME (like \"site:Redmond/4 digit\"), "
                "not \"" +
                    *v + "\"; the command was skipped");
            return none;
          }
          parent = *v;
        } else {
          parent = v->substr(0, slash);
          name = v->substr(slash + 1);
        }
      }
      if (a.count("parent")) {
        auto v = str(a, "Parent", head, true);
        if (!v) return none;
        parent = *v;
      }
      if (a.count("name") && n[0] == 'n') {
        auto v = str(a, "Name", head, true);
        if (!v) return none;
        name = *v;
      }
      if (name.empty()) {
        report(codes::kMissingValue, Severity::Error, head.range,
               "`" + head.text +
                   "` needs -Identity DIALPLAN/NAME, or -Parent and -Name; the "
                   "command was skipped");
        return none;
      }
      if (parent.empty()) parent = "global";
      auto s = scope(parent, at, true, true, "a dial plan");
      if (!s) return none;
      bool inMemory =
          a.count("inmemory") && a["inmemory"].value.kind == Value::Bool && a["inmemory"].value.b;
      if (n[0] == 'n') {
        DraftRule r;
        r.name = name;
        if (auto v = str(a, "Pattern", head, false)) r.pattern = *v;
        if (auto v = str(a, "Translation", head, false)) r.translation = *v;
        if (auto v = str(a, "Description", head, false)) r.description = *v;
        if (auto v = boolean(a, "IsInternalExtension", head)) r.internalExtension = *v;
        auto prio = integer(a, "Priority", head);
        if (inMemory) {
          Value out;
          out.kind = Value::Rule;
          out.rule = r;
          out.range = head.range;
          return out;
        }
        int idx = planIndex(*s);
        if (idx < 0) {
          if (s->kind != DraftScope::Global)
            report(codes::kUnknownObject, Severity::Warning, at,
                   "dial plan " + scopeText(*s) +
                       " is not created by this script; it is assumed to "
                       "exist and imported with the rules this script gives it");
          d_out_.dialPlans.push_back(DraftDialPlan{*s, "", "", std::nullopt, {}});
          idx = static_cast<int>(d_out_.dialPlans.size() - 1);
        }
        auto& rules = d_out_.dialPlans[idx].rules;
        for (const auto& x : rules)
          if (toLower(x.name) == toLower(name)) {
            report(
                codes::kUnknownObject, Severity::Warning, head.range,
                "dial plan " + scopeText(*s) + " already has a rule \"" + name +
                    "\"; New-CsVoiceNormalizationRule fails for it, so this command was skipped");
            return none;
          }
        size_t pos =
            prio ? std::min<size_t>(static_cast<size_t>(*prio), rules.size()) : rules.size();
        rules.insert(rules.begin() + pos, r);
        imported(head, "rule \"" + name + "\" in dial plan " + scopeText(*s));
        return none;
      }
      int idx = planIndex(*s);
      int ri = -1;
      if (idx >= 0)
        for (size_t i = 0; i < d_out_.dialPlans[idx].rules.size(); ++i)
          if (toLower(d_out_.dialPlans[idx].rules[i].name) == toLower(name))
            ri = static_cast<int>(i);
      if (ri < 0) {
        report(codes::kUnknownObject, Severity::Warning, at,
               "rule \"" + name + "\" of dial plan " + scopeText(*s) +
                   " is not created by this script, so this command was skipped (its other "
                   "properties are unknown)");
        return none;
      }
      auto& rules = d_out_.dialPlans[idx].rules;
      if (n[0] == 'r') {
        rules.erase(rules.begin() + ri);
        if (toLower(name) == "keep all") keepAllAt_.erase(idx);
        imported(head, "removal of rule \"" + name + "\" from dial plan " + scopeText(*s));
        return none;
      }
      DraftRule r = rules[ri];
      if (auto v = str(a, "Pattern", head, false)) r.pattern = *v;
      if (auto v = str(a, "Translation", head, false)) r.translation = *v;
      if (auto v = str(a, "Description", head, false)) r.description = *v;
      if (auto v = boolean(a, "IsInternalExtension", head)) r.internalExtension = *v;
      rules.erase(rules.begin() + ri);
      size_t pos = static_cast<size_t>(ri);
      if (auto prio = integer(a, "Priority", head)) pos = static_cast<size_t>(*prio);
      pos = std::min(pos, rules.size());
      rules.insert(rules.begin() + pos, r);
      if (toLower(name) == "keep all") keepAllAt_.erase(idx);
      imported(head, "change of rule \"" + name + "\" in dial plan " + scopeText(*s));
      return none;
    }
    if (n == "set-csuser" || n == "move-csuser") {
      auto id = str(a, "Identity", head, true);
      if (!id) return none;
      auto sip = userSip(*id, a["identity"].value.range);
      if (!sip) return none;
      DraftUser& u = user(*sip);
      if (n == "set-csuser") {
        if (auto v = str(a, "LineURI", head, false)) u.line = *v;
        imported(head, "line of " + *sip);
      } else {
        auto t = str(a, "Target", head, true);
        if (!t) return none;
        u.pool = pool(*t);
        imported(head, "home pool of " + *sip);
      }
      return none;
    }
    return none;
  }

  // `#parkc:` comment lines written by the exporter.
  void directives() {
    const std::string& t = sm_.text(f_);
    size_t b = 0;
    while (b < t.size()) {
      size_t e = t.find('\n', b);
      if (e == std::string::npos) e = t.size();
      std::string ln = t.substr(b, e - b);
      size_t lineStart = b;
      b = e + 1;
      size_t k = ln.find_first_not_of(" \t");
      if (k == std::string::npos || ln.compare(k, 7, "#parkc:") != 0) continue;
      std::vector<std::string> words;
      size_t i = k + 7;
      while (i < ln.size()) {
        if (ln[i] == ' ' || ln[i] == '\t' || ln[i] == '\r') {
          ++i;
          continue;
        }
        std::string w;
        if (ln[i] == '"') {
          ++i;
          while (i < ln.size() && ln[i] != '"') {
            if (ln[i] == '\\' && i + 1 < ln.size()) ++i;
            w += ln[i++];
          }
          ++i;
        } else {
          while (i < ln.size() && ln[i] != ' ' && ln[i] != '\t' && ln[i] != '\r') w += ln[i++];
        }
        words.push_back(w);
      }
      SourceRange at = sm_.rangeOf(f_, lineStart + k, lineStart + ln.size());
      if (words.size() >= 2 && words[0] == "site") {
        sites_.insert(words[1]);
        for (size_t w = 2; w < words.size(); ++w)
          poolSite_[model::canonicalPool(words[w])] = words[1];
      } else if (words.size() >= 2 && words[0] == "user" && words.size() % 2 == 0) {
        DraftUser& u = user(words[1]);
        for (size_t w = 2; w + 1 < words.size(); w += 2) {
          if (words[w] == "pool")
            u.pool = pool(words[w + 1]);
          else if (words[w] == "line")
            u.line = words[w + 1];
        }
      } else if (words.size() == 3 && words[0] == "park_access") {
        d_out_.parkAccess.push_back({words[1], pool(words[2])});
      } else if (words.size() == 3 && words[0] == "allocation") {
        bool found = false;
        for (auto& o : d_out_.orbits)
          if (o.name == words[1]) o.allocation = words[2], found = true;
        if (!found)
          report(codes::kUnknownObject, Severity::Warning, at,
                 "`#parkc:allocation` names orbit \"" + words[1] +
                     "\", which the script does not create");
      } else {
        report(codes::kSyntax, Severity::Error, at,
               "this `#parkc:` line is not understood (site, park_access, allocation or user)");
      }
    }
  }

  void finish() {
    // Topology: pools into the sites named for them, else "Imported".
    bool imported = false;
    for (const auto& s : sites_) d_out_.sites[s];
    for (const auto& [p, s] : poolSite_) {
      if (s.empty()) imported = true;
      d_out_.sites[s.empty() ? "Imported" : s].push_back(p);
    }
    if (imported) {
      std::string pools;
      for (const auto& [p, s] : poolSite_)
        if (s.empty()) pools += (pools.empty() ? "" : ", ") + p;
      report(codes::kTopology, Severity::Note, sm_.rangeOf(f_, 0, 0),
             "Lync's topology is not in PowerShell: pool" +
                 std::string(pools.find(',') == std::string::npos ? " " : "s ") + pools +
                 " went into a site named \"Imported\" in topology.park; move them to their "
                 "real sites");
    }
    for (const auto& [idx, at] : keepAllAt_)
      report(codes::kKeepAll, Severity::Note, at,
             "New-CsDialPlan gives dial plan " + scopeText(d_out_.dialPlans[idx].scope) +
                 " the default rule \"Keep All\" ('^(\\d{11})$' -> '+$1'), and this script never "
                 "removes "
                 "it: it is imported too")
          .suggest("remove it in the script if it is not wanted", at,
                   "Remove-CsVoiceNormalizationRule -Identity \"" +
                       scopeText(d_out_.dialPlans[idx].scope) + "/Keep All\"");
    if (tenantPlans_)
      report(
          codes::kTenantDialPlan, Severity::Note, firstTenant_,
          std::to_string(tenantPlans_) + " Teams tenant dial plan command" +
              (tenantPlans_ == 1 ? "" : "s") +
              " (New-/Set-CsTenantDialPlan) imported as per-user dial plans: Teams uses the same "
              "normalization rule objects");
    if (conditional_)
      report(codes::kConditional, Severity::Note, firstConditional_,
             std::to_string(conditional_) + " configuration command" +
                 (conditional_ == 1 ? " is" : "s are") +
                 " inside if/else, loops, functions or script blocks; they were imported as if "
                 "each ran once");
    if (!sum_.skipped.empty()) {
      std::vector<std::pair<int, std::string>> byCount;
      int total = 0;
      for (const auto& [name, n] : sum_.skipped) {
        byCount.push_back({-n, name});
        total += n;
      }
      std::sort(byCount.begin(), byCount.end());
      std::string list;
      for (size_t i = 0; i < byCount.size(); ++i)
        list +=
            (i ? ", " : "") + byCount[i].second + " (" + std::to_string(-byCount[i].first) + ")";
      report(codes::kSkippedCmdlets, Severity::Note, firstSkipped_,
             "skipped " + std::to_string(total) + " command" + (total == 1 ? "" : "s") + " of " +
                 std::to_string(byCount.size()) + " cmdlet" + (byCount.size() == 1 ? "" : "s") +
                 " with nothing to import: " + list);
    }
  }
};

// ---- writing .park ------------------------------------------------------------------------
std::string dq(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}
std::string raw(const std::string& s) {
  if (s.find('\'') == std::string::npos && s.find('\n') == std::string::npos) return "'" + s + "'";
  return dq(s);
}
std::string scopePark(const DraftScope& s) {
  switch (s.kind) {
    case DraftScope::Global:
      return "global";
    case DraftScope::Site:
      return "site " + dq(s.name);
    case DraftScope::Pool:
      return "pool " + dq(s.name);
    case DraftScope::Tag:
      return dq(s.name);
  }
  return "global";
}
std::string duration(int64_t s) {
  std::string o;
  if (s >= 3600 && s % 60 == 0 && false) o += std::to_string(s / 3600) + "h";
  if (s >= 60) o += std::to_string(s / 60) + "m";
  if (s % 60 || s < 60) o += std::to_string(s % 60) + "s";
  return o;
}

}  // namespace

PolicyDraft importScript(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
                         ImportSummary* summary) {
  ImportSummary local;
  Importer imp(sm, file, diags, summary ? *summary : local);
  return imp.run();
}

std::map<std::string, std::string> writePark(const PolicyDraft& d, const std::string& header) {
  std::map<std::string, std::string> files;
  std::string h = header.empty() ? "" : "// " + header + "\n";
  {
    std::ostringstream o;
    for (const auto& [site, pools] : d.sites) {
      o << "\nsite " << dq(site) << " {";
      if (pools.empty()) {
        o << "}\n";
        continue;
      }
      o << "\n";
      for (const auto& p : pools) o << "  pool " << dq(p) << "\n";
      o << "}\n";
    }
    if (!d.sites.empty()) files["topology.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  {
    std::ostringstream o;
    for (const auto& x : d.orbits) {
      o << "\norbit " << dq(x.name) << " {\n";
      if (x.type != "callpark") o << "  type " << x.type << "\n";
      if (!x.start.empty()) o << "  numbers " << x.start << ".." << x.end << "\n";
      if (!x.pool.empty()) o << "  pool " << dq(x.pool) << "\n";
      if (!x.allocation.empty()) o << "  allocation " << x.allocation << "\n";
      o << "}\n";
    }
    for (const auto& [num, pool] : d.parkAccess)
      o << "\npark_access " << dq(num) << " { pool " << dq(pool) << " }\n";
    if (!d.orbits.empty() || !d.parkAccess.empty())
      files["orbits.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  {
    std::ostringstream o;
    std::vector<DraftSettings> sorted = d.settings;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.scope < b.scope; });
    for (const auto& s : sorted) {
      o << "\npark_settings " << scopePark(s.scope) << " {";
      bool any = s.pickupTimeoutSeconds || s.maxPickupAttempts || s.musicOnHold || s.musicFile ||
                 s.onTimeout;
      if (!any) {
        o << "}\n";
        continue;
      }
      o << "\n";
      if (s.pickupTimeoutSeconds)
        o << "  pickup_timeout " << duration(*s.pickupTimeoutSeconds) << "\n";
      if (s.maxPickupAttempts) o << "  max_pickup_attempts " << *s.maxPickupAttempts << "\n";
      if (s.musicOnHold) o << "  music_on_hold " << (*s.musicOnHold ? "on" : "off") << "\n";
      if (s.musicFile) o << "  music_file " << dq(*s.musicFile) << "\n";
      if (s.onTimeout) o << "  on_timeout " << dq(*s.onTimeout) << "\n";
      o << "}\n";
    }
    if (!sorted.empty()) files["settings.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  {
    std::ostringstream o;
    std::vector<DraftVoicePolicy> sorted = d.voicePolicies;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.scope < b.scope; });
    for (const auto& v : sorted) {
      o << "\nvoice_policy " << scopePark(v.scope);
      if (v.callPark)
        o << " { call_park " << (*v.callPark ? "on" : "off") << " }\n";
      else
        o << " {}\n";
    }
    if (!sorted.empty()) files["policies.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  {
    std::ostringstream o;
    std::vector<DraftDialPlan> sorted = d.dialPlans;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.scope < b.scope; });
    for (const auto& p : sorted) {
      o << "\ndialplan " << scopePark(p.scope) << " {";
      if (p.description.empty() && p.externalAccessPrefix.empty() && !p.optimizeDeviceDialing &&
          p.rules.empty()) {
        o << "}\n";
        continue;
      }
      o << "\n";
      if (!p.description.empty()) o << "  description " << dq(p.description) << "\n";
      if (!p.externalAccessPrefix.empty())
        o << "  external_access_prefix " << dq(p.externalAccessPrefix) << "\n";
      if (p.optimizeDeviceDialing)
        o << "  optimize_device_dialing " << (*p.optimizeDeviceDialing ? "on" : "off") << "\n";
      for (size_t i = 0; i < p.rules.size(); ++i) {
        const auto& r = p.rules[i];
        o << "  rule " << dq(r.name) << " priority " << i << " {\n";
        if (!r.description.empty()) o << "    description " << dq(r.description) << "\n";
        o << "    pattern " << raw(r.pattern) << "\n";
        o << "    translation " << raw(r.translation) << "\n";
        if (r.internalExtension) o << "    internal_extension\n";
        o << "  }\n";
      }
      o << "}\n";
    }
    if (!sorted.empty()) files["dialplans.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  {
    std::ostringstream o;
    for (const auto& u : d.users) {
      o << "\nuser " << dq(u.sip) << " {";
      if (u.pool.empty() && u.line.empty() && u.voicePolicy.empty() && u.dialPlan.empty()) {
        o << "}\n";
        continue;
      }
      o << "\n";
      if (!u.pool.empty()) o << "  pool " << dq(u.pool) << "\n";
      if (!u.line.empty()) o << "  line " << dq(u.line) << "\n";
      if (!u.voicePolicy.empty()) o << "  voice_policy " << dq(u.voicePolicy) << "\n";
      if (!u.dialPlan.empty()) o << "  dialplan " << dq(u.dialPlan) << "\n";
      o << "}\n";
    }
    if (!d.users.empty()) files["users.park"] = h + o.str().substr(h.empty() ? 1 : 0);
  }
  return files;
}

}  // namespace callpark::powershell
