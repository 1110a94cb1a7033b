// How the generated code is laid out.
//
// The IR module is mostly tables plus one decision procedure; the generator keeps that split.
// Data goes into private constant arrays indexed by the ids the passes assigned (users, pools,
// model dial plans, voice policies, IR plans, entries, transparency rows). Control flow is
// emitted where it pays: orbit classification, which every request runs (once or twice), is
// unrolled into straight-line code specialised for each string length the policy has numbers
// of, so the common retrieve path is a handful of compares and loads.
//
//   cp.classify(s, len, &value) -> entry id, or -1
//     switch len                          one case per length of any entry
//       exact entries of that length      byte compares, first match wins (declaration order)
//       switch s[0]: '*', '#', digit      the numeric key (prefix, digit count)
//         parse digits (unrolled)         any non-digit: miss
//         compare tree / jump table       the IR's nodes, one basic block each
//
//   cp_dispatch_v1(env, caller, dialed, len, out)
//     clear *out; len > CP_MAX_NUMBER: TOO_LONG
//     resolve the caller from the context tables (BAD_CALLER when an index is out of range)
//     no plan: normalized = dialed
//     else strip the plan's external access prefix, classify the rest, look it up in the
//     plan's transparency row:
//        no rule fires        normalized = dialed (the class is reused when nothing was stripped)
//        identity rule fires  normalized = the stripped string, rule and internal from tables
//        unknown              cp_rt_normalize_v1 (RE2::Set over the plan), classify its result
//     fill action / pool / target / orbit from the entry tables
//
// With AVX-512 BW+VL and a policy of at most 16,384 short numbers (revision 2), a string of
// 1..15 bytes leaves cp_dispatch_v1 right after the caller is resolved for cp.short: one masked
// 16-byte load, the prefix compared as a word, a perfect hash over every short number (its slot
// holds the decision), the transparency row, 16-byte stores; no branch depends on which number
// was dialed (see buildShortTables / emitShortPath). Everything else tail-calls cp.generic, the
// code above.
//
// Every step mirrors compiler/dispatch/interp/Interpreter.cpp line for line; the differential
// tests hold the two (and the naive reference) to the same outputs, status codes included.
#include "compiler/dispatch/codegen/Codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>

#include "runtime/abi/dispatch_abi.h"

namespace callpark::dispatch::codegen {

namespace {

using llvm::BasicBlock;
using llvm::Value;

constexpr int kUnknownClass = -2;  // classification not computed yet
constexpr size_t kSearchFrom = 4;  // compare trees of this many intervals become searches

class Gen {
 public:
  Gen(const ir::Module& m, llvm::LLVMContext& c, llvm::Module& mod, bool maskedLoads)
      : m_(m), C(c), M(mod), B(c), maskedLoads_(maskedLoads) {
    i1 = B.getInt1Ty();
    i8 = B.getInt8Ty();
    i16 = B.getInt16Ty();
    i32 = B.getInt32Ty();
    i64 = B.getInt64Ty();
    ptr = B.getPtrTy();
  }

  void run() {
    buildTables();
    buildShortTables();
    buildAutomatonTables();
    declareRuntime();
    emitVersion();
    emitClassify();
    emitDispatch();
    emitMayPark();
    emitSettings();
  }

 private:
  // ---- tables ------------------------------------------------------------------------------

  llvm::GlobalVariable* table(const std::string& name, llvm::Constant* init) {
    auto* gv = new llvm::GlobalVariable(M, init->getType(), /*isConstant=*/true,
                                        llvm::GlobalValue::PrivateLinkage, init, name);
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return gv;
  }
  template <typename T>
  llvm::GlobalVariable* intTable(const std::string& name, std::vector<T> v) {
    if (v.empty()) v.push_back(0);  // never read: every index is range-checked first
    return table(name, llvm::ConstantDataArray::get(C, llvm::ArrayRef<T>(v)));
  }
  // Element `idx` (any integer type) of a constant array.
  Value* load(llvm::GlobalVariable* gv, Value* idx) {
    auto* arr = llvm::cast<llvm::ArrayType>(gv->getValueType());
    Value* p = B.CreateInBoundsGEP(arr, gv, {B.getInt64(0), B.CreateZExt(idx, i64)});
    return B.CreateLoad(arr->getElementType(), p);
  }
  llvm::Constant* cstring(const std::string& s) {
    auto it = strings_.find(s);
    if (it != strings_.end()) return it->second;
    llvm::Constant* init = llvm::ConstantDataArray::getString(C, s, /*AddNull=*/true);
    llvm::GlobalVariable* gv = table("cp.str", init);
    gv->setAlignment(llvm::Align(1));
    strings_.emplace(s, gv);
    return gv;
  }

  void buildTables() {
    // Caller contexts. Users by model index; pools at pool + 1, the global context at 0.
    std::vector<uint32_t> userPlan, ctxPlan;
    std::vector<uint8_t> userMay, ctxMay;
    for (const ir::Context& c : m_.users) {
      userPlan.push_back(static_cast<uint32_t>(c.plan));
      userMay.push_back(c.mayPark ? 1 : 0);
    }
    ctxPlan.push_back(static_cast<uint32_t>(m_.global.plan));
    ctxMay.push_back(m_.global.mayPark ? 1 : 0);
    for (const ir::Context& c : m_.pools) {
      ctxPlan.push_back(static_cast<uint32_t>(c.plan));
      ctxMay.push_back(c.mayPark ? 1 : 0);
    }
    tUserPlan_ = intTable("cp.user.plan", userPlan);
    tUserMay_ = intTable("cp.user.may_park", userMay);
    tCtxPlan_ = intTable("cp.ctx.plan", ctxPlan);
    tCtxMay_ = intTable("cp.ctx.may_park", ctxMay);
    std::vector<uint32_t> planOfModel(m_.planOfModel.begin(), m_.planOfModel.end());
    tPlanOfModel_ = intTable("cp.dialplan_map", planOfModel);
    tVpMay_ = intTable("cp.voice_policy.may_park", std::vector<uint8_t>(m_.vpMayPark));

    // Plans: external access prefix (up to 4 bytes, zero padded), honoured internal flag, and
    // each rule's internal flag (rules of plan p start at ruleBase[p]).
    std::vector<uint8_t> prefixLen, prefixBytes, honour, ruleInternal;
    std::vector<uint32_t> ruleBase;
    for (const ir::Plan& p : m_.plans) {
      size_t n = std::min<size_t>(p.stripPrefix.size(), 4);
      // Longer prefixes cannot be declared (the checker limits them to 4 characters); 0xFF
      // sends a plan with one to the runtime helper, see emitDispatch.
      prefixLen.push_back(p.stripPrefix.size() <= 4 ? static_cast<uint8_t>(n) : 0xFF);
      for (size_t k = 0; k < 4; ++k)
        prefixBytes.push_back(k < n ? static_cast<uint8_t>(p.stripPrefix[k]) : 0);
      honour.push_back(p.honourInternal ? 1 : 0);
      ruleBase.push_back(static_cast<uint32_t>(ruleInternal.size()));
      for (size_t r = 0; r < p.rules.size(); ++r) {
        // The transparency table names rules by their index in the plan.
        if (p.rules[r].index != static_cast<int>(r)) ruleIndexDense_ = false;
        ruleInternal.push_back(p.rules[r].internal ? 1 : 0);
      }
    }
    tPrefixLen_ = intTable("cp.plan.prefix_len", prefixLen);
    tPrefixBytes_ = intTable("cp.plan.prefix", prefixBytes);
    tHonour_ = intTable("cp.plan.honour_internal", honour);
    tRuleBase_ = intTable("cp.plan.rule_base", ruleBase);
    tRuleInternal_ = intTable("cp.rule.internal", ruleInternal);

    // Entries.
    std::vector<uint8_t> action;
    std::vector<uint32_t> pool, target;
    std::vector<uint64_t> lo, poolBase;
    for (const ir::Entry& e : m_.entries) {
      action.push_back(static_cast<uint8_t>(e.action));
      pool.push_back(static_cast<uint32_t>(e.pool));
      target.push_back(static_cast<uint32_t>(e.target));
      lo.push_back(e.lo);
      poolBase.push_back(e.poolBase);
    }
    tEntryAction_ = intTable("cp.entry.action", action);
    tEntryPool_ = intTable("cp.entry.pool", pool);
    tEntryTarget_ = intTable("cp.entry.target", target);
    tEntryLo_ = intTable("cp.entry.lo", lo);
    tEntryPoolBase_ = intTable("cp.entry.pool_base", poolBase);

    // Transparency: rows flattened, row r of entry e at r * entries + e.
    hasTransparency_ = !m_.planRow.empty() && !m_.entries.empty() && ruleIndexDense_;
    if (hasTransparency_) {
      std::vector<uint32_t> planRow(m_.planRow.begin(), m_.planRow.end());
      std::vector<uint16_t> flat;
      flat.reserve(m_.rows.size() * m_.entries.size());
      for (const auto& row : m_.rows)
        for (int16_t v : row) flat.push_back(static_cast<uint16_t>(v));
      tPlanRow_ = intTable("cp.plan.transparency_row", planRow);
      tRows_ = intTable("cp.transparency", flat);
    }

    // Settings: global at 0, pool p at p + 1.
    std::vector<uint64_t> timeout;
    std::vector<uint32_t> attempts;
    std::vector<uint8_t> moh;
    std::vector<llvm::Constant*> onTimeout, music;
    auto add = [&](const ir::Settings& s) {
      timeout.push_back(static_cast<uint64_t>(s.pickupTimeoutSeconds));
      attempts.push_back(static_cast<uint32_t>(s.maxPickupAttempts));
      moh.push_back(s.musicOnHold ? 1 : 0);
      onTimeout.push_back(cstring(s.onTimeout));
      music.push_back(cstring(s.musicFile));
    };
    add(m_.globalSettings);
    for (const ir::Settings& s : m_.poolSettings) add(s);
    tTimeout_ = intTable("cp.settings.pickup_timeout", timeout);
    tAttempts_ = intTable("cp.settings.attempts", attempts);
    tMoh_ = intTable("cp.settings.music_on_hold", moh);
    auto* ptrArr = llvm::ArrayType::get(ptr, onTimeout.size());
    tOnTimeout_ = table("cp.settings.on_timeout", llvm::ConstantArray::get(ptrArr, onTimeout));
    tMusic_ = table("cp.settings.music_file", llvm::ConstantArray::get(ptrArr, music));
  }

  // ---- the short-number path: tables -----------------------------------------------------------
  //
  // Strings of at most kShort bytes (every orbit and park access number in practice) of a
  // policy with at most kHashMax such numbers are classified without a data-dependent branch,
  // through a perfect hash (buildNumberHash). Larger policies use the generic path: measured on
  // XL (5,000,000 orbit numbers), a branchless SWAR parse plus one search over all shapes'
  // intervals had a longer dependency chain than the shape switch and per-shape search it
  // would replace, and was slower (25.6M vs 31.6M calls/s).
  static constexpr uint32_t kShort = 15;

  void buildShortTables() {
    if (!maskedLoads_) return;
    buildNumberHash();
    if (!hashSlots_) return;
    std::vector<uint32_t> word, pmask;  // the external access prefix as a little-endian word
    for (const ir::Plan& p : m_.plans) {
      uint32_t w = 0;
      size_t n = std::min<size_t>(p.stripPrefix.size(), 4);
      for (size_t k = 0; k < n; ++k)
        w |= static_cast<uint32_t>(static_cast<uint8_t>(p.stripPrefix[k])) << (8 * k);
      word.push_back(w);
      pmask.push_back(n == 4 ? 0xFFFFFFFFu : (1u << (8 * n)) - 1);
    }
    tPrefixWord_ = intTable("cp.plan.prefix_word", word);
    tPrefixMask_ = intTable("cp.plan.prefix_mask", pmask);
    // Byte shuffles (pshufb controls; 0x80: zero) dropping `off` leading bytes (the stripped
    // prefix): row off of cp.short.shift_ctl.
    std::vector<uint8_t> shiftCtl;
    for (int off = 0; off <= 4; ++off)
      for (int j = 0; j < 16; ++j)
        shiftCtl.push_back(j + off < 16 ? static_cast<uint8_t>(j + off) : 0x80);
    tShiftCtl_ = intTable("cp.short.shift_ctl", shiftCtl);
    tShiftCtl_->setAlignment(llvm::Align(16));
    shortPath_ = true;
  }

  // Policies with few short numbers (contoso: 500) skip the digit parse and the search: every
  // string of at most kShort bytes that Module::classify maps to an entry (each number of each
  // range, each park access number) goes into a perfect hash table (hash and displace: the
  // string's hash picks a bucket, the bucket's displacement a slot; the build chooses the
  // displacements so that no two strings share a slot). A lookup is one multiply-hash, two
  // loads and a 16-byte compare. Slot: the string zero-padded (16 bytes), entry (i32, -1
  // empty), length (u32), numeric value (u64).
  static constexpr size_t kHashMax = 1 << 14;
  static constexpr size_t kSlotBytes = 64;
  static constexpr uint64_t kHashK1 = 0x9E3779B97F4A7C15ull, kHashK2 = 0xC2B2AE3D27D4EB4Full;
  static uint64_t shortHash(uint64_t w0, uint64_t w1, uint64_t len) {
    uint64_t h = w0 * kHashK1 + (w1 ^ len) * kHashK2;
    return h ^ (h >> 32);
  }

  void buildNumberHash() {
    std::vector<std::string> keys;
    std::vector<int> entries;
    std::vector<uint64_t> values;
    size_t candidates = 0;
    for (const ir::KeyGroup& k : m_.keys) {
      uint32_t L = static_cast<uint32_t>(k.digits) + (k.prefix ? 1 : 0);
      if (L > kShort) continue;
      for (const ir::Interval& i : k.intervals) candidates += i.hi - i.lo + 1;
    }
    candidates += m_.exact.size();
    if (candidates > kHashMax) return;
    auto add = [&](const std::string& t) {
      if (t.empty() || t.size() > kShort) return;
      int e = m_.classify(t);
      if (e < 0) return;
      for (const std::string& k : keys)  // exact strings may repeat; cheap at this size
        if (k == t) return;
      std::optional<ir::NumericKey> key = ir::numericKey(t);
      keys.push_back(t);
      entries.push_back(e);
      values.push_back(key ? key->value : 0);
    };
    for (int e : m_.exact) add(m_.entries[e].exact);
    for (const ir::KeyGroup& k : m_.keys) {
      uint32_t L = static_cast<uint32_t>(k.digits) + (k.prefix ? 1 : 0);
      if (L > kShort) continue;
      for (const ir::Interval& i : k.intervals)
        for (uint64_t v = i.lo; v <= i.hi; ++v) {
          std::string digits = std::to_string(v);
          std::string t = k.prefix ? std::string(1, k.prefix) : std::string();
          t += std::string(static_cast<size_t>(k.digits) - digits.size(), '0') + digits;
          add(t);
        }
    }
    size_t n = keys.size();
    size_t slots = 16, buckets = 1;
    while (slots < 2 * n) slots *= 2;
    while (buckets * 4 < n) buckets *= 2;
    std::vector<uint64_t> h(n);
    for (size_t i = 0; i < n; ++i) {
      char b[16] = {};
      std::memcpy(b, keys[i].data(), keys[i].size());
      uint64_t w0, w1;
      std::memcpy(&w0, b, 8);
      std::memcpy(&w1, b + 8, 8);
      h[i] = shortHash(w0, w1, keys[i].size());
    }
    std::vector<std::vector<size_t>> inBucket(buckets);
    for (size_t i = 0; i < n; ++i) inBucket[h[i] & (buckets - 1)].push_back(i);
    std::vector<size_t> order(buckets);
    for (size_t b = 0; b < buckets; ++b) order[b] = b;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return inBucket[a].size() > inBucket[b].size(); });
    std::vector<uint16_t> disp(buckets, 0);
    std::vector<int64_t> slotOf(slots, -1);
    for (size_t b : order) {
      if (inBucket[b].empty()) break;
      bool placed = false;
      for (uint32_t d = 0; d < slots && !placed; ++d) {
        std::vector<size_t> want;
        for (size_t i : inBucket[b]) {
          size_t sl = ((h[i] >> 40) ^ d) & (slots - 1);
          if (slotOf[sl] >= 0 || std::find(want.begin(), want.end(), sl) != want.end()) break;
          want.push_back(sl);
        }
        if (want.size() != inBucket[b].size()) continue;
        for (size_t k = 0; k < want.size(); ++k)
          slotOf[want[k]] = static_cast<int64_t>(inBucket[b][k]);
        disp[b] = static_cast<uint16_t>(d);
        placed = true;
      }
      if (!placed) return;  // two strings with the same slot hash: the search path instead
    }
    // Slot (64 bytes): the string zero-padded [0, 16), entry [16, 20) (-1: empty), length
    // [20, 24), action [24, 28), then the decision's pool, target, orbit and pool_orbit [32, 48)
    // in cp_dispatch_result's order, stored with one 16-byte move.
    std::vector<uint8_t> table(slots * kSlotBytes, 0);
    for (size_t sl = 0; sl < slots; ++sl) {
      uint8_t* o = &table[sl * kSlotBytes];
      int32_t f[8] = {-1, 0, CP_ACTION_NOT_OURS, 0, CP_NONE, CP_NONE, CP_NONE, CP_NONE};
      if (slotOf[sl] >= 0) {
        size_t i = static_cast<size_t>(slotOf[sl]);
        std::memcpy(o, keys[i].data(), keys[i].size());
        const ir::Entry& e = m_.entries[entries[i]];
        bool park = e.action == ir::Action::Park;
        f[0] = entries[i];
        f[1] = static_cast<int32_t>(keys[i].size());
        f[2] = static_cast<int32_t>(e.action);
        f[4] = e.pool;
        f[5] = e.target;
        f[6] = park ? CP_NONE : static_cast<int32_t>(values[i] - e.lo);
        f[7] = park ? CP_NONE : static_cast<int32_t>(e.poolBase + (values[i] - e.lo));
      }
      std::memcpy(o + 16, f, sizeof f);
    }
    tHashDisp_ = intTable("cp.short.hash_displacement", disp);
    tHashSlots_ = intTable("cp.short.hash_slots", table);
    tHashSlots_->setAlignment(llvm::Align(64));
    hashSlots_ = slots;
    hashBuckets_ = buckets;
  }

  void declareRuntime() {
    // int32_t cp_rt_normalize_v1(env, plan, dialed, len, buf, cap, *out_len, *internal)
    auto* ty = llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, ptr, i32, ptr, ptr}, false);
    normalize_ =
        llvm::Function::Create(ty, llvm::GlobalValue::ExternalLinkage, CP_SYM_RT_NORMALIZE, M);
    normalize_->setDoesNotThrow();
  }

  llvm::Function* abiFunction(const char* name, llvm::Type* ret, std::vector<llvm::Type*> args) {
    auto* f = llvm::Function::Create(llvm::FunctionType::get(ret, args, false),
                                     llvm::GlobalValue::ExternalLinkage, name, M);
    f->setDoesNotThrow();
    return f;
  }

  void emitVersion() {
    llvm::Function* f = abiFunction(CP_SYM_ABI_VERSION, i32, {});
    B.SetInsertPoint(BasicBlock::Create(C, "entry", f));
    B.CreateRet(B.getInt32(CP_DISPATCH_ABI_VERSION));
  }

  // ---- classification ----------------------------------------------------------------------

  // The out-of-line classifier (for the normalized string after the regex engine ran).
  void emitClassify() {
    auto* ty = llvm::FunctionType::get(i32, {ptr, i32, ptr}, false);
    classify_ = llvm::Function::Create(ty, llvm::GlobalValue::PrivateLinkage, "cp.classify", M);
    classify_->setDoesNotThrow();
    llvm::Function* f = classify_;
    f->getArg(0)->setName("s");
    f->getArg(1)->setName("len");
    f->getArg(2)->setName("value_out");
    B.SetInsertPoint(BasicBlock::Create(C, "entry", f));
    Value* e = emitClassification(f->getArg(0), f->getArg(1), f->getArg(2));
    B.CreateRet(e);
  }

  // Emits the classification of (s, len) at the insert point and continues in a join block
  // holding the entry id (i32, -1: not ours); *valueOut receives a numeric key's value.
  Value* emitClassification(Value* s, Value* len, Value* valueOut) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    BasicBlock* entry = B.GetInsertBlock();
    BasicBlock* join = BasicBlock::Create(C, "classified", f);
    BasicBlock* miss = BasicBlock::Create(C, "miss", f);
    BasicBlock* nonEmpty = BasicBlock::Create(C, "classify", f);
    exits_.clear();
    B.SetInsertPoint(miss);
    exit(B.getInt32(static_cast<uint32_t>(ir::kNone)), join);

    // One case per (length, class of the first byte: 0 other, 1 '*', 2 '#').
    struct Bucket {
      std::vector<int> exact;                 // entry ids, declaration order
      const ir::KeyGroup* numeric = nullptr;  // the key group of that length and prefix
    };
    std::map<uint32_t, Bucket> cases;
    auto classOf = [](char c) { return c == '*' ? 1u : c == '#' ? 2u : 0u; };
    for (int e : m_.exact) {
      const std::string& t = m_.entries[e].exact;
      if (t.empty() || t.size() > CP_MAX_NUMBER) continue;
      cases[static_cast<uint32_t>(t.size()) * 4 + classOf(t[0])].exact.push_back(e);
    }
    for (const ir::KeyGroup& g : m_.keys) {
      if (g.intervals.empty()) continue;
      uint32_t L = static_cast<uint32_t>(g.digits) + (g.prefix ? 1 : 0);
      if (L > CP_MAX_NUMBER) continue;
      cases[L * 4 + classOf(g.prefix)].numeric = &g;
    }

    B.SetInsertPoint(entry);
    B.CreateCondBr(B.CreateICmpEQ(len, B.getInt32(0)), miss, nonEmpty);
    B.SetInsertPoint(nonEmpty);
    Value* c0 = B.CreateLoad(i8, s, "first");
    Value* cls = B.CreateOr(B.CreateZExt(B.CreateICmpEQ(c0, B.getInt8('*')), i32),
                            B.CreateShl(B.CreateZExt(B.CreateICmpEQ(c0, B.getInt8('#')), i32), 1));
    Value* key = B.CreateAdd(B.CreateShl(len, 2), cls, "shape");
    llvm::SwitchInst* sw = B.CreateSwitch(key, miss, static_cast<unsigned>(cases.size()));
    for (const auto& [k, bucket] : cases) {
      uint32_t L = k / 4;
      BasicBlock* bb =
          BasicBlock::Create(C, "len" + std::to_string(L) + "." + std::to_string(k % 4), f);
      sw->addCase(B.getInt32(k), bb);
      B.SetInsertPoint(bb);
      for (int e : bucket.exact) {
        const std::string& text = m_.entries[e].exact;
        BasicBlock* next = BasicBlock::Create(C, "exact.next", f);
        BasicBlock* hit = BasicBlock::Create(C, "exact.hit", f);
        Value* eq = B.getTrue();
        for (size_t j = 0; j < L; ++j) {
          Value* c = B.CreateLoad(i8, B.CreateConstInBoundsGEP1_64(i8, s, j));
          eq = B.CreateAnd(eq, B.CreateICmpEQ(c, B.getInt8(static_cast<uint8_t>(text[j]))));
        }
        B.CreateCondBr(eq, hit, next);
        B.SetInsertPoint(hit);
        exit(B.getInt32(e), join);
        B.SetInsertPoint(next);
      }
      if (bucket.numeric)
        emitKey(*bucket.numeric, s, valueOut, miss, join);
      else
        B.CreateBr(miss);
    }
    B.SetInsertPoint(join);
    llvm::PHINode* phi = B.CreatePHI(i32, static_cast<unsigned>(exits_.size()), "entry_id");
    for (const auto& [bb, v] : exits_) phi->addIncoming(v, bb);
    exits_.clear();
    return phi;
  }

  // A classification result: branch to the join block with `entry`.
  void exit(Value* entry, BasicBlock* join) {
    exits_.push_back({B.GetInsertBlock(), entry});
    B.CreateBr(join);
  }

  // At the insert point: parse the key's digits, store the value, walk the nodes.
  void emitKey(const ir::KeyGroup& g, Value* s, Value* valueOut, BasicBlock* miss,
               BasicBlock* join) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    size_t off = g.prefix ? 1 : 0;
    Value* p = B.CreateConstInBoundsGEP1_64(i8, s, off);
    Value* v;
    Value* bad;
    if (g.digits <= 8) {
      std::tie(v, bad) = emitDigits(p, g.digits);
    } else {  // the first digits-8, then the last 8
      auto [hiV, hiBad] = emitDigits(p, g.digits - 8);
      auto [loV, loBad] = emitDigits(B.CreateConstInBoundsGEP1_64(i8, p, g.digits - 8), 8);
      v = B.CreateAdd(B.CreateMul(hiV, B.getInt64(100000000)), loV);
      bad = B.CreateOr(hiBad, loBad);
    }
    BasicBlock* ok = BasicBlock::Create(C, "key.ok", f);
    B.CreateCondBr(bad, miss, ok);
    B.SetInsertPoint(ok);
    B.CreateStore(v, valueOut);
    if (g.root != ir::kNone && g.nodes[g.root].kind == ir::Node::Compare &&
        g.intervals.size() >= kSearchFrom)
      emitSearch(g, v, join);
    else
      emitNode(g, g.root, v, miss, join);
  }

  // Parses n (1..8) decimal digits at p without a branch: one n-byte load, padded to 8 bytes
  // with leading '0's, checked and converted SWAR-style (three multiply-shift steps, after
  // simdjson's parse_eight_digits_unrolled). Returns (value, any byte not a digit).
  std::pair<Value*, Value*> emitDigits(Value* p, int n) {
    Value* x = B.CreateAlignedLoad(B.getIntNTy(8 * n), p, llvm::MaybeAlign(1));
    Value* w = B.CreateZExt(x, i64);
    if (n < 8) {
      uint64_t pad = 0x3030303030303030ull >> (8 * n);  // the low 8-n bytes: '0'
      w = B.CreateOr(B.CreateShl(w, 8 * (8 - n)), B.getInt64(pad));
    }
    return swar8(w);
  }

  // Eight ASCII digits in a little-endian word (first digit in the low byte) -> (value, any
  // byte not a digit).
  std::pair<Value*, Value*> swar8(Value* w) {
    // All bytes in '0'..'9': high nibble 3, and adding 6 keeps it 3.
    Value* hi = B.CreateAnd(w, B.getInt64(0xF0F0F0F0F0F0F0F0ull));
    Value* hi6 = B.CreateLShr(B.CreateAnd(B.CreateAdd(w, B.getInt64(0x0606060606060606ull)),
                                          B.getInt64(0xF0F0F0F0F0F0F0F0ull)),
                              4);
    Value* bad = B.CreateICmpNE(B.CreateOr(hi, hi6), B.getInt64(0x3333333333333333ull));
    Value* v = B.CreateAnd(w, B.getInt64(0x0F0F0F0F0F0F0F0Full));
    v = B.CreateLShr(B.CreateMul(v, B.getInt64(2561)), 8);
    v = B.CreateLShr(
        B.CreateMul(B.CreateAnd(v, B.getInt64(0x00FF00FF00FF00FFull)), B.getInt64(6553601)), 16);
    v = B.CreateLShr(B.CreateMul(B.CreateAnd(v, B.getInt64(0x0000FFFF0000FFFFull)),
                                 B.getInt64(42949672960001ull)),
                     32);
    return {v, bad};
  }

  // A large compare tree as an implicit one: the balanced tree over the sorted interval
  // bounds walked with conditional moves (a branchless binary search, ceil(log2 n) steps of
  // load, compare, select), then one range check. Same answers as the tree; no mispredicted
  // branches and a few instructions per level instead of a basic block per node, which keeps
  // LLVM's work linear in the number of ranges.
  void emitSearch(const ir::KeyGroup& g, Value* v, BasicBlock* join) {
    std::vector<uint64_t> lo, hi;
    std::vector<uint32_t> entry;
    for (const ir::Interval& iv : g.intervals) {
      lo.push_back(iv.lo);
      hi.push_back(iv.hi);
      entry.push_back(static_cast<uint32_t>(iv.entry));
    }
    llvm::GlobalVariable* tLo = intTable("cp.orbit.lo", lo);
    llvm::GlobalVariable* tHi = intTable("cp.orbit.hi", hi);
    llvm::GlobalVariable* tEntry = intTable("cp.orbit.entry", entry);
    Value* base = B.getInt64(0);
    for (size_t n = lo.size(); n > 1; n -= n / 2) {
      Value* probe = B.CreateAdd(base, B.getInt64(n / 2));
      base = B.CreateSelect(B.CreateICmpULE(load(tLo, probe), v), probe, base);
    }
    Value* in =
        B.CreateAnd(B.CreateICmpULE(load(tLo, base), v), B.CreateICmpULE(v, load(tHi, base)));
    exit(B.CreateSelect(in, load(tEntry, base), B.getInt32(static_cast<uint32_t>(ir::kNone))),
         join);
  }

  void emitNode(const ir::KeyGroup& g, int n, Value* v, BasicBlock* miss, BasicBlock* join) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    if (n == ir::kNone || g.nodes[n].kind == ir::Node::Miss) {
      B.CreateBr(miss);
      return;
    }
    const ir::Node& node = g.nodes[n];
    if (node.kind == ir::Node::Table) {
      std::vector<uint32_t> t(node.table.begin(), node.table.end());
      llvm::GlobalVariable* gv = intTable("cp.orbit_table", t);
      Value* idx = B.CreateSub(v, B.getInt64(node.base));
      BasicBlock* in = BasicBlock::Create(C, "table.in", f);
      B.CreateCondBr(B.CreateICmpULT(idx, B.getInt64(node.table.size())), in, miss);
      B.SetInsertPoint(in);
      exit(load(gv, idx), join);
      return;
    }
    const ir::Interval& iv = g.intervals[node.interval];
    BasicBlock* below = BasicBlock::Create(C, "below", f);
    BasicBlock* notBelow = BasicBlock::Create(C, "not_below", f);
    BasicBlock* above = BasicBlock::Create(C, "above", f);
    BasicBlock* hit = BasicBlock::Create(C, "hit", f);
    B.CreateCondBr(B.CreateICmpULT(v, B.getInt64(iv.lo)), below, notBelow);
    B.SetInsertPoint(notBelow);
    B.CreateCondBr(B.CreateICmpUGT(v, B.getInt64(iv.hi)), above, hit);
    B.SetInsertPoint(hit);
    exit(B.getInt32(iv.entry), join);
    B.SetInsertPoint(below);
    emitNode(g, node.left, v, miss, join);
    B.SetInsertPoint(above);
    emitNode(g, node.right, v, miss, join);
  }

  // ---- callers -----------------------------------------------------------------------------

  struct Resolved {
    Value* plan;  // i32, IR plan id or -1
    Value* may;   // i8
  };
  // Emits caller resolution at the insert point; continues in the returned join block, or
  // branches to `bad` for an out-of-range caller (Interpreter::resolve).
  Resolved emitResolve(Value* caller, BasicBlock* bad) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    auto field = [&](size_t offset, const char* name) {
      return B.CreateLoad(i32, B.CreateConstInBoundsGEP1_64(i8, caller, offset), name);
    };
    BasicBlock* userBB = BasicBlock::Create(C, "caller.user", f);
    BasicBlock* userOk = BasicBlock::Create(C, "caller.user.ok", f);
    BasicBlock* notUser = BasicBlock::Create(C, "caller.context", f);
    BasicBlock* ctx = BasicBlock::Create(C, "caller.pool", f);
    BasicBlock* join = BasicBlock::Create(C, "caller.resolved", f);

    Value* user = field(offsetof(cp_caller, user), "user");
    B.CreateCondBr(B.CreateICmpSGE(user, B.getInt32(0)), userBB, notUser);
    B.SetInsertPoint(userBB);
    B.CreateCondBr(B.CreateICmpULT(user, B.getInt32(static_cast<uint32_t>(m_.users.size()))),
                   userOk, bad);
    B.SetInsertPoint(userOk);
    Value* uPlan = load(tUserPlan_, user);
    Value* uMay = load(tUserMay_, user);
    B.CreateBr(join);

    B.SetInsertPoint(notUser);
    B.CreateCondBr(B.CreateICmpEQ(user, B.getInt32(CP_NONE)), ctx, bad);
    B.SetInsertPoint(ctx);
    Value* pool = field(offsetof(cp_caller, pool), "pool");
    Value* slot = B.CreateAdd(pool, B.getInt32(1));  // -1 (no pool: global) .. pools-1
    BasicBlock* ctxOk = BasicBlock::Create(C, "caller.pool.ok", f);
    B.CreateCondBr(B.CreateICmpULT(slot, B.getInt32(static_cast<uint32_t>(m_.pools.size() + 1))),
                   ctxOk, bad);
    B.SetInsertPoint(ctxOk);
    Value* basePlan = load(tCtxPlan_, slot);
    Value* baseMay = load(tCtxMay_, slot);

    // An override field of the caller: a model index -> `table`[index], CP_INHERIT -> the
    // pool context's `base`, CP_NONE -> `none`, anything else -> `bad`.
    auto override = [&](size_t offset, const char* name, size_t count, llvm::GlobalVariable* table,
                        Value* base, Value* none, llvm::Type* ty) {
      Value* v = field(offset, name);
      std::string n(name);
      BasicBlock* index = BasicBlock::Create(C, n + ".index", f);
      BasicBlock* special = BasicBlock::Create(C, n + ".special", f);
      BasicBlock* isNone = BasicBlock::Create(C, n + ".none", f);
      BasicBlock* done = BasicBlock::Create(C, n + ".done", f);
      B.CreateCondBr(B.CreateICmpULT(v, B.getInt32(static_cast<uint32_t>(count))), index, special);
      B.SetInsertPoint(index);
      Value* mapped = load(table, v);
      B.CreateBr(done);
      B.SetInsertPoint(special);
      llvm::SwitchInst* sw = B.CreateSwitch(v, bad, 2);
      sw->addCase(B.getInt32(static_cast<uint32_t>(CP_INHERIT)), done);
      sw->addCase(B.getInt32(static_cast<uint32_t>(CP_NONE)), isNone);
      B.SetInsertPoint(isNone);
      B.CreateBr(done);
      B.SetInsertPoint(done);
      llvm::PHINode* phi = B.CreatePHI(ty, 3, "ctx." + n);
      phi->addIncoming(mapped, index);
      phi->addIncoming(base, special);
      phi->addIncoming(none, isNone);
      return phi;
    };
    Value* cPlan = override(offsetof(cp_caller, dial_plan), "dial_plan", m_.planOfModel.size(),
                            tPlanOfModel_, basePlan, B.getInt32(ir::kNone), i32);
    Value* cMay = override(offsetof(cp_caller, voice_policy), "voice_policy", m_.vpMayPark.size(),
                           tVpMay_, baseMay, B.getInt8(0), i8);
    B.CreateBr(join);
    BasicBlock* ctxEnd = B.GetInsertBlock();

    B.SetInsertPoint(join);
    llvm::PHINode* plan = B.CreatePHI(i32, 2, "plan");
    plan->addIncoming(uPlan, userOk);
    plan->addIncoming(cPlan, ctxEnd);
    llvm::PHINode* may = B.CreatePHI(i8, 2, "may_park");
    may->addIncoming(uMay, userOk);
    may->addIncoming(cMay, ctxEnd);
    return {plan, may};
  }

  // ---- dispatch ----------------------------------------------------------------------------

  Value* outField(Value* out, size_t offset) {
    return B.CreateConstInBoundsGEP1_64(i8, out, offset);
  }

  // Stores the decision for entry `e` (>= 0) whose numeric value is `v` (i64).
  void emitFill(Value* out, Value* e, Value* v, BasicBlock* done) {
    Value* action = B.CreateZExt(load(tEntryAction_, e), i32, "action");
    B.CreateStore(action, outField(out, offsetof(cp_dispatch_result, action)));
    B.CreateStore(load(tEntryPool_, e), outField(out, offsetof(cp_dispatch_result, pool)));
    B.CreateStore(load(tEntryTarget_, e), outField(out, offsetof(cp_dispatch_result, target)));
    // A park access number has no orbit: selects, not a branch.
    Value* park = B.CreateICmpEQ(action, B.getInt32(CP_ACTION_PARK));
    Value* index = B.CreateSub(v, load(tEntryLo_, e));
    Value* none = B.getInt32(static_cast<uint32_t>(CP_NONE));
    B.CreateStore(B.CreateSelect(park, none, B.CreateTrunc(index, i32)),
                  outField(out, offsetof(cp_dispatch_result, orbit)));
    B.CreateStore(B.CreateSelect(park, none,
                                 B.CreateTrunc(B.CreateAdd(load(tEntryPoolBase_, e), index), i32)),
                  outField(out, offsetof(cp_dispatch_result, pool_orbit)));
    B.CreateBr(done);
  }

  // The slow path, out of line: cp.slow(env, plan, dialed, len, out) -> status. With a plan
  // (>= 0) the regex engine normalizes (cp_rt_normalize_v1, RE2::Set); without one the number
  // stays as dialed. Then the result is classified. *out is already cleared, with plan and
  // may_park set.
  void emitSlow() {
    auto* ty = llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, ptr}, false);
    slow_ = llvm::Function::Create(ty, llvm::GlobalValue::PrivateLinkage, "cp.slow", M);
    slow_->setDoesNotThrow();
    slow_->addFnAttr(llvm::Attribute::NoInline);
    slow_->addFnAttr(llvm::Attribute::Cold);
    llvm::Function* f = slow_;
    Value* env = f->getArg(0);
    Value* plan = f->getArg(1);
    Value* d = f->getArg(2);
    Value* len = f->getArg(3);
    Value* out = f->getArg(4);
    BasicBlock* entry = BasicBlock::Create(C, "entry", f);
    BasicBlock* regex = BasicBlock::Create(C, "regex", f);
    BasicBlock* asDialed = BasicBlock::Create(C, "as_dialed", f);
    BasicBlock* fired = BasicBlock::Create(C, "rule_fired", f);
    BasicBlock* overflow = BasicBlock::Create(C, "result_too_long", f);
    BasicBlock* fits = BasicBlock::Create(C, "result_fits", f);
    BasicBlock* copied = BasicBlock::Create(C, "copied", f);
    BasicBlock* terminate = BasicBlock::Create(C, "terminate", f);
    BasicBlock* ours = BasicBlock::Create(C, "ours", f);
    BasicBlock* done = BasicBlock::Create(C, "done", f);
    B.SetInsertPoint(entry);
    llvm::AllocaInst* value = B.CreateAlloca(i64, nullptr, "value");
    llvm::AllocaInst* olen = B.CreateAlloca(i32, nullptr, "normalized_len");
    llvm::AllocaInst* ointernal = B.CreateAlloca(i8, nullptr, "internal");
    Value* buf = outField(out, offsetof(cp_dispatch_result, normalized));
    B.CreateCondBr(B.CreateICmpSGE(plan, B.getInt32(0)), regex, asDialed);

    B.SetInsertPoint(regex);
    Value* rule = B.CreateCall(
        normalize_, {env, plan, d, len, buf, B.getInt32(CP_MAX_NUMBER), olen, ointernal}, "rule");
    B.CreateCondBr(B.CreateICmpSGE(rule, B.getInt32(0)), fired, asDialed);
    B.SetInsertPoint(fired);
    B.CreateStore(rule, outField(out, offsetof(cp_dispatch_result, rule)));
    Value* n = B.CreateLoad(i32, olen, "result_len");
    B.CreateCondBr(B.CreateICmpUGT(n, B.getInt32(CP_MAX_NUMBER)), overflow, fits);
    B.SetInsertPoint(overflow);
    B.CreateStore(B.getInt8(0), buf);
    B.CreateRet(B.getInt32(CP_STATUS_TOO_LONG));
    B.SetInsertPoint(fits);
    B.CreateStore(B.CreateLoad(i8, ointernal),
                  outField(out, offsetof(cp_dispatch_result, internal)));
    B.CreateBr(terminate);

    B.SetInsertPoint(asDialed);
    emitCopy(buf, d, len, copied);
    B.SetInsertPoint(copied);
    B.CreateBr(terminate);

    B.SetInsertPoint(terminate);
    llvm::PHINode* nlen = B.CreatePHI(i32, 2, "nlen");
    nlen->addIncoming(n, fits);
    nlen->addIncoming(len, copied);
    B.CreateStore(B.getInt8(0), B.CreateInBoundsGEP(i8, buf, B.CreateZExt(nlen, i64)));
    B.CreateStore(nlen, outField(out, offsetof(cp_dispatch_result, normalized_len)));
    Value* e = B.CreateCall(classify_, {buf, nlen, value}, "entry");
    B.CreateCondBr(B.CreateICmpSGE(e, B.getInt32(0)), ours, done);
    B.SetInsertPoint(ours);
    emitFill(out, e, B.CreateLoad(i64, value), done);
    B.SetInsertPoint(done);
    B.CreateRet(B.getInt32(CP_STATUS_OK));
  }

  // ---- plan automata ------------------------------------------------------------------------

  void buildAutomatonTables() {
    std::vector<uint32_t> planDfa, start, base, acceptBase;
    std::vector<uint16_t> next;
    std::vector<uint16_t> accept;
    for (const ir::Plan& p : m_.plans) planDfa.push_back(static_cast<uint32_t>(p.dfa));
    for (const ir::Dfa& d : m_.dfas) {
      start.push_back(static_cast<uint32_t>(d.start));
      base.push_back(static_cast<uint32_t>(next.size()));
      acceptBase.push_back(static_cast<uint32_t>(accept.size()));
      next.insert(next.end(), d.next.begin(), d.next.end());
      for (int16_t a : d.accept) accept.push_back(static_cast<uint16_t>(a));
    }
    tPlanDfa_ = intTable("cp.plan.dfa", planDfa);
    tDfaStart_ = intTable("cp.dfa.start", start);
    tDfaBase_ = intTable("cp.dfa.base", base);
    tDfaAcceptBase_ = intTable("cp.dfa.accept_base", acceptBase);
    tDfaNext_ = intTable("cp.dfa.next", next);
    tDfaAccept_ = intTable("cp.dfa.accept", accept);
    std::vector<uint8_t> sym(256, 0xFF);
    for (int c = 0; c < 10; ++c) sym['0' + c] = static_cast<uint8_t>(c);
    sym['*'] = 10;
    sym['#'] = 11;
    tSymbol_ = intTable("cp.symbol", sym);
    // Translations by pieces: rule (global index, as tRuleInternal_) -> pieces [base, base').
    std::vector<uint8_t> known, pool, hasGroup, bFromEnd, eFromEnd;
    std::vector<uint32_t> pieceBase, litOff, litLen, b, e;
    for (const ir::Plan& p : m_.plans)
      for (const ir::Rule& r : p.rules) {
        known.push_back(r.spansKnown ? 1 : 0);
        pieceBase.push_back(static_cast<uint32_t>(litOff.size()));
        if (!r.spansKnown) continue;
        size_t k = 0;
        for (const ir::Piece& pc : r.pieces) {
          litOff.push_back(static_cast<uint32_t>(pool.size()));
          litLen.push_back(static_cast<uint32_t>(pc.literal.size()));
          pool.insert(pool.end(), pc.literal.begin(), pc.literal.end());
          ir::Span sp;
          bool g = pc.group >= 0;
          if (g) sp = r.spans[k++];
          hasGroup.push_back(g ? 1 : 0);
          bFromEnd.push_back(sp.beginFromEnd ? 1 : 0);
          eFromEnd.push_back(sp.endFromEnd ? 1 : 0);
          b.push_back(static_cast<uint32_t>(sp.begin));
          e.push_back(static_cast<uint32_t>(sp.end));
        }
      }
    pieceBase.push_back(static_cast<uint32_t>(litOff.size()));
    tSpansKnown_ = intTable("cp.rule.spans_known", known);
    tPieceBase_ = intTable("cp.rule.piece_base", pieceBase);
    tLitOff_ = intTable("cp.piece.literal_offset", litOff);
    tLitLen_ = intTable("cp.piece.literal_length", litLen);
    tHasGroup_ = intTable("cp.piece.has_group", hasGroup);
    tBFromEnd_ = intTable("cp.piece.begin_from_end", bFromEnd);
    tEFromEnd_ = intTable("cp.piece.end_from_end", eFromEnd);
    tB_ = intTable("cp.piece.begin", b);
    tE_ = intTable("cp.piece.end", e);
    tLiterals_ = intTable("cp.literals", pool);
  }

  // cp.automaton(plan, dialed, len, s, slen, out) -> status, or -1 when the regex engine must
  // decide (no automaton, s empty or not all 0-9 * #, or the winning rule needs captures).
  // Walks the plan's DFA over s, then builds the winner's translation from its spans: two
  // passes over its pieces (measure, then copy), literals from a constant pool.
  void emitAutomaton() {
    auto* ty = llvm::FunctionType::get(i32, {i32, ptr, i32, ptr, i32, ptr}, false);
    automaton_ = llvm::Function::Create(ty, llvm::GlobalValue::PrivateLinkage, "cp.automaton", M);
    automaton_->setDoesNotThrow();
    automaton_->addFnAttr(llvm::Attribute::NoInline);
    llvm::Function* f = automaton_;
    Value* plan = f->getArg(0);
    Value* d = f->getArg(1);
    Value* len = f->getArg(2);
    Value* s = f->getArg(3);
    Value* slen = f->getArg(4);
    Value* out = f->getArg(5);
    auto block = [&](const char* name) { return BasicBlock::Create(C, name, f); };
    BasicBlock* entry = block("entry");
    BasicBlock* na = block("not_applicable");
    BasicBlock* has = block("has_automaton");
    BasicBlock* loop = block("step");
    BasicBlock* alive = block("alive");
    BasicBlock* end = block("end_of_input");
    BasicBlock* noRule = block("no_rule_fires");
    BasicBlock* fires = block("rule_fires");
    BasicBlock* known = block("spans_known");
    BasicBlock* finish = block("normalized");
    B.SetInsertPoint(entry);
    llvm::AllocaInst* value = B.CreateAlloca(i64, nullptr, "value");
    Value* buf = outField(out, offsetof(cp_dispatch_result, normalized));
    Value* di = load(tPlanDfa_, plan);
    B.CreateCondBr(
        B.CreateOr(B.CreateICmpSLT(di, B.getInt32(0)), B.CreateICmpEQ(slen, B.getInt32(0))), na,
        has);
    B.SetInsertPoint(na);
    B.CreateRet(B.getInt32(static_cast<uint32_t>(-1)));

    B.SetInsertPoint(has);
    Value* base = B.CreateZExt(load(tDfaBase_, di), i64);
    Value* st0 = load(tDfaStart_, di);
    B.CreateBr(loop);
    B.SetInsertPoint(loop);
    llvm::PHINode* i = B.CreatePHI(i32, 2, "i");
    llvm::PHINode* st = B.CreatePHI(i32, 2, "state");
    i->addIncoming(B.getInt32(0), has);
    st->addIncoming(st0, has);
    Value* c = B.CreateLoad(i8, B.CreateInBoundsGEP(i8, s, B.CreateZExt(i, i64)));
    Value* sym = load(tSymbol_, c);
    BasicBlock* known12 = block("symbol");
    B.CreateCondBr(B.CreateICmpEQ(sym, B.getInt8(0xFF)), na, known12);
    B.SetInsertPoint(known12);
    Value* at = B.CreateAdd(base, B.CreateAdd(B.CreateMul(B.CreateZExt(st, i64), B.getInt64(12)),
                                              B.CreateZExt(sym, i64)));
    Value* st2 = B.CreateZExt(load(tDfaNext_, at), i32, "next");
    B.CreateCondBr(B.CreateICmpEQ(st2, B.getInt32(0)), noRule, alive);  // dead: nothing matches
    B.SetInsertPoint(alive);
    Value* i2 = B.CreateAdd(i, B.getInt32(1));
    i->addIncoming(i2, alive);
    st->addIncoming(st2, alive);
    B.CreateCondBr(B.CreateICmpEQ(i2, slen), end, loop);

    B.SetInsertPoint(end);
    Value* a = B.CreateSExt(
        load(tDfaAccept_,
             B.CreateAdd(B.CreateZExt(load(tDfaAcceptBase_, di), i64), B.CreateZExt(st2, i64))),
        i32, "rule");
    B.CreateCondBr(B.CreateICmpSLT(a, B.getInt32(0)), noRule, fires);

    // No rule fires: normalized = dialed, as dialed.
    B.SetInsertPoint(noRule);
    BasicBlock* copied = block("copied");
    emitCopy(buf, d, len, copied);
    B.SetInsertPoint(copied);
    B.CreateBr(finish);

    B.SetInsertPoint(fires);
    Value* ri = B.CreateAdd(load(tRuleBase_, plan), a, "rule_id");
    B.CreateCondBr(B.CreateICmpEQ(load(tSpansKnown_, ri), B.getInt8(0)), na, known);
    B.SetInsertPoint(known);
    Value* pb = load(tPieceBase_, ri);
    Value* pe = load(tPieceBase_, B.CreateAdd(ri, B.getInt32(1)));
    // Piece k: literal bytes, then s[begin, end) when it has a group.
    auto bounds = [&](Value* k) -> std::pair<Value*, Value*> {
      Value* bo = load(tB_, k);
      Value* eo = load(tE_, k);
      Value* bb = B.CreateSelect(B.CreateICmpNE(load(tBFromEnd_, k), B.getInt8(0)),
                                 B.CreateSub(slen, bo), bo);
      Value* ee = B.CreateSelect(B.CreateICmpNE(load(tEFromEnd_, k), B.getInt8(0)),
                                 B.CreateSub(slen, eo), eo);
      Value* g = B.CreateICmpNE(load(tHasGroup_, k), B.getInt8(0));
      return {B.CreateSelect(g, bb, B.getInt32(0)), B.CreateSelect(g, ee, B.getInt32(0))};
    };
    // Pass 1: the length.
    BasicBlock* measure = block("measure");
    BasicBlock* measured = block("measured");
    B.CreateCondBr(B.CreateICmpULT(pb, pe), measure, measured);
    BasicBlock* known0 = B.GetInsertBlock();
    B.SetInsertPoint(measure);
    llvm::PHINode* k1 = B.CreatePHI(i32, 2, "k");
    llvm::PHINode* t1 = B.CreatePHI(i32, 2, "total");
    k1->addIncoming(pb, known0);
    t1->addIncoming(B.getInt32(0), known0);
    auto [b1, e1] = bounds(k1);
    Value* t2 = B.CreateAdd(t1, B.CreateAdd(load(tLitLen_, k1), B.CreateSub(e1, b1)));
    Value* k2 = B.CreateAdd(k1, B.getInt32(1));
    k1->addIncoming(k2, measure);
    t1->addIncoming(t2, measure);
    B.CreateCondBr(B.CreateICmpULT(k2, pe), measure, measured);
    B.SetInsertPoint(measured);
    llvm::PHINode* total = B.CreatePHI(i32, 2, "total");
    total->addIncoming(B.getInt32(0), known0);
    total->addIncoming(t2, measure);
    B.CreateStore(a, outField(out, offsetof(cp_dispatch_result, rule)));
    BasicBlock* overflow = block("result_too_long");
    BasicBlock* fits = block("result_fits");
    B.CreateCondBr(B.CreateICmpUGT(total, B.getInt32(CP_MAX_NUMBER)), overflow, fits);
    B.SetInsertPoint(overflow);
    B.CreateStore(B.getInt8(0), buf);
    B.CreateRet(B.getInt32(CP_STATUS_TOO_LONG));
    // Pass 2: the bytes.
    B.SetInsertPoint(fits);
    Value* internal = B.CreateAnd(load(tHonour_, plan), load(tRuleInternal_, ri));
    B.CreateStore(internal, outField(out, offsetof(cp_dispatch_result, internal)));
    BasicBlock* write = block("write");
    BasicBlock* written = block("written");
    B.CreateCondBr(B.CreateICmpULT(pb, pe), write, written);
    B.SetInsertPoint(write);
    llvm::PHINode* k3 = B.CreatePHI(i32, 2, "k");
    llvm::PHINode* o3 = B.CreatePHI(i32, 2, "at");
    k3->addIncoming(pb, fits);
    o3->addIncoming(B.getInt32(0), fits);
    Value* ll = load(tLitLen_, k3);
    BasicBlock* litDone = block("literal_copied");
    emitCopy(B.CreateInBoundsGEP(i8, buf, B.CreateZExt(o3, i64)),
             B.CreateInBoundsGEP(tLiterals_->getValueType(), tLiterals_,
                                 {B.getInt64(0), B.CreateZExt(load(tLitOff_, k3), i64)}),
             ll, litDone);
    B.SetInsertPoint(litDone);
    auto [b3, e3] = bounds(k3);
    Value* o4 = B.CreateAdd(o3, ll);
    BasicBlock* grpDone = block("group_copied");
    emitCopy(B.CreateInBoundsGEP(i8, buf, B.CreateZExt(o4, i64)),
             B.CreateInBoundsGEP(i8, s, B.CreateZExt(b3, i64)), B.CreateSub(e3, b3), grpDone);
    B.SetInsertPoint(grpDone);
    Value* o5 = B.CreateAdd(o4, B.CreateSub(e3, b3));
    Value* k4 = B.CreateAdd(k3, B.getInt32(1));
    k3->addIncoming(k4, grpDone);
    o3->addIncoming(o5, grpDone);
    B.CreateCondBr(B.CreateICmpULT(k4, pe), write, written);
    B.SetInsertPoint(written);
    B.CreateBr(finish);

    B.SetInsertPoint(finish);
    llvm::PHINode* nlen = B.CreatePHI(i32, 2, "nlen");
    nlen->addIncoming(len, copied);
    nlen->addIncoming(total, written);
    B.CreateStore(B.getInt8(0), B.CreateInBoundsGEP(i8, buf, B.CreateZExt(nlen, i64)));
    B.CreateStore(nlen, outField(out, offsetof(cp_dispatch_result, normalized_len)));
    Value* cls = B.CreateCall(classify_, {buf, nlen, value}, "entry");
    BasicBlock* ours = block("ours");
    BasicBlock* done = block("done");
    B.CreateCondBr(B.CreateICmpSGE(cls, B.getInt32(0)), ours, done);
    B.SetInsertPoint(ours);
    emitFill(out, cls, B.CreateLoad(i64, value), done);
    B.SetInsertPoint(done);
    B.CreateRet(B.getInt32(CP_STATUS_OK));
  }

  // clearResult(): the "nothing decided" state every path starts from.
  void emitClear(Value* out) {
    auto store32 = [&](size_t off, int32_t v) {
      B.CreateStore(B.getInt32(static_cast<uint32_t>(v)), outField(out, off));
    };
    auto store8 = [&](size_t off, uint8_t v) { B.CreateStore(B.getInt8(v), outField(out, off)); };
    store32(offsetof(cp_dispatch_result, action), CP_ACTION_NOT_OURS);
    store32(offsetof(cp_dispatch_result, plan), CP_NONE);
    store32(offsetof(cp_dispatch_result, rule), CP_NONE);
    store32(offsetof(cp_dispatch_result, pool), CP_NONE);
    store32(offsetof(cp_dispatch_result, target), CP_NONE);
    store32(offsetof(cp_dispatch_result, orbit), CP_NONE);
    store32(offsetof(cp_dispatch_result, pool_orbit), CP_NONE);
    store8(offsetof(cp_dispatch_result, internal), 0);
    store8(offsetof(cp_dispatch_result, may_park), 0);
    store8(offsetof(cp_dispatch_result, reserved), 0);
    store8(offsetof(cp_dispatch_result, reserved) + 1, 0);
    store32(offsetof(cp_dispatch_result, normalized_len), 0);
    store8(offsetof(cp_dispatch_result, normalized), 0);
  }

  // cp_dispatch_v1. The hot path (a caller with a plan dialing an orbit or park access number
  // whose treatment the transparency table knows) is straight-line code without calls except
  // for long copies; everything else tail-calls cp.slow.
  void emitDispatch() {
    emitSlow();
    emitAutomaton();
    if (shortPath_ && hasTransparency_) emitShortFunctions();
    llvm::Function* f = abiFunction(CP_SYM_DISPATCH, i32, {ptr, ptr, ptr, i32, ptr});
    Value* env = f->getArg(0);
    Value* caller = f->getArg(1);
    Value* d = f->getArg(2);
    Value* len = f->getArg(3);
    Value* out = f->getArg(4);
    env->setName("env");
    caller->setName("caller");
    d->setName("dialed");
    len->setName("len");
    out->setName("out");
    for (unsigned a : {1u, 2u, 4u}) f->addParamAttr(a, llvm::Attribute::NoAlias);

    BasicBlock* entry = BasicBlock::Create(C, "entry", f);
    BasicBlock* tooLong = BasicBlock::Create(C, "too_long", f);
    BasicBlock* bad = BasicBlock::Create(C, "bad_caller", f);
    BasicBlock* resolveBB = BasicBlock::Create(C, "resolve", f);
    B.SetInsertPoint(entry);
    llvm::AllocaInst* value = B.CreateAlloca(i64, nullptr, "value");
    B.CreateStore(B.getInt64(0), value);

    // clearResult(); with the short path only where a decision leaves it (the short path
    // writes every field itself).
    if (!short_) emitClear(out);
    B.CreateCondBr(B.CreateICmpUGT(len, B.getInt32(CP_MAX_NUMBER)), tooLong, resolveBB);
    B.SetInsertPoint(tooLong);
    if (short_) emitClear(out);
    B.CreateRet(B.getInt32(CP_STATUS_TOO_LONG));
    B.SetInsertPoint(bad);
    if (short_) emitClear(out);
    B.CreateRet(B.getInt32(CP_STATUS_BAD_CALLER));

    B.SetInsertPoint(resolveBB);
    Resolved r = emitResolve(caller, bad);
    if (!short_) {
      B.CreateStore(r.may, outField(out, offsetof(cp_dispatch_result, may_park)));
      B.CreateStore(r.plan, outField(out, offsetof(cp_dispatch_result, plan)));
    }
    Value* plan = r.plan;
    Value* buf = outField(out, offsetof(cp_dispatch_result, normalized));
    BasicBlock* resolved = B.GetInsertBlock();

    BasicBlock* slow = BasicBlock::Create(C, "slow", f);
    B.SetInsertPoint(slow);
    llvm::CallInst* tail = B.CreateCall(slow_, {env, plan, d, len, out});
    tail->setTailCall();
    B.CreateRet(tail);

    // Fast path only with a plan, a transparency table, a non-empty string and a prefix of at
    // most 4 bytes (longer ones cannot be declared; the runtime helper strips them).
    B.SetInsertPoint(resolved);
    if (!short_) {
      emitFastPath(f, plan, d, len, out, buf, value, slow);
      return;
    }
    // With the short path, cp_dispatch_v1 only clears, resolves and tail-calls cp.short (a plan,
    // 1..kShort bytes, a prefix of at most 4) or cp.generic (the rest): no call of its own, so
    // no callee-saved registers to save and restore on every request.
    llvm::Function* generic =
        llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, ptr}, false),
                               llvm::GlobalValue::PrivateLinkage, "cp.generic", M);
    generic->setDoesNotThrow();
    generic->addFnAttr(llvm::Attribute::NoInline);
    {
      Value* gEnv = generic->getArg(0);
      Value* gPlan = generic->getArg(1);
      Value* gD = generic->getArg(2);
      Value* gLen = generic->getArg(3);
      Value* gOut = generic->getArg(4);
      BasicBlock* gEntry = BasicBlock::Create(C, "entry", generic);
      BasicBlock* gSlow = BasicBlock::Create(C, "slow", generic);
      B.SetInsertPoint(gSlow);
      llvm::CallInst* t = B.CreateCall(slow_, {gEnv, gPlan, gD, gLen, gOut});
      t->setTailCall();
      B.CreateRet(t);
      B.SetInsertPoint(gEntry);
      llvm::AllocaInst* gValue = B.CreateAlloca(i64, nullptr, "value");
      B.CreateStore(B.getInt64(0), gValue);
      emitFastPath(generic, gPlan, gD, gLen, gOut,
                   outField(gOut, offsetof(cp_dispatch_result, normalized)), gValue, gSlow);
    }
    B.SetInsertPoint(resolved);
    BasicBlock* candidate = BasicBlock::Create(C, "short.candidate", f);
    BasicBlock* toShort = BasicBlock::Create(C, "to_short", f);
    BasicBlock* toGeneric = BasicBlock::Create(C, "to_generic", f);
    B.CreateCondBr(
        B.CreateAnd(B.CreateICmpSGE(plan, B.getInt32(0)),
                    B.CreateICmpULT(B.CreateSub(len, B.getInt32(1)), B.getInt32(kShort))),
        candidate, toGeneric);
    B.SetInsertPoint(candidate);
    Value* plen = B.CreateZExt(load(tPrefixLen_, plan), i32, "prefix_len");
    B.CreateCondBr(B.CreateICmpULE(plen, B.getInt32(4)), toShort, toGeneric);
    B.SetInsertPoint(toShort);
    llvm::CallInst* cs = B.CreateCall(short_, {env, plan, B.CreateZExt(r.may, i32), d, len, out});
    cs->setTailCall();
    B.CreateRet(cs);
    B.SetInsertPoint(toGeneric);
    emitClear(out);
    B.CreateStore(r.may, outField(out, offsetof(cp_dispatch_result, may_park)));
    B.CreateStore(r.plan, outField(out, offsetof(cp_dispatch_result, plan)));
    llvm::CallInst* cg = B.CreateCall(generic, {env, plan, d, len, out});
    cg->setTailCall();
    B.CreateRet(cg);
  }

  void emitFastPath(llvm::Function* f, Value* plan, Value* d, Value* len, Value* out, Value* buf,
                    Value* value, BasicBlock* slow) {
    BasicBlock* hasPlan = BasicBlock::Create(C, "has_plan", f);
    B.CreateCondBr(
        B.CreateAnd(B.CreateICmpSGE(plan, B.getInt32(0)), B.CreateICmpNE(len, B.getInt32(0))),
        hasPlan, slow);
    B.SetInsertPoint(hasPlan);
    Value* plen = B.CreateZExt(load(tPrefixLen_, plan), i32, "prefix_len");
    Value* pidx = B.CreateMul(B.CreateZExt(plan, i64), B.getInt64(4));
    // Prefixes of 0 or 1 byte without a branch (d[0] exists: len > 0); 2..4 bytes in a loop.
    BasicBlock* oneOrNone = BasicBlock::Create(C, "prefix.short", f);
    BasicBlock* longer = BasicBlock::Create(C, "prefix.long", f);
    BasicBlock* stripped = BasicBlock::Create(C, "prefix.done", f);
    B.CreateCondBr(B.CreateICmpULE(plen, B.getInt32(1)), oneOrNone, longer);
    B.SetInsertPoint(oneOrNone);
    Value* first = B.CreateLoad(i8, d);
    Value* strip1 = B.CreateAnd(
        B.CreateAnd(B.CreateICmpEQ(plen, B.getInt32(1)), B.CreateICmpUGT(len, B.getInt32(1))),
        B.CreateICmpEQ(first, load(tPrefixBytes_, pidx)));
    Value* off1 = B.CreateZExt(strip1, i32);
    B.CreateBr(stripped);

    B.SetInsertPoint(longer);
    BasicBlock* check = BasicBlock::Create(C, "prefix.check0", f);
    BasicBlock* strip = BasicBlock::Create(C, "prefix.strip", f);
    BasicBlock* noStrip = BasicBlock::Create(C, "prefix.keep", f);
    B.CreateCondBr(B.CreateAnd(B.CreateICmpULE(plen, B.getInt32(4)), B.CreateICmpUGT(len, plen)),
                   check, noStrip);
    for (int k = 0; k < 4; ++k) {  // byte k is read only when k < plen < len
      B.SetInsertPoint(check);
      Value* want = load(tPrefixBytes_, B.CreateAdd(pidx, B.getInt64(k)));
      Value* got = B.CreateLoad(i8, B.CreateConstInBoundsGEP1_64(i8, d, k));
      BasicBlock* next =
          k < 3 ? BasicBlock::Create(C, "prefix.check" + std::to_string(k + 1), f) : strip;
      BasicBlock* more = BasicBlock::Create(C, "prefix.more", f);
      B.CreateCondBr(B.CreateICmpEQ(want, got), more, noStrip);
      B.SetInsertPoint(more);
      B.CreateCondBr(B.CreateICmpUGT(plen, B.getInt32(k + 1)), next, strip);
      check = next;
    }
    B.SetInsertPoint(strip);
    B.CreateBr(stripped);
    B.SetInsertPoint(noStrip);
    // A prefix longer than 4 bytes: the helper strips it.
    B.CreateCondBr(B.CreateICmpUGT(plen, B.getInt32(4)), slow, stripped);

    B.SetInsertPoint(stripped);
    llvm::PHINode* off = B.CreatePHI(i32, 3, "strip");
    off->addIncoming(off1, oneOrNone);
    off->addIncoming(plen, strip);
    off->addIncoming(B.getInt32(0), noStrip);
    Value* s = B.CreateInBoundsGEP(i8, d, B.CreateZExt(off, i64), "s");
    Value* slen = B.CreateSub(len, off, "slen");
    // Inline: this is the path every orbit and park access number takes.
    Value* cs = emitClassification(s, slen, value);
    BasicBlock* known = BasicBlock::Create(C, "transparency", f);
    // Not decided at compile time: the plan's automaton, else the regex engine.
    BasicBlock* viaAutomaton = BasicBlock::Create(C, "automaton", f);
    BasicBlock* automatonDone = BasicBlock::Create(C, "automaton_decided", f);
    BasicBlock* afterClassify = B.GetInsertBlock();
    B.SetInsertPoint(viaAutomaton);
    Value* ar = B.CreateCall(automaton_, {plan, d, len, s, slen, out}, "automaton");
    B.CreateCondBr(B.CreateICmpSGE(ar, B.getInt32(0)), automatonDone, slow);
    B.SetInsertPoint(automatonDone);
    B.CreateRet(ar);
    B.SetInsertPoint(afterClassify);
    B.CreateCondBr(B.CreateICmpSGE(cs, B.getInt32(0)), known, viaAutomaton);
    B.SetInsertPoint(known);
    if (!hasTransparency_) {  // nothing is known at compile time
      B.CreateBr(viaAutomaton);
      return;
    }
    Value* row = load(tPlanRow_, plan);
    Value* at = B.CreateAdd(B.CreateMul(B.CreateZExt(row, i64), B.getInt64(m_.entries.size())),
                            B.CreateZExt(cs, i64));
    Value* t = B.CreateSExt(load(tRows_, at), i32, "transparent");
    BasicBlock* decided = BasicBlock::Create(C, "decided_at_compile_time", f);
    B.CreateCondBr(B.CreateICmpEQ(t, B.getInt32(static_cast<uint32_t>(ir::kUnknown))), viaAutomaton,
                   decided);

    // t is kNoRuleFires (-1 = CP_NONE: normalized = dialed) or the identity rule that fires
    // (normalized = the stripped string). Selects, no branches.
    B.SetInsertPoint(decided);
    Value* fires = B.CreateICmpSGE(t, B.getInt32(0));
    B.CreateStore(t, outField(out, offsetof(cp_dispatch_result, rule)));
    Value* ri = load(tRuleInternal_,
                     B.CreateSelect(fires, B.CreateAdd(load(tRuleBase_, plan), t), B.getInt32(0)));
    Value* internal = B.CreateSelect(fires, B.CreateAnd(load(tHonour_, plan), ri), B.getInt8(0));
    B.CreateStore(internal, outField(out, offsetof(cp_dispatch_result, internal)));
    Value* norm = B.CreateSelect(fires, s, d, "norm");
    Value* nlen = B.CreateSelect(fires, slen, len, "nlen");
    BasicBlock* copied = BasicBlock::Create(C, "copied", f);
    emitCopy(buf, norm, nlen, copied);
    B.SetInsertPoint(copied);
    B.CreateStore(B.getInt8(0), B.CreateInBoundsGEP(i8, buf, B.CreateZExt(nlen, i64)));
    B.CreateStore(nlen, outField(out, offsetof(cp_dispatch_result, normalized_len)));
    // The class of s is the class of the result unless a prefix was stripped and no rule
    // fired (then the result is the dialed string, prefix included: classify it again).
    BasicBlock* same = BasicBlock::Create(C, "class_known", f);
    BasicBlock* again = BasicBlock::Create(C, "classify_dialed", f);
    BasicBlock* ours = BasicBlock::Create(C, "ours", f);
    BasicBlock* done = BasicBlock::Create(C, "done", f);
    B.CreateCondBr(B.CreateOr(fires, B.CreateICmpEQ(off, B.getInt32(0))), same, again);
    B.SetInsertPoint(again);
    Value* e2 = B.CreateCall(classify_, {buf, nlen, value}, "class2");
    B.CreateBr(ours);
    B.SetInsertPoint(same);
    B.CreateBr(ours);
    B.SetInsertPoint(ours);
    llvm::PHINode* e = B.CreatePHI(i32, 2, "entry");
    e->addIncoming(cs, same);
    e->addIncoming(e2, again);
    BasicBlock* fill = BasicBlock::Create(C, "fill", f);
    B.CreateCondBr(B.CreateICmpSGE(e, B.getInt32(0)), fill, done);
    B.SetInsertPoint(fill);
    emitFill(out, e, B.CreateLoad(i64, value), done);
    B.SetInsertPoint(done);
    B.CreateRet(B.getInt32(CP_STATUS_OK));
  }

  // The short path as its own function: cp_dispatch_v1 tail-calls it after resolving the
  // caller, and everything it does not decide itself leaves through tail calls (cp.undecided:
  // the automaton, else the regex engine; cp.reclassify: a stripped prefix no rule consumed).
  // Without calls of its own it needs no callee-saved registers and no stack frame.
  void emitShortFunctions() {
    auto cold = [&](llvm::Function* f) {
      f->setDoesNotThrow();
      f->addFnAttr(llvm::Attribute::NoInline);
      f->addFnAttr(llvm::Attribute::Cold);
    };
    // cp.undecided(env, plan, dialed, len, s, slen, out)
    undecided_ = llvm::Function::Create(
        llvm::FunctionType::get(i32, {ptr, i32, ptr, i32, ptr, i32, ptr}, false),
        llvm::GlobalValue::PrivateLinkage, "cp.undecided", M);
    cold(undecided_);
    {
      llvm::Function* f = undecided_;
      B.SetInsertPoint(BasicBlock::Create(C, "entry", f));
      BasicBlock* done = BasicBlock::Create(C, "decided", f);
      BasicBlock* slow = BasicBlock::Create(C, "slow", f);
      Value* ar = B.CreateCall(automaton_, {f->getArg(1), f->getArg(2), f->getArg(3), f->getArg(4),
                                            f->getArg(5), f->getArg(6)});
      B.CreateCondBr(B.CreateICmpSGE(ar, B.getInt32(0)), done, slow);
      B.SetInsertPoint(done);
      B.CreateRet(ar);
      B.SetInsertPoint(slow);
      llvm::CallInst* c = B.CreateCall(
          slow_, {f->getArg(0), f->getArg(1), f->getArg(2), f->getArg(3), f->getArg(6)});
      c->setTailCall();
      B.CreateRet(c);
    }
    // cp.reclassify(out): classify out->normalized (normalized_len is set), fill.
    reclassify_ = llvm::Function::Create(llvm::FunctionType::get(i32, {ptr}, false),
                                         llvm::GlobalValue::PrivateLinkage, "cp.reclassify", M);
    cold(reclassify_);
    {
      llvm::Function* f = reclassify_;
      Value* out = f->getArg(0);
      B.SetInsertPoint(BasicBlock::Create(C, "entry", f));
      BasicBlock* fill = BasicBlock::Create(C, "fill", f);
      BasicBlock* done = BasicBlock::Create(C, "done", f);
      llvm::AllocaInst* value = B.CreateAlloca(i64, nullptr, "value");
      Value* nlen = B.CreateLoad(i32, outField(out, offsetof(cp_dispatch_result, normalized_len)));
      Value* e = B.CreateCall(
          classify_, {outField(out, offsetof(cp_dispatch_result, normalized)), nlen, value});
      B.CreateCondBr(B.CreateICmpSGE(e, B.getInt32(0)), fill, done);
      B.SetInsertPoint(fill);
      emitFill(out, e, B.CreateLoad(i64, value), done);
      B.SetInsertPoint(done);
      B.CreateRet(B.getInt32(CP_STATUS_OK));
    }
    // cp.short(env, plan, may_park, dialed, len, out); *out not cleared yet
    short_ =
        llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, i32, i32, ptr, i32, ptr}, false),
                               llvm::GlobalValue::PrivateLinkage, "cp.short", M);
    short_->setDoesNotThrow();
    short_->addFnAttr(llvm::Attribute::NoInline);
    for (unsigned a : {3u, 5u}) short_->addParamAttr(a, llvm::Attribute::NoAlias);
    {
      llvm::Function* f = short_;
      Value* env = f->getArg(0);
      Value* plan = f->getArg(1);
      Value* d = f->getArg(3);
      Value* len = f->getArg(4);
      Value* out = f->getArg(5);
      BasicBlock* entry = BasicBlock::Create(C, "entry", f);
      BasicBlock* slow = BasicBlock::Create(C, "slow", f);
      B.SetInsertPoint(slow);
      llvm::CallInst* c = B.CreateCall(slow_, {env, plan, d, len, out});
      c->setTailCall();
      B.CreateRet(c);
      B.SetInsertPoint(entry);
      Value* plen = B.CreateZExt(load(tPrefixLen_, plan), i32, "prefix_len");
      emitShortPath(env, plan, plen, f->getArg(2), d, len, out,
                    outField(out, offsetof(cp_dispatch_result, normalized)), slow);
    }
  }

  // The short-number path (see buildShortTables): the dialed string (len <= kShort) in one
  // 16-byte masked load (lanes >= len are neither read nor nonzero), the external access prefix
  // compared as a word and stripped with a byte shuffle of that register, the perfect hash, the
  // transparency row, and the normalized string stored as the same 16 bytes (its NUL included).
  // No branch depends on which orbit was dialed.
  void emitShortPath(Value* env, Value* plan, Value* plen, Value* may, Value* d, Value* len,
                     Value* out, Value* buf, BasicBlock* slow) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    auto block = [&](const char* name) { return BasicBlock::Create(C, name, f); };
    auto* v16 = llvm::FixedVectorType::get(i8, 16);
    std::vector<uint8_t> laneIds(16);
    for (int k = 0; k < 16; ++k) laneIds[k] = static_cast<uint8_t>(k);
    Value* mask = B.CreateICmpULT(llvm::ConstantDataVector::get(C, llvm::ArrayRef(laneIds)),
                                  B.CreateVectorSplat(16, B.CreateTrunc(len, i8)));
    Value* x = B.CreateMaskedLoad(v16, d, llvm::Align(1), mask, llvm::Constant::getNullValue(v16),
                                  "dialed16");
    auto* v2x64 = llvm::FixedVectorType::get(i64, 2);
    Value* w0 = B.CreateExtractElement(B.CreateBitCast(x, v2x64), uint64_t{0});
    // The prefix (plen <= 4 bytes) matches and something follows it: strip it.
    Value* pw = B.CreateZExt(load(tPrefixWord_, plan), i64);
    Value* pm = B.CreateZExt(load(tPrefixMask_, plan), i64);
    Value* strip = B.CreateAnd(B.CreateICmpEQ(B.CreateAnd(B.CreateXor(w0, pw), pm), B.getInt64(0)),
                               B.CreateICmpUGT(len, plen));
    auto pshufb = [&](Value* v, Value* ctl) {
      return B.CreateIntrinsic(llvm::Intrinsic::x86_ssse3_pshuf_b_128, {}, {v, ctl});
    };
    auto vec = [&](llvm::GlobalVariable* gv, Value* row) {  // 16 bytes at row * 16
      Value* p = B.CreateInBoundsGEP(i8, gv, B.CreateMul(B.CreateZExt(row, i64), B.getInt64(16)));
      return B.CreateAlignedLoad(v16, p, llvm::MaybeAlign(16));
    };
    // A branch, not a select: orbit numbers practically never start with the access prefix, so
    // it is predicted, and the rest does not wait for the prefix comparison.
    BasicBlock* stripBB = block("short.strip");
    BasicBlock* keepBB = B.GetInsertBlock();
    BasicBlock* stripped = block("short.stripped");
    B.CreateCondBr(strip, stripBB, stripped);
    B.SetInsertPoint(stripBB);
    Value* shifted = pshufb(x, vec(tShiftCtl_, plen));
    B.CreateBr(stripped);
    B.SetInsertPoint(stripped);
    llvm::PHINode* off = B.CreatePHI(i32, 2, "strip");
    off->addIncoming(B.getInt32(0), keepBB);
    off->addIncoming(plen, stripBB);
    llvm::PHINode* sx = B.CreatePHI(v16, 2, "s16");
    sx->addIncoming(x, keepBB);
    sx->addIncoming(shifted, stripBB);
    Value* slen = B.CreateSub(len, off, "slen");
    Value* s = B.CreateInBoundsGEP(i8, d, B.CreateZExt(off, i64), "s");
    // The perfect hash (buildNumberHash): one multiply-hash, the bucket's displacement, the
    // slot, a 16-byte compare and the length.
    Value* sv = B.CreateBitCast(sx, v2x64);
    Value* h = B.CreateAdd(
        B.CreateMul(B.CreateExtractElement(sv, uint64_t{0}), B.getInt64(kHashK1)),
        B.CreateMul(B.CreateXor(B.CreateExtractElement(sv, uint64_t{1}), B.CreateZExt(slen, i64)),
                    B.getInt64(kHashK2)));
    h = B.CreateXor(h, B.CreateLShr(h, 32));
    Value* disp = B.CreateZExt(load(tHashDisp_, B.CreateAnd(h, B.getInt64(hashBuckets_ - 1))), i64);
    Value* slot = B.CreateAnd(B.CreateXor(B.CreateLShr(h, 40), disp), B.getInt64(hashSlots_ - 1));
    Value* slotAt = B.CreateInBoundsGEP(i8, tHashSlots_, B.CreateShl(slot, 6));
    Value* key = B.CreateAlignedLoad(v16, slotAt, llvm::MaybeAlign(64));
    Value* eq = B.CreateICmpEQ(B.CreateBitCast(B.CreateICmpEQ(key, sx), B.getInt16Ty()),
                               B.getInt16(0xFFFF));
    Value* entry = B.CreateLoad(i32, B.CreateConstInBoundsGEP1_64(i8, slotAt, 16));
    Value* klen = B.CreateLoad(i32, B.CreateConstInBoundsGEP1_64(i8, slotAt, 20));
    Value* cs = B.CreateSelect(B.CreateAnd(eq, B.CreateICmpEQ(klen, slen)), entry,
                               B.getInt32(static_cast<uint32_t>(ir::kNone)), "entry");
    // Not known at compile time: the automaton, else the regex engine.
    BasicBlock* unknown = block("short.automaton");
    BasicBlock* known = block("short.transparency");
    BasicBlock* decided = block("short.decided");
    B.CreateCondBr(B.CreateICmpSGE(cs, B.getInt32(0)), known, unknown);
    B.SetInsertPoint(unknown);
    emitClear(out);
    B.CreateStore(plan, outField(out, offsetof(cp_dispatch_result, plan)));
    B.CreateStore(B.CreateTrunc(may, i8), outField(out, offsetof(cp_dispatch_result, may_park)));
    llvm::CallInst* ar = B.CreateCall(undecided_, {env, plan, d, len, s, slen, out});
    ar->setTailCall();
    B.CreateRet(ar);
    (void)slow;  // the regex engine is reached through cp.undecided
    B.SetInsertPoint(known);
    Value* row = load(tPlanRow_, plan);
    Value* at = B.CreateAdd(B.CreateMul(B.CreateZExt(row, i64), B.getInt64(m_.entries.size())),
                            B.CreateZExt(cs, i64));
    Value* tr = B.CreateSExt(load(tRows_, at), i32, "transparent");
    B.CreateCondBr(B.CreateICmpEQ(tr, B.getInt32(static_cast<uint32_t>(ir::kUnknown))), unknown,
                   decided);
    // Decided at compile time: no rule fires (normalized = dialed) or an identity rule fires
    // (normalized = s).
    B.SetInsertPoint(decided);
    Value* fires = B.CreateICmpSGE(tr, B.getInt32(0));
    B.CreateStore(tr, outField(out, offsetof(cp_dispatch_result, rule)));
    Value* ri = load(tRuleInternal_,
                     B.CreateSelect(fires, B.CreateAdd(load(tRuleBase_, plan), tr), B.getInt32(0)));
    Value* internal = B.CreateSelect(fires, B.CreateAnd(load(tHonour_, plan), ri), B.getInt8(0));
    // internal, may_park and the two reserved bytes as one word.
    static_assert(
        offsetof(cp_dispatch_result, may_park) == offsetof(cp_dispatch_result, internal) + 1 &&
        offsetof(cp_dispatch_result, reserved) == offsetof(cp_dispatch_result, internal) + 2);
    B.CreateStore(B.CreateOr(B.CreateZExt(internal, i32), B.CreateShl(may, 8)),
                  outField(out, offsetof(cp_dispatch_result, internal)));
    B.CreateStore(plan, outField(out, offsetof(cp_dispatch_result, plan)));
    Value* norm = B.CreateSelect(fires, sx, x);
    Value* nlen = B.CreateSelect(fires, slen, len, "nlen");
    B.CreateAlignedStore(norm, buf, llvm::MaybeAlign(1));  // NUL included
    B.CreateStore(nlen, outField(out, offsetof(cp_dispatch_result, normalized_len)));
    // A stripped prefix and no rule: the result is the dialed string, classify that.
    BasicBlock* again = block("short.classify_dialed");
    BasicBlock* join = block("short.class");
    BasicBlock* done = block("short.done");
    B.CreateCondBr(B.CreateOr(fires, B.CreateICmpEQ(off, B.getInt32(0))), join, again);
    B.SetInsertPoint(again);  // cp.reclassify fills the decision only when it finds one
    B.CreateStore(B.getInt32(CP_ACTION_NOT_OURS),
                  outField(out, offsetof(cp_dispatch_result, action)));
    for (size_t off :
         {offsetof(cp_dispatch_result, pool), offsetof(cp_dispatch_result, target),
          offsetof(cp_dispatch_result, orbit), offsetof(cp_dispatch_result, pool_orbit)})
      B.CreateStore(B.getInt32(static_cast<uint32_t>(CP_NONE)), outField(out, off));
    llvm::CallInst* re = B.CreateCall(reclassify_, {out});
    re->setTailCall();
    B.CreateRet(re);
    // The decision straight from the slot (cs >= 0 here).
    B.SetInsertPoint(join);
    B.CreateStore(B.CreateLoad(i32, B.CreateConstInBoundsGEP1_64(i8, slotAt, 24)),
                  outField(out, offsetof(cp_dispatch_result, action)));
    static_assert(offsetof(cp_dispatch_result, target) == offsetof(cp_dispatch_result, pool) + 4 &&
                  offsetof(cp_dispatch_result, orbit) == offsetof(cp_dispatch_result, pool) + 8 &&
                  offsetof(cp_dispatch_result, pool_orbit) ==
                      offsetof(cp_dispatch_result, pool) + 12);
    B.CreateAlignedStore(B.CreateAlignedLoad(v16, B.CreateConstInBoundsGEP1_64(i8, slotAt, 32),
                                             llvm::MaybeAlign(32)),
                         outField(out, offsetof(cp_dispatch_result, pool)), llvm::MaybeAlign(4));
    B.CreateBr(done);
    B.SetInsertPoint(done);
    B.CreateRet(B.getInt32(CP_STATUS_OK));
  }

  // dst[0, n) = src[0, n), then branch to `done`. Up to 16 bytes (every orbit and most
  // numbers) with two overlapping loads and stores of the largest fitting width, never reading
  // outside [0, n); longer strings through memcpy.
  void emitCopy(Value* dst, Value* src, Value* n, BasicBlock* done) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    BasicBlock* big = BasicBlock::Create(C, "copy.long", f);
    BasicBlock* small = BasicBlock::Create(C, "copy.short", f);
    B.CreateCondBr(B.CreateICmpUGT(n, B.getInt32(16)), big, small);
    B.SetInsertPoint(big);
    B.CreateMemCpy(dst, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), B.CreateZExt(n, i64));
    B.CreateBr(done);
    B.SetInsertPoint(small);
    Value* n64 = B.CreateZExt(n, i64);
    BasicBlock* next = small;
    for (unsigned width : {8u, 4u, 2u, 1u}) {
      B.SetInsertPoint(next);
      BasicBlock* here = BasicBlock::Create(C, "copy." + std::to_string(width), f);
      next = BasicBlock::Create(C, "copy.lt" + std::to_string(width), f);
      B.CreateCondBr(B.CreateICmpUGE(n, B.getInt32(width)), here, next);
      B.SetInsertPoint(here);
      llvm::Type* t = B.getIntNTy(width * 8);
      Value* tail = B.CreateSub(n64, B.getInt64(width));
      Value* a = B.CreateAlignedLoad(t, src, llvm::MaybeAlign(1));
      Value* b = B.CreateAlignedLoad(t, B.CreateInBoundsGEP(i8, src, tail), llvm::MaybeAlign(1));
      B.CreateAlignedStore(a, dst, llvm::MaybeAlign(1));
      B.CreateAlignedStore(b, B.CreateInBoundsGEP(i8, dst, tail), llvm::MaybeAlign(1));
      B.CreateBr(done);  // e.g. 11 bytes: [0, 8) and [3, 11)
    }
    B.SetInsertPoint(next);  // n == 0
    B.CreateBr(done);
  }

  void emitMayPark() {
    llvm::Function* f = abiFunction(CP_SYM_MAY_PARK, i32, {ptr});
    BasicBlock* entry = BasicBlock::Create(C, "entry", f);
    BasicBlock* bad = BasicBlock::Create(C, "bad_caller", f);
    B.SetInsertPoint(bad);
    B.CreateRet(B.getInt32(static_cast<uint32_t>(-1)));
    B.SetInsertPoint(entry);
    Resolved r = emitResolve(f->getArg(0), bad);
    B.CreateRet(B.CreateZExt(r.may, i32));
  }

  void emitSettings() {
    llvm::Function* f = abiFunction(CP_SYM_SETTINGS, i32, {i32, ptr});
    Value* pool = f->getArg(0);
    Value* out = f->getArg(1);
    BasicBlock* entry = BasicBlock::Create(C, "entry", f);
    BasicBlock* bad = BasicBlock::Create(C, "bad_pool", f);
    BasicBlock* ok = BasicBlock::Create(C, "ok", f);
    B.SetInsertPoint(entry);
    B.CreateMemSet(out, B.getInt8(0), sizeof(cp_park_settings), llvm::MaybeAlign(8));
    llvm::Constant* empty = cstring("");
    B.CreateStore(empty, outField(out, offsetof(cp_park_settings, on_timeout)));
    B.CreateStore(empty, outField(out, offsetof(cp_park_settings, music_file)));
    Value* slot = B.CreateAdd(pool, B.getInt32(1));
    B.CreateCondBr(
        B.CreateICmpULT(slot, B.getInt32(static_cast<uint32_t>(m_.poolSettings.size() + 1))), ok,
        bad);
    B.SetInsertPoint(bad);
    B.CreateRet(B.getInt32(CP_STATUS_BAD_CALLER));
    B.SetInsertPoint(ok);
    B.CreateStore(load(tTimeout_, slot),
                  outField(out, offsetof(cp_park_settings, pickup_timeout_seconds)));
    B.CreateStore(load(tAttempts_, slot),
                  outField(out, offsetof(cp_park_settings, max_pickup_attempts)));
    B.CreateStore(load(tMoh_, slot), outField(out, offsetof(cp_park_settings, music_on_hold)));
    B.CreateStore(load(tOnTimeout_, slot), outField(out, offsetof(cp_park_settings, on_timeout)));
    B.CreateStore(load(tMusic_, slot), outField(out, offsetof(cp_park_settings, music_file)));
    B.CreateRet(B.getInt32(CP_STATUS_OK));
  }

  const ir::Module& m_;
  llvm::LLVMContext& C;
  llvm::Module& M;
  llvm::IRBuilder<> B;
  llvm::Type *i1, *i8, *i16, *i32, *i64, *ptr;
  llvm::Function* normalize_ = nullptr;
  llvm::Function* classify_ = nullptr;
  llvm::Function* slow_ = nullptr;
  llvm::Function* automaton_ = nullptr;
  llvm::Function *short_ = nullptr, *undecided_ = nullptr, *reclassify_ = nullptr;
  llvm::GlobalVariable *tPlanDfa_, *tDfaStart_, *tDfaBase_, *tDfaAcceptBase_, *tDfaNext_,
      *tDfaAccept_, *tSymbol_, *tSpansKnown_, *tPieceBase_, *tLitOff_, *tLitLen_, *tHasGroup_,
      *tBFromEnd_, *tEFromEnd_, *tB_, *tE_, *tLiterals_;
  std::map<std::string, llvm::Constant*> strings_;
  std::vector<std::pair<BasicBlock*, Value*>> exits_;  // emitClassification's hits and misses
  bool hasTransparency_ = false, ruleIndexDense_ = true;
  // The short-number path (buildShortTables, emitShortPath).
  bool maskedLoads_ = false, shortPath_ = false;
  llvm::GlobalVariable* tPrefixWord_ = nullptr;
  size_t hashSlots_ = 0, hashBuckets_ = 0;  // 0: no perfect hash (buildNumberHash)
  llvm::GlobalVariable *tHashDisp_ = nullptr, *tHashSlots_ = nullptr;
  llvm::GlobalVariable *tPrefixMask_ = nullptr, *tShiftCtl_ = nullptr;
  llvm::GlobalVariable *tUserPlan_, *tUserMay_, *tCtxPlan_, *tCtxMay_, *tPlanOfModel_, *tVpMay_;
  llvm::GlobalVariable *tPrefixLen_, *tPrefixBytes_, *tHonour_, *tRuleBase_, *tRuleInternal_;
  llvm::GlobalVariable *tEntryAction_, *tEntryPool_, *tEntryTarget_, *tEntryLo_, *tEntryPoolBase_;
  llvm::GlobalVariable *tPlanRow_ = nullptr, *tRows_ = nullptr;
  llvm::GlobalVariable *tTimeout_, *tAttempts_, *tMoh_, *tOnTimeout_, *tMusic_;
};

void setTarget(llvm::Module& mod, llvm::TargetMachine* tm) {
  if (!tm) return;
  mod.setDataLayout(tm->createDataLayout());
  mod.setTargetTriple(tm->getTargetTriple().str());
}

}  // namespace

std::unique_ptr<llvm::Module> generate(const ir::Module& m, llvm::LLVMContext& ctx,
                                       const std::string& moduleId, llvm::TargetMachine* tm,
                                       std::string* error) {
  auto mod = std::make_unique<llvm::Module>(moduleId, ctx);
  setTarget(*mod, tm);
  // The short-number path needs fault-free masked byte loads (AVX-512 BW + VL); without them
  // LLVM would expand a masked load into a branch per byte, so the generic path runs instead.
  bool masked = false;
  if (tm) {
    std::string f = tm->getTargetFeatureString().str() + ",";
    masked = tm->getTargetTriple().getArch() == llvm::Triple::x86_64 &&
             f.find("+avx512bw,") != std::string::npos &&
             f.find("+avx512vl,") != std::string::npos && !std::getenv("CALLPARK_NO_SHORT_PATH");
  }
  Gen(m, ctx, *mod, masked).run();
  std::string msg;
  llvm::raw_string_ostream os(msg);
  if (llvm::verifyModule(*mod, &os)) {
    if (error) *error = "generated LLVM module does not verify: " + os.str();
    return nullptr;
  }
  return mod;
}

void optimize(llvm::Module& mod, llvm::TargetMachine* tm, int optLevel) {
  if (optLevel <= 0) return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(
      optLevel == 1 ? llvm::OptimizationLevel::O1 : llvm::OptimizationLevel::O2);
  mpm.run(mod, mam);
}

std::unique_ptr<llvm::Module> interfaceStub(llvm::LLVMContext& ctx, const std::string& moduleId,
                                            llvm::TargetMachine* tm) {
  auto mod = std::make_unique<llvm::Module>(moduleId, ctx);
  setTarget(*mod, tm);
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Type* ptr = b.getPtrTy();
  auto stub = [&](const char* name, std::vector<llvm::Type*> args) {
    auto* f = llvm::Function::Create(llvm::FunctionType::get(i32, args, false),
                                     llvm::GlobalValue::ExternalLinkage, name, *mod);
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", f));
    b.CreateUnreachable();
  };
  stub(CP_SYM_ABI_VERSION, {});
  stub(CP_SYM_DISPATCH, {ptr, ptr, ptr, i32, ptr});
  stub(CP_SYM_MAY_PARK, {ptr});
  stub(CP_SYM_SETTINGS, {i32, ptr});
  return mod;
}

std::string toText(const llvm::Module& mod) {
  std::string s;
  llvm::raw_string_ostream os(s);
  mod.print(os, nullptr);
  return os.str();
}

}  // namespace callpark::dispatch::codegen
