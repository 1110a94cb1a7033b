// A bundle: one compiled policy in one file, what `parkc compile -o policy.bundle` writes and
// parkd loads without running the compiler.
//
// Contents (sections in this order, each tagged and length-prefixed, then a checksum):
//   STMP  the stamp: bundle format, dispatch ABI, compiler version and codegen revision, LLVM
//         version, the target the object code is for, and every input with its BLAKE3 hash
//         (.park files, users.json files, music-on-hold files), plus the policy paths given
//   PLCY  what parkd needs of the checked model beyond the IR: sites, orbit ranges (type,
//         allocation, bounds), park access numbers, the music files the settings name
//   IR    the lowered dispatch IR (ir::writeBinary): names, plans, contexts, folded settings,
//         orbit trees, transparency; the interpreter runs it, cp_rt_normalize_v1 reads its plans
//   OBJ   the relocatable object file LLVM produced from that IR for the stamp's target
//   SUM   BLAKE3 of everything before it: a truncated or damaged bundle is refused
//
// A stamp is current when every recorded input still hashes the same, no .park file appeared
// in or vanished from the policy paths, and this program's versions and target are the ones
// recorded. The stamp's digest names the object code in ORC's object cache (jit/Jit.h).
//
// Thread safety: plain values and pure functions (staleReason reads files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/dispatch/ir/Ir.h"
#include "compiler/model/Model.h"
#include "compiler/support/Source.h"

namespace callpark::dispatch::bundle {

inline constexpr uint32_t kFormatVersion = 1;

// parkc's version plus the codegen revision: what "compiler version" means in a stamp.
const std::string& compilerVersion();

struct InputFile {
  enum Kind : uint8_t { Park = 0, Users = 1, Music = 2 };
  Kind kind = Park;
  std::string path;  // absolute, lexically normal
  std::string hash;  // BLAKE3, hex; "missing" when the file could not be read
};

struct Stamp {
  uint32_t format = kFormatVersion;
  uint32_t abi = 0;
  std::string compiler;  // compilerVersion()
  std::string llvm;      // LLVM version string
  std::string target;    // jit::hostTarget()
  int optLevel = 2;
  std::vector<std::string> policyPaths;  // absolute
  std::vector<InputFile> inputs;         // sorted by path

  // "callpark-" + BLAKE3 (hex) of every field: the object cache key.
  std::string digest() const;
  // Human-readable, one field per line (parkc compile -v, tests).
  std::string describe() const;
};

// The stamp of a policy just compiled: hashes the texts the front end read (sm) and the music
// files the model's settings name; versions and target of this program.
Stamp makeStamp(const std::vector<std::string>& policyPaths, const SourceManager& sm,
                const model::Model& m, int optLevel);

// "" when the stamp still describes the policy on disk and this program; otherwise why not
// ("examples/contoso/orbits.park changed", "compiled by parkc 0.0.9", ...).
std::string staleReason(const Stamp& s, int optLevel);

// BLAKE3 (hex) of bytes.
std::string hashBytes(std::string_view bytes);

struct RangeInfo {
  std::string name;
  int pool = -1;
  model::OrbitType type = model::OrbitType::CallPark;
  model::Allocation allocation = model::Allocation::LeastRecent;
  char prefix = 0;
  int digits = 0;
  uint64_t lo = 0, hi = 0;
  bool usable = false;  // well-formed bounds (see model::OrbitRange::usable)
};

struct ParkAccessInfo {
  std::string number;
  int pool = -1;
};

struct PolicyInfo {
  std::vector<std::string> sites;
  std::vector<int> poolSite;               // per pool: site index, -1 none
  std::vector<RangeInfo> ranges;           // model order (= ir Entry::target for orbits)
  std::vector<ParkAccessInfo> parkAccess;  // model order (= ir Entry::target for park)
  std::vector<std::string> musicFiles;     // distinct music files, as the settings name them
  std::vector<std::string> musicPaths;     // the same files, absolute (for another directory)
  // User indices sorted by SIP URI compared case-insensitively (stable: the first declaration
  // first), so a loaded policy finds users by binary search without building an index.
  std::vector<int> userOrder;

  static PolicyInfo fromModel(const model::Model& m);
  // The model index of the user with this SIP URI (case-insensitive, exact otherwise), or -1.
  int findUser(const std::vector<std::string>& userNames, std::string_view sip) const;
};

// The users by SIP URI as a hash table, built when a policy is loaded (not stored: building it
// for 100,000 users takes a few milliseconds). Same answers as PolicyInfo::findUser, the
// binary search it replaces on parkd's per-request path: ASCII case-insensitive, exact
// otherwise, the first declaration when two users share a URI.
//
// How it works: the URI is hashed eight bytes at a time, each word lower-cased with a SWAR
// mask (bytes 'A'..'Z' get 0x20 added); open addressing with linear probing over a power-of-two
// table at most half full; each slot keeps the upper 32 bits of the hash next to the user
// index, so a probe compares strings only when those bits agree.
// Thread safety: immutable after build(); find() is safe from any thread.
class UserIndex {
 public:
  void build(const std::vector<std::string>& userNames, const std::vector<int>& userOrder);
  // The model index of the user with this URI, or -1. `userNames` must be the vector given to
  // build().
  int find(const std::vector<std::string>& userNames, std::string_view sip) const;

 private:
  std::vector<uint64_t> slots_;  // (hash >> 32) << 32 | (user + 1); 0 = empty
  uint64_t mask_ = 0;
};

struct Bundle {
  Stamp stamp;
  PolicyInfo policy;
  std::string ir;      // ir::writeBinary
  std::string object;  // ELF relocatable
};

// A bundle read in place: ir and object point into the bytes given to readView.
struct BundleView {
  Stamp stamp;
  PolicyInfo policy;
  std::string_view ir, object;
};

std::string write(const Bundle& b);
std::optional<BundleView> readView(std::string_view bytes, std::string* error);
// nullopt + *error when the bytes are not a bundle this program can read (wrong magic, other
// format version, damaged).
std::optional<Bundle> read(std::string_view bytes, std::string* error);
// Reads just the stamp (cheap: no IR, no object parsing; still verifies the checksum).
std::optional<Stamp> readStamp(std::string_view bytes, std::string* error);

bool readFile(const std::string& path, std::string* bytes, std::string* error);
// Writes atomically (temporary file + rename): a reader never sees half a bundle.
bool writeFile(const std::string& path, std::string_view bytes, std::string* error);

}  // namespace callpark::dispatch::bundle
