#include "runtime/parkd/ParkServer.h"

#include <nlohmann/json.hpp>

#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "runtime/admin/Metrics.h"
#include "runtime/park/EventJson.h"

namespace callpark::parkd {

using nlohmann::json;
using nlohmann::ordered_json;

struct ParkServer::Leg {
  uint64_t id = 0;
  Role role = Role::Parked;
  std::unique_ptr<sip::SipLeg> sip;
  media::MediaEngine::Endpoint* ep = nullptr;
  park::CallId call = 0;
  uint64_t peer = 0;      // bridged leg
  bool live = false;      // the runtime holds this parked leg's call
  bool answered = false;  // 200 sent (inbound) / received (outbound)
  struct tmr ringTmr;
  ParkServer* server = nullptr;
  std::string parkedUri;                    // outbound legs: who we ring on behalf of
  uint8_t attempt = 0;                      // ringback legs: the attempt of the RingParker command
  media::Codec codec = media::Codec::Pcmu;  // inbound: chosen from the offer
  struct sa remote {};                      // inbound: media address from the offer
  bool haveRemote = false;
  bool referring = false;         // shutdown: a REFER to the parker is pending
  bool shutdownRecorded = false;  // shutdown: its `ended` event is written
  std::vector<int> offered;       // inbound: codecs the offer allows (payload types 0 / 8)
  // Media direction from the peer's SDP, and dead-caller detection (parked legs).
  bool peerSends = true;     // the peer is expected to send RTP (sendrecv / sendonly)
  bool peerReceives = true;  // the peer wants our RTP (sendrecv / recvonly): music plays
  std::shared_ptr<const media::MusicClip> clip;  // parked: what it hears while it may
  uint32_t rxSeen = 0;    // media_->received() at the last sweep that saw it change
  park::TimeMs rxAt = 0;  // when it last changed (or when the clock was restarted)
};

namespace {

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

uint16_t statusCodeOf(park::Status s, const char** reason) {
  switch (s) {
    case park::Status::Ok:
      *reason = "OK";
      return 200;
    case park::Status::UnknownPool:
      *reason = "No Call Park Orbits For This Pool";
      return 404;
    case park::Status::NoFreeOrbit:
      *reason = "No Free Orbit";
      return 486;
    case park::Status::BadOrbit:
    case park::Status::OrbitNotFound:
      *reason = "Orbit Not Found";
      return 404;
    case park::Status::StaleCallId:
      *reason = "Parked Call Not Found On Orbit";
      return 404;
    case park::Status::CallEnded:
      *reason = "Parked Call Ended";
      return 404;
    case park::Status::NotExpected:
      *reason = "Parked Call Busy";
      return 480;
    case park::Status::CallLeaving:
      *reason = "Parked Call Being Transferred";
      return 480;
  }
  *reason = "Server Error";
  return 500;
}

}  // namespace

namespace {

park::RuntimeConfig runtimeConfig(const ServerConfig& c) {
  park::RuntimeConfig rc;
  rc.seed = c.seed;
  while (rc.seed == 0)
    if (getrandom(&rc.seed, sizeof rc.seed, 0) != ssize_t(sizeof rc.seed) && errno != EINTR)
      rc.seed = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                (uint64_t(getpid()) << 32);
  return rc;
}

}  // namespace

ParkServer::ParkServer(ServerConfig config)
    : config_(std::move(config)), runtime_(*this, runtimeConfig(config_)) {
  tmr_init(&timer_);
  tmr_init(&mediaTmr_);
  startMs_ = tmr_jiffies();
}

ParkServer::~ParkServer() {
  tmr_cancel(&timer_);
  tmr_cancel(&mediaTmr_);
  std::vector<uint64_t> ids;
  for (auto& [id, leg] : legs_) ids.push_back(id);
  for (uint64_t id : ids) destroyLeg(id);
  admin_.stop();
  sip_.close(true);
  if (events_ && events_ != stdout) std::fclose(events_);
}

park::TimeMs ParkServer::now() const {
  return park::TimeMs(tmr_jiffies() - startMs_);
}

// ---- start, reload, shutdown --------------------------------------------------------------

std::string ParkServer::start() {
  if (!config_.eventsFile.empty()) {
    events_ = config_.eventsFile == "-" ? stdout : std::fopen(config_.eventsFile.c_str(), "a");
    if (!events_)
      return "cannot open the event file " + config_.eventsFile + ": " + strerror(errno);
  }
  PolicyLoad load = loadPolicy(config_.policyPath, loadOptions());
  if (!load.policy) {
    std::string why = !load.toolError.empty() ? load.toolError : "the policy has errors";
    if (load.origin.recompiled) why += " (the bundle is stale: " + load.origin.staleReason + ")";
    std::string msg = "cannot load policy " + config_.policyPath + ": " + why;
    if (!load.diagnosticsText.empty()) msg += "\n" + load.diagnosticsText;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return msg;
  }
  if (std::string why = runtime_.replacePolicy(load.policy->runtimePolicy(), now()); !why.empty())
    return "the runtime refused the policy: " + why;
  drain();
  policy_ = load.policy;
  logPolicy("loaded");
  if (!config_.tokensFile.empty())
    if (std::string err = tokens_.loadFile(config_.tokensFile); !err.empty()) return err;
  struct sa mediaIp = config_.sip.empty() ? sa{} : config_.sip.front().addr;
  media_ = std::make_unique<media::MediaEngine>(mediaIp);
  if (std::string err = sip_.start(config_.sip, config_.outboundProxy, this); !err.empty())
    return err;
  if (config_.adminEnabled) {
    setupAdmin();
    if (std::string err = admin_.start(config_.admin, &tokens_); !err.empty()) return err;
  }
  if (config_.mediaTimeoutMs > 0) tmr_start(&mediaTmr_, 0, &ParkServer::onMediaSweep, this);
  return "";
}

LoadOptions ParkServer::loadOptions() const {
  LoadOptions lo;
  lo.timeScale = config_.timeScale;
  lo.writeBundle = config_.writeBundle;
  lo.warn = [](const std::string& msg) {
    std::fprintf(stderr, "parkd: warning: %s\n", msg.c_str());
    std::fflush(stderr);
  };
  return lo;
}

void ParkServer::logPolicy(const char* what) const {
  std::string dispatch = policy_->backend();
  if (!policy_->fallbackReason().empty())
    dispatch += " (native code unavailable: " + policy_->fallbackReason() + ")";
  std::fprintf(stderr, "parkd: policy %s %s: %s; dispatch: %s\n", policy_->source().c_str(), what,
               policy_->origin().describe().c_str(), dispatch.c_str());
  std::fflush(stderr);
}

// The policy and dispatch back end, as /healthz and a reload's answer show them.
static void describePolicy(ordered_json& j, const PolicyHandle& p) {
  j["policy"] = p.source();
  j["policy_kind"] = p.origin().bundle ? "bundle" : "policy";
  if (p.origin().bundle) {
    ordered_json b;
    b["stamp"] = p.origin().recompiled ? "stale" : "current";
    b["loaded"] = p.origin().recompiled ? "recompiled" : "object code linked";
    if (p.origin().recompiled) {
      b["stale_reason"] = p.origin().staleReason;
      b["rewritten"] = p.origin().rewritten;
      if (!p.origin().rewriteError.empty()) b["rewrite_error"] = p.origin().rewriteError;
    }
    j["bundle"] = b;
  }
  j["dispatch"] = p.backendKind();
  j["dispatch_detail"] = p.backend();
  if (!p.fallbackReason().empty()) j["dispatch_fallback_reason"] = p.fallbackReason();
}

std::string ParkServer::reload(int* status) {
  PolicyLoad load = loadPolicy(config_.policyPath, loadOptions());
  ordered_json body;
  if (!load.policy) {
    *status = 422;
    ++counters_.reloadsFailed;
    body["reloaded"] = false;
    body["error"] = !load.toolError.empty()
                        ? load.toolError
                        : std::to_string(load.errors) + " error(s) in the policy";
    if (load.origin.recompiled) body["bundle_stale_reason"] = load.origin.staleReason;
    json diags =
        json::parse(load.diagnosticsJson.empty() ? "null" : load.diagnosticsJson, nullptr, false);
    body["diagnostics"] = diags.is_discarded() ? json(load.diagnosticsJson) : diags;
    return body.dump() + "\n";
  }
  if (std::string why = runtime_.replacePolicy(load.policy->runtimePolicy(), now()); !why.empty()) {
    *status = 422;
    ++counters_.reloadsFailed;
    body["reloaded"] = false;
    body["error"] = "the runtime refused the policy: " + why;
    return body.dump() + "\n";
  }
  policy_ = load.policy;
  drain();
  armTimer();
  ++counters_.reloadsOk;
  logPolicy("reloaded");
  *status = 200;
  body["reloaded"] = true;
  body["warnings"] = load.warnings;
  body["parked"] = liveCalls_.size();
  describePolicy(body, *policy_);
  return body.dump() + "\n";
}

void ParkServer::shutdown(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  stopped_ = std::move(done);
  admin_.stop();
  tmr_cancel(&timer_);  // no more ringbacks: the runtime is frozen from here on
  tmr_cancel(&mediaTmr_);
  std::vector<std::pair<park::CallId, uint64_t>> calls(liveCalls_.begin(), liveCalls_.end());
  for (auto [call, legId] : calls) {
    Leg* leg = findLeg(legId);
    if (!leg) continue;
    auto view = runtime_.call(call);
    if (config_.shutdownToParker && view && !view->parker.empty() && leg->sip->established() &&
        leg->sip->refer(view->parker, sip_.localUri()) == 0) {
      leg->referring = true;  // legReferred / legClosed finish it
      continue;
    }
    recordShutdownEnd(*leg, "shutdown");
    destroyLeg(legId);
  }
  // Connected calls, ringbacks and fallbacks in progress: hang up.
  std::vector<uint64_t> ids;
  for (auto& [id, leg] : legs_)
    if (!leg->referring) ids.push_back(id);
  for (uint64_t id : ids) destroyLeg(id);
  finishShutdown();
}

void ParkServer::recordShutdownEnd(Leg& leg, const char* reason) {
  if (leg.shutdownRecorded || !leg.call) return;
  leg.shutdownRecorded = true;
  auto view = runtime_.call(leg.call);
  park::EventRecord rec;
  rec.time = now();
  rec.kind = park::RecordKind::Ended;
  rec.call = leg.call;
  rec.outcome = park::Outcome::Disconnected;
  rec.reason = reason;
  if (view) {
    rec.orbit = view->orbit;
    rec.range = view->range;
    rec.pool = view->pool;
    rec.parker = view->parker;
    rec.parked = view->parked;
    if (std::string_view(reason) == "shutdown_transferred") rec.peer = view->parker;
  }
  writeEventLine(park::toJsonLine(rec));
  ++counters_.outcomes["disconnected"];
  liveCalls_.erase(leg.call);
}

void ParkServer::finishShutdown() {
  if (!stopping_ || !legs_.empty() || !stopped_) return;
  auto done = std::move(stopped_);
  stopped_ = nullptr;
  sip_.drain(std::move(done));
}

void ParkServer::legReferred(sip::SipLeg& sl, uint16_t scode) {
  Leg* leg = findLeg(sl.id());
  if (!leg) return;
  recordShutdownEnd(*leg, scode >= 200 && scode < 300 ? "shutdown_transferred" : "shutdown");
  destroyLeg(leg->id);
  finishShutdown();
}

// ---- runtime plumbing ---------------------------------------------------------------------

park::Result ParkServer::feed(const park::Event& e) {
  park::Result r = runtime_.handle(e, now());
  drain();
  armTimer();
  return r;
}

void ParkServer::onCommand(const park::Command& c) {
  QueuedCommand q{c, std::string(c.uri), std::string(c.musicFile)};
  queue_.push_back(std::move(q));
}

void ParkServer::drain() {
  if (draining_) return;
  draining_ = true;
  while (!queue_.empty()) {
    QueuedCommand q = std::move(queue_.front());
    queue_.pop_front();
    q.cmd.uri = q.uri;
    q.cmd.musicFile = q.musicFile;
    execute(q);
  }
  draining_ = false;
}

void ParkServer::armTimer() {
  auto next = runtime_.nextDeadline();
  if (!next) {
    tmr_cancel(&timer_);
    return;
  }
  park::TimeMs delay = std::max<park::TimeMs>(0, *next - now());
  tmr_start(&timer_, uint64_t(delay), &ParkServer::onRuntimeTimer, this);
}

void ParkServer::onRuntimeTimer(void* arg) {
  auto* self = static_cast<ParkServer*>(arg);
  self->runtime_.advance(self->now());
  self->drain();
  self->armTimer();
}

void ParkServer::onRecord(const park::EventRecord& r) {
  using K = park::RecordKind;
  switch (r.kind) {
    case K::Parked:
      ++counters_.parks;
      liveCalls_[r.call] = 0;
      break;
    case K::ParkFailed:
      ++counters_.parkFailures[std::string(r.reason)];
      break;
    case K::RingbackStarted:
      ++counters_.ringbacks;
      break;
    case K::FallbackStarted:
      ++counters_.fallbacks;
      break;
    case K::Ended:
      ++counters_.outcomes[park::outcomeName(r.outcome)];
      if (r.outcome == park::Outcome::Retrieved) ++counters_.retrieves;
      liveCalls_.erase(r.call);
      break;
    case K::Refused:
      ++counters_.refusals[std::string(r.reason)];
      break;
    default:
      break;
  }
  if (r.kind == K::Ended && r.call == mediaTimeoutCall_ && mediaTimeoutCall_ != 0) {
    park::EventRecord why = r;  // the runtime knows a hang-up; parkd knows it was silence
    why.reason = "media_timeout";
    return writeEventLine(park::toJsonLine(why));
  }
  writeEventLine(park::toJsonLine(r));
}

void ParkServer::writeEventLine(const std::string& line) {
  if (!events_) return;
  std::fwrite(line.data(), 1, line.size(), events_);
  std::fflush(events_);
}

// ---- legs -----------------------------------------------------------------------------------

ParkServer::Leg* ParkServer::newLeg(Role role, std::string* error) {
  auto leg = std::make_unique<Leg>();
  leg->id = nextLeg_++;
  leg->role = role;
  leg->server = this;
  tmr_init(&leg->ringTmr);
  leg->ep = media_->open(error);
  if (!leg->ep) return nullptr;
  leg->sip = std::make_unique<sip::SipLeg>(sip_, *this, leg->id);
  Leg* raw = leg.get();
  legs_.emplace(raw->id, std::move(leg));
  return raw;
}

ParkServer::Leg* ParkServer::findLeg(uint64_t id) {
  auto it = legs_.find(id);
  return it == legs_.end() ? nullptr : it->second.get();
}

void ParkServer::destroyLeg(uint64_t id) {
  auto it = legs_.find(id);
  if (it == legs_.end()) return;
  std::unique_ptr<Leg> leg = std::move(it->second);
  legs_.erase(it);
  tmr_cancel(&leg->ringTmr);
  if (leg->peer)
    if (Leg* p = findLeg(leg->peer)) p->peer = 0;
  if (leg->call) {
    auto o = outbound_.find(leg->call);
    if (o != outbound_.end() && o->second == leg->id) outbound_.erase(o);
  }
  if (leg->sip) leg->sip->hangup();
  media_->close(leg->ep);
}

void ParkServer::hangupLeg(uint64_t id) {
  destroyLeg(id);
}

void ParkServer::bridge(Leg& a, Leg& b) {
  a.peer = b.id;
  b.peer = a.id;
  a.live = b.live = false;
  media_->bridge(a.ep, b.ep);
}

// ---- incoming INVITE ------------------------------------------------------------------------

void ParkServer::onInvite(const struct sip_msg* msg) {
  auto reject = [&](uint16_t code, const char* reason) {
    ++counters_.responses[std::to_string(code)];
    sip_.reply(msg, code, reason);
  };
  if (stopping_) return reject(503, "Shutting Down");
  std::string dialed = percentDecode(sip::plView(msg->uri.user));
  if (auto semi = dialed.find(';'); semi != std::string::npos) dialed.resize(semi);
  std::string caller = canonicalSipUri(sip::plView(msg->from.auri));
  if (dialed.empty()) return reject(404, "Not Found");

  std::shared_ptr<const PolicyHandle> policy = policy_;
  Decision d = policy->dispatch(caller, dialed);
  if (d.action == Action::NotOurs) return reject(404, "Not Found");
  if (d.action == Action::Pickup) return reject(404, "No Call Ringing For This Group");

  // Media offer (an INVITE without SDP gets our offer in the 200).
  media::Codec codec = media::Codec::Pcmu;
  std::optional<sip::MediaDesc> offer;
  if (msg->mb && mbuf_get_left(msg->mb) > 0) {
    std::string_view body(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
    offer = sip::parseSdp(body);
    auto c = offer ? sip::chooseCodec(*offer) : std::nullopt;
    if (!c) return reject(488, "Not Acceptable Here (PCMU or PCMA only)");
    codec = *c;
  }

  std::string parker = caller;
  if (d.action == Action::Park) {
    const struct sip_hdr* rb = sip_msg_xhdr(msg, "Referred-By");
    if (!rb) rb = sip_msg_xhdr(msg, "b");
    if (rb) {
      struct sip_addr addr;
      if (sip_addr_decode(&addr, &rb->val) == 0) parker = canonicalSipUri(sip::plView(addr.auri));
    }
    if (!policy->mayPark(parker)) return reject(403, "Call Park Not Enabled For Parker");
  } else if (!d.mayPark) {
    return reject(403, "Call Park Not Enabled For Retriever");
  }

  std::string err;
  Leg* leg = newLeg(d.action == Action::Park ? Role::Parked : Role::Retriever, &err);
  if (!leg) return reject(503, "No Media Port Available");
  leg->sip->remoteUri = caller;
  leg->codec = codec;
  if (offer) {
    for (auto c : {media::Codec::Pcmu, media::Codec::Pcma})
      if (sip::offersCodec(*offer, c)) leg->offered.push_back(int(c));
    leg->peerSends = sip::peerSends(*offer);
    leg->peerReceives = sip::peerReceives(*offer);
    if (sa_set_str(&leg->remote, offer->address.c_str(), offer->port) == 0) {
      leg->haveRemote = true;
      media_->setRemote(leg->ep, leg->remote, codec);
    }
  }
  currentInvite_ = msg;
  currentInviteLeg_ = leg->id;
  park::Result r;
  uint64_t legId = leg->id;
  if (d.action == Action::Park) {
    r = feed(park::ParkRequest{d.pool, parker, caller, legId});
  } else {
    park::CallId expected = 0;
    struct pl v;
    if (msg_param_decode(&msg->uri.params, "callid", &v) == 0) expected = pl_u64(&v);
    if (const struct sip_hdr* h = sip_msg_xhdr(msg, "X-Callpark-Call-Id"))
      expected = pl_u64(&h->val);
    r = feed(park::RetrieveRequest{d.normalized, expected, legId, caller});
  }
  currentInvite_ = nullptr;
  currentInviteLeg_ = 0;
  if (!r.ok()) {
    const char* reason;
    uint16_t code = statusCodeOf(r.status, &reason);
    if (d.action == Action::Retrieve) ++counters_.retrieveFailures[park::statusName(r.status)];
    destroyLeg(legId);
    return reject(code, reason);
  }
}

void ParkServer::execute(QueuedCommand& q) {
  const park::Command& c = q.cmd;
  using CK = park::CommandKind;
  switch (c.kind) {
    case CK::AnswerAndHold: {
      Leg* leg = findLeg(c.parkedLeg);
      if (!leg || !currentInvite_ || currentInviteLeg_ != leg->id) return;
      leg->call = c.call;
      leg->live = true;
      liveCalls_[c.call] = leg->id;
      std::string hdrs = "X-Callpark-Orbit: " + std::string(c.orbit.view()) +
                         "\r\nX-Callpark-Call-Id: " + std::to_string(c.call) + "\r\n";
      std::string_view dir = leg->peerSends && leg->peerReceives ? "sendrecv"
                             : leg->peerSends                    ? "recvonly"
                             : leg->peerReceives                 ? "sendonly"
                                                                 : "inactive";
      bool offered = currentInvite_->mb && mbuf_get_left(currentInvite_->mb) > 0;
      int err = leg->sip->accept(currentInvite_, media_->localPort(leg->ep), leg->codec, hdrs,
                                 offered ? dir : std::string_view("sendrecv"));
      if (err == 0) {
        leg->answered = true;
        leg->clip = c.music ? policy_->music(q.musicFile) : media::silenceClip();
        if (leg->peerReceives) media_->playMusic(leg->ep, leg->clip);
        leg->rxSeen = media_->received(leg->ep);
        leg->rxAt = now();
      }
      return;
    }
    case CK::NotifyParker:
      notifyParker(q);
      return;
    case CK::RingParker:
      dialOut(Role::Ringback, c, q.uri);
      return;
    case CK::Transfer:
      dialOut(Role::Fallback, c, q.uri);
      return;
    case CK::CancelRing:
    case CK::CancelTransfer: {
      auto it = outbound_.find(c.call);
      if (it != outbound_.end()) destroyLeg(it->second);
      return;
    }
    case CK::Connect: {
      Leg* parked = findLeg(c.parkedLeg);
      Leg* other = findLeg(c.otherLeg);
      if (!parked || !other) {
        if (parked) destroyLeg(parked->id);
        if (other) destroyLeg(other->id);
        return;
      }
      liveCalls_.erase(c.call);
      if (other->role == Role::Retriever && currentInvite_ && currentInviteLeg_ == other->id) {
        std::string hdrs = "X-Callpark-Orbit: " + std::string(c.orbit.view()) +
                           "\r\nX-Callpark-Call-Id: " + std::to_string(c.call) + "\r\n";
        media::Codec want = other->codec;
        if (std::find(other->offered.begin(), other->offered.end(), int(parked->codec)) !=
            other->offered.end())
          want = parked->codec;
        other->codec = want;
        if (other->haveRemote) media_->setRemote(other->ep, other->remote, want);
        if (other->sip->accept(currentInvite_, media_->localPort(other->ep), want, hdrs) != 0) {
          destroyLeg(other->id);
          destroyLeg(parked->id);
          return;
        }
        other->answered = true;
        other->call = c.call;
      }
      bridge(*parked, *other);
      return;
    }
    case CK::Disconnect: {
      liveCalls_.erase(c.call);
      destroyLeg(c.parkedLeg);
      return;
    }
    case CK::ReleaseLeg:
      destroyLeg(c.otherLeg);
      return;
  }
}

void ParkServer::notifyParker(const QueuedCommand& q) {
  const park::Command& c = q.cmd;
  if (q.uri.empty()) return;
  std::string orbit(c.orbit.view());
  std::string body;
  if (c.notice == park::Notice::Parked)
    body = "Call parked on orbit " + orbit + " (call id " + std::to_string(c.call) + "). Dial " +
           orbit + " to pick it up.";
  else if (c.notice == park::Notice::Abandoned && c.call == mediaTimeoutCall_)
    body = "The call you parked on orbit " + orbit + " was lost: no audio from the caller for " +
           std::to_string(config_.mediaTimeoutMs / 1000) + " s.";
  else if (c.notice == park::Notice::Abandoned)
    body = "The call you parked on orbit " + orbit + " hung up.";
  else
    return;
  std::string hdrs =
      "X-Callpark-Orbit: " + orbit + "\r\nX-Callpark-Call-Id: " + std::to_string(c.call) +
      "\r\nX-Callpark-Notice: " + (c.notice == park::Notice::Parked ? "parked" : "abandoned") +
      "\r\n";
  if (c.call == mediaTimeoutCall_) hdrs += "X-Callpark-Reason: media_timeout\r\n";
  ++counters_.notifications;
  sip_.sendMessage(q.uri, body, hdrs);
}

void ParkServer::dialOut(Role role, const park::Command& c, const std::string& uri) {
  std::string err;
  Leg* leg = newLeg(role, &err);
  auto fail = [&](Leg* l) {
    park::CallId call = c.call;
    if (l) destroyLeg(l->id);
    if (role == Role::Ringback)
      feed(park::RingbackFailed{call, park::RingFailure::Rejected, c.attempt});
    else
      feed(park::FallbackFailed{call});
  };
  if (!leg) return fail(nullptr);
  leg->call = c.call;
  auto view = runtime_.call(c.call);
  std::string parkedUri = view ? view->parked : "";
  leg->parkedUri = parkedUri;
  leg->attempt = c.attempt;
  outbound_[c.call] = leg->id;
  std::string orbit(c.orbit.view());
  std::string hdrs;
  if (!parkedUri.empty()) hdrs += "P-Asserted-Identity: <" + parkedUri + ">\r\n";
  hdrs +=
      "X-Callpark-Orbit: " + orbit + "\r\nX-Callpark-Call-Id: " + std::to_string(c.call) + "\r\n";
  if (role == Role::Ringback) hdrs += "X-Callpark-Attempt: " + std::to_string(c.attempt) + "\r\n";
  std::string fromName = (role == Role::Ringback ? "Parked call " : "Park timeout ") + orbit;
  std::string fromUri = parkedUri.empty() ? sip_.localUri() : parkedUri;
  if (leg->sip->connect(uri, fromName, fromUri, media_->localPort(leg->ep), hdrs) != 0)
    return fail(leg);
  uint32_t ringMs = config_.ringTimeoutMs;
  if (config_.timeScale > 1) ringMs = uint32_t(std::max(200.0, ringMs / config_.timeScale));
  tmr_start(&leg->ringTmr, ringMs, &ParkServer::onRingTimeout, leg);
}

void ParkServer::onRingTimeout(void* arg) {
  auto* leg = static_cast<Leg*>(arg);
  leg->server->outboundFailed(*leg, park::RingFailure::NoAnswer);
}

void ParkServer::outboundFailed(Leg& leg, park::RingFailure why) {
  park::CallId call = leg.call;
  Role role = leg.role;
  uint8_t attempt = leg.attempt;
  destroyLeg(leg.id);  // CANCELs a ringing INVITE
  if (role == Role::Ringback)
    feed(park::RingbackFailed{call, why, attempt});
  else
    feed(park::FallbackFailed{call});
}

// ---- leg events ---------------------------------------------------------------------------

void ParkServer::legProgress(sip::SipLeg&, uint16_t) {}

bool ParkServer::legMedia(sip::SipLeg& sl, const sip::MediaDesc& desc) {
  Leg* leg = findLeg(sl.id());
  if (!leg) return false;
  struct sa ra;
  if (sa_set_str(&ra, desc.address.c_str(), desc.port) != 0) return false;
  leg->codec = sl.codec();
  media_->setRemote(leg->ep, ra, sl.codec());
  applyPeerMedia(*leg, desc);
  return true;
}

// A new description from the peer (the answer in an ACK, a re-INVITE): what it sends and
// wants to receive now. A parked leg's music follows; the silence clock starts again.
void ParkServer::applyPeerMedia(Leg& leg, const sip::MediaDesc& desc) {
  leg.peerSends = sip::peerSends(desc);
  leg.peerReceives = sip::peerReceives(desc);
  leg.rxSeen = media_->received(leg.ep);
  leg.rxAt = now();
  if (leg.role != Role::Parked || !leg.live || leg.peer || !leg.clip) return;
  if (!leg.peerReceives)
    media_->stopMusic(leg.ep);
  else if (!media_->playing(leg.ep))
    media_->playMusic(leg.ep, leg.clip);
}

// ---- dead callers ---------------------------------------------------------------------------

void ParkServer::onMediaSweep(void* arg) {
  auto* self = static_cast<ParkServer*>(arg);
  self->sweepMedia();
  // A quarter of the timeout between looks (0.25 .. 5 s): a dead caller is found between
  // timeout and 1.25 x timeout after its last packet.
  uint32_t every = std::clamp<uint32_t>(self->config_.mediaTimeoutMs / 4, 250, 5000);
  if (!self->stopping_) tmr_start(&self->mediaTmr_, every, &ParkServer::onMediaSweep, self);
}

// Looks at every parked leg's packet counter: a count that moved restarts its silence clock;
// one that stood still for mediaTimeoutMs while the peer is expected to send ends the call.
// O(parked calls) per sweep, no clock reading on the media path.
void ParkServer::sweepMedia() {
  park::TimeMs t = now();
  std::vector<uint64_t> dead;
  for (const auto& [call, legId] : liveCalls_) {
    Leg* leg = findLeg(legId);
    if (!leg || !leg->live || !leg->answered || leg->peer) continue;
    uint32_t rx = media_->received(leg->ep);
    if (rx != leg->rxSeen || !leg->peerSends) {
      leg->rxSeen = rx;
      leg->rxAt = t;
    } else if (t - leg->rxAt >= park::TimeMs(config_.mediaTimeoutMs)) {
      dead.push_back(legId);
    }
  }
  for (uint64_t id : dead)
    if (Leg* leg = findLeg(id); leg && leg->live) mediaTimedOut(*leg);
}

void ParkServer::mediaTimedOut(Leg& leg) {
  ++counters_.mediaTimeouts;
  park::CallId call = leg.call;
  uint64_t id = leg.id;
  leg.live = false;
  mediaTimeoutCall_ = call;
  feed(park::ParkedHungUp{call});  // ended: abandoned (reason media_timeout), parker told
  mediaTimeoutCall_ = 0;
  destroyLeg(id);  // BYE: if the phone is only mute, not gone, it learns the call is over
}

void ParkServer::legEstablished(sip::SipLeg& sl) {
  Leg* leg = findLeg(sl.id());
  if (!leg) return;
  if (leg->role == Role::Ringback || leg->role == Role::Fallback) {
    tmr_cancel(&leg->ringTmr);
    leg->answered = true;
    if (stopping_) return destroyLeg(leg->id);
    park::CallId call = leg->call;
    uint64_t id = leg->id;
    outbound_.erase(call);
    if (leg->role == Role::Ringback) {
      feed(park::RingbackAnswered{call, id, leg->attempt});  // Connect or ReleaseLeg follows
    } else {
      auto view = runtime_.call(call);
      uint64_t parkedLeg = liveCalls_.count(call) ? liveCalls_[call] : 0;
      park::Result r = feed(park::FallbackAnswered{call});
      Leg* fb = findLeg(id);
      Leg* parked = findLeg(parkedLeg);
      if (!r.ok() || !fb || !parked) {
        if (fb) destroyLeg(id);
        return;
      }
      (void)view;
      bridge(*parked, *fb);
    }
  }
}

void ParkServer::legClosed(sip::SipLeg& sl, int err, uint16_t scode, bool byPeer) {
  (void)byPeer;
  Leg* leg = findLeg(sl.id());
  if (!leg) return;
  uint64_t id = leg->id;
  if (stopping_) {  // the runtime is frozen: just account for the leg
    if (leg->role == Role::Parked && leg->live)
      recordShutdownEnd(*leg, leg->referring ? "shutdown_transferred" : "shutdown");
    destroyLeg(id);
    finishShutdown();
    return;
  }
  if (leg->peer) {  // a connected call: the other side gets a BYE
    uint64_t peer = leg->peer;
    destroyLeg(id);
    destroyLeg(peer);
    return;
  }
  switch (leg->role) {
    case Role::Parked:
      if (leg->live && leg->call) {
        park::CallId call = leg->call;
        leg->live = false;
        feed(park::ParkedHungUp{call});
      }
      destroyLeg(id);
      return;
    case Role::Retriever:
      destroyLeg(id);
      return;
    case Role::Ringback:
    case Role::Fallback: {
      if (leg->answered) {  // answered, then hung up before being connected
        destroyLeg(id);
        return;
      }
      park::RingFailure why = park::RingFailure::NoAnswer;
      if (scode == 486 || scode == 600)
        why = park::RingFailure::Busy;
      else if (scode == 603 || (scode >= 400 && scode != 408 && scode != 480 && scode != 487))
        why = park::RingFailure::Rejected;
      else if (err)
        why = park::RingFailure::NoAnswer;
      outboundFailed(*leg, why);
      return;
    }
  }
}

// ---- admin ----------------------------------------------------------------------------------

void ParkServer::setupAdmin() {
  using admin::Permission;
  using admin::Response;
  admin_.route("GET", "/healthz", Permission::Read, [this](const admin::Request&) {
    ordered_json j;
    j["status"] = stopping_ ? "stopping" : "ok";
    if (policy_) describePolicy(j, *policy_);
    j["parked"] = liveCalls_.size();
    return Response{200, "application/json", j.dump() + "\n"};
  });
  admin_.route("GET", "/v1/parked", Permission::Read, [this](const admin::Request&) {
    return Response{200, "application/json", parkedJson()};
  });
  admin_.route("GET", "/v1/orbits", Permission::Read, [this](const admin::Request&) {
    return Response{200, "application/json", orbitsJson()};
  });
  admin_.route("GET", "/metrics", Permission::Read, [this](const admin::Request&) {
    return Response{200, "text/plain; version=0.0.4", metricsText()};
  });
  admin_.route("POST", "/v1/reload", Permission::Reload, [this](const admin::Request&) {
    int status = 500;
    std::string body = reload(&status);
    return Response{uint16_t(status), "application/json", body};
  });
}

std::string ParkServer::parkedJson() const {
  ordered_json arr = ordered_json::array();
  for (const auto& [call, leg] : liveCalls_) {
    auto v = runtime_.call(call);
    if (!v) continue;
    ordered_json j;
    j["call"] = v->id;
    j["orbit"] = v->orbit.str();
    j["range"] = v->range;
    j["pool"] = v->pool;
    j["state"] = park::callStateName(v->state);
    j["parker"] = v->parker;
    j["parked"] = v->parked;
    j["attempt"] = v->attempt;
    j["parked_for_ms"] = now() - v->parkedAt;
    arr.push_back(j);
  }
  ordered_json out;
  out["parked"] = arr;
  return out.dump() + "\n";
}

std::string ParkServer::orbitsJson() const {
  ordered_json pools = ordered_json::array();
  if (policy_) {
    for (const auto& p : policy_->runtimePolicy().pools) {
      auto st = runtime_.poolStats(p.name);
      ordered_json j;
      j["pool"] = p.name;
      ordered_json ranges = ordered_json::array();
      for (const auto& r : p.ranges) {
        ranges.push_back({{"name", r.name},
                          {"first", park::formatOrbit(r.prefix, r.digits, r.lo).str()},
                          {"last", park::formatOrbit(r.prefix, r.digits, r.hi).str()},
                          {"allocation", park::allocationName(r.allocation)}});
      }
      j["ranges"] = ranges;
      j["capacity"] = st ? st->capacity : 0;
      j["free"] = st ? st->free : 0;
      j["in_use"] = st ? st->held : 0;
      j["blocked"] = st ? st->blocked : 0;
      ordered_json held = ordered_json::array();
      for (const auto& [call, leg] : liveCalls_)
        if (auto v = runtime_.call(call); v && v->pool == p.name)
          held.push_back({{"orbit", v->orbit.str()}, {"call", v->id}});
      j["held"] = held;
      pools.push_back(j);
    }
  }
  ordered_json out;
  out["pools"] = pools;
  out["draining_ranges"] = runtime_.drainingRanges();
  return out.dump() + "\n";
}

std::string ParkServer::metricsText() const {
  admin::MetricsWriter w;
  w.add("callpark_parks_total", "counter", "Calls parked.", double(counters_.parks));
  for (const auto& [reason, n] : counters_.parkFailures)
    w.add("callpark_park_failures_total", "counter", "Parks refused, by reason.", double(n),
          {{"reason", reason}});
  w.add("callpark_retrieves_total", "counter", "Parked calls retrieved.",
        double(counters_.retrieves));
  for (const auto& [reason, n] : counters_.retrieveFailures)
    w.add("callpark_retrieve_failures_total", "counter", "Retrieves refused, by reason.", double(n),
          {{"reason", reason}});
  for (const char* o : {"retrieved", "rang_back", "fallback", "disconnected", "abandoned"}) {
    auto it = counters_.outcomes.find(o);
    w.add("callpark_outcomes_total", "counter", "Parked calls ended, by outcome.",
          double(it == counters_.outcomes.end() ? 0 : it->second), {{"outcome", o}});
  }
  w.add("callpark_ringbacks_total", "counter", "Ringbacks to parkers started.",
        double(counters_.ringbacks));
  w.add("callpark_fallbacks_total", "counter", "Transfers to on_timeout started.",
        double(counters_.fallbacks));
  w.add("callpark_parked_calls", "gauge", "Calls parked now.", double(liveCalls_.size()));
  if (policy_) {
    for (const auto& p : policy_->runtimePolicy().pools) {
      auto st = runtime_.poolStats(p.name);
      w.add("callpark_orbits_in_use", "gauge", "Orbits holding a call, per pool.",
            st ? double(st->held) : 0, {{"pool", p.name}});
      w.add("callpark_orbits_capacity", "gauge", "Orbits serving parks, per pool.",
            st ? double(st->capacity) : 0, {{"pool", p.name}});
    }
  }
  const media::MediaStats& ms = media_->stats();
  w.add("callpark_rtp_packets_total", "counter", "RTP packets, by kind.", double(ms.musicPackets),
        {{"kind", "music_sent"}});
  w.add("callpark_rtp_packets_total", "counter", "RTP packets, by kind.", double(ms.relayedPackets),
        {{"kind", "relayed"}});
  w.add("callpark_rtp_packets_total", "counter", "RTP packets, by kind.",
        double(ms.receivedPackets), {{"kind", "received"}});
  w.add("callpark_rtp_packets_total", "counter", "RTP packets, by kind.", double(ms.droppedPackets),
        {{"kind", "dropped"}});
  w.add("callpark_music_listeners", "gauge", "Endpoints receiving music on hold now.",
        double(media_->musicListeners()));
  w.add("callpark_music_frames_total", "counter", "Music clock frames (20 ms) sent.",
        double(ms.ticks));
  w.add("callpark_music_late_frames_total", "counter",
        "Music frames sent more than 10 ms after their due time.", double(ms.lateTicks));
  w.add("callpark_music_skipped_frames_total", "counter",
        "Music frames skipped after a stall of more than 200 ms.", double(ms.skippedFrames));
  w.add("callpark_music_max_lateness_seconds", "gauge", "Worst start lateness of a music frame.",
        double(ms.maxLatenessUs) / 1e6);
  w.add("callpark_music_max_burst_seconds", "gauge",
        "Longest time taken to send one music frame to every listener.",
        double(ms.maxBurstUs) / 1e6);
  {
    std::vector<double> bounds;
    for (uint32_t us : media::kLatenessBucketsUs) bounds.push_back(us / 1e6);
    std::vector<uint64_t> counts(std::begin(ms.latenessBuckets), std::end(ms.latenessBuckets));
    w.addHistogram("callpark_music_frame_lateness_seconds",
                   "When each music frame's first packet left, after its due time (send jitter).",
                   bounds, counts, double(ms.latenessSumUs) / 1e6);
  }
  w.add("callpark_media_endpoints", "gauge", "Open RTP endpoints.", double(media_->endpoints()));
  for (const auto& [m, n] : const_cast<sip::SipStack&>(sip_).stats().requests)
    w.add("callpark_sip_requests_total", "counter", "SIP requests received, by method.", double(n),
          {{"method", m}});
  for (const auto& [code, n] : counters_.responses)
    w.add("callpark_sip_rejections_total", "counter", "INVITEs rejected, by status code.",
          double(n), {{"code", code}});
  w.add("callpark_notifications_total", "counter", "MESSAGEs sent to parkers.",
        double(counters_.notifications));
  w.add("callpark_media_timeouts_total", "counter",
        "Parked callers ended because no RTP or RTCP came from them (dead callers).",
        double(counters_.mediaTimeouts));
  w.add("callpark_policy_reloads_total", "counter", "Policy reloads, by result.",
        double(counters_.reloadsOk), {{"result", "ok"}});
  w.add("callpark_policy_reloads_total", "counter", "Policy reloads, by result.",
        double(counters_.reloadsFailed), {{"result", "refused"}});
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  w.add("process_cpu_seconds_total", "counter", "User and system CPU time of parkd.", cpu);
  return w.str();
}

}  // namespace callpark::parkd
