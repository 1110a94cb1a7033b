// parkd: the SIP park server.
//
//   parkd --policy DIR|BUNDLE --sip udp:127.0.0.1:5075 [--sip tcp:127.0.0.1:5075]
//         [--admin 127.0.0.1:8075] [--admin-tokens FILE] [--outbound-proxy URI]
//         [--events FILE|-] [--ring-timeout SECONDS] [--write-bundle]
//         [--media-timeout SECONDS] [--max-fds N]
//
// --policy takes a policy directory (compiled at start) or a bundle from `parkc compile`
// (its object code is linked when its stamp is current, else the policy is recompiled; with
// --write-bundle the recompiled bundle is written back). Reloads re-read the same path.
//
// Signals: SIGHUP reloads the policy (like POST /v1/reload); SIGTERM / SIGINT shut down:
// every parked caller is sent a BYE (recorded as outcome "disconnected", reason "shutdown"),
// or with --on-shutdown parker a REFER to its parker first (reason "shutdown_transferred" when
// the caller accepts it); parkd exits 0 once those transactions complete (5 s at most).
//
// Test hooks: with CALLPARK_TEST_HOOKS=1 in the environment, --test-time-scale N divides pickup
// timeouts and the ring timeout by N (so a policy's 10 s becomes 2 s with N = 5), and --seed N
// fixes the seed of `random` orbit allocation (otherwise drawn from getrandom() at every start).
// Without the variable both flags are refused: production timing always follows the checked
// policy, and production orbits are unpredictable.
#include <re.h>
#define DEBUG_MODULE "parkd"
#define DEBUG_LEVEL 3
#include <re_dbg.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/parkd/ParkServer.h"

using callpark::parkd::ParkServer;
using callpark::parkd::ServerConfig;

namespace {

ParkServer* gServer = nullptr;
int gPipe[2] = {-1, -1};
bool gStopping = false;
struct tmr gHardStop;

void usage() {
  std::fprintf(stderr,
               "usage: parkd --policy DIR|BUNDLE --sip udp:HOST:PORT [--sip tcp:HOST:PORT]\n"
               "             [--admin HOST:PORT] [--admin-tokens FILE] [--outbound-proxy URI]\n"
               "             [--events FILE|-] [--ring-timeout SECONDS] [--write-bundle]\n"
               "             [--media-timeout SECONDS] [--on-shutdown disconnect|parker]\n"
               "             [--max-fds N] [--debug]\n");
}

void beginShutdown() {
  if (gStopping) return;
  gStopping = true;
  std::fprintf(stderr, "parkd: shutting down\n");
  // Every parked call ends visibly; the loop stops once the BYEs (and REFERs) have completed,
  // or after 5 s at most (an unanswered UDP BYE would otherwise be retried for 32 s).
  tmr_start(
      &gHardStop, 5000, [](void*) { re_cancel(); }, nullptr);
  gServer->shutdown([] { re_cancel(); });
}

// Signals only write one byte to a pipe: libre calls the signal handler in signal context, so
// the work happens in the event loop (onPipe), where it is safe.
void onSignal(int sig) {
  if (sig != SIGHUP && sig != SIGINT && sig != SIGTERM) return;
  char b = sig == SIGHUP ? 'h' : 't';
  ssize_t n = write(gPipe[1], &b, 1);
  (void)n;
}

void onPipe(int flags, void*) {
  (void)flags;
  char buf[16];
  ssize_t n = read(gPipe[0], buf, sizeof buf);
  for (ssize_t i = 0; i < n; ++i) {
    if (buf[i] == 't') {
      beginShutdown();
    } else if (buf[i] == 'h' && !gStopping) {
      int status = 0;
      std::string body = gServer->reload(&status);
      std::fprintf(stderr, "parkd: SIGHUP reload: %d %s", status, body.c_str());
      std::fflush(stderr);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  ServerConfig cfg;
  int maxFds = 16384;
  int logLevel =
      DBG_ERR;  // libre's own diagnostics; warnings (e.g. each garbage datagram) are noise
  bool testHooks = [] {
    const char* v = std::getenv("CALLPARK_TEST_HOOKS");
    return v && std::strcmp(v, "1") == 0;
  }();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "parkd: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--policy")
      cfg.policyPath = next();
    else if (a == "--sip") {
      callpark::sip::Transport t;
      std::string spec = next();
      if (std::string err = callpark::sip::parseTransport(spec, &t); !err.empty()) {
        std::fprintf(stderr, "parkd: --sip %s: %s\n", spec.c_str(), err.c_str());
        return 2;
      }
      cfg.sip.push_back(t);
    } else if (a == "--admin") {
      std::string v = next();
      if (sa_decode(&cfg.admin, v.c_str(), v.size()) != 0) {
        std::fprintf(stderr, "parkd: --admin %s: expected HOST:PORT\n", v.c_str());
        return 2;
      }
      cfg.adminEnabled = true;
    } else if (a == "--admin-tokens")
      cfg.tokensFile = next();
    else if (a == "--outbound-proxy")
      cfg.outboundProxy = next();
    else if (a == "--events")
      cfg.eventsFile = next();
    else if (a == "--ring-timeout")
      cfg.ringTimeoutMs = uint32_t(std::atof(next().c_str()) * 1000);
    else if (a == "--max-fds")
      maxFds = std::atoi(next().c_str());
    else if (a == "--debug")
      logLevel = DBG_DEBUG;
    else if (a == "--on-shutdown") {
      std::string v = next();
      if (v == "parker")
        cfg.shutdownToParker = true;
      else if (v == "disconnect")
        cfg.shutdownToParker = false;
      else {
        std::fprintf(stderr, "parkd: --on-shutdown takes disconnect or parker, not '%s'\n",
                     v.c_str());
        return 2;
      }
    } else if (a == "--media-timeout") {
      std::string v = next();
      char* end = nullptr;
      double secs = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(secs == 0 || (secs >= 1 && secs <= 3600))) {
        std::fprintf(stderr,
                     "parkd: --media-timeout takes seconds between 1 and 3600, or 0 (off)\n");
        return 2;
      }
      cfg.mediaTimeoutMs = uint32_t(secs * 1000);
    } else if (a == "--write-bundle") {
      cfg.writeBundle = true;
    } else if (a == "--seed") {
      std::string v = next();
      if (!testHooks) {
        std::fprintf(stderr, "parkd: --seed is a test hook (set CALLPARK_TEST_HOOKS=1)\n");
        return 2;
      }
      char* end = nullptr;
      cfg.seed = std::strtoull(v.c_str(), &end, 0);
      if (v.empty() || *end || cfg.seed == 0) {
        std::fprintf(stderr, "parkd: --seed takes a non-zero integer, not '%s'\n", v.c_str());
        return 2;
      }
    } else if (a == "--test-time-scale") {
      double v = std::atof(next().c_str());
      if (!testHooks) {
        std::fprintf(stderr,
                     "parkd: --test-time-scale is a test hook (set CALLPARK_TEST_HOOKS=1)\n");
        return 2;
      }
      cfg.timeScale = v > 0 ? v : 1;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "parkd: unknown argument '%s'\n", a.c_str());
      usage();
      return 2;
    }
  }
  if (cfg.policyPath.empty() || cfg.sip.empty()) {
    usage();
    return 2;
  }
  if (cfg.ringTimeoutMs < 1000 || cfg.ringTimeoutMs > 300'000) {
    std::fprintf(stderr, "parkd: --ring-timeout must be between 1 and 300 seconds\n");
    return 2;
  }

  // Each parked call holds one RTP socket (two once connected): raise the descriptor limit.
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, rlim_t(maxFds));
    setrlimit(RLIMIT_NOFILE, &rl);
    maxFds = int(rl.rlim_cur);
  }
  if (libre_init() != 0) {
    std::fprintf(stderr, "parkd: cannot initialise libre\n");
    return 1;
  }
  fd_setsize(maxFds);
  dbg_init(logLevel, DBG_TIME);
  tmr_init(&gHardStop);
  if (pipe(gPipe) != 0) {
    std::fprintf(stderr, "parkd: cannot create the signal pipe: %s\n", std::strerror(errno));
    return 1;
  }
  int rc = 0;
  {
    ParkServer server(cfg);
    gServer = &server;
    if (std::string err = server.start(); !err.empty()) {
      std::fprintf(stderr, "parkd: %s\n", err.c_str());
      rc = 1;
    } else {
      fd_listen(gPipe[0], FD_READ, onPipe, nullptr);
      struct sigaction sa {};
      sa.sa_handler = onSignal;
      sigaction(SIGHUP, &sa, nullptr);
      std::fprintf(stderr, "parkd: serving\n");
      std::fflush(stderr);
      re_main(onSignal);  // SIGINT, SIGTERM (and SIGALRM) come through onSignal
      fd_close(gPipe[0]);
      std::fprintf(stderr, "parkd: stopped\n");
    }
    tmr_cancel(&gHardStop);
    gServer = nullptr;
  }
  libre_close();
  return rc;
}
