// Test helper: a Sink that keeps owned copies of everything the runtime emits.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/park/EventJson.h"
#include "runtime/park/Events.h"

namespace callpark::park::testing {

struct SeenCommand {
  CommandKind kind;
  CallId call = 0;
  LegId parkedLeg = 0, otherLeg = 0;
  std::string uri, orbit, musicFile;
  uint8_t attempt = 0;
  bool music = false;
  Notice notice = Notice::None;
};

struct SeenRecord {
  TimeMs time = 0;
  RecordKind kind;
  CallId call = 0;
  std::string orbit, range, pool, parker, parked, peer, reason;
  uint8_t attempt = 0;
  Outcome outcome = Outcome::None;
  std::string json;
};

class RecordingSink : public Sink {
 public:
  void onCommand(const Command& c) override {
    commands.push_back({c.kind, c.call, c.parkedLeg, c.otherLeg, std::string(c.uri), c.orbit.str(),
                        std::string(c.musicFile), c.attempt, c.music, c.notice});
  }
  void onRecord(const EventRecord& r) override {
    records.push_back({r.time, r.kind, r.call, r.orbit.str(), std::string(r.range),
                       std::string(r.pool), std::string(r.parker), std::string(r.parked),
                       std::string(r.peer), std::string(r.reason), r.attempt, r.outcome,
                       toJsonLine(r)});
    if (r.kind == RecordKind::Ended) outcomes[r.call].push_back(r.outcome);
  }
  void clear() {
    commands.clear();
    records.clear();
  }
  std::vector<CommandKind> kinds() const {
    std::vector<CommandKind> k;
    for (const auto& c : commands) k.push_back(c.kind);
    return k;
  }
  const SeenRecord* last(RecordKind kind) const {
    for (auto it = records.rbegin(); it != records.rend(); ++it)
      if (it->kind == kind) return &*it;
    return nullptr;
  }

  std::vector<SeenCommand> commands;
  std::vector<SeenRecord> records;
  // Every outcome ever recorded per call; clear() keeps it.
  std::map<CallId, std::vector<Outcome>> outcomes;
};

}  // namespace callpark::park::testing
