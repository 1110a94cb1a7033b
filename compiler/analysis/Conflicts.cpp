// The conflict analysis: how it is exact and fast.
//
// 1. Patterns and translations are compiled once per distinct text with the normalization
//    engine (normalize::compilePattern / parseTranslation); each distinct pattern also gets a DFA
//    (Automaton.h). Dial plans with the same effective rule list (pattern, translation, order,
//    external access prefix when it applies) are analysed once and reported for each copy.
//
// 2. Each usable orbit range [lo, hi] of L digits is split into maximal aligned blocks: a number
//    prefix followed by k free digits (7000..7099 is one block "70" + 2 digits; 7005..7100 is
//    "7005".."7009", "701".."709" + 1, "7100"). For a plan that strips an external access prefix
//    A, blocks are split further until it is decided whether A is stripped, and each block keeps
//    the input the rules see (the number without A) next to the number itself.
//
// 3. For every (access prefix variant, range, pattern) the range-level cover (ALL / NONE / SOME
//    of its numbers match) is computed once from the DFA cover table. For a (plan, range) pair the
//    rules are scanned in order: NONE rules are skipped at once; an ALL rule is the first match
//    of every number of the range; at the first SOME rule the range's blocks are walked: for each
//    block, rules from there on are asked for the block's cover, an ALL rule decides the block,
//    NONE rules are skipped, and at a SOME rule the block is split on its next digit. Every number
//    is therefore assigned its exact first rule, but typically by whole blocks.
//
// 4. Whether the first rule's translation changes the numbers of a block is decided per
//    (translation, access prefix, range prefix character): identity (the translation reproduces
//    the match: its literals and group references equal the pattern's top-level literals and
//    groups, with the stripped prefix in front), always (it emits a character no number of the
//    range contains, like '+', or it reproduces the input of a number the prefix was removed
//    from, dropping the prefix), constant (no group reference: it equals at most one number), or
//    else per number with RE2 and the engine's Substitution (exact). The lowest affected number of
//    each (plan, rule, range) is its witness; blocks and digits are visited in ascending order.
//
// 5. Patterns without a DFA are evaluated per number with RE2 (their range-level covers are
//    computed per number once, so ranges they never match cost nothing later).
//
// Distinct plans are spread over threads; each writes only its own result slot.
#include "compiler/analysis/Conflicts.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

#include "compiler/analysis/Automaton.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "compiler/normalize/Pattern.h"
#include "compiler/normalize/Substitution.h"

namespace callpark::analysis {
namespace {

uint64_t pow10(int k) {
  uint64_t p = 1;
  while (k-- > 0) p *= 10;
  return p;
}

std::string padded(uint64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

struct PatternEntry {
  std::string dotnet;
  normalize::CompiledPattern compiled;
  std::optional<Dfa> dfa;
  std::string noDfaReason;
  bool acceptsDial = true;  // accepts some string over the dial alphabet
  std::string shortest;     // a shortest such string
};

struct TranslationEntry {
  int pattern = -1;
  normalize::Substitution sub;
  std::string literals;  // every literal character of the translation
  // The translation as literals and groups (adjacent literals merged).
  std::vector<TopPiece> seq;
};

enum class RewriteClass : uint8_t { Identity, Always, Constant, PerNumber };

struct Block {
  std::string input;   // what the rules see (external access prefix removed)
  std::string number;  // the number prefix
  int k = 0;           // free digits
};

struct RangeInfo {
  int orbit = model::kNone;
  int prefixSlot = 0;  // 0: none, 1: '*', 2: '#'
  uint64_t size = 0;
  std::vector<Block> blocks;  // without any access prefix
};

struct DistinctPlan {
  std::string strip;  // external access prefix applied by the plan, "" when none
  int variant = 0;
  std::vector<std::pair<int, int>> rules;   // (pattern, translation) in order
  std::vector<int> instances;               // model plan indices
  std::vector<std::vector<int>> ruleIndex;  // per instance: position -> model rule index
  // Per rule and range prefix character (none, '*', '#'): how the translation treats numbers the
  // access prefix was not removed from (cls) and numbers it was removed from (clsStripped).
  std::vector<std::array<RewriteClass, 3>> cls, clsStripped;
  std::vector<bool> passThrough;
};

// A rewrite found for a distinct plan (positions, not model indices).
struct Found {
  int pos = 0;
  int orbit = model::kNone, parkAccess = model::kNone;
  uint64_t affected = 0, total = 0;
  std::string witness, result;
};
struct FoundDead {
  int pos = 0, by = 0;
  bool passThrough = false, catchAll = false;
  int protectedOrbit = model::kNone;
  std::string example;
};

bool sameSeq(const std::vector<TopPiece>& a, const std::vector<TopPiece>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].kind != b[k].kind) return false;
    if (a[k].kind == TopPiece::Literal ? a[k].literal != b[k].literal : a[k].group != b[k].group)
      return false;
  }
  return true;
}

std::vector<TopPiece> withPrefix(const std::string& a, std::vector<TopPiece> seq) {
  if (a.empty()) return seq;
  if (!seq.empty() && seq.front().kind == TopPiece::Literal)
    seq.front().literal.insert(0, a);
  else
    seq.insert(seq.begin(), TopPiece{TopPiece::Literal, a, 0});
  return seq;
}

class Analysis {
 public:
  Analysis(const model::Model& m, const ConflictOptions& o) : m_(m), opts_(o) {}

  ConflictResult run();

 private:
  const model::Model& m_;
  const ConflictOptions& opts_;
  std::vector<PatternEntry> patterns_;
  std::vector<TranslationEntry> translations_;
  std::vector<DistinctPlan> plans_;
  std::vector<std::string> variants_;  // distinct strip prefixes
  std::vector<RangeInfo> ranges_;
  std::vector<std::vector<std::vector<Block>>> variantBlocks_;  // [variant][range]
  std::vector<std::vector<uint8_t>> cover_;  // [variant][range * patterns + pattern]
  ConflictStats stats_;

  void compileAll();
  void buildRanges();
  void computeCovers();
  RewriteClass classify(const TranslationEntry& t, const PatternEntry& p, const std::string& a,
                        char prefixChar) const;

  friend class Worker;
};

// Evaluates one compiled rule on an input; false when it does not match.
bool applyRule(const PatternEntry& p, const TranslationEntry& t, std::string_view input,
               std::string* out) {
  int n = std::max(t.sub.capturesNeeded(), 1);
  std::array<re2::StringPiece, 32> inlineGroups;
  std::vector<re2::StringPiece> heap;
  re2::StringPiece* groups = inlineGroups.data();
  if (n > 32) {
    heap.resize(n);
    groups = heap.data();
  }
  re2::StringPiece text(input.data(), input.size());
  if (!p.compiled.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, groups, n)) return false;
  out->clear();
  t.sub.apply(groups, out);
  return true;
}

bool patternMatches(const PatternEntry& p, std::string_view input) {
  if (p.dfa) return p.dfa->fullMatch(input);
  re2::StringPiece text(input.data(), input.size());
  return p.compiled.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, nullptr, 0);
}

void Analysis::compileAll() {
  std::map<std::string, int> patternIds;
  std::map<std::pair<int, std::string>, int> translationIds;
  std::map<std::string, int> planIds;
  std::map<std::string, int> variantIds;
  stats_.plans = m_.dialPlans.size();
  for (size_t pi = 0; pi < m_.dialPlans.size(); ++pi) {
    const model::DialPlan& plan = m_.dialPlans[pi];
    std::string strip = plan.optimizeDeviceDialing ? plan.externalAccessPrefix : std::string();
    std::vector<std::pair<int, int>> rules;
    std::vector<int> modelIdx;
    for (size_t ri = 0; ri < plan.rules.size(); ++ri) {
      const model::NormRule& nr = plan.rules[ri];
      auto pit = patternIds.find(nr.pattern);
      if (pit == patternIds.end()) {
        normalize::CompileResult c = normalize::compilePattern(nr.pattern);
        int id = -1;
        if (c.ok()) {
          id = static_cast<int>(patterns_.size());
          PatternEntry e;
          e.dotnet = nr.pattern;
          e.compiled = std::move(*c.compiled);
          patterns_.push_back(std::move(e));
        }
        pit = patternIds.emplace(nr.pattern, id).first;
      }
      if (pit->second < 0) continue;
      auto key = std::make_pair(pit->second, nr.translation);
      auto tit = translationIds.find(key);
      if (tit == translationIds.end()) {
        normalize::TranslationResult t =
            normalize::parseTranslation(nr.translation, patterns_[pit->second].compiled.pattern);
        int id = -1;
        if (t.ok()) {
          id = static_cast<int>(translations_.size());
          TranslationEntry e;
          e.pattern = pit->second;
          e.sub = std::move(*t.substitution);
          for (const auto& piece : e.sub.pieces()) {
            e.literals += piece.literal;
            if (!piece.literal.empty()) {
              if (!e.seq.empty() && e.seq.back().kind == TopPiece::Literal)
                e.seq.back().literal += piece.literal;
              else
                e.seq.push_back({TopPiece::Literal, piece.literal, 0});
            }
            if (piece.group >= 0) e.seq.push_back({TopPiece::Group, "", piece.group});
          }
          translations_.push_back(std::move(e));
        }
        tit = translationIds.emplace(key, id).first;
      }
      if (tit->second < 0) continue;
      rules.push_back({pit->second, tit->second});
      modelIdx.push_back(static_cast<int>(ri));
    }
    std::string key = strip + '\n';
    for (auto [p, t] : rules) key += std::to_string(p) + ',' + std::to_string(t) + ';';
    auto [it, fresh] = planIds.emplace(key, static_cast<int>(plans_.size()));
    if (fresh) {
      DistinctPlan d;
      d.strip = strip;
      auto [vit, vfresh] = variantIds.emplace(strip, static_cast<int>(variants_.size()));
      if (vfresh) variants_.push_back(strip);
      d.variant = vit->second;
      d.rules = std::move(rules);
      plans_.push_back(std::move(d));
    }
    plans_[it->second].instances.push_back(static_cast<int>(pi));
    plans_[it->second].ruleIndex.push_back(std::move(modelIdx));
  }
  stats_.distinctPlans = plans_.size();
  stats_.patterns = patterns_.size();

  for (PatternEntry& p : patterns_) {
    if (opts_.useAutomata) p.dfa = Dfa::build(p.compiled.pattern.re2, &p.noDfaReason);
    if (p.dfa) {
      ++stats_.automata;
      p.acceptsDial = acceptsSome(*p.dfa, kDialAlphabet, &p.shortest);
    } else {
      ++stats_.fallbackPatterns;
    }
  }
  for (DistinctPlan& d : plans_) {
    for (auto [p, t] : d.rules) {
      const PatternEntry& pe = patterns_[p];
      const TranslationEntry& te = translations_[t];
      d.cls.push_back(
          {classify(te, pe, "", 0), classify(te, pe, "", '*'), classify(te, pe, "", '#')});
      d.clsStripped.push_back({classify(te, pe, d.strip, 0), classify(te, pe, d.strip, '*'),
                               classify(te, pe, d.strip, '#')});
      d.passThrough.push_back(classify(te, pe, "", 0) == RewriteClass::Identity);
    }
  }
}

RewriteClass Analysis::classify(const TranslationEntry& t, const PatternEntry& p,
                                const std::string& a, char prefixChar) const {
  for (char c : t.literals)
    if (!(c >= '0' && c <= '9') && c != prefixChar) return RewriteClass::Always;
  if (t.sub.isConstant()) return RewriteClass::Constant;
  if (p.dfa && p.dfa->topLevel()) {
    const std::vector<TopPiece>& top = *p.dfa->topLevel();
    if (sameSeq(t.seq, withPrefix(a, top))) return RewriteClass::Identity;
    if (sameSeq(t.seq, withPrefix(a, {TopPiece{TopPiece::Group, "", 0}})))
      return RewriteClass::Identity;
    // For numbers the access prefix was removed from, reproducing the rules' input drops the
    // prefix: the result is always shorter than the number.
    if (!a.empty() && (sameSeq(t.seq, top) || sameSeq(t.seq, {TopPiece{TopPiece::Group, "", 0}})))
      return RewriteClass::Always;
  }
  return RewriteClass::PerNumber;
}

void addVariantBlocks(const std::string& a, const Block& b, std::vector<Block>& out) {
  size_t n = b.number.size() + b.k;
  if (a.empty() || n <= a.size()) {
    out.push_back(b);
    return;
  }
  if (b.number.size() >= a.size()) {
    if (b.number.compare(0, a.size(), a) == 0)
      out.push_back({b.number.substr(a.size()), b.number, b.k});
    else
      out.push_back(b);
    return;
  }
  if (a.compare(0, b.number.size(), b.number) != 0) {
    out.push_back(b);
    return;
  }
  for (char d = '0'; d <= '9'; ++d) addVariantBlocks(a, {b.number + d, b.number + d, b.k - 1}, out);
}

std::vector<Block> rangeBlocks(const model::OrbitRange& r) {
  std::vector<Block> out;
  int len = static_cast<int>(r.start.digits.size());
  std::string pre = r.start.prefix ? std::string(1, r.start.prefix) : std::string();
  uint64_t lo = r.start.value, hi = r.end.value;
  while (true) {
    int k = 0;
    uint64_t p = 1;
    while (k < len && lo % (p * 10) == 0 && lo + p * 10 - 1 <= hi) p *= 10, ++k;
    std::string digits = len - k > 0 ? padded(lo / p, len - k) : std::string();
    out.push_back({pre + digits, pre + digits, k});
    if (hi - lo < p) break;  // lo + p > hi
    lo += p;
  }
  return out;
}

void Analysis::buildRanges() {
  for (size_t k = 0; k < m_.orbits.size(); ++k) {
    const model::OrbitRange& r = m_.orbits[k];
    if (!r.usable() || r.size() > kMaxRangeSize) {
      ++stats_.skippedRanges;
      continue;
    }
    RangeInfo info;
    info.orbit = static_cast<int>(k);
    info.prefixSlot = r.start.prefix == '*' ? 1 : r.start.prefix == '#' ? 2 : 0;
    info.size = r.size();
    info.blocks = rangeBlocks(r);
    stats_.numbers += info.size;
    ranges_.push_back(std::move(info));
  }
  stats_.ranges = ranges_.size();
  variantBlocks_.resize(variants_.size());
  for (size_t v = 0; v < variants_.size(); ++v)
    for (const RangeInfo& r : ranges_) {
      std::vector<Block> out;
      for (const Block& b : r.blocks) addVariantBlocks(variants_[v], b, out);
      variantBlocks_[v].push_back(std::move(out));
    }
}

Cover combine(Cover acc, Cover c, bool first) {
  if (first) return c;
  return acc == c ? acc : Cover::Some;
}

void Analysis::computeCovers() {
  size_t np = patterns_.size();
  cover_.assign(variants_.size(), std::vector<uint8_t>(ranges_.size() * np, 0));
  for (size_t v = 0; v < variants_.size(); ++v) {
    for (size_t r = 0; r < ranges_.size(); ++r) {
      const std::vector<Block>& blocks = variantBlocks_[v][r];
      for (size_t p = 0; p < np; ++p) {
        const PatternEntry& pe = patterns_[p];
        Cover acc = Cover::None;
        bool first = true;
        for (const Block& b : blocks) {
          Cover c;
          if (pe.dfa) {
            c = pe.dfa->cover(pe.dfa->run(0, b.input), b.k);
          } else {
            // Exact, number by number.
            bool any = false, all = true;
            uint64_t n = pow10(b.k);
            for (uint64_t s = 0; s < n; ++s) {
              bool hit = patternMatches(pe, b.input + (b.k ? padded(s, b.k) : std::string()));
              any = any || hit;
              all = all && hit;
            }
            stats_.perNumberEvaluations += n;
            c = all ? Cover::All : any ? Cover::Some : Cover::None;
          }
          acc = combine(acc, c, first);
          first = false;
          if (acc == Cover::Some) break;
        }
        cover_[v][r * np + p] = static_cast<uint8_t>(acc);
      }
    }
  }
}

// Per-thread state for walking (plan, range) pairs.
class Worker {
 public:
  explicit Worker(Analysis& a) : a_(a) {}
  ConflictStats stats;

  void plan(int d, std::vector<Found>& found, std::vector<FoundDead>& dead);

 private:
  Analysis& a_;
  struct Acc {
    uint64_t affected = 0;
    std::string witness, witnessInput;
  };
  std::vector<Acc> acc_;
  std::vector<int> touched_;
  const DistinctPlan* plan_ = nullptr;
  int slot_ = 0;
  std::string scratch_;
  std::unordered_map<uint64_t, bool> inclusion_;

  void emit(int j, const std::string& in, const std::string& num, int k);
  void walk(int j, const std::string& in, const std::string& num, int k);
  void touch(int j) {
    if (acc_[j].affected == 0 && acc_[j].witness.empty()) touched_.push_back(j);
  }
  void record(int j, const std::string& number, const std::string& input, uint64_t n) {
    touch(j);
    if (acc_[j].witness.empty()) {
      acc_[j].witness = number;
      acc_[j].witnessInput = input;
    }
    acc_[j].affected += n;
  }
};

void Worker::emit(int j, const std::string& in, const std::string& num, int k) {
  ++stats.blocksDecided;
  // The block's input lacks the number's leading access prefix when the plan removed it.
  bool stripped = in.size() != num.size();
  RewriteClass c = (stripped ? plan_->clsStripped : plan_->cls)[j][slot_];
  uint64_t n = pow10(k);
  switch (c) {
    case RewriteClass::Identity:
      return;
    case RewriteClass::Always:
      record(j, num + std::string(k, '0'), in + std::string(k, '0'), n);
      return;
    case RewriteClass::Constant: {
      const TranslationEntry& t = a_.translations_[plan_->rules[j].second];
      const std::string& value = t.literals;
      bool inBlock = value.size() == num.size() + k && value.compare(0, num.size(), num) == 0;
      if (inBlock && n == 1) return;
      std::string w = num + std::string(k, '0'), wi = in + std::string(k, '0');
      if (inBlock && w == value) {
        w.back() = '1';
        wi.back() = '1';
      }
      record(j, w, wi, inBlock ? n - 1 : n);
      return;
    }
    case RewriteClass::PerNumber: {
      const auto [p, t] = plan_->rules[j];
      const PatternEntry& pe = a_.patterns_[p];
      const TranslationEntry& te = a_.translations_[t];
      std::string input, number;
      for (uint64_t s = 0; s < n; ++s) {
        std::string suffix = k ? padded(s, k) : std::string();
        input = in + suffix;
        number = num + suffix;
        applyRule(pe, te, input, &scratch_);
        if (scratch_ != number) record(j, number, input, 1);
      }
      stats.perNumberEvaluations += n;
      return;
    }
  }
}

void Worker::walk(int i, const std::string& in, const std::string& num, int k) {
  const auto& rules = plan_->rules;
  for (size_t j = i; j < rules.size(); ++j) {
    const PatternEntry& pe = a_.patterns_[rules[j].first];
    Cover c;
    if (pe.dfa) {
      c = pe.dfa->cover(pe.dfa->run(0, in), k);
    } else if (k == 0) {
      ++stats.perNumberEvaluations;
      c = patternMatches(pe, in) ? Cover::All : Cover::None;
    } else {
      c = Cover::Some;
    }
    if (c == Cover::None) continue;
    if (c == Cover::All) {
      emit(static_cast<int>(j), in, num, k);
      return;
    }
    for (char d = '0'; d <= '9'; ++d) walk(static_cast<int>(j), in + d, num + d, k - 1);
    return;
  }
}

void Worker::plan(int d, std::vector<Found>& found, std::vector<FoundDead>& dead) {
  const DistinctPlan& dp = a_.plans_[d];
  plan_ = &dp;
  size_t np = a_.patterns_.size();
  acc_.assign(dp.rules.size(), Acc{});
  const auto& covers = a_.cover_.empty() ? std::vector<uint8_t>() : a_.cover_[dp.variant];
  for (size_t r = 0; r < a_.ranges_.size(); ++r) {
    const RangeInfo& ri = a_.ranges_[r];
    const std::vector<Block>& blocks = a_.variantBlocks_[dp.variant][r];
    slot_ = ri.prefixSlot;
    ++stats.planRangePairs;
    touched_.clear();
    for (size_t i = 0; i < dp.rules.size(); ++i) {
      Cover c = static_cast<Cover>(covers[r * np + dp.rules[i].first]);
      if (c == Cover::None) continue;
      for (const Block& b : blocks) {
        if (c == Cover::All)
          emit(static_cast<int>(i), b.input, b.number, b.k);
        else
          walk(static_cast<int>(i), b.input, b.number, b.k);
      }
      break;
    }
    std::sort(touched_.begin(), touched_.end());
    for (int j : touched_) {
      Acc& a = acc_[j];
      if (a.affected > 0) {
        Found f;
        f.pos = j;
        f.orbit = ri.orbit;
        f.affected = a.affected;
        f.total = ri.size;
        f.witness = a.witness;
        const auto [p, t] = dp.rules[j];
        applyRule(a_.patterns_[p], a_.translations_[t], a.witnessInput, &f.result);
        found.push_back(std::move(f));
      }
      a = Acc{};
    }
  }

  // Park access numbers.
  for (size_t k = 0; k < a_.m_.parkAccess.size(); ++k) {
    const std::string& number = a_.m_.parkAccess[k].number;
    if (number.empty()) continue;
    std::string_view input = number;
    const std::string& s = dp.strip;
    if (!s.empty() && input.size() > s.size() && input.substr(0, s.size()) == s)
      input.remove_prefix(s.size());
    for (size_t j = 0; j < dp.rules.size(); ++j) {
      const PatternEntry& pe = a_.patterns_[dp.rules[j].first];
      if (!patternMatches(pe, input)) continue;
      std::string out;
      applyRule(pe, a_.translations_[dp.rules[j].second], input, &out);
      if (out != number) {
        Found f;
        f.pos = static_cast<int>(j);
        f.parkAccess = static_cast<int>(k);
        f.affected = f.total = 1;
        f.witness = number;
        f.result = out;
        found.push_back(std::move(f));
      }
      break;
    }
  }

  if (!a_.opts_.subsumption) return;
  for (size_t j = 1; j < dp.rules.size(); ++j) {
    const PatternEntry& pj = a_.patterns_[dp.rules[j].first];
    if (!pj.dfa || !pj.acceptsDial) continue;
    for (size_t i = 0; i < j; ++i) {
      const PatternEntry& pi = a_.patterns_[dp.rules[i].first];
      if (!pi.dfa) continue;
      uint64_t key = static_cast<uint64_t>(dp.rules[j].first) * np + dp.rules[i].first;
      auto it = inclusion_.find(key);
      if (it == inclusion_.end())
        it = inclusion_.emplace(key, includedIn(*pj.dfa, *pi.dfa, kDialAlphabet)).first;
      if (!it->second) continue;
      FoundDead fd;
      fd.pos = static_cast<int>(j);
      fd.by = static_cast<int>(i);
      fd.passThrough = dp.passThrough[j];
      fd.catchAll = pi.dfa->matchesAllDigitStrings(false);
      fd.example = pj.shortest;
      for (size_t r = 0; r < a_.ranges_.size() && fd.protectedOrbit == model::kNone; ++r)
        if (static_cast<Cover>(covers[r * np + dp.rules[j].first]) != Cover::None)
          fd.protectedOrbit = a_.ranges_[r].orbit;
      dead.push_back(std::move(fd));
      break;
    }
  }
}

ConflictResult Analysis::run() {
  compileAll();
  buildRanges();
  computeCovers();

  std::vector<std::vector<Found>> found(plans_.size());
  std::vector<std::vector<FoundDead>> dead(plans_.size());
  unsigned threads = opts_.threads ? opts_.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(plans_.size())));
  stats_.threads = threads;
  std::atomic<size_t> next{0};
  std::vector<ConflictStats> workerStats(threads);
  auto work = [&](unsigned w) {
    Worker worker(*this);
    for (size_t d; (d = next.fetch_add(1)) < plans_.size();)
      worker.plan(static_cast<int>(d), found[d], dead[d]);
    workerStats[w] = worker.stats;
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < threads; ++w) pool.emplace_back(work, w);
    for (auto& t : pool) t.join();
  }
  for (const ConflictStats& s : workerStats) {
    stats_.planRangePairs += s.planRangePairs;
    stats_.blocksDecided += s.blocksDecided;
    stats_.perNumberEvaluations += s.perNumberEvaluations;
  }

  ConflictResult out;
  for (size_t d = 0; d < plans_.size(); ++d) {
    const DistinctPlan& dp = plans_[d];
    for (size_t inst = 0; inst < dp.instances.size(); ++inst) {
      int plan = dp.instances[inst];
      const std::vector<int>& idx = dp.ruleIndex[inst];
      for (const Found& f : found[d])
        out.rewrites.push_back(
            {plan, idx[f.pos], f.orbit, f.parkAccess, f.affected, f.total, f.witness, f.result});
      for (const FoundDead& fd : dead[d])
        out.dead.push_back({plan, idx[fd.pos], idx[fd.by], fd.passThrough, fd.catchAll,
                            fd.protectedOrbit, fd.example});
    }
  }
  auto rk = [](const Rewrite& r) {
    return std::make_tuple(r.plan, r.rule, r.orbit == model::kNone, r.orbit, r.parkAccess);
  };
  std::sort(out.rewrites.begin(), out.rewrites.end(),
            [&](const Rewrite& a, const Rewrite& b) { return rk(a) < rk(b); });
  std::sort(out.dead.begin(), out.dead.end(), [](const DeadRule& a, const DeadRule& b) {
    return std::tie(a.plan, a.rule) < std::tie(b.plan, b.rule);
  });
  out.stats = stats_;
  return out;
}

}  // namespace

ConflictResult findConflicts(const model::Model& m, const ConflictOptions& opts) {
  Analysis a(m, opts);
  return a.run();
}

std::vector<Rewrite> findRewritesBruteForce(const model::Model& m) {
  std::vector<Rewrite> out;
  std::string result;
  for (size_t p = 0; p < m.dialPlans.size(); ++p) {
    normalize::CompiledDialPlan cp = normalize::CompiledDialPlan::compile(m.dialPlans[p]);
    for (size_t o = 0; o < m.orbits.size(); ++o) {
      const model::OrbitRange& r = m.orbits[o];
      if (!r.usable() || r.size() > kMaxRangeSize) continue;
      std::map<int, Rewrite> byRule;
      for (uint64_t i = 0; i < r.size(); ++i) {
        std::string number = r.numberAt(i);
        int rule = cp.normalizeInto(number, &result);
        if (rule < 0 || result == number) continue;
        Rewrite& w = byRule[rule];
        if (w.affected == 0) {
          w = Rewrite{static_cast<int>(p),
                      rule,
                      static_cast<int>(o),
                      model::kNone,
                      0,
                      r.size(),
                      number,
                      result};
        }
        ++w.affected;
      }
      for (auto& [rule, w] : byRule) out.push_back(std::move(w));
    }
    for (size_t k = 0; k < m.parkAccess.size(); ++k) {
      const std::string& number = m.parkAccess[k].number;
      if (number.empty()) continue;
      int rule = cp.normalizeInto(number, &result);
      if (rule >= 0 && result != number)
        out.push_back(
            {static_cast<int>(p), rule, model::kNone, static_cast<int>(k), 1, 1, number, result});
    }
  }
  auto rk = [](const Rewrite& r) {
    return std::make_tuple(r.plan, r.rule, r.orbit == model::kNone, r.orbit, r.parkAccess);
  };
  std::sort(out.begin(), out.end(),
            [&](const Rewrite& a, const Rewrite& b) { return rk(a) < rk(b); });
  return out;
}

std::string rangePattern(const model::OrbitRange& r) {
  std::vector<Block> blocks = rangeBlocks(r);
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '*') o += '\\';
      o += c;
    }
    return o;
  };
  auto tail = [](int k) {
    return k == 0 ? std::string() : k == 1 ? std::string("\\d") : "\\d{" + std::to_string(k) + "}";
  };
  std::vector<std::string> alts;
  for (size_t i = 0; i < blocks.size();) {
    // Merge runs of blocks that differ only in a consecutive last digit.
    const Block& b = blocks[i];
    size_t j = i + 1;
    if (!b.number.empty() && std::isdigit(static_cast<unsigned char>(b.number.back()))) {
      std::string stem = b.number.substr(0, b.number.size() - 1);
      while (j < blocks.size() && blocks[j].k == b.k &&
             blocks[j].number.size() == b.number.size() &&
             blocks[j].number.compare(0, stem.size(), stem) == 0 &&
             blocks[j].number.back() == blocks[j - 1].number.back() + 1)
        ++j;
      if (j - i > 1) {
        alts.push_back(esc(stem) + "[" + b.number.back() + "-" + blocks[j - 1].number.back() + "]" +
                       tail(b.k));
        i = j;
        continue;
      }
    }
    alts.push_back(esc(b.number) + tail(b.k));
    i = i + 1;
  }
  std::string body;
  for (size_t k = 0; k < alts.size(); ++k) body += (k ? "|" : "") + alts[k];
  return "^(" + body + ")$";
}

}  // namespace callpark::analysis
