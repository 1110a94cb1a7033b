// unifiedDiff: a line diff with Myers' O(ND) algorithm (the one `diff` and git use), printed
// as unified hunks with three lines of context.
#include <algorithm>
#include <string>
#include <vector>

#include "compiler/format/Format.h"

namespace callpark::format {
namespace {

std::vector<std::string> splitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b < s.size()) {
    size_t e = s.find('\n', b);
    if (e == std::string::npos) {
      out.push_back(s.substr(b));
      break;
    }
    out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

enum class Op { Keep, Del, Add };

// The shortest edit script from a to b.
std::vector<Op> myers(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size());
  const long max = n + m;
  std::vector<long> v(2 * max + 2, 0);
  std::vector<std::vector<long>> trace;
  long dFound = -1;
  for (long d = 0; d <= max; ++d) {
    trace.push_back(v);
    for (long k = -d; k <= d; k += 2) {
      long x;
      if (k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max]))
        x = v[k + 1 + max];
      else
        x = v[k - 1 + max] + 1;
      long y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + max] = x;
      if (x >= n && y >= m) {
        dFound = d;
        break;
      }
    }
    if (dFound >= 0) break;
  }
  std::vector<Op> ops;
  long x = n, y = m;
  for (long d = dFound; d > 0; --d) {
    const std::vector<long>& pv = trace[d];
    long k = x - y;
    long prevK = (k == -d || (k != d && pv[k - 1 + max] < pv[k + 1 + max])) ? k + 1 : k - 1;
    long prevX = pv[prevK + max], prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push_back(Op::Keep);
      --x, --y;
    }
    ops.push_back(x == prevX ? Op::Add : Op::Del);
    x = prevX, y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push_back(Op::Keep);
    --x, --y;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

}  // namespace

std::string unifiedDiff(const std::string& before, const std::string& after,
                        const std::string& fromLabel, const std::string& toLabel) {
  if (before == after) return "";
  auto a = splitLines(before), b = splitLines(after);
  std::vector<Op> ops = myers(a, b);
  // Positions (line in a, line in b) before each op.
  struct Step {
    Op op;
    size_t ai, bi;
  };
  std::vector<Step> steps;
  size_t ai = 0, bi = 0;
  for (Op op : ops) {
    steps.push_back({op, ai, bi});
    if (op != Op::Add) ++ai;
    if (op != Op::Del) ++bi;
  }
  const size_t ctx = 3;
  std::string out = "--- " + fromLabel + "\n+++ " + toLabel + "\n";
  size_t i = 0;
  while (i < steps.size()) {
    while (i < steps.size() && steps[i].op == Op::Keep) ++i;
    if (i == steps.size()) break;
    size_t start = i >= ctx ? i - ctx : 0;
    size_t end = i;  // exclusive; extend while changes are within 2*ctx
    size_t lastChange = i;
    for (size_t j = i; j < steps.size(); ++j) {
      if (steps[j].op != Op::Keep)
        lastChange = j;
      else if (j - lastChange > 2 * ctx)
        break;
    }
    end = std::min(steps.size(), lastChange + ctx + 1);
    size_t aStart = steps[start].ai, bStart = steps[start].bi, aLen = 0, bLen = 0;
    std::string body;
    for (size_t j = start; j < end; ++j) {
      const Step& s = steps[j];
      if (s.op == Op::Keep) {
        body += " " + a[s.ai] + "\n";
        ++aLen, ++bLen;
      } else if (s.op == Op::Del) {
        body += "-" + a[s.ai] + "\n";
        ++aLen;
      } else {
        body += "+" + b[s.bi] + "\n";
        ++bLen;
      }
    }
    auto range = [](size_t startLine, size_t len) {
      size_t first = len == 0 ? startLine : startLine + 1;
      return std::to_string(first) + (len == 1 ? "" : "," + std::to_string(len));
    };
    out += "@@ -" + range(aStart, aLen) + " +" + range(bStart, bLen) + " @@\n" + body;
    i = end;
  }
  return out;
}

}  // namespace callpark::format
