#include "runtime/sip/SipStack.h"

#include <dirent.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace callpark::sip {

namespace {

// The receive buffer of each UDP SIP socket (bytes; the kernel caps it at net.core.rmem_max
// unless the process may force it).
//
// Why: parkd's single event loop also sends music, and a music frame for N parked callers is N
// sendto calls in one go (at 1,200 parked, ~6 ms; more when the loop loses its core for a
// while). SIP requests arriving meanwhile wait in this socket's buffer. The kernel default
// (212,992 bytes) holds about 150 small datagrams (each costs its size plus ~1 KiB of
// bookkeeping), 20 ms of traffic at 1,200 park-retrieve cycles a second (7 requests and
// responses in per cycle); a longer stall dropped some. A dropped INVITE or BYE is retransmitted,
// but an ACK is not (the UAC only repeats it when our 2xx is retransmitted, and SIPp does not
// for a call it has moved past), so the dialog never became established and the BYE owed to the
// parked caller was never sent: the 60 s benchmark's failed calls. 4 MiB is ~3,000 datagrams.
constexpr int kUdpReceiveBuffer = 4 << 20;

// libre does not expose its transport sockets: find the UDP socket bound to `addr` among this
// process's descriptors and enlarge its receive buffer. Best effort (a failure leaves the
// default buffer); returns whether one was found.
bool enlargeUdpReceiveBuffer(const struct sa& addr) {
  if (sa_port(&addr) == 0) return false;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  bool found = false;
  while (struct dirent* d = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(d->d_name, &end, 10);
    if (!end || *end != '\0' || fd < 0 || fd == dirfd(dir)) continue;
    int type = 0;
    socklen_t tl = sizeof type;
    if (getsockopt(int(fd), SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_DGRAM) continue;
    struct sa local;
    sa_init(&local, AF_UNSPEC);
    local.len = sizeof local.u;
    if (getsockname(int(fd), &local.u.sa, &local.len) != 0) continue;
    if (!sa_cmp(&local, &addr, SA_ALL)) continue;
    int size = kUdpReceiveBuffer;
    if (setsockopt(int(fd), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
      (void)setsockopt(int(fd), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    found = true;
  }
  closedir(dir);
  return found;
}

}  // namespace

std::string parseTransport(std::string_view spec, Transport* out) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos)
    return "expected PROTO:HOST:PORT, got '" + std::string(spec) + "'";
  std::string_view proto = spec.substr(0, colon), rest = spec.substr(colon + 1);
  if (proto == "udp")
    out->proto = SIP_TRANSP_UDP;
  else if (proto == "tcp")
    out->proto = SIP_TRANSP_TCP;
  else
    return "unsupported SIP transport '" + std::string(proto) + "' (udp or tcp)";
  if (sa_decode(&out->addr, rest.data(), rest.size()) != 0)
    return "'" + std::string(rest) + "' is not an IP address with a port";
  return "";
}

// ---- SipLeg -----------------------------------------------------------------------------

SipLeg::SipLeg(SipStack& stack, LegObserver& observer, uint64_t id)
    : stack_(stack), observer_(observer), id_(id) {}

SipLeg::~SipLeg() {
  hangup();
}

void SipLeg::hangup() {
  if (referReq_) referReq_ = static_cast<struct sip_request*>(mem_deref(referReq_));
  struct sipsess* s = sess_;
  sess_ = nullptr;
  if (s) mem_deref(s);
}

struct mbuf* SipLeg::sdpBuf(const std::vector<media::Codec>& codecs, std::string_view direction) {
  char ip[64];
  sa_ntop(&stack_.localAddr(), ip, sizeof ip);
  std::string body = buildSdp(ip, rtpPort_, id_, sdpVersion_++, codecs, direction);
  struct mbuf* mb = mbuf_alloc(body.size());
  if (!mb) return nullptr;
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(body.data()), body.size());
  mbuf_set_pos(mb, 0);
  return mb;
}

bool SipLeg::takeRemote(const struct sip_msg* msg) {
  if (!msg || !msg->mb || mbuf_get_left(msg->mb) == 0) return false;
  std::string_view body(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  auto desc = parseSdp(body);
  if (!desc) return false;
  answerDir_ = answerDirection(*desc);
  if (auto c = chooseCodec(*desc)) {
    if (!offersCodec(*desc, codec_)) codec_ = *c;
  } else {
    return false;
  }
  return observer_.legMedia(*this, *desc);
}

int SipLeg::accept(const struct sip_msg* msg, uint16_t rtpPort, media::Codec codec,
                   const std::string& headers, std::string_view direction) {
  rtpPort_ = rtpPort;
  codec_ = codec;
  answerDir_ = direction == "sendonly"   ? "sendonly"
               : direction == "recvonly" ? "recvonly"
               : direction == "inactive" ? "inactive"
                                         : "sendrecv";
  outbound_ = false;
  remoteUri = std::string(plView(msg->from.auri));
  callId = std::string(plView(msg->callid));
  bool haveOffer = msg->mb && mbuf_get_left(msg->mb) > 0;
  struct mbuf* desc =
      haveOffer ? sdpBuf({codec_}, answerDir_) : sdpBuf({media::Codec::Pcmu, media::Codec::Pcma});
  int err = sipsess_accept(&sess_, stack_.sessionSocket(), msg, 200, "OK", "park",
                           "application/sdp", desc, nullptr, nullptr, false, &SipLeg::onOffer,
                           &SipLeg::onAnswer, &SipLeg::onEstablished, nullptr, nullptr,
                           &SipLeg::onClose, this, "%s", headers.c_str());
  mem_deref(desc);
  if (err) sess_ = nullptr;
  return err;
}

int SipLeg::connect(const std::string& uri, const std::string& fromName, const std::string& fromUri,
                    uint16_t rtpPort, const std::string& headers) {
  rtpPort_ = rtpPort;
  outbound_ = true;
  remoteUri = uri;
  struct mbuf* desc = sdpBuf({media::Codec::Pcmu, media::Codec::Pcma});
  const char* routev[1] = {stack_.outboundProxy().c_str()};
  uint32_t routec = stack_.outboundProxy().empty() ? 0 : 1;
  int err = sipsess_connect(
      &sess_, stack_.sessionSocket(), uri.c_str(), fromName.empty() ? nullptr : fromName.c_str(),
      fromUri.c_str(), "park", routev, routec, "application/sdp", desc, nullptr, nullptr, false,
      &SipLeg::onOffer, &SipLeg::onAnswer, &SipLeg::onProgress, &SipLeg::onEstablished, nullptr,
      nullptr, &SipLeg::onClose, this, "%s", headers.c_str());
  mem_deref(desc);
  if (err) {
    sess_ = nullptr;
    return err;
  }
  if (auto* dlg = sipsess_dialog(sess_)) callId = sip_dialog_callid(dlg);
  return 0;
}

int SipLeg::refer(const std::string& target, const std::string& referredBy) {
  if (!sess_ || !established_ || referReq_) return EINVAL;
  struct sip_dialog* dlg = sipsess_dialog(sess_);
  if (!dlg) return EINVAL;
  return sip_drequestf(&referReq_, stack_.sip(), true, "REFER", dlg, 0, nullptr, nullptr,
                       &SipLeg::onReferReply, this,
                       "Refer-To: <%s>\r\nReferred-By: <%s>\r\nContent-Length: 0\r\n\r\n",
                       target.c_str(), referredBy.c_str());
}

void SipLeg::onReferReply(int err, const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipLeg*>(arg);
  if (!err && msg && msg->scode < 200) return;
  self->referReq_ = nullptr;  // libre drops its request after the final response
  self->observer_.legReferred(*self, err || !msg ? 0 : msg->scode);
}

int SipLeg::onOffer(struct mbuf** descp, const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipLeg*>(arg);
  bool haveOffer = msg->mb && mbuf_get_left(msg->mb) > 0;
  if (haveOffer && !self->takeRemote(msg)) return EPROTO;  // -> 488
  *descp = haveOffer ? self->sdpBuf({self->codec_}, self->answerDir_)
                     : self->sdpBuf({media::Codec::Pcmu, media::Codec::Pcma});
  return *descp ? 0 : ENOMEM;
}

int SipLeg::onAnswer(const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipLeg*>(arg);
  return self->takeRemote(msg) ? 0 : EPROTO;
}

void SipLeg::onProgress(const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipLeg*>(arg);
  self->observer_.legProgress(*self, msg ? msg->scode : 0);
}

void SipLeg::onEstablished(const struct sip_msg* msg, void* arg) {
  (void)msg;
  auto* self = static_cast<SipLeg*>(arg);
  self->established_ = true;
  self->observer_.legEstablished(*self);
}

void SipLeg::onClose(int err, const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipLeg*>(arg);
  uint16_t scode = (msg && !msg->req) ? msg->scode : 0;
  bool byPeer = err == ECONNRESET || (msg && msg->req);
  struct sipsess* s = self->sess_;
  self->sess_ = nullptr;
  if (s) mem_deref(s);
  self->observer_.legClosed(*self, err, scode, byPeer);  // may delete self
}

// ---- SipStack ---------------------------------------------------------------------------

SipStack::SipStack() = default;

SipStack::~SipStack() {
  close(true);
}

void SipStack::close(bool force) {
  if (lsnr_) lsnr_ = static_cast<struct sip_lsnr*>(mem_deref(lsnr_));
  if (countLsnr_) countLsnr_ = static_cast<struct sip_lsnr*>(mem_deref(countLsnr_));
  if (sock_) {
    sipsess_close_all(sock_);
    sock_ = static_cast<struct sipsess_sock*>(mem_deref(sock_));
  }
  if (sip_) {
    sip_close(sip_, force);
    sip_ = static_cast<struct sip*>(mem_deref(sip_));
  }
  if (dnsc_) dnsc_ = static_cast<struct dnsc*>(mem_deref(dnsc_));
}

std::string SipStack::start(const std::vector<Transport>& transports,
                            const std::string& outboundProxy, InviteHandler* handler) {
  handler_ = handler;
  proxy_ = outboundProxy;
  if (transports.empty()) return "no SIP transport given (--sip udp:HOST:PORT)";
  struct sa nsv[4];
  uint32_t nsn = 4;
  char domain[128] = "";
  if (dns_srv_get(domain, sizeof domain, nsv, &nsn) != 0) nsn = 0;
  int err = dnsc_alloc(&dnsc_, nullptr, nsv, nsn);
  if (err) return std::string("cannot start a DNS client: ") + strerror(err);
  // Hash table sizes (buckets). libre finds a transaction or dialog by walking one bucket's
  // list and comparing (pl_cmp) every entry, so a table much smaller than what it holds turns
  // each lookup into a linear scan. A UDP non-INVITE server transaction stays for Timer J (32 s)
  // after its response, so at R park-retrieve cycles a second about 32 R server transactions
  // (and as many entries in the merged-request table) are pending: at 1024 buckets and 1,200
  // cycles/s that was ~40 compares per request, a quarter of parkd's CPU and growing for the
  // first 32 s of load (60 s runs failed where 5 s runs passed). 64 Ki buckets keep the chains
  // short up to ~2,000 cycles/s; client transactions live 5 s (Timer K), sessions as long as a
  // call. The tables cost 16 bytes a bucket.
  constexpr uint32_t kClientTransactionBuckets = 16384, kServerTransactionBuckets = 65536,
                     kTcpConnectionBuckets = 1024;
  err = sip_alloc(&sip_, dnsc_, kClientTransactionBuckets, kServerTransactionBuckets,
                  kTcpConnectionBuckets, "callpark-parkd/0.1", &SipStack::onExit, this);
  if (err) return std::string("cannot start the SIP stack: ") + strerror(err);
  for (const Transport& t : transports) {
    err = sip_transp_add(sip_, t.proto, &t.addr);
    if (err) {
      char buf[96];
      re_snprintf(buf, sizeof buf, "%J", &t.addr);
      return std::string("cannot listen on ") + sip_transp_name(t.proto) + " " + buf + ": " +
             strerror(err);
    }
    if (t.proto == SIP_TRANSP_UDP) enlargeUdpReceiveBuffer(t.addr);
  }
  localAddr_ = transports.front().addr;
  char hostport[96];
  re_snprintf(hostport, sizeof hostport, "%J", &localAddr_);
  localUri_ = std::string("sip:park@") + hostport;
  // Listener order is call order: count, then dialogs, then everything else. Sessions (and
  // 2xx answers waiting for their ACK) are hashed by Call-ID: one per leg, two legs per call.
  constexpr uint32_t kSessionBuckets = 16384;
  err = sip_listen(&countLsnr_, sip_, true, &SipStack::onAnyRequest, this);
  if (!err) err = sipsess_listen(&sock_, sip_, kSessionBuckets, &SipStack::onConnect, this);
  if (!err) err = sip_listen(&lsnr_, sip_, true, &SipStack::onRequest, this);
  if (err) return std::string("cannot listen for SIP requests: ") + strerror(err);
  return "";
}

void SipStack::drain(std::function<void()> done) {
  drained_ = std::move(done);
  if (lsnr_) lsnr_ = static_cast<struct sip_lsnr*>(mem_deref(lsnr_));
  if (sip_)
    sip_close(sip_, false);  // onExit once no transaction is left
  else if (drained_)
    drained_();
}

void SipStack::onExit(void* arg) {
  auto* self = static_cast<SipStack*>(arg);
  if (auto done = std::move(self->drained_)) done();
}

void SipStack::onConnect(const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipStack*>(arg);
  if (self->handler_)
    self->handler_->onInvite(msg);
  else
    self->reply(msg, 503, "Service Unavailable");
}

bool SipStack::onAnyRequest(const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipStack*>(arg);
  static const char* known[] = {"INVITE",  "ACK",   "BYE",      "CANCEL", "OPTIONS",
                                "MESSAGE", "INFO",  "REFER",    "NOTIFY", "SUBSCRIBE",
                                "UPDATE",  "PRACK", "REGISTER", "PUBLISH"};
  const char* name = "other";
  for (const char* k : known)
    if (pl_strcmp(&msg->met, k) == 0) name = k;
  ++self->stats_.requests[name];
  return false;
}

bool SipStack::onRequest(const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipStack*>(arg);
  static const char* kAllow = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n";
  if (pl_strcmp(&msg->met, "OPTIONS") == 0) {
    ++self->stats_.optionsAnswered;
    (void)sip_treplyf(nullptr, nullptr, self->sip_, msg, false, 200, "OK",
                      "%sAccept: application/sdp\r\nContent-Length: 0\r\n\r\n", kAllow);
    return true;
  }
  for (const char* m : {"INVITE", "ACK", "BYE", "CANCEL", "INFO", "REFER"})
    if (pl_strcmp(&msg->met, m) == 0) return false;  // libre's own answers (481/501)
  ++self->stats_.methodNotAllowed;
  (void)sip_treplyf(nullptr, nullptr, self->sip_, msg, false, 405, "Method Not Allowed",
                    "%sContent-Length: 0\r\n\r\n", kAllow);
  return true;
}

void SipStack::reply(const struct sip_msg* msg, uint16_t scode, const char* reason,
                     const std::string& headers) {
  (void)sip_treplyf(nullptr, nullptr, sip_, msg, false, scode, reason,
                    "%sContent-Length: 0\r\n\r\n", headers.c_str());
}

void SipStack::onMessageReply(int err, const struct sip_msg* msg, void* arg) {
  auto* self = static_cast<SipStack*>(arg);
  if (msg && msg->scode < 200) return;
  if (err || !msg || msg->scode >= 300) ++self->stats_.messagesFailed;
}

void SipStack::sendMessage(const std::string& uri, const std::string& body,
                           const std::string& headers) {
  if (!sip_) return;
  char tag[32], cid[48];
  re_snprintf(tag, sizeof tag, "%08x", rand_u32());
  re_snprintf(cid, sizeof cid, "%08x%08x@parkd", rand_u32(), rand_u32());
  std::string route;
  struct uri routeUri;
  const struct uri* routep = nullptr;
  if (!proxy_.empty()) {
    struct pl pl;
    pl_set_str(&pl, proxy_.c_str());
    if (uri_decode(&routeUri, &pl) == 0) {
      routep = &routeUri;
      route = "Route: <" + proxy_ + ";lr>\r\n";
    }
  }
  std::string hdrs = "To: <" + uri + ">\r\nFrom: <" + localUri_ + ">;tag=" + tag +
                     "\r\nCall-ID: " + cid + "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n" + route +
                     headers +
                     "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n" + body;
  int err = sip_requestf(nullptr, sip_, true, "MESSAGE", uri.c_str(), routep, nullptr, nullptr,
                         &SipStack::onMessageReply, this, "%s", hdrs.c_str());
  if (err)
    ++stats_.messagesFailed;
  else
    ++stats_.messagesSent;
}

}  // namespace callpark::sip
