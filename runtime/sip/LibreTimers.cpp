// libre's timers, replaced by an O(log n) heap for the whole parkd process.
//
// Why: libre 1.1.0 keeps every pending timer of the process in one sorted linked list, and
// tmr_start() finds a new timer's place by walking that list from its end. A SIP server has
// thousands of long timers pending (each UDP transaction leaves a 32 s Timer J/F/H behind it, a
// rate of R transactions a second keeps about 32 R of them), and every short timer it starts
// (the 500 ms retransmission timers of each 2xx and request, parkd's 20 ms music clock) walks
// past all of them. Measured under SIPp load, that walk (list_apply inside tmr_start) was a third
// of parkd's CPU at 100 park-retrieve cycles a second and grows with the rate: O(R) per timer,
// O(R^2) per second.
//
// How: libre calls its timer functions through the PLT (checked with objdump: tmr_start,
// tmr_cancel, tmr_poll, tmr_next_timeout, ... are all `call ...@plt` inside libre.so.0), so the
// definitions below, linked into the parkd executable, take their place for libre itself too
// (ordinary ELF symbol interposition, as with a custom malloc). They keep libre's contract:
//   - struct tmr stays libre's; `th != NULL` means running (tmr_isrunning is inline in re_tmr.h);
//   - tmr_start(t, delay, NULL, _) or tmr_cancel(t) stops it; restarting a running timer moves
//     it; a handler runs with its timer already stopped and may restart or cancel any timer;
//   - timers due at the same jiffy fire in the order they were started (a sequence number
//     breaks ties, as libre's list insertion did);
//   - tmr_next_timeout returns 0 when nothing is pending (libre's poll then waits forever),
//     1 when a timer is already due, else the milliseconds until the next one.
// The `list` arguments of tmr_poll/tmr_next_timeout (libre's per-thread list head) are
// ignored: parkd runs one libre event loop in one thread, and this heap is that loop's.
// tmr_jiffies stays libre's own (the same clock for everyone).
//
// The heap stores (due, sequence, timer); a running timer keeps its heap position + 1 in
// tmr->le.data (libre's list element is otherwise unused now).
#include <re.h>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

struct Entry {
  uint64_t jfs;
  uint64_t seq;
  struct tmr* t;
};

std::vector<Entry> gHeap;
uint64_t gSeq = 0;

bool less(const Entry& a, const Entry& b) {
  return a.jfs != b.jfs ? a.jfs < b.jfs : a.seq < b.seq;
}

void place(size_t i) {
  gHeap[i].t->le.data = reinterpret_cast<void*>(uintptr_t(i + 1));
}

void siftUp(size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!less(gHeap[i], gHeap[p])) break;
    std::swap(gHeap[i], gHeap[p]);
    place(i);
    i = p;
  }
  place(i);
}

void siftDown(size_t i) {
  const size_t n = gHeap.size();
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && less(gHeap[l], gHeap[m])) m = l;
    if (r < n && less(gHeap[r], gHeap[m])) m = r;
    if (m == i) break;
    std::swap(gHeap[i], gHeap[m]);
    place(i);
    i = m;
  }
  place(i);
}

void removeAt(size_t i) {
  gHeap[i].t->le.data = nullptr;
  if (i + 1 != gHeap.size()) {
    gHeap[i] = gHeap.back();
    gHeap.pop_back();
    place(i);
    siftDown(i);
    siftUp(i);
  } else {
    gHeap.pop_back();
  }
}

void unlinkTimer(struct tmr* t) {
  uintptr_t pos = reinterpret_cast<uintptr_t>(t->le.data);
  if (pos != 0 && pos <= gHeap.size() && gHeap[pos - 1].t == t) removeAt(pos - 1);
  t->le.data = nullptr;
}

}  // namespace

extern "C" {

void tmr_init(struct tmr* tmr) {
  if (!tmr) return;
  *tmr = {};
}

void tmr_start(struct tmr* tmr, uint64_t delay, tmr_h* th, void* arg) {
  if (!tmr) return;
  if (tmr->th) unlinkTimer(tmr);
  tmr->th = th;
  tmr->arg = arg;
  if (!th) return;
  tmr->jfs = delay + tmr_jiffies();
  gHeap.push_back({tmr->jfs, gSeq++, tmr});
  siftUp(gHeap.size() - 1);
}

void tmr_cancel(struct tmr* tmr) {
  tmr_start(tmr, 0, nullptr, nullptr);
}

uint64_t tmr_get_expire(const struct tmr* tmr) {
  if (!tmr || !tmr->th) return 0;
  uint64_t now = tmr_jiffies();
  return tmr->jfs > now ? tmr->jfs - now : 0;
}

void tmr_poll(struct list* tmrl) {
  (void)tmrl;
  const uint64_t now = tmr_jiffies();
  while (!gHeap.empty() && gHeap.front().jfs <= now) {
    struct tmr* t = gHeap.front().t;
    removeAt(0);
    tmr_h* th = t->th;
    void* arg = t->arg;
    t->th = nullptr;
    if (th) th(arg);
  }
}

uint64_t tmr_next_timeout(struct list* tmrl) {
  (void)tmrl;
  if (gHeap.empty()) return 0;
  const uint64_t now = tmr_jiffies();
  return gHeap.front().jfs <= now ? 1 : gHeap.front().jfs - now;
}

int tmr_status(struct re_printf* pf, void* unused) {
  (void)unused;
  return re_hprintf(pf, "Timers (%zu, heap)\n", gHeap.size());
}

void tmr_debug(void) {
  std::fprintf(stderr, "Timers: %zu pending (heap)\n", gHeap.size());
}

}  // extern "C"
