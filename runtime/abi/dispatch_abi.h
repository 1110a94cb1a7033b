/* The dispatch ABI: the C interface between compiled dispatch code and the park server.
 *
 * The dispatch compiler (compiler/dispatch) turns a checked policy into a decision procedure and
 * emits it either as native code (LLVM, run through ORC LLJIT or loaded from a bundle) or keeps
 * it as IR for the interpreter. Both expose exactly the functions below, with these names and
 * signatures, so parkd calls either one through the same function pointers.
 *
 * Versioning: every exported symbol carries the ABI version in its name (cp_dispatch_v1, ...),
 * and cp_abi_version() returns CP_DISPATCH_ABI_VERSION. A change to any struct or signature here
 * bumps the version; a bundle compiled for another version is recompiled, never called.
 *
 * Indices: pools, orbit ranges, park access numbers, users, voice policies and dial plans are
 * the indices of the checked model (compiler/model/Model.h); the bundle stores their names.
 *
 * Thread safety: all functions are pure with respect to the compiled policy; they may be called
 * concurrently from any number of threads (the environment compiles regex sets lazily and
 * thread-safely). No function allocates memory the caller must free; the strings
 * cp_settings_fn returns belong to the compiled policy and live as long as it.
 * `dialed` must not overlap *out.
 */
#ifndef CALLPARK_RUNTIME_ABI_DISPATCH_ABI_H
#define CALLPARK_RUNTIME_ABI_DISPATCH_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CP_DISPATCH_ABI_VERSION 1u

/* Longest dialed string accepted and longest normalized number produced (bytes, without NUL).
 * Longer input gives CP_STATUS_TOO_LONG; a translation producing more gives the same status. */
#define CP_MAX_NUMBER 128

#define CP_NONE (-1)    /* no such object */
#define CP_INHERIT (-2) /* cp_caller field: resolve through the caller's pool (see below) */

typedef enum cp_action {
  CP_ACTION_NOT_OURS = 0, /* not a park access number, not an orbit */
  CP_ACTION_PARK = 1,     /* a park access number: park the call on `pool` */
  CP_ACTION_RETRIEVE = 2, /* a call park orbit: retrieve from `pool` */
  CP_ACTION_PICKUP = 3    /* a group pickup number owned by `pool` */
} cp_action;

typedef enum cp_status {
  CP_STATUS_OK = 0,
  CP_STATUS_TOO_LONG = 1,  /* dialed or normalized string longer than CP_MAX_NUMBER */
  CP_STATUS_BAD_CALLER = 2 /* an index in cp_caller is out of range */
} cp_status;

/* Who is dialing. With user >= 0 the user's own dial plan and voice policy apply (assigned,
 * else pool / site / global as the spec resolves them) and the other fields are ignored.
 * Otherwise each of dial_plan / voice_policy is a model index, CP_NONE (no dial plan: the
 * number is used as dialed; no voice policy: parking not allowed), or CP_INHERIT: resolved as
 * for a user homed on `pool` without assignments (pool, site, global; pool CP_NONE: global). */
typedef struct cp_caller {
  int32_t user;
  int32_t dial_plan;
  int32_t voice_policy;
  int32_t pool;
} cp_caller;

/* The decision for one dialed string. */
typedef struct cp_dispatch_result {
  int32_t action;     /* cp_action */
  int32_t plan;       /* compiled dial plan used (deduplicated plan id), CP_NONE: none */
  int32_t rule;       /* index of the rule that fired in its dial plan, CP_NONE: none */
  int32_t pool;       /* PARK/RETRIEVE/PICKUP: the pool, else CP_NONE */
  int32_t target;     /* PARK: park access index; RETRIEVE/PICKUP: orbit range index */
  int32_t orbit;      /* RETRIEVE/PICKUP: index of the orbit in its range, else CP_NONE */
  int32_t pool_orbit; /* RETRIEVE/PICKUP: index of the orbit among all ranges of that type
                         owned by the pool, in declaration order; else CP_NONE */
  uint8_t internal;   /* the rule's internal_extension flag (honoured by the plan) */
  uint8_t may_park;   /* the caller's voice policy enables call park */
  uint8_t reserved[2];
  uint32_t normalized_len;
  char normalized[CP_MAX_NUMBER + 1]; /* NUL-terminated */
} cp_dispatch_result;

/* Effective park settings of a pool, resolved field by field (pool, site, global, defaults). */
typedef struct cp_park_settings {
  int64_t pickup_timeout_seconds;
  int32_t max_pickup_attempts;
  uint8_t music_on_hold;
  uint8_t reserved[3];
  const char* on_timeout; /* NUL-terminated; "" when none (disconnect) */
  const char* music_file; /* NUL-terminated; "" for the built-in default */
} cp_park_settings;

/* Opaque: the compiled regex sets of the dial plans, owned by the runtime side. */
typedef struct cp_env cp_env;

/* --- functions every dispatch back end provides ----------------------------------------- */
/* Returns CP_DISPATCH_ABI_VERSION. */
typedef uint32_t (*cp_abi_version_fn)(void);
/* Decides what `dialed` (len bytes, need not be NUL-terminated) means for `caller`. Always
 * fills *out; returns a cp_status (on error the action is CP_ACTION_NOT_OURS). */
typedef int32_t (*cp_dispatch_fn)(const cp_env* env, const cp_caller* caller, const char* dialed,
                                  uint32_t len, cp_dispatch_result* out);
/* 1 when the caller's voice policy allows parking, 0 when not, -1 for a bad caller. */
typedef int32_t (*cp_may_park_fn)(const cp_caller* caller);
/* Fills *out for `pool` (CP_NONE: global settings only); returns a cp_status. */
typedef int32_t (*cp_settings_fn)(int32_t pool, cp_park_settings* out);

#define CP_SYM_ABI_VERSION "cp_abi_version_v1"
#define CP_SYM_DISPATCH "cp_dispatch_v1"
#define CP_SYM_MAY_PARK "cp_may_park_v1"
#define CP_SYM_SETTINGS "cp_settings_v1"

/* --- helper the generated code imports (provided by the runtime, registered with the JIT) -- */
/* Normalizes `dialed` with compiled plan `plan`: external access prefix, first matching rule
 * (RE2::Set), translation. Returns the rule index or CP_NONE. When a rule fired, the result's
 * length goes to *out_len and, when it fits in `cap`, its bytes to buf; *internal receives the
 * rule's honoured internal flag. When no rule fired nothing is written. */
int32_t cp_rt_normalize_v1(const cp_env* env, int32_t plan, const char* dialed, uint32_t len,
                           char* buf, uint32_t cap, uint32_t* out_len, uint8_t* internal);
#define CP_SYM_RT_NORMALIZE "cp_rt_normalize_v1"

#ifdef __cplusplus
}
#endif

#endif /* CALLPARK_RUNTIME_ABI_DISPATCH_ABI_H */
