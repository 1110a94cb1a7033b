#include "runtime/park/OrbitAllocator.h"

#include <algorithm>
#include <cassert>

namespace callpark::park {

const char* allocationName(Allocation a) {
  switch (a) {
    case Allocation::LeastRecent:
      return "least_recent";
    case Allocation::Random:
      return "random";
    case Allocation::Next:
      return "next";
    case Allocation::First:
      return "first";
  }
  return "?";
}

std::optional<Allocation> parseAllocation(std::string_view name) {
  if (name == "least_recent") return Allocation::LeastRecent;
  if (name == "random") return Allocation::Random;
  if (name == "next") return Allocation::Next;
  if (name == "first") return Allocation::First;
  return std::nullopt;
}

// ---- FreeBits ------------------------------------------------------------------------------

void OrbitAllocator::FreeBits::reset(uint32_t n, bool allSet) {
  n_ = n;
  levels_.clear();
  uint32_t bits = n;
  do {
    uint32_t words = (bits + 63) / 64;
    if (words == 0) words = 1;
    std::vector<uint64_t> level(words, 0);
    if (allSet) {
      for (uint32_t w = 0; w < words; ++w) {
        uint32_t left = bits - w * 64;
        level[w] = left >= 64 ? ~0ull : ((1ull << left) - 1);
      }
    }
    levels_.push_back(std::move(level));
    bits = words;
  } while (levels_.back().size() > 1);
}

void OrbitAllocator::FreeBits::set(uint32_t i) {
  for (auto& level : levels_) {
    uint64_t& word = level[i >> 6];
    bool wasZero = word == 0;
    word |= 1ull << (i & 63);
    if (!wasZero) return;
    i >>= 6;
  }
}

void OrbitAllocator::FreeBits::clear(uint32_t i) {
  for (auto& level : levels_) {
    uint64_t& word = level[i >> 6];
    word &= ~(1ull << (i & 63));
    if (word != 0) return;
    i >>= 6;
  }
}

uint32_t OrbitAllocator::FreeBits::findFrom(uint32_t pos) const {
  if (pos >= n_) return kNone;
  size_t lvl = 0;
  uint64_t i = pos;
  // Climb until a word holds a set bit at or after the position on that level.
  for (;;) {
    uint64_t w = i >> 6;
    if (w >= levels_[lvl].size()) return kNone;
    uint64_t bits = levels_[lvl][w] & (~0ull << (i & 63));
    if (bits) {
      i = (w << 6) | uint64_t(__builtin_ctzll(bits));
      break;
    }
    if (lvl + 1 == levels_.size()) return kNone;
    i = w + 1;  // next word of this level = next bit of the level above
    ++lvl;
  }
  // Descend: each summary bit names a non-empty word below.
  while (lvl > 0) {
    --lvl;
    i = (i << 6) | uint64_t(__builtin_ctzll(levels_[lvl][i]));
  }
  return uint32_t(i);
}

// ---- OrbitAllocator --------------------------------------------------------------------------

OrbitAllocator::OrbitAllocator(uint32_t capacity, Allocation strategy, uint64_t seed)
    : capacity_(capacity),
      freeCount_(capacity),
      strategy_(strategy),
      rng_(seed ? seed : 0x9e3779b97f4a7c15ull),
      nodes_(capacity, Node{0, kNone, kNone}) {
  std::vector<uint32_t> all(capacity);
  for (uint32_t i = 0; i < capacity; ++i) all[i] = i;
  buildStructure(all);
}

void OrbitAllocator::buildStructure(const std::vector<uint32_t>& freeInOrder) {
  pool_.clear();
  pool_.shrink_to_fit();
  bits_.reset(0, false);
  head_ = tail_ = kNone;
  cursor_ = 0;
  freeCount_ = uint32_t(freeInOrder.size());
  switch (strategy_) {
    case Allocation::LeastRecent: {
      for (uint32_t i = 0; i < capacity_; ++i) nodes_[i].a = nodes_[i].b = i;  // self = held
      for (uint32_t i : freeInOrder) {
        nodes_[i].a = tail_;
        nodes_[i].b = kNone;
        if (tail_ == kNone)
          head_ = i;
        else
          nodes_[tail_].b = i;
        tail_ = i;
      }
      break;
    }
    case Allocation::Random:
      pool_.reserve(capacity_);
      pool_ = freeInOrder;
      for (uint32_t i = 0; i < capacity_; ++i) nodes_[i].a = nodes_[i].b = kNone;
      for (uint32_t p = 0; p < pool_.size(); ++p) nodes_[pool_[p]].a = p;
      break;
    case Allocation::Next:
    case Allocation::First:
      for (uint32_t i = 0; i < capacity_; ++i) nodes_[i].a = nodes_[i].b = kNone;
      bits_.reset(capacity_, false);
      for (uint32_t i : freeInOrder) bits_.set(i);
      break;
  }
}

bool OrbitAllocator::isFree(uint32_t i) const {
  if (i >= capacity_) return false;
  switch (strategy_) {
    case Allocation::LeastRecent:
      return nodes_[i].a != i;
    case Allocation::Random:
      return nodes_[i].a != kNone;
    case Allocation::Next:
    case Allocation::First:
      return bits_.test(i);
  }
  return false;
}

uint64_t OrbitAllocator::nextRandom() {
  // xorshift64*: fast, deterministic, good enough to spread orbits.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return rng_ * 0x2545F4914F6CDD1Dull;
}

void OrbitAllocator::unlink(uint32_t i) {
  Node& n = nodes_[i];
  if (n.a == kNone)
    head_ = n.b;
  else
    nodes_[n.a].b = n.b;
  if (n.b == kNone)
    tail_ = n.a;
  else
    nodes_[n.b].a = n.a;
  n.a = n.b = i;
}

void OrbitAllocator::takeFromPool(uint32_t i) {
  uint32_t p = nodes_[i].a;
  uint32_t last = pool_.back();
  pool_[p] = last;
  nodes_[last].a = p;
  pool_.pop_back();
  nodes_[i].a = kNone;
}

uint32_t OrbitAllocator::acquire() {
  if (freeCount_ == 0) return kNone;
  uint32_t i = kNone;
  switch (strategy_) {
    case Allocation::LeastRecent:
      i = head_;
      unlink(i);
      break;
    case Allocation::Random:
      i = pool_[uint32_t(((nextRandom() >> 32) * uint64_t(pool_.size())) >> 32)];
      takeFromPool(i);
      break;
    case Allocation::Next:
      i = bits_.findFrom(cursor_);
      if (i == kNone) i = bits_.findFrom(0);
      bits_.clear(i);
      cursor_ = i + 1;
      break;
    case Allocation::First:
      i = bits_.findFrom(0);
      bits_.clear(i);
      break;
  }
  --freeCount_;
  return i;
}

uint32_t OrbitAllocator::acquireForward() {
  if (strategy_ != Allocation::Next) return acquire();
  uint32_t i = bits_.findFrom(cursor_);
  if (i == kNone) return kNone;
  bits_.clear(i);
  cursor_ = i + 1;
  --freeCount_;
  return i;
}

bool OrbitAllocator::acquireSpecific(uint32_t i) {
  if (!isFree(i)) return false;
  switch (strategy_) {
    case Allocation::LeastRecent:
      unlink(i);
      break;
    case Allocation::Random:
      takeFromPool(i);
      break;
    case Allocation::Next:
    case Allocation::First:
      bits_.clear(i);
      break;
  }
  --freeCount_;
  return true;
}

void OrbitAllocator::release(uint32_t i, uint64_t stamp) {
  assert(i < capacity_ && !isFree(i));
  if (i >= capacity_ || isFree(i)) return;
  Node& n = nodes_[i];
  n.stamp = stamp;
  switch (strategy_) {
    case Allocation::LeastRecent:
      n.a = tail_;
      n.b = kNone;
      if (tail_ == kNone)
        head_ = i;
      else
        nodes_[tail_].b = i;
      tail_ = i;
      break;
    case Allocation::Random:
      n.a = uint32_t(pool_.size());
      pool_.push_back(i);
      break;
    case Allocation::Next:
    case Allocation::First:
      bits_.set(i);
      break;
  }
  ++freeCount_;
}

uint64_t OrbitAllocator::candidateStamp() const {
  return strategy_ == Allocation::LeastRecent && head_ != kNone ? nodes_[head_].stamp : 0;
}

void OrbitAllocator::setStrategy(Allocation strategy) {
  if (strategy == strategy_) return;
  std::vector<uint32_t> freeOrbits;
  freeOrbits.reserve(freeCount_);
  for (uint32_t i = 0; i < capacity_; ++i)
    if (isFree(i)) freeOrbits.push_back(i);
  if (strategy == Allocation::LeastRecent) {
    std::stable_sort(freeOrbits.begin(), freeOrbits.end(),
                     [&](uint32_t a, uint32_t b) { return nodes_[a].stamp < nodes_[b].stamp; });
  }
  strategy_ = strategy;
  buildStructure(freeOrbits);
}

}  // namespace callpark::park
