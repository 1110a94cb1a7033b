#include "runtime/admin/AdminServer.h"

#include <cstring>

namespace callpark::admin {

namespace {
std::string_view pv(const struct pl& p) {
  return {p.p ? p.p : "", p.l};
}
const char* reasonOf(uint16_t s) {
  switch (s) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 422:
      return "Unprocessable Entity";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Status";
}
}  // namespace

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::route(const std::string& method, const std::string& path, Permission p,
                        Handler h) {
  routes_[{method, path}] = Route{p, std::move(h)};
}

std::string AdminServer::start(const struct sa& addr, const TokenTable* tokens) {
  tokens_ = tokens && !tokens->empty() ? tokens : nullptr;
  if (!tokens_ && !sa_is_loopback(&addr))
    return "the admin API listens on a non-loopback address only with --admin-tokens";
  int err = http_listen(&sock_, &addr, &AdminServer::onRequest, this);
  if (err) return std::string("cannot listen for admin HTTP: ") + strerror(err);
  return "";
}

void AdminServer::stop() {
  if (sock_) sock_ = static_cast<struct http_sock*>(mem_deref(sock_));
}

void AdminServer::onRequest(struct http_conn* conn, const struct http_msg* msg, void* arg) {
  static_cast<AdminServer*>(arg)->handle(conn, msg);
}

void AdminServer::handle(struct http_conn* conn, const struct http_msg* msg) {
  ++requests_;
  Request req;
  req.method = std::string(pv(msg->met));
  req.path = std::string(pv(msg->path));
  req.query = std::string(pv(msg->prm));
  if (msg->mb)
    req.body.assign(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  Response resp;
  auto send = [&](const Response& r) {
    (void)http_reply(conn, r.status, reasonOf(r.status),
                     "Content-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                     "\r\n%b",
                     r.contentType.c_str(), r.body.size(), r.body.data(), r.body.size());
  };
  auto err = [&](uint16_t s, const std::string& what) {
    send(Response{s, "application/json", "{\"error\":\"" + what + "\"}\n"});
  };
  auto it = routes_.find({req.method, req.path});
  if (it == routes_.end()) {
    bool pathKnown = false;
    for (const auto& [k, v] : routes_) pathKnown |= k.second == req.path;
    return pathKnown ? err(405, "method not allowed") : err(404, "no such resource");
  }
  if (tokens_) {
    const struct http_hdr* h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
    std::string_view v = h ? pv(h->val) : std::string_view();
    if (v.substr(0, 7) != "Bearer ") return err(401, "bearer token required");
    auto role = tokens_->roleOf(v.substr(7));
    if (!role) return err(401, "unknown token");
    req.role = *role;
  } else {
    req.role = "RTCUniversalServerAdmins";
  }
  if (!roleAllows(req.role, it->second.perm))
    return err(403, "role " + req.role + " may not do this");
  send(it->second.handler(req));
}

}  // namespace callpark::admin
