#include "compiler/dispatch/interp/Interpreter.h"

#include <cstring>

namespace callpark::dispatch {

using namespace ir;

void clearResult(cp_dispatch_result* out) {
  out->action = CP_ACTION_NOT_OURS;
  out->plan = CP_NONE;
  out->rule = CP_NONE;
  out->pool = CP_NONE;
  out->target = CP_NONE;
  out->orbit = CP_NONE;
  out->pool_orbit = CP_NONE;
  out->internal = 0;
  out->may_park = 0;
  out->reserved[0] = out->reserved[1] = 0;
  out->normalized_len = 0;
  out->normalized[0] = 0;
}

bool Interpreter::resolve(const cp_caller& c, int* plan, bool* mayPark) const {
  if (c.user >= 0) {
    if (static_cast<size_t>(c.user) >= m_.users.size()) return false;
    const Context& ctx = m_.users[c.user];
    *plan = ctx.plan;
    *mayPark = ctx.mayPark;
    return true;
  }
  if (c.user != CP_NONE) return false;
  if (c.pool < CP_NONE || (c.pool >= 0 && static_cast<size_t>(c.pool) >= m_.pools.size()))
    return false;
  const Context& base = c.pool >= 0 ? m_.pools[c.pool] : m_.global;
  if (c.dial_plan == CP_INHERIT)
    *plan = base.plan;
  else if (c.dial_plan == CP_NONE)
    *plan = kNone;
  else if (c.dial_plan >= 0 && static_cast<size_t>(c.dial_plan) < m_.planOfModel.size())
    *plan = m_.planOfModel[c.dial_plan];
  else
    return false;
  if (c.voice_policy == CP_INHERIT)
    *mayPark = base.mayPark;
  else if (c.voice_policy == CP_NONE)
    *mayPark = false;
  else if (c.voice_policy >= 0 && static_cast<size_t>(c.voice_policy) < m_.vpMayPark.size())
    *mayPark = m_.vpMayPark[c.voice_policy] != 0;
  else
    return false;
  return true;
}

int Interpreter::classify(const char* s, uint32_t len) const {
  return m_.classify(std::string_view(s, len));
}

int32_t Interpreter::dispatch(const cp_env* env, const cp_caller* caller, const char* d,
                              uint32_t len, cp_dispatch_result* out) const {
  clearResult(out);
  if (len > CP_MAX_NUMBER) return CP_STATUS_TOO_LONG;
  int plan = kNone;
  bool mayPark = false;
  if (!resolve(*caller, &plan, &mayPark)) return CP_STATUS_BAD_CALLER;
  out->may_park = mayPark;
  out->plan = plan;
  const char* norm = d;
  uint32_t nlen = len;
  int cls = -2;  // not computed
  if (plan >= 0) {
    const Plan& p = m_.plans[plan];
    const char* s = d;
    uint32_t slen = len;
    const std::string& pre = p.stripPrefix;
    if (!pre.empty() && len > pre.size() && std::memcmp(d, pre.data(), pre.size()) == 0) {
      s += pre.size();
      slen -= static_cast<uint32_t>(pre.size());
    }
    int cs = classify(s, slen);
    int16_t t = cs >= 0 ? m_.transparency(plan, cs) : kUnknown;
    if (t == kNoRuleFires) {
      if (slen == len) cls = cs;
    } else if (t >= 0) {
      norm = s;
      nlen = slen;
      out->rule = t;
      out->internal = p.honourInternal && p.rules[t].internal;
      cls = cs;
    } else if (int a = p.dfa >= 0 ? runDfa(m_.dfas[p.dfa], s, slen) : kNotApplicable;
               a == kNoRuleFires || (a >= 0 && p.rules[a].spansKnown)) {
      // The plan's automaton decided (plan-automata); no regex engine.
      if (a >= 0) {
        out->rule = a;
        uint32_t n = translate(p.rules[a], s, slen, out->normalized);
        if (n > CP_MAX_NUMBER) {
          out->normalized[0] = 0;
          return CP_STATUS_TOO_LONG;
        }
        out->internal = p.honourInternal && p.rules[a].internal;
        norm = out->normalized;
        nlen = n;
      }
    } else {
      uint32_t olen = 0;
      uint8_t internal = 0;
      int32_t r =
          cp_rt_normalize_v1(env, plan, d, len, out->normalized, CP_MAX_NUMBER, &olen, &internal);
      if (r >= 0) {
        out->rule = r;
        if (olen > CP_MAX_NUMBER) {
          out->normalized[0] = 0;
          return CP_STATUS_TOO_LONG;
        }
        out->internal = internal;
        norm = out->normalized;
        nlen = olen;
      }
    }
  }
  if (norm != out->normalized) std::memcpy(out->normalized, norm, nlen);
  out->normalized[nlen] = 0;
  out->normalized_len = nlen;
  if (cls == -2) cls = classify(out->normalized, nlen);
  if (cls >= 0) {
    const Entry& e = m_.entries[cls];
    out->action = static_cast<int32_t>(e.action);
    out->pool = e.pool;
    out->target = e.target;
    if (e.action != Action::Park) {
      auto v = numericKey(std::string_view(out->normalized, nlen));
      out->orbit = static_cast<int32_t>(v->value - e.lo);
      out->pool_orbit = static_cast<int32_t>(e.poolBase + (v->value - e.lo));
    }
  }
  return CP_STATUS_OK;
}

int Interpreter::runDfa(const Dfa& a, const char* s, uint32_t len) {
  if (len == 0) return kNotApplicable;
  int st = a.start;
  for (uint32_t i = 0; i < len; ++i) {
    char c = s[i];
    int sym = c >= '0' && c <= '9' ? c - '0' : c == '*' ? 10 : c == '#' ? 11 : -1;
    if (sym < 0) return kNotApplicable;
    st = a.next[static_cast<size_t>(st) * 12 + sym];
    if (st == 0) return kNoRuleFires;  // dead: no rule can match any continuation
  }
  return a.accept[st];
}

uint32_t Interpreter::translate(const Rule& r, const char* s, uint32_t len, char* buf) {
  // Measures first, writes only when it fits (the caller reports TOO_LONG otherwise).
  uint32_t total = 0;
  size_t k = 0;
  auto bounds = [&](const Span& sp, uint32_t* b, uint32_t* e) {
    *b = sp.beginFromEnd ? len - sp.begin : sp.begin;
    *e = sp.endFromEnd ? len - sp.end : sp.end;
  };
  for (const Piece& pc : r.pieces) {
    total += static_cast<uint32_t>(pc.literal.size());
    if (pc.group >= 0) {
      uint32_t b, e;
      bounds(r.spans[k++], &b, &e);
      total += e - b;
    }
  }
  if (total > CP_MAX_NUMBER) return total;
  char* o = buf;
  k = 0;
  for (const Piece& pc : r.pieces) {
    std::memcpy(o, pc.literal.data(), pc.literal.size());
    o += pc.literal.size();
    if (pc.group >= 0) {
      uint32_t b, e;
      bounds(r.spans[k++], &b, &e);
      std::memcpy(o, s + b, e - b);
      o += e - b;
    }
  }
  return total;
}

int32_t Interpreter::mayPark(const cp_caller* caller) const {
  int plan;
  bool may = false;
  if (!resolve(*caller, &plan, &may)) return -1;
  return may ? 1 : 0;
}

int32_t Interpreter::settings(int32_t pool, cp_park_settings* out) const {
  std::memset(out, 0, sizeof *out);
  out->on_timeout = "";
  out->music_file = "";
  if (pool < CP_NONE || (pool >= 0 && static_cast<size_t>(pool) >= m_.poolSettings.size()))
    return CP_STATUS_BAD_CALLER;
  const Settings& s = pool >= 0 ? m_.poolSettings[pool] : m_.globalSettings;
  out->pickup_timeout_seconds = s.pickupTimeoutSeconds;
  out->max_pickup_attempts = s.maxPickupAttempts;
  out->music_on_hold = s.musicOnHold;
  out->on_timeout = s.onTimeout.c_str();
  out->music_file = s.musicFile.c_str();
  return CP_STATUS_OK;
}

}  // namespace callpark::dispatch
