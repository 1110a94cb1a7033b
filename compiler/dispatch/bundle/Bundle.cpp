#include "compiler/dispatch/bundle/Bundle.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/BLAKE3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "compiler/dispatch/codegen/Codegen.h"
#include "compiler/dispatch/ir/internal/Binary.h"
#include "compiler/dispatch/jit/Jit.h"
#include "runtime/abi/dispatch_abi.h"

#ifndef CALLPARK_VERSION
#define CALLPARK_VERSION "0.0.0"
#endif

namespace fs = std::filesystem;

namespace callpark::dispatch::bundle {

namespace {

constexpr char kMagic[8] = {'C', 'P', 'B', 'U', 'N', 'D', 'L', 'E'};

std::string absolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) return fs::path(p).lexically_normal().string();
  return a.lexically_normal().string();
}

// The .park files the front end reads for these paths (Compilation::load's rule: a directory
// contributes every *.park below it, a file itself). Absolute, sorted.
bool parkFiles(const std::vector<std::string>& paths, std::set<std::string>* out,
               std::string* error) {
  for (const auto& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      *error = p + " does not exist";
      return false;
    }
    if (!fs::is_directory(st)) {
      out->insert(absolute(p));
      continue;
    }
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ".park")
        out->insert(absolute(it->path().string()));
    if (ec) {
      *error = "cannot read " + p + ": " + ec.message();
      return false;
    }
  }
  return true;
}

std::string hashFile(const std::string& path) {
  std::string bytes, error;
  if (!readFile(path, &bytes, &error)) return "missing";
  return hashBytes(bytes);
}

void writeStamp(binary::Writer& w, const Stamp& s) {
  w.u64(s.format);
  w.u64(s.abi);
  w.str(s.compiler);
  w.str(s.llvm);
  w.str(s.target);
  w.i64(s.optLevel);
  w.strs(s.policyPaths);
  w.u64(s.inputs.size());
  for (const InputFile& f : s.inputs) {
    w.u64(f.kind);
    w.str(f.path);
    w.str(f.hash);
  }
}

Stamp readStampFrom(binary::Reader& r) {
  Stamp s;
  s.format = static_cast<uint32_t>(r.u64());
  s.abi = static_cast<uint32_t>(r.u64());
  s.compiler = r.str();
  s.llvm = r.str();
  s.target = r.str();
  s.optLevel = r.i32();
  s.policyPaths = r.strs();
  s.inputs.resize(r.count());
  for (InputFile& f : s.inputs) {
    uint64_t k = r.u64();
    if (k > InputFile::Music) r.ok = false;
    f.kind = static_cast<InputFile::Kind>(k);
    f.path = r.str();
    f.hash = r.str();
  }
  return s;
}

// ASCII case-insensitive three-way comparison (SIP URIs compare so, as the model's lookup).
// ASCII only (no locale: std::tolower is an out-of-line call per byte, and parkd runs this
// lookup, ~9 comparisons of a shared "sip:" prefix, for every request).
inline int asciiLower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}
int caseCompare(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int x = asciiLower(static_cast<unsigned char>(a[i]));
    int y = asciiLower(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

const char* kindName(InputFile::Kind k) {
  switch (k) {
    case InputFile::Park:
      return "park";
    case InputFile::Users:
      return "users";
    case InputFile::Music:
      return "music";
  }
  return "?";
}

// Sections: tag (4 bytes) + varint length + bytes.
void section(binary::Writer& w, const char (&tag)[5], std::string_view bytes) {
  w.out.append(tag, 4);
  w.str(bytes);
}

struct Sections {
  std::string_view stamp, policy, ir, object;
};

bool split(std::string_view bytes, Sections* out, std::string* error) {
  if (bytes.size() < sizeof kMagic + 1 + 4 + 32 ||
      std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    *error = "not a callpark bundle";
    return false;
  }
  std::string_view body = bytes.substr(0, bytes.size() - 32);
  std::string_view sum = bytes.substr(bytes.size() - 32);
  llvm::BLAKE3Result<32> want = llvm::BLAKE3::hash<32>(llvm::arrayRefFromStringRef(body));
  if (std::memcmp(want.data(), sum.data(), 32) != 0) {
    *error = "the bundle is damaged (checksum mismatch)";
    return false;
  }
  binary::Reader r{body.substr(sizeof kMagic)};
  uint64_t format = r.u64();
  if (!r.ok || format != kFormatVersion) {
    *error = "bundle format v" + std::to_string(format) + ", this program reads v" +
             std::to_string(kFormatVersion);
    return false;
  }
  const char* tags[] = {"STMP", "PLCY", "IR  ", "OBJ "};
  std::string_view* dst[] = {&out->stamp, &out->policy, &out->ir, &out->object};
  for (int i = 0; i < 4; ++i) {
    if (r.in.size() < 4 || r.in.substr(0, 4) != tags[i]) {
      *error = std::string("the bundle lacks its ") + tags[i] + " section";
      return false;
    }
    r.in.remove_prefix(4);
    *dst[i] = r.view();
    if (!r.ok) {
      *error = "the bundle is truncated";
      return false;
    }
  }
  if (!r.in.empty()) {
    *error = "unexpected bytes after the bundle's sections";
    return false;
  }
  return true;
}

}  // namespace

const std::string& compilerVersion() {
  static const std::string kVersion =
      std::string("parkc ") + CALLPARK_VERSION + " codegen r" + std::to_string(codegen::kRevision);
  return kVersion;
}

std::string hashBytes(std::string_view bytes) {
  llvm::BLAKE3Result<32> h = llvm::BLAKE3::hash<32>(llvm::arrayRefFromStringRef(bytes));
  return llvm::toHex(h, /*LowerCase=*/true);
}

std::string Stamp::digest() const {
  binary::Writer w;
  writeStamp(w, *this);
  return "callpark-" + hashBytes(w.out);
}

std::string Stamp::describe() const {
  std::ostringstream os;
  os << "format " << format << "\nabi " << abi << "\ncompiler " << compiler << "\nllvm " << llvm
     << "\ntarget " << target << "\nopt -O" << optLevel << "\n";
  for (const auto& p : policyPaths) os << "policy " << p << "\n";
  for (const auto& f : inputs) os << kindName(f.kind) << " " << f.path << " " << f.hash << "\n";
  os << "digest " << digest() << "\n";
  return os.str();
}

Stamp makeStamp(const std::vector<std::string>& policyPaths, const SourceManager& sm,
                const model::Model& m, int optLevel) {
  Stamp s;
  s.abi = CP_DISPATCH_ABI_VERSION;
  s.compiler = compilerVersion();
  s.llvm = LLVM_VERSION_STRING;
  s.target = jit::hostTarget();
  s.optLevel = optLevel;
  for (const auto& p : policyPaths) s.policyPaths.push_back(absolute(p));
  std::set<std::string> park;
  std::string why;
  parkFiles(policyPaths, &park, &why);
  std::set<std::string> seen;
  for (FileId f = 0; f < sm.fileCount(); ++f) {
    InputFile in;
    in.path = absolute(sm.path(f));
    if (!seen.insert(in.path).second) continue;
    in.kind = park.count(in.path) || fs::path(in.path).extension() == ".park" ? InputFile::Park
                                                                              : InputFile::Users;
    in.hash = hashBytes(sm.text(f));
    s.inputs.push_back(std::move(in));
  }
  for (const auto& ps : m.settings) {
    if (!ps.musicFile || ps.musicFile->empty()) continue;
    InputFile in;
    in.kind = InputFile::Music;
    in.path = absolute(*ps.musicFile);
    if (!seen.insert(in.path).second) continue;
    in.hash = hashFile(in.path);
    s.inputs.push_back(std::move(in));
  }
  std::sort(s.inputs.begin(), s.inputs.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  return s;
}

std::string staleReason(const Stamp& s, int optLevel) {
  if (s.format != kFormatVersion) return "bundle format v" + std::to_string(s.format);
  if (s.abi != CP_DISPATCH_ABI_VERSION)
    return "compiled for dispatch ABI v" + std::to_string(s.abi);
  if (s.compiler != compilerVersion()) return "compiled by " + s.compiler;
  if (s.llvm != LLVM_VERSION_STRING) return "compiled with LLVM " + s.llvm;
  if (s.target != jit::hostTarget()) return "compiled for another machine (" + s.target + ")";
  if (s.optLevel != optLevel) return "compiled at -O" + std::to_string(s.optLevel);
  std::set<std::string> now, recorded;
  std::string error;
  if (!parkFiles(s.policyPaths, &now, &error)) return error;
  for (const InputFile& f : s.inputs)
    if (f.kind == InputFile::Park) recorded.insert(f.path);
  for (const auto& p : now)
    if (!recorded.count(p)) return p + " is new";
  for (const auto& p : recorded)
    if (!now.count(p)) return p + " was removed";
  for (const InputFile& f : s.inputs)
    if (hashFile(f.path) != f.hash)
      return f.path + (f.hash == "missing" ? " appeared" : " changed");
  return "";
}

PolicyInfo PolicyInfo::fromModel(const model::Model& m) {
  PolicyInfo p;
  for (const auto& s : m.sites) p.sites.push_back(s.name);
  for (const auto& pool : m.pools) p.poolSite.push_back(pool.site);
  for (const auto& o : m.orbits) {
    RangeInfo r;
    r.name = o.name;
    r.pool = o.pool;
    r.type = o.type;
    r.allocation = o.allocation;
    r.usable = o.usable();
    if (r.usable) {
      r.prefix = o.start.prefix;
      r.digits = static_cast<int>(o.start.digits.size());
      r.lo = o.start.value;
      r.hi = o.end.value;
    }
    p.ranges.push_back(std::move(r));
  }
  for (const auto& a : m.parkAccess) p.parkAccess.push_back({a.number, a.pool});
  std::set<std::string> music;
  for (const auto& s : m.settings)
    if (s.musicFile && !s.musicFile->empty() && music.insert(*s.musicFile).second) {
      p.musicFiles.push_back(*s.musicFile);
      p.musicPaths.push_back(absolute(*s.musicFile));
    }
  p.userOrder.resize(m.users.size());
  for (size_t u = 0; u < m.users.size(); ++u) p.userOrder[u] = static_cast<int>(u);
  std::stable_sort(p.userOrder.begin(), p.userOrder.end(),
                   [&](int a, int b) { return caseCompare(m.users[a].sip, m.users[b].sip) < 0; });
  return p;
}

int PolicyInfo::findUser(const std::vector<std::string>& userNames, std::string_view sip) const {
  auto it =
      std::lower_bound(userOrder.begin(), userOrder.end(), sip,
                       [&](int u, std::string_view k) { return caseCompare(userNames[u], k) < 0; });
  if (it == userOrder.end() || caseCompare(userNames[*it], sip) != 0) return -1;
  return *it;
}

namespace {

// Bytes 'A'..'Z' of `x` (ASCII) plus 0x20; every other byte unchanged.
inline uint64_t lowerWord(uint64_t x) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL, kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  uint64_t low = x & kLow7;
  uint64_t geA = low + kOnes * (0x80 - 'A');      // high bit: byte >= 'A'
  uint64_t gtZ = low + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
  uint64_t upper = geA & ~gtZ & ~x & kHigh;       // ASCII and within 'A'..'Z'
  return x | (upper >> 2);                        // 0x80 >> 2 = 0x20
}

uint64_t caseFoldedHash(std::string_view s) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t h = s.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ lowerWord(w)) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ lowerWord(w)) * kMul;
    h ^= h >> 29;
  }
  h *= kMul;
  return h ^ (h >> 32);
}

}  // namespace

void UserIndex::build(const std::vector<std::string>& userNames,
                      const std::vector<int>& userOrder) {
  size_t size = 16;
  while (size < 2 * userOrder.size()) size *= 2;
  slots_.assign(size, 0);
  mask_ = size - 1;
  for (int u : userOrder) {  // case-folded URI order, first declaration first among equals
    uint64_t h = caseFoldedHash(userNames[static_cast<size_t>(u)]);
    uint64_t tag = h & 0xffffffff00000000ULL;
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = tag | static_cast<uint32_t>(u + 1);
        break;
      }
      if ((slot & 0xffffffff00000000ULL) == tag &&
          caseCompare(userNames[static_cast<uint32_t>(slot) - 1], userNames[u]) == 0)
        break;  // a later user with the same URI: the first one keeps it
    }
  }
}

int UserIndex::find(const std::vector<std::string>& userNames, std::string_view sip) const {
  if (slots_.empty()) return -1;
  uint64_t h = caseFoldedHash(sip);
  uint64_t tag = h & 0xffffffff00000000ULL;
  for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if ((slot & 0xffffffff00000000ULL) == tag) {
      int u = static_cast<int>(static_cast<uint32_t>(slot) - 1);
      if (caseCompare(userNames[static_cast<size_t>(u)], sip) == 0) return u;
    }
  }
}

std::string write(const Bundle& b) {
  binary::Writer stamp, policy, w;
  writeStamp(stamp, b.stamp);
  const PolicyInfo& p = b.policy;
  policy.strs(p.sites);
  policy.ints(p.poolSite);
  policy.u64(p.ranges.size());
  for (const RangeInfo& r : p.ranges) {
    policy.str(r.name);
    policy.i64(r.pool);
    policy.u64(static_cast<uint64_t>(r.type));
    policy.u64(static_cast<uint64_t>(r.allocation));
    policy.u64(static_cast<uint8_t>(r.prefix));
    policy.i64(r.digits);
    policy.u64(r.lo);
    policy.u64(r.hi);
    policy.b(r.usable);
  }
  policy.u64(p.parkAccess.size());
  for (const auto& a : p.parkAccess) {
    policy.str(a.number);
    policy.i64(a.pool);
  }
  policy.strs(p.musicFiles);
  policy.strs(p.musicPaths);
  policy.ints(p.userOrder);

  w.out.append(kMagic, sizeof kMagic);
  w.u64(kFormatVersion);
  section(w, "STMP", stamp.out);
  section(w, "PLCY", policy.out);
  section(w, "IR  ", b.ir);
  section(w, "OBJ ", b.object);
  llvm::BLAKE3Result<32> sum = llvm::BLAKE3::hash<32>(llvm::arrayRefFromStringRef(w.out));
  w.out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return w.out;
}

std::optional<Stamp> readStamp(std::string_view bytes, std::string* error) {
  Sections sec;
  if (!split(bytes, &sec, error)) return std::nullopt;
  binary::Reader r{sec.stamp};
  Stamp s = readStampFrom(r);
  if (!r.ok || !r.in.empty()) {
    *error = "the bundle's stamp is malformed";
    return std::nullopt;
  }
  return s;
}

std::optional<Bundle> read(std::string_view bytes, std::string* error) {
  std::optional<BundleView> v = readView(bytes, error);
  if (!v) return std::nullopt;
  Bundle b;
  b.stamp = std::move(v->stamp);
  b.policy = std::move(v->policy);
  b.ir = std::string(v->ir);
  b.object = std::string(v->object);
  return b;
}

std::optional<BundleView> readView(std::string_view bytes, std::string* error) {
  Sections sec;
  if (!split(bytes, &sec, error)) return std::nullopt;
  BundleView b;
  binary::Reader r{sec.stamp};
  b.stamp = readStampFrom(r);
  if (!r.ok || !r.in.empty()) {
    *error = "the bundle's stamp is malformed";
    return std::nullopt;
  }
  binary::Reader q{sec.policy};
  PolicyInfo& p = b.policy;
  p.sites = q.strs();
  p.poolSite = q.ints();
  p.ranges.resize(q.count());
  for (RangeInfo& ri : p.ranges) {
    ri.name = q.str();
    ri.pool = q.i32();
    uint64_t type = q.u64(), alloc = q.u64();
    if (type > 1 || alloc > 3) q.ok = false;
    ri.type = static_cast<model::OrbitType>(type);
    ri.allocation = static_cast<model::Allocation>(alloc);
    ri.prefix = static_cast<char>(q.u64());
    ri.digits = q.i32();
    ri.lo = q.u64();
    ri.hi = q.u64();
    ri.usable = q.b();
  }
  p.parkAccess.resize(q.count());
  for (auto& a : p.parkAccess) {
    a.number = q.str();
    a.pool = q.i32();
  }
  p.musicFiles = q.strs();
  p.musicPaths = q.strs();
  if (p.musicPaths.size() != p.musicFiles.size()) q.ok = false;
  p.userOrder = q.ints();
  for (int u : p.userOrder)
    if (u < 0) q.ok = false;
  if (!q.ok || !q.in.empty()) {
    *error = "the bundle's policy section is malformed";
    return std::nullopt;
  }
  b.ir = sec.ir;
  b.object = sec.object;
  return b;
}

bool readFile(const std::string& path, std::string* bytes, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  in.seekg(0, std::ios::end);
  std::streamoff n = in.tellg();
  in.seekg(0, std::ios::beg);
  if (n < 0) {
    *error = "cannot read " + path;
    return false;
  }
  bytes->resize(static_cast<size_t>(n));
  in.read(bytes->data(), n);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  return true;
}

bool writeFile(const std::string& path, std::string_view bytes, std::string* error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *error = "cannot write " + path;
      return false;
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      *error = "cannot write " + path;
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    *error = "cannot write " + path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace callpark::dispatch::bundle
