// JSON-lines serialisation of event records (nlohmann/json).
//
// One record is one JSON object on one line:
//   {"time":90000,"event":"ringback_started","call":16777216,"orbit":"*3001",
//    "range":"Redmond CPO 1","pool":"redmond-fe01.contoso.com","parker":"sip:alice@...",
//    "parked":"sip:+1425...","attempt":1}
// Fields that are empty / zero for that record (call, orbit, range, pool, parker, parked,
// peer, outcome, reason) are left out; "time", "event" and "attempt" are always present.
// Keys appear in a fixed order, so output is deterministic. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/park/Events.h"

namespace callpark::park {

nlohmann::ordered_json toJson(const EventRecord& record);
// The record as one line of JSON, terminated by '\n'.
std::string toJsonLine(const EventRecord& record);

}  // namespace callpark::park
