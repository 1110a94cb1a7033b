// What goes into the park runtime (events), what comes out (commands, event records), and the
// status of each input. The runtime knows nothing about SIP: the park server maps SIP dialogs
// to opaque leg ids and these values to messages.
//
// Strings in these structs are std::string_view:
//   - in an input Event they only need to stay valid during ParkRuntime::handle();
//   - in a Command or EventRecord handed to a Sink they are valid only during that Sink call
//     (copy what you keep; toJsonLine() does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "runtime/park/Orbit.h"

namespace callpark::park {

// Monotonic time in milliseconds. Virtual in tests, steady_clock in parkd; only differences
// matter.
using TimeMs = int64_t;

// Identifies one parked call for its whole life and never again (a later call on the same
// orbit gets another id). Never 0. Users may quote it to make a retrieve safe.
using CallId = uint64_t;

// Opaque handle of a media/signalling leg, chosen by the park server. The runtime only passes
// it back in commands. 0 means "no leg".
using LegId = uint64_t;

// ---- input events -------------------------------------------------------------------------

// A call is to be parked in `pool` (chosen by the dispatch code). `parkedLeg` is the leg of the
// caller being parked; `parker` is the URI of who parks it (rung back on timeout). The runtime
// keeps a copy of both URIs, each cut to its first kMaxUriBytes bytes (a SIP message cannot
// carry a longer URI in practice).
inline constexpr size_t kMaxUriBytes = 65535;
struct ParkRequest {
  std::string_view pool;
  std::string_view parker;
  std::string_view parked;
  LegId parkedLeg = 0;
};

// Someone dialed `orbit`. With `expected` != 0 the retrieve is "safe": it only takes that call.
struct RetrieveRequest {
  std::string_view orbit;
  CallId expected = 0;
  LegId retrieverLeg = 0;
  std::string_view retriever;  // URI, for the record only; may be empty
};

// The parker answered the ringback for `call` on leg `parkerLeg`. `attempt`: the attempt number
// of the RingParker command this answers; 0 means "the ringback in progress".
struct RingbackAnswered {
  CallId call = 0;
  LegId parkerLeg = 0;
  uint8_t attempt = 0;
};

enum class RingFailure : uint8_t { NoAnswer, Busy, Rejected };

// The ringback for `call` ended without an answer. `attempt` as in RingbackAnswered.
struct RingbackFailed {
  CallId call = 0;
  RingFailure reason = RingFailure::NoAnswer;
  uint8_t attempt = 0;
};

// The fallback target (on_timeout URI) answered / did not answer the transfer of `call`.
struct FallbackAnswered {
  CallId call = 0;
};
struct FallbackFailed {
  CallId call = 0;
};

// The parked caller hung up.
struct ParkedHungUp {
  CallId call = 0;
};

using Event = std::variant<ParkRequest, RetrieveRequest, RingbackAnswered, RingbackFailed,
                           FallbackAnswered, FallbackFailed, ParkedHungUp>;

// ---- status of one input ------------------------------------------------------------------

enum class Status : uint8_t {
  Ok,
  UnknownPool,    // park: the policy has no such pool, or the pool has no range -> 404
  NoFreeOrbit,    // park: every orbit of the pool is held; parker unharmed      -> 486/503
  BadOrbit,       // retrieve: not an orbit number at all                        -> 404
  OrbitNotFound,  // retrieve: no range serves it, or nothing is parked there    -> 404
  StaleCallId,    // safe retrieve: the orbit holds another call than the one named -> 404
  CallEnded,      // the call id names no live call: it ended (lost a race) or never existed
  NotExpected,    // the call is alive but not in a state where this event applies
                  // (or a ringback report names an attempt other than the current one)
  CallLeaving,    // retrieve: the call is being transferred to its fallback   -> 480/487
};
const char* statusName(Status s);  // "ok", "unknown_pool", ...

// Result of ParkRuntime::handle. For a successful park: the new call's id and orbit; for a
// successful retrieve: the retrieved call's id and orbit.
struct Result {
  Status status = Status::Ok;
  CallId call = 0;
  OrbitNumber orbit;
  bool ok() const { return status == Status::Ok; }
};

// ---- commands (the runtime asks the server to act) ----------------------------------------

enum class CommandKind : uint8_t {
  AnswerAndHold,   // answer parkedLeg; play musicFile (empty: default) if music, else silence
  NotifyParker,    // tell `uri` (the parker) about `notice` for the call on `orbit`
  RingParker,      // ring `uri` (the parker) ignoring its forwarding; attempt = ringback number
  CancelRing,      // stop ringing the parker for `call` (someone else won)
  Connect,         // bridge parkedLeg with otherLeg; music stops; the runtime forgets the call
  Transfer,        // transfer parkedLeg to `uri` (on_timeout); report FallbackAnswered/Failed
  CancelTransfer,  // abandon the transfer started for `call`
  Disconnect,      // hang up parkedLeg; the runtime forgets the call
  ReleaseLeg,      // hang up otherLeg: it answered for a call that has already ended elsewhere
};
const char* commandName(CommandKind k);

enum class Notice : uint8_t { None, Parked, Abandoned };

struct Command {
  explicit Command(CommandKind k) : kind(k) {}
  CommandKind kind;
  CallId call = 0;
  LegId parkedLeg = 0;
  LegId otherLeg = 0;
  std::string_view uri;
  OrbitNumber orbit;
  uint8_t attempt = 0;  // the ringback attempt concerned (RingParker: the one starting); 0: none
  bool music = false;
  std::string_view musicFile;
  Notice notice = Notice::None;
};

// ---- event records (every state change, for logs, metrics and audits) ---------------------

enum class Outcome : uint8_t { None, Retrieved, RangBack, Fallback, Disconnected, Abandoned };
const char* outcomeName(Outcome o);  // "", "retrieved", "rang_back", "fallback", ...

enum class RecordKind : uint8_t {
  Parked,           // a call took an orbit
  ParkFailed,       // a park was refused (reason = status name)
  RingbackStarted,  // the pickup timeout expired; ringing the parker (attempt)
  RingbackFailed,   // that ringback ended unanswered (reason: no_answer, busy, rejected)
  FallbackStarted,  // transfer to on_timeout began (peer = the URI)
  Ended,            // the call ended with `outcome` (reason says why where useful)
  Refused,          // an event lost a race or did not apply (reason = status name); for a
                    // retrieve: orbit = the orbit dialed (when valid), peer = the retriever
  RangeDraining,    // a policy replacement removed this range; it takes no new parks
  RangeDrained,     // the last call of a removed range ended; the range is gone
  PolicyReplaced,   // a new policy is in force
};
const char* recordName(RecordKind k);

struct EventRecord {
  TimeMs time = 0;
  RecordKind kind = RecordKind::Parked;
  CallId call = 0;
  OrbitNumber orbit;
  std::string_view range;
  std::string_view pool;
  std::string_view parker;
  std::string_view parked;
  std::string_view peer;  // retriever, fallback URI
  uint8_t attempt = 0;
  Outcome outcome = Outcome::None;
  std::string_view reason;
};

// Receives the runtime's output, in order, synchronously from inside handle()/advance()/
// replacePolicy(). Implementations must not call back into the runtime from these methods.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void onCommand(const Command& command) = 0;
  virtual void onRecord(const EventRecord& record) = 0;
};

}  // namespace callpark::park
