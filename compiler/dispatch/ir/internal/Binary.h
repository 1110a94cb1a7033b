// Little binary encoding shared by the IR's binary form and the bundle: LEB128 varints
// (zig-zag for signed), length-prefixed strings. The Reader never reads past its input and
// never allocates more than the bytes left could describe; any problem clears `ok`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callpark::dispatch::binary {

struct Writer {
  std::string out;
  void u64(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void str(std::string_view s) {
    u64(s.size());
    out.append(s);
  }
  void b(bool v) { out.push_back(v ? 1 : 0); }
  void ints(const std::vector<int>& v) {
    u64(v.size());
    for (int x : v) i64(x);
  }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
};

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) return ok = false, 0;
      uint8_t c = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  int64_t i64() {
    uint64_t z = u64();
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  int i32() { return static_cast<int>(i64()); }
  // A count of items each taking at least one byte: never more than the bytes left.
  size_t count() {
    uint64_t n = u64();
    if (n > in.size()) return ok = false, 0;
    return static_cast<size_t>(n);
  }
  std::string str() {
    size_t n = count();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::string_view view() {
    size_t n = count();
    std::string_view s = in.substr(0, n);
    in.remove_prefix(n);
    return s;
  }
  bool b() {
    if (in.empty()) return ok = false, false;
    char c = in[0];
    in.remove_prefix(1);
    return c != 0;
  }
  std::vector<int> ints() {
    std::vector<int> v(count());
    for (auto& x : v) x = i32();
    return v;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count());
    for (auto& s : v) s = str();
    return v;
  }
};

}  // namespace callpark::dispatch::binary
