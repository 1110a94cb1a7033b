// The admin HTTP endpoint of parkd (libre's HTTP server, in the event loop thread).
//
// Routes are registered by the owner with the permission they need; requests are authorized
// with `Authorization: Bearer TOKEN` against a TokenTable. Without a token table, the server
// only accepts requests when bound to a loopback address (parkd refuses other addresses
// without tokens), and every caller is treated as RTCUniversalServerAdmins.
//
// Responses: 401 without/with an unknown token, 403 when the role lacks the permission, 404
// for an unknown path, 405 for a known path with another method.
#pragma once

#include <re.h>

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "runtime/admin/Auth.h"

namespace callpark::admin {

struct Response {
  uint16_t status = 200;
  std::string contentType = "application/json";
  std::string body;
};

struct Request {
  std::string method, path, query, body, role;
};

class AdminServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  AdminServer() = default;
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  void route(const std::string& method, const std::string& path, Permission p, Handler h);
  // Returns "" or why it could not listen.
  std::string start(const struct sa& addr, const TokenTable* tokens);
  void stop();
  uint64_t requests() const { return requests_; }

 private:
  static void onRequest(struct http_conn* conn, const struct http_msg* msg, void* arg);
  void handle(struct http_conn* conn, const struct http_msg* msg);

  struct Route {
    Permission perm;
    Handler handler;
  };
  std::map<std::pair<std::string, std::string>, Route> routes_;
  struct http_sock* sock_ = nullptr;
  const TokenTable* tokens_ = nullptr;
  uint64_t requests_ = 0;
};

}  // namespace callpark::admin
