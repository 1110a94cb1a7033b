// parkd's core: a back-to-back user agent that anchors the media of the calls it handles and
// drives every call state through the park runtime (runtime/park/ParkRuntime.h).
//
// SIP in (libre) -> PolicyHandle::dispatch (what the dialed number means) -> ParkRuntime event
// -> runtime commands -> SIP and RTP out. Every runtime command is executed after the runtime
// call that emitted it has returned (commands are queued by the Sink and drained in order), so
// executing a command may feed the runtime a new event without re-entering it.
//
// Legs: each SIP dialog parkd takes part in is a Leg with its own RTP endpoint:
//   parked     the caller being parked (incoming INVITE to a park access number)
//   retriever  someone dialing an orbit (incoming INVITE)
//   ringback   parkd calling the parker after the pickup timeout (outgoing INVITE)
//   fallback   parkd calling the on_timeout URI (outgoing INVITE)
// A Connect command bridges two legs: their RTP is relayed and a BYE on one side is relayed as
// a BYE to the other.
//
// Everything runs in the libre event loop thread; nothing here is thread-safe.
#pragma once

#include <re.h>

#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/admin/AdminServer.h"
#include "runtime/media/MediaEngine.h"
#include "runtime/park/ParkRuntime.h"
#include "runtime/parkd/PolicyHandle.h"
#include "runtime/sip/SipStack.h"

namespace callpark::parkd {

struct ServerConfig {
  std::string policyPath;
  std::vector<sip::Transport> sip;
  bool adminEnabled = false;
  struct sa admin {};
  std::string tokensFile;
  std::string outboundProxy;
  std::string eventsFile;    // JSON lines; "-" = stdout; "" = none
  double timeScale = 1.0;    // test hook (see LoadOptions)
  bool writeBundle = false;  // a stale --policy bundle that was recompiled is written back
  // Seed of the `random` orbit allocation; 0: a fresh one from getrandom() at every start (so
  // orbits do not repeat from one restart to the next). A fixed seed is a test hook.
  uint64_t seed = 0;
  // Dead-caller detection: a parked caller whose phone is expected to send media (its SDP
  // says sendrecv or sendonly) and from which no RTP or RTCP arrived for this long is taken
  // for gone: the call ends as abandoned (reason media_timeout), the parker is told, the leg
  // gets a BYE. 0 turns it off.
  uint32_t mediaTimeoutMs = 60'000;
  uint32_t ringTimeoutMs = 30'000;
  // SIGTERM: every parked caller is either disconnected (BYE) or, with `shutdownToParker`,
  // sent to its parker with a REFER (RFC 3515: the caller's phone calls the parker itself;
  // parkd cannot keep anchoring media once it has exited), then BYE.
  bool shutdownToParker = false;
};

class ParkServer final : public sip::InviteHandler, public sip::LegObserver, public park::Sink {
 public:
  explicit ParkServer(ServerConfig config);
  ~ParkServer() override;

  // Loads the policy, opens SIP, media and admin. Returns "" or why parkd cannot start.
  std::string start();
  // Recompiles the policy from disk and swaps it in atomically. On failure nothing changes;
  // *status is 422 with the diagnostics (JSON) in the returned body.
  std::string reload(int* status);
  // SIGTERM: ends every parked call visibly (BYE, or REFER to the parker then BYE), records an
  // `ended` event for each (outcome disconnected, reason "shutdown" or, when the caller
  // accepted the REFER, "shutdown_transferred"), hangs up every other leg, and calls `done`
  // once the SIP transactions of all that have completed. New INVITEs get 503 meanwhile.
  void shutdown(std::function<void()> done);

  // sip::InviteHandler
  void onInvite(const struct sip_msg* msg) override;
  // sip::LegObserver
  void legProgress(sip::SipLeg& leg, uint16_t scode) override;
  void legEstablished(sip::SipLeg& leg) override;
  bool legMedia(sip::SipLeg& leg, const sip::MediaDesc& desc) override;
  void legClosed(sip::SipLeg& leg, int err, uint16_t scode, bool byPeer) override;
  void legReferred(sip::SipLeg& leg, uint16_t scode) override;
  // park::Sink
  void onCommand(const park::Command& command) override;
  void onRecord(const park::EventRecord& record) override;

 private:
  enum class Role { Parked, Retriever, Ringback, Fallback };
  struct Leg;
  struct QueuedCommand {
    park::Command cmd;
    std::string uri, musicFile;  // owned copies of the views
  };

  LoadOptions loadOptions() const;
  void logPolicy(const char* what) const;
  park::TimeMs now() const;
  park::Result feed(const park::Event& e);
  void drain();
  void execute(QueuedCommand& q);
  void armTimer();
  static void onRuntimeTimer(void* arg);
  static void onRingTimeout(void* arg);
  static void onMediaSweep(void* arg);
  void sweepMedia();
  void mediaTimedOut(Leg& leg);
  void applyPeerMedia(Leg& leg, const sip::MediaDesc& desc);

  Leg* newLeg(Role role, std::string* error);
  Leg* findLeg(uint64_t id);
  void destroyLeg(uint64_t id);
  void hangupLeg(uint64_t id);
  void bridge(Leg& a, Leg& b);
  void dialOut(Role role, const park::Command& c, const std::string& uri);
  void outboundFailed(Leg& leg, park::RingFailure why);
  void notifyParker(const QueuedCommand& q);

  void recordShutdownEnd(Leg& leg, const char* reason);
  void finishShutdown();

  void setupAdmin();
  std::string parkedJson() const;
  std::string orbitsJson() const;
  std::string metricsText() const;
  void writeEventLine(const std::string& line);

  ServerConfig config_;
  std::shared_ptr<const PolicyHandle> policy_;
  park::ParkRuntime runtime_;
  sip::SipStack sip_;
  std::unique_ptr<media::MediaEngine> media_;
  admin::AdminServer admin_;
  admin::TokenTable tokens_;
  std::FILE* events_ = nullptr;

  std::unordered_map<uint64_t, std::unique_ptr<Leg>> legs_;
  std::unordered_map<park::CallId, uint64_t> outbound_;  // call -> ringback/fallback leg
  std::map<park::CallId, uint64_t> liveCalls_;           // call -> parked leg
  uint64_t nextLeg_ = 1;
  std::deque<QueuedCommand> queue_;
  bool draining_ = false;
  const struct sip_msg* currentInvite_ = nullptr;  // while answering an INVITE
  uint64_t currentInviteLeg_ = 0;
  struct tmr timer_;
  struct tmr mediaTmr_;                // dead-caller sweep
  park::CallId mediaTimeoutCall_ = 0;  // the call being ended for silence (records, notice)
  uint64_t startMs_ = 0;
  bool stopping_ = false;
  std::function<void()> stopped_;

  struct Counters {
    uint64_t parks = 0, retrieves = 0, ringbacks = 0, fallbacks = 0, notifications = 0;
    std::map<std::string, uint64_t> parkFailures, retrieveFailures, outcomes, refusals;
    std::map<std::string, uint64_t> responses;  // final responses to INVITEs we rejected
    uint64_t reloadsOk = 0, reloadsFailed = 0;
    uint64_t mediaTimeouts = 0;
  } counters_;
};

}  // namespace callpark::parkd
