// The SIP front end of parkd over libre 1.1.0: transports, a session socket for INVITE
// dialogs (UAS and UAC legs of the back-to-back user agent), and everything that is not a
// dialog (OPTIONS, out-of-dialog MESSAGE to notify a parker, 405 for unsupported methods).
//
// Threading: everything runs in libre's event loop thread (re_main); no method may be called
// from another thread.
//
// Leg lifetime: a SipLeg wraps one libre sipsess. hangup() (or the destructor) ends it the way
// its state requires, which libre does for us: a pending incoming INVITE is answered 486, an
// outgoing INVITE still ringing is CANCELled, an established dialog gets a BYE. After hangup()
// no callback fires for that leg any more.
#pragma once

#include <re.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sip/Sdp.h"

namespace callpark::sip {

// The text of a libre pointer-length string.
inline std::string_view plView(const struct pl& p) {
  return {p.p ? p.p : "", p.l};
}

struct Transport {
  enum sip_transp proto = SIP_TRANSP_UDP;
  struct sa addr {};
};

// Parses "udp:127.0.0.1:5075" / "tcp:[::1]:5075". Returns "" or what is wrong.
std::string parseTransport(std::string_view spec, Transport* out);

class SipLeg;

// What a leg reports to its owner (parkd).
class LegObserver {
 public:
  virtual ~LegObserver() = default;
  // UAC: a provisional response arrived (180/183).
  virtual void legProgress(SipLeg& leg, uint16_t scode) { (void)leg, (void)scode; }
  // The dialog is confirmed (UAS: ACK received; UAC: 2xx received and ACKed).
  virtual void legEstablished(SipLeg& leg) = 0;
  // The remote side described its media (initial answer/offer, re-INVITE). Return false to
  // refuse it (488).
  virtual bool legMedia(SipLeg& leg, const MediaDesc& desc) = 0;
  // The leg ended without us asking: BYE from the peer (scode 0, byPeer), a final error
  // response to our INVITE (scode >= 300), or a transaction timeout (err != 0).
  virtual void legClosed(SipLeg& leg, int err, uint16_t scode, bool byPeer) = 0;
  // The final answer to SipLeg::refer (scode 0: none came).
  virtual void legReferred(SipLeg& leg, uint16_t scode) { (void)leg, (void)scode; }
};

class SipStack;

class SipLeg {
 public:
  SipLeg(SipStack& stack, LegObserver& observer, uint64_t id);
  ~SipLeg();  // hangs up
  SipLeg(const SipLeg&) = delete;
  SipLeg& operator=(const SipLeg&) = delete;

  uint64_t id() const { return id_; }
  bool outbound() const { return outbound_; }
  bool established() const { return established_; }
  bool alive() const { return sess_ != nullptr; }
  media::Codec codec() const { return codec_; }

  // UAS: answers `msg` (an INVITE) 200 with our SDP for `rtpPort` and `codec`, plus extra header
  // lines `headers` ("Name: value\r\n" each). When the INVITE has no SDP, our 200 carries an
  // offer and the answer comes with the ACK. Returns a libre errno (0 = ok).
  // `direction` is our answer's direction attribute (answerDirection() of the offer).
  int accept(const struct sip_msg* msg, uint16_t rtpPort, media::Codec codec,
             const std::string& headers, std::string_view direction = "sendrecv");
  // UAC: sends an INVITE to `uri` offering PCMU and PCMA on `rtpPort`. `fromUri`/`fromName`
  // are our identity; `headers` extra lines (e.g. P-Asserted-Identity).
  int connect(const std::string& uri, const std::string& fromName, const std::string& fromUri,
              uint16_t rtpPort, const std::string& headers);
  // Established legs only: sends a REFER (RFC 3515) asking the peer to call `target` itself
  // (Refer-To), naming `referredBy` (Referred-By). The final response's status code (0 when none
  // came: timeout or transport error) is reported through LegObserver::legReferred. Returns a
  // libre errno (0 = sent).
  int refer(const std::string& target, const std::string& referredBy);
  // Ends the leg (486 / CANCEL / BYE as its state requires). Idempotent; no callbacks after.
  void hangup();

  std::string remoteUri;  // the peer's URI (From of an incoming INVITE, target of an outgoing)
  std::string callId;

 private:
  static int onOffer(struct mbuf** descp, const struct sip_msg* msg, void* arg);
  static int onAnswer(const struct sip_msg* msg, void* arg);
  static void onProgress(const struct sip_msg* msg, void* arg);
  static void onEstablished(const struct sip_msg* msg, void* arg);
  static void onClose(int err, const struct sip_msg* msg, void* arg);
  static void onReferReply(int err, const struct sip_msg* msg, void* arg);
  bool takeRemote(const struct sip_msg* msg);
  struct mbuf* sdpBuf(const std::vector<media::Codec>& codecs,
                      std::string_view direction = "sendrecv");

  SipStack& stack_;
  LegObserver& observer_;
  uint64_t id_;
  struct sipsess* sess_ = nullptr;
  struct sip_request* referReq_ = nullptr;  // our reference to a pending REFER
  bool outbound_ = false;
  bool established_ = false;
  uint16_t rtpPort_ = 0;
  media::Codec codec_ = media::Codec::Pcmu;
  std::string_view answerDir_ = "sendrecv";  // our answer to the peer's last offer
  uint64_t sdpVersion_ = 1;
};

// Receives new dialogs (INVITE without To tag).
class InviteHandler {
 public:
  virtual ~InviteHandler() = default;
  virtual void onInvite(const struct sip_msg* msg) = 0;
};

struct SipStats {
  std::map<std::string, uint64_t> requests;  // by method (bounded: unknown methods -> "other")
  uint64_t optionsAnswered = 0;
  uint64_t methodNotAllowed = 0;
  uint64_t messagesSent = 0, messagesFailed = 0;
};

class SipStack {
 public:
  SipStack();
  ~SipStack();
  SipStack(const SipStack&) = delete;
  SipStack& operator=(const SipStack&) = delete;

  // Opens every transport and starts listening. Returns "" or the reason it failed.
  std::string start(const std::vector<Transport>& transports, const std::string& outboundProxy,
                    InviteHandler* handler);
  // Stops accepting and closes every dialog (force: without waiting for transactions).
  void close(bool force);
  // Graceful end: stops taking requests and calls `done` once every transaction (the BYEs of
  // the dialogs just hung up) has completed. Call after hanging up every leg; call close()
  // afterwards (or let the destructor do it).
  void drain(std::function<void()> done);

  struct sip* sip() const {
    return sip_;
  }
  struct sipsess_sock* sessionSocket() const {
    return sock_;
  }
  const std::string& outboundProxy() const { return proxy_; }
  // Our own SIP URI ("sip:park@127.0.0.1:5075"), used as From of requests we originate.
  const std::string& localUri() const { return localUri_; }
  // The first transport's host (also the media address by default).
  const struct sa& localAddr() const { return localAddr_; }

  // Replies to a request statelessly-transactionally with optional extra header lines.
  void reply(const struct sip_msg* msg, uint16_t scode, const char* reason,
             const std::string& headers = "");
  // Sends an out-of-dialog MESSAGE (text/plain) to `uri`; fire and forget (failures counted).
  void sendMessage(const std::string& uri, const std::string& body, const std::string& headers);

  SipStats& stats() { return stats_; }

 private:
  static void onConnect(const struct sip_msg* msg, void* arg);
  static bool onRequest(const struct sip_msg* msg, void* arg);
  static bool onAnyRequest(const struct sip_msg* msg, void* arg);
  static void onMessageReply(int err, const struct sip_msg* msg, void* arg);
  static void onExit(void* arg);

  struct dnsc* dnsc_ = nullptr;
  struct sip* sip_ = nullptr;
  struct sipsess_sock* sock_ = nullptr;
  struct sip_lsnr* countLsnr_ = nullptr;
  struct sip_lsnr* lsnr_ = nullptr;
  InviteHandler* handler_ = nullptr;
  std::function<void()> drained_;
  std::string proxy_;
  std::string localUri_;
  struct sa localAddr_ {};
  SipStats stats_;
};

}  // namespace callpark::sip
