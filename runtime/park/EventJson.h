// JSON-lines serialisation of event records.
//
// One record is one JSON object on one line:
//   {"time":90000,"event":"ringback_started","call":16777216,"orbit":"*3001",
//    "range":"Redmond CPO 1","pool":"redmond-fe01.contoso.com","parker":"sip:alice@...",
//    "parked":"sip:+1425...","attempt":1}
// Fields that are empty / zero for that record (call, orbit, range, pool, parker, parked,
// peer, outcome, reason) are left out; "time", "event" and "attempt" are always present.
// Keys appear in a fixed order, so output is deterministic. Strings are escaped as JSON
// requires (", \, control characters) and bytes that are not valid UTF-8 are replaced by U+FFFD,
// so every line is valid JSON whatever a SIP peer put in a URI.
//
// toJsonLine / appendJsonLine write the text directly (no DOM, at most one allocation per line,
// none when appending to a string with room); their output is byte-for-byte what
// toJson(record).dump() with nlohmann's error_handler_t::replace produces (tested).
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/park/Events.h"

namespace callpark::park {

// The record as a JSON object (for callers that want to add fields or embed it).
nlohmann::ordered_json toJson(const EventRecord& record);
// The record as one line of JSON, terminated by '\n'.
std::string toJsonLine(const EventRecord& record);
// Appends that same line to `out`.
void appendJsonLine(std::string& out, const EventRecord& record);

}  // namespace callpark::park
