#include "runtime/park/Events.h"

namespace callpark::park {

const char* statusName(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::UnknownPool:
      return "unknown_pool";
    case Status::NoFreeOrbit:
      return "no_free_orbit";
    case Status::BadOrbit:
      return "bad_orbit";
    case Status::OrbitNotFound:
      return "orbit_not_found";
    case Status::StaleCallId:
      return "stale_call_id";
    case Status::CallEnded:
      return "call_ended";
    case Status::NotExpected:
      return "not_expected";
    case Status::CallLeaving:
      return "call_leaving";
  }
  return "?";
}

const char* commandName(CommandKind k) {
  switch (k) {
    case CommandKind::AnswerAndHold:
      return "answer_and_hold";
    case CommandKind::NotifyParker:
      return "notify_parker";
    case CommandKind::RingParker:
      return "ring_parker";
    case CommandKind::CancelRing:
      return "cancel_ring";
    case CommandKind::Connect:
      return "connect";
    case CommandKind::Transfer:
      return "transfer";
    case CommandKind::CancelTransfer:
      return "cancel_transfer";
    case CommandKind::Disconnect:
      return "disconnect";
    case CommandKind::ReleaseLeg:
      return "release_leg";
  }
  return "?";
}

const char* outcomeName(Outcome o) {
  switch (o) {
    case Outcome::None:
      return "";
    case Outcome::Retrieved:
      return "retrieved";
    case Outcome::RangBack:
      return "rang_back";
    case Outcome::Fallback:
      return "fallback";
    case Outcome::Disconnected:
      return "disconnected";
    case Outcome::Abandoned:
      return "abandoned";
  }
  return "?";
}

const char* recordName(RecordKind k) {
  switch (k) {
    case RecordKind::Parked:
      return "parked";
    case RecordKind::ParkFailed:
      return "park_failed";
    case RecordKind::RingbackStarted:
      return "ringback_started";
    case RecordKind::RingbackFailed:
      return "ringback_failed";
    case RecordKind::FallbackStarted:
      return "fallback_started";
    case RecordKind::Ended:
      return "ended";
    case RecordKind::Refused:
      return "refused";
    case RecordKind::RangeDraining:
      return "range_draining";
    case RecordKind::RangeDrained:
      return "range_drained";
    case RecordKind::PolicyReplaced:
      return "policy_replaced";
  }
  return "?";
}

}  // namespace callpark::park
