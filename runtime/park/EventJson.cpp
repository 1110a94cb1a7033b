#include "runtime/park/EventJson.h"

namespace callpark::park {

nlohmann::ordered_json toJson(const EventRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = r.time;
  j["event"] = recordName(r.kind);
  if (r.call) j["call"] = r.call;
  if (!r.orbit.empty()) j["orbit"] = r.orbit.view();
  if (!r.range.empty()) j["range"] = r.range;
  if (!r.pool.empty()) j["pool"] = r.pool;
  if (!r.parker.empty()) j["parker"] = r.parker;
  if (!r.parked.empty()) j["parked"] = r.parked;
  if (!r.peer.empty()) j["peer"] = r.peer;
  j["attempt"] = r.attempt;
  if (r.outcome != Outcome::None) j["outcome"] = outcomeName(r.outcome);
  if (!r.reason.empty()) j["reason"] = r.reason;
  return j;
}

std::string toJsonLine(const EventRecord& r) {
  std::string line = toJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

}  // namespace callpark::park
