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
// Every step mirrors compiler/dispatch/interp/Interpreter.cpp line for line; the differential
// tests hold the two (and the naive reference) to the same outputs, status codes included.
#include "compiler/dispatch/codegen/Codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <cstddef>
#include <map>

#include "runtime/abi/dispatch_abi.h"

namespace callpark::dispatch::codegen {

namespace {

using llvm::BasicBlock;
using llvm::Value;

constexpr int kUnknownClass = -2;  // classification not computed yet

class Gen {
 public:
  Gen(const ir::Module& m, llvm::LLVMContext& c, llvm::Module& mod) : m_(m), C(c), M(mod), B(c) {
    i1 = B.getInt1Ty();
    i8 = B.getInt8Ty();
    i16 = B.getInt16Ty();
    i32 = B.getInt32Ty();
    i64 = B.getInt64Ty();
    ptr = B.getPtrTy();
  }

  void run() {
    buildTables();
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

  void emitClassify() {
    auto* ty = llvm::FunctionType::get(i32, {ptr, i32, ptr}, false);
    classify_ = llvm::Function::Create(ty, llvm::GlobalValue::PrivateLinkage, "cp.classify", M);
    classify_->setDoesNotThrow();
    llvm::Function* f = classify_;
    Value* s = f->getArg(0);
    Value* len = f->getArg(1);
    Value* valueOut = f->getArg(2);
    s->setName("s");
    len->setName("len");
    valueOut->setName("value_out");
    BasicBlock* entry = BasicBlock::Create(C, "entry", f);
    BasicBlock* miss = BasicBlock::Create(C, "miss", f);
    B.SetInsertPoint(miss);
    B.CreateRet(B.getInt32(ir::kNone));

    // What each string length holds.
    struct Bucket {
      std::vector<int> exact;               // entry ids, declaration order
      const ir::KeyGroup* plain = nullptr;  // digits only
      const ir::KeyGroup* star = nullptr;   // '*' + digits
      const ir::KeyGroup* hash = nullptr;   // '#' + digits
    };
    std::map<size_t, Bucket> byLen;
    for (int e : m_.exact) byLen[m_.entries[e].exact.size()].exact.push_back(e);
    for (const ir::KeyGroup& g : m_.keys) {
      if (g.intervals.empty()) continue;
      Bucket& b = byLen[static_cast<size_t>(g.digits) + (g.prefix ? 1 : 0)];
      (g.prefix == '*' ? b.star : g.prefix == '#' ? b.hash : b.plain) = &g;
    }

    B.SetInsertPoint(entry);
    llvm::SwitchInst* sw = B.CreateSwitch(len, miss, static_cast<unsigned>(byLen.size()));
    for (const auto& [L, bucket] : byLen) {
      if (L == 0 || L > CP_MAX_NUMBER) continue;
      BasicBlock* bb = BasicBlock::Create(C, "len" + std::to_string(L), f);
      sw->addCase(B.getInt32(static_cast<uint32_t>(L)), bb);
      B.SetInsertPoint(bb);
      for (int e : bucket.exact) {
        const std::string& text = m_.entries[e].exact;
        BasicBlock* next = BasicBlock::Create(C, "exact.next", f);
        BasicBlock* hit = BasicBlock::Create(C, "exact.hit", f);
        Value* eq = B.getTrue();
        for (size_t k = 0; k < L; ++k) {
          Value* c = B.CreateLoad(i8, B.CreateConstInBoundsGEP1_64(i8, s, k));
          eq = B.CreateAnd(eq, B.CreateICmpEQ(c, B.getInt8(static_cast<uint8_t>(text[k]))));
        }
        B.CreateCondBr(eq, hit, next);
        B.SetInsertPoint(hit);
        B.CreateRet(B.getInt32(e));
        B.SetInsertPoint(next);
      }
      if (!bucket.star && !bucket.hash) {
        if (bucket.plain)
          emitKey(*bucket.plain, s, valueOut, miss);
        else
          B.CreateBr(miss);
        continue;
      }
      Value* c0 = B.CreateLoad(i8, s);
      BasicBlock* plainBB = BasicBlock::Create(C, "digits", f);
      llvm::SwitchInst* ps = B.CreateSwitch(c0, plainBB, 2);
      auto prefixCase = [&](const ir::KeyGroup* g, char ch) {
        if (!g) return;
        BasicBlock* kb =
            BasicBlock::Create(C, std::string("prefix") + (ch == '*' ? "star" : "hash"), f);
        ps->addCase(B.getInt8(static_cast<uint8_t>(ch)), kb);
        B.SetInsertPoint(kb);
        emitKey(*g, s, valueOut, miss);
      };
      prefixCase(bucket.star, '*');
      prefixCase(bucket.hash, '#');
      B.SetInsertPoint(plainBB);
      if (bucket.plain)
        emitKey(*bucket.plain, s, valueOut, miss);
      else
        B.CreateBr(miss);
    }
  }

  // At the insert point: parse the key's digits, store the value, walk the nodes.
  void emitKey(const ir::KeyGroup& g, Value* s, Value* valueOut, BasicBlock* miss) {
    llvm::Function* f = B.GetInsertBlock()->getParent();
    size_t off = g.prefix ? 1 : 0;
    Value* v = B.getInt64(0);
    Value* bad = B.getFalse();
    for (int k = 0; k < g.digits; ++k) {
      Value* c = B.CreateLoad(i8, B.CreateConstInBoundsGEP1_64(i8, s, off + k));
      Value* d = B.CreateSub(c, B.getInt8('0'));
      bad = B.CreateOr(bad, B.CreateICmpUGT(d, B.getInt8(9)));
      v = B.CreateAdd(B.CreateMul(v, B.getInt64(10)), B.CreateZExt(d, i64));
    }
    BasicBlock* ok = BasicBlock::Create(C, "key.ok", f);
    B.CreateCondBr(bad, miss, ok);
    B.SetInsertPoint(ok);
    B.CreateStore(v, valueOut);
    emitNode(g, g.root, v, miss);
  }

  void emitNode(const ir::KeyGroup& g, int n, Value* v, BasicBlock* miss) {
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
      B.CreateRet(load(gv, idx));
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
    B.CreateRet(B.getInt32(iv.entry));
    B.SetInsertPoint(below);
    emitNode(g, node.left, v, miss);
    B.SetInsertPoint(above);
    emitNode(g, node.right, v, miss);
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

    // dial_plan: CP_INHERIT -> base, CP_NONE -> none, model index -> dialplan_map
    Value* dp = field(offsetof(cp_caller, dial_plan), "dial_plan");
    BasicBlock* dpIndex = BasicBlock::Create(C, "dial_plan.index", f);
    BasicBlock* dpOther = BasicBlock::Create(C, "dial_plan.special", f);
    BasicBlock* dpNone = BasicBlock::Create(C, "dial_plan.none", f);
    BasicBlock* dpJoin = BasicBlock::Create(C, "dial_plan.done", f);
    B.CreateCondBr(B.CreateICmpULT(dp, B.getInt32(static_cast<uint32_t>(m_.planOfModel.size()))),
                   dpIndex, dpOther);
    B.SetInsertPoint(dpIndex);
    Value* mapped = load(tPlanOfModel_, dp);
    B.CreateBr(dpJoin);
    B.SetInsertPoint(dpOther);
    llvm::SwitchInst* dsw = B.CreateSwitch(dp, bad, 2);
    dsw->addCase(B.getInt32(static_cast<uint32_t>(CP_INHERIT)), dpJoin);
    dsw->addCase(B.getInt32(static_cast<uint32_t>(CP_NONE)), dpNone);
    B.SetInsertPoint(dpNone);
    B.CreateBr(dpJoin);
    B.SetInsertPoint(dpJoin);
    llvm::PHINode* cPlan = B.CreatePHI(i32, 3, "ctx.plan");
    cPlan->addIncoming(mapped, dpIndex);
    cPlan->addIncoming(basePlan, dpOther);
    cPlan->addIncoming(B.getInt32(ir::kNone), dpNone);

    Value* vp = field(offsetof(cp_caller, voice_policy), "voice_policy");
    BasicBlock* vpIndex = BasicBlock::Create(C, "voice_policy.index", f);
    BasicBlock* vpOther = BasicBlock::Create(C, "voice_policy.special", f);
    BasicBlock* vpNone = BasicBlock::Create(C, "voice_policy.none", f);
    BasicBlock* vpJoin = BasicBlock::Create(C, "voice_policy.done", f);
    B.CreateCondBr(B.CreateICmpULT(vp, B.getInt32(static_cast<uint32_t>(m_.vpMayPark.size()))),
                   vpIndex, vpOther);
    B.SetInsertPoint(vpIndex);
    Value* vpMay = load(tVpMay_, vp);
    B.CreateBr(vpJoin);
    B.SetInsertPoint(vpOther);
    llvm::SwitchInst* vsw = B.CreateSwitch(vp, bad, 2);
    vsw->addCase(B.getInt32(static_cast<uint32_t>(CP_INHERIT)), vpJoin);
    vsw->addCase(B.getInt32(static_cast<uint32_t>(CP_NONE)), vpNone);
    B.SetInsertPoint(vpNone);
    B.CreateBr(vpJoin);
    B.SetInsertPoint(vpJoin);
    llvm::PHINode* cMay = B.CreatePHI(i8, 3, "ctx.may_park");
    cMay->addIncoming(vpMay, vpIndex);
    cMay->addIncoming(baseMay, vpOther);
    cMay->addIncoming(B.getInt8(0), vpNone);
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

  void emitDispatch() {
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
    llvm::AllocaInst* olen = B.CreateAlloca(i32, nullptr, "normalized_len");
    llvm::AllocaInst* ointernal = B.CreateAlloca(i8, nullptr, "internal");
    B.CreateStore(B.getInt64(0), value);

    // clearResult()
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
    B.CreateCondBr(B.CreateICmpUGT(len, B.getInt32(CP_MAX_NUMBER)), tooLong, resolveBB);
    B.SetInsertPoint(tooLong);
    B.CreateRet(B.getInt32(CP_STATUS_TOO_LONG));
    B.SetInsertPoint(bad);
    B.CreateRet(B.getInt32(CP_STATUS_BAD_CALLER));

    B.SetInsertPoint(resolveBB);
    Resolved r = emitResolve(caller, bad);
    B.CreateStore(r.may, outField(out, offsetof(cp_dispatch_result, may_park)));
    B.CreateStore(r.plan, outField(out, offsetof(cp_dispatch_result, plan)));
    Value* buf = outField(out, offsetof(cp_dispatch_result, normalized));

    // Where the normalized string comes from: (pointer, length, known class, copy needed).
    BasicBlock* finish = BasicBlock::Create(C, "normalized", f);
    struct Incoming {
      BasicBlock* from;
      Value *norm, *nlen, *cls, *copy;
    };
    std::vector<Incoming> inc;

    BasicBlock* planBB = BasicBlock::Create(C, "plan", f);
    BasicBlock* noPlan = BasicBlock::Create(C, "no_plan", f);
    B.CreateCondBr(B.CreateICmpSGE(r.plan, B.getInt32(0)), planBB, noPlan);
    B.SetInsertPoint(noPlan);
    B.CreateBr(finish);
    inc.push_back({noPlan, d, len, B.getInt32(kUnknownClass), B.getTrue()});

    // External access prefix: stripped when the dialed string starts with it and is longer.
    // A prefix longer than 4 bytes (the checker forbids them; a model with errors may still
    // have one) skips the fast path: the runtime helper strips it.
    B.SetInsertPoint(planBB);
    Value* plan = r.plan;
    Value* plen = B.CreateZExt(load(tPrefixLen_, plan), i32, "prefix_len");
    BasicBlock* regex = BasicBlock::Create(C, "regex", f);
    BasicBlock* shortPrefix = BasicBlock::Create(C, "prefix", f);
    B.CreateCondBr(B.CreateICmpUGT(plen, B.getInt32(4)), regex, shortPrefix);
    B.SetInsertPoint(shortPrefix);
    BasicBlock* strip = BasicBlock::Create(C, "prefix.strip", f);
    BasicBlock* stripped = BasicBlock::Create(C, "prefix.done", f);
    BasicBlock* check = BasicBlock::Create(C, "prefix.check0", f);
    B.CreateCondBr(B.CreateAnd(B.CreateICmpNE(plen, B.getInt32(0)), B.CreateICmpUGT(len, plen)),
                   check, stripped);
    // Byte k is read only when k < plen < len.
    for (int k = 0; k < 4; ++k) {
      B.SetInsertPoint(check);
      Value* idx = B.CreateAdd(B.CreateMul(B.CreateZExt(plan, i64), B.getInt64(4)), B.getInt64(k));
      Value* want = load(tPrefixBytes_, idx);
      Value* got = B.CreateLoad(i8, B.CreateConstInBoundsGEP1_64(i8, d, k));
      BasicBlock* next =
          k < 3 ? BasicBlock::Create(C, "prefix.check" + std::to_string(k + 1), f) : strip;
      BasicBlock* more = BasicBlock::Create(C, "prefix.more", f);
      B.CreateCondBr(B.CreateICmpEQ(want, got), more, stripped);
      B.SetInsertPoint(more);
      B.CreateCondBr(B.CreateICmpUGT(plen, B.getInt32(k + 1)), next, strip);
      check = next;
    }
    B.SetInsertPoint(strip);
    B.CreateBr(stripped);
    B.SetInsertPoint(stripped);
    llvm::PHINode* off = B.CreatePHI(i32, 6, "strip");
    for (BasicBlock* pred : llvm::predecessors(stripped))
      off->addIncoming(pred == strip ? plen : B.getInt32(0), pred);
    Value* s = B.CreateInBoundsGEP(i8, d, B.CreateZExt(off, i64), "s");
    Value* slen = B.CreateSub(len, off, "slen");
    Value* cs = B.CreateCall(classify_, {s, slen, value}, "class");

    if (hasTransparency_) {
      BasicBlock* known = BasicBlock::Create(C, "transparency", f);
      B.CreateCondBr(B.CreateICmpSGE(cs, B.getInt32(0)), known, regex);
      B.SetInsertPoint(known);
      Value* row = load(tPlanRow_, plan);
      Value* at = B.CreateAdd(B.CreateMul(B.CreateZExt(row, i64), B.getInt64(m_.entries.size())),
                              B.CreateZExt(cs, i64));
      Value* t = B.CreateSExt(load(tRows_, at), i32, "transparent");
      BasicBlock* none = BasicBlock::Create(C, "no_rule_fires", f);
      BasicBlock* ident = BasicBlock::Create(C, "identity_rule", f);
      BasicBlock* notNone = BasicBlock::Create(C, "transparency.rule", f);
      B.CreateCondBr(B.CreateICmpEQ(t, B.getInt32(ir::kNoRuleFires)), none, notNone);
      B.SetInsertPoint(notNone);
      B.CreateCondBr(B.CreateICmpSGE(t, B.getInt32(0)), ident, regex);

      B.SetInsertPoint(none);  // normalized = dialed; its class is cs when nothing was stripped
      Value* keep =
          B.CreateSelect(B.CreateICmpEQ(off, B.getInt32(0)), cs, B.getInt32(kUnknownClass));
      B.CreateBr(finish);
      inc.push_back({none, d, len, keep, B.getTrue()});

      B.SetInsertPoint(ident);  // normalized = s, rule t
      B.CreateStore(t, outField(out, offsetof(cp_dispatch_result, rule)));
      Value* ri = load(tRuleInternal_, B.CreateAdd(load(tRuleBase_, plan), t));
      Value* internal = B.CreateAnd(load(tHonour_, plan), ri);
      B.CreateStore(internal, outField(out, offsetof(cp_dispatch_result, internal)));
      B.CreateBr(finish);
      inc.push_back({ident, s, slen, cs, B.getTrue()});
    } else {
      B.CreateBr(regex);
    }

    B.SetInsertPoint(regex);
    Value* rule = B.CreateCall(
        normalize_, {env, plan, d, len, buf, B.getInt32(CP_MAX_NUMBER), olen, ointernal}, "rule");
    BasicBlock* fired = BasicBlock::Create(C, "rule_fired", f);
    BasicBlock* noRule = BasicBlock::Create(C, "no_rule", f);
    B.CreateCondBr(B.CreateICmpSGE(rule, B.getInt32(0)), fired, noRule);
    B.SetInsertPoint(noRule);
    B.CreateBr(finish);
    inc.push_back({noRule, d, len, B.getInt32(kUnknownClass), B.getTrue()});
    B.SetInsertPoint(fired);
    B.CreateStore(rule, outField(out, offsetof(cp_dispatch_result, rule)));
    Value* n = B.CreateLoad(i32, olen, "result_len");
    BasicBlock* overflow = BasicBlock::Create(C, "result_too_long", f);
    BasicBlock* fits = BasicBlock::Create(C, "result_fits", f);
    B.CreateCondBr(B.CreateICmpUGT(n, B.getInt32(CP_MAX_NUMBER)), overflow, fits);
    B.SetInsertPoint(overflow);
    B.CreateStore(B.getInt8(0), buf);
    B.CreateRet(B.getInt32(CP_STATUS_TOO_LONG));
    B.SetInsertPoint(fits);
    B.CreateStore(B.CreateLoad(i8, ointernal),
                  outField(out, offsetof(cp_dispatch_result, internal)));
    B.CreateBr(finish);
    inc.push_back({fits, buf, n, B.getInt32(kUnknownClass), B.getFalse()});

    // Copy, terminate, classify when not known yet, fill the decision.
    B.SetInsertPoint(finish);
    llvm::PHINode* norm = B.CreatePHI(ptr, inc.size(), "norm");
    llvm::PHINode* nlen = B.CreatePHI(i32, inc.size(), "nlen");
    llvm::PHINode* cls = B.CreatePHI(i32, inc.size(), "cls");
    llvm::PHINode* copy = B.CreatePHI(i1, inc.size(), "copy");
    for (const Incoming& x : inc) {
      norm->addIncoming(x.norm, x.from);
      nlen->addIncoming(x.nlen, x.from);
      cls->addIncoming(x.cls, x.from);
      copy->addIncoming(x.copy, x.from);
    }
    BasicBlock* doCopy = BasicBlock::Create(C, "copy", f);
    BasicBlock* copied = BasicBlock::Create(C, "copied", f);
    B.CreateCondBr(copy, doCopy, copied);
    B.SetInsertPoint(doCopy);
    B.CreateMemCpy(buf, llvm::MaybeAlign(1), norm, llvm::MaybeAlign(1), B.CreateZExt(nlen, i64));
    B.CreateBr(copied);
    B.SetInsertPoint(copied);
    B.CreateStore(B.getInt8(0), B.CreateInBoundsGEP(i8, buf, B.CreateZExt(nlen, i64)));
    B.CreateStore(nlen, outField(out, offsetof(cp_dispatch_result, normalized_len)));
    BasicBlock* classifyBB = BasicBlock::Create(C, "classify_result", f);
    BasicBlock* decide = BasicBlock::Create(C, "decide", f);
    B.CreateCondBr(B.CreateICmpEQ(cls, B.getInt32(kUnknownClass)), classifyBB, decide);
    B.SetInsertPoint(classifyBB);
    Value* cls2 = B.CreateCall(classify_, {buf, nlen, value}, "class2");
    B.CreateBr(decide);
    B.SetInsertPoint(decide);
    llvm::PHINode* e = B.CreatePHI(i32, 2, "entry");
    e->addIncoming(cls, copied);
    e->addIncoming(cls2, classifyBB);
    BasicBlock* ours = BasicBlock::Create(C, "ours", f);
    BasicBlock* done = BasicBlock::Create(C, "done", f);
    B.CreateCondBr(B.CreateICmpSGE(e, B.getInt32(0)), ours, done);
    B.SetInsertPoint(ours);
    Value* action = B.CreateZExt(load(tEntryAction_, e), i32, "action");
    B.CreateStore(action, outField(out, offsetof(cp_dispatch_result, action)));
    B.CreateStore(load(tEntryPool_, e), outField(out, offsetof(cp_dispatch_result, pool)));
    B.CreateStore(load(tEntryTarget_, e), outField(out, offsetof(cp_dispatch_result, target)));
    BasicBlock* orbit = BasicBlock::Create(C, "orbit", f);
    B.CreateCondBr(B.CreateICmpEQ(action, B.getInt32(CP_ACTION_PARK)), done, orbit);
    B.SetInsertPoint(orbit);
    Value* index = B.CreateSub(B.CreateLoad(i64, value), load(tEntryLo_, e));
    B.CreateStore(B.CreateTrunc(index, i32), outField(out, offsetof(cp_dispatch_result, orbit)));
    B.CreateStore(B.CreateTrunc(B.CreateAdd(load(tEntryPoolBase_, e), index), i32),
                  outField(out, offsetof(cp_dispatch_result, pool_orbit)));
    B.CreateBr(done);
    B.SetInsertPoint(done);
    B.CreateRet(B.getInt32(CP_STATUS_OK));
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
  std::map<std::string, llvm::Constant*> strings_;
  bool hasTransparency_ = false, ruleIndexDense_ = true;
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
  Gen(m, ctx, *mod).run();
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
