#include "runtime/sip/Sdp.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace callpark::sip {

namespace {
std::vector<std::string_view> splitWs(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}
template <typename T>
bool toNum(std::string_view s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = char(std::toupper(static_cast<unsigned char>(c)));
  return r;
}
}  // namespace

std::optional<MediaDesc> parseSdp(std::string_view body) {
  MediaDesc d;
  std::string sessionAddr;
  bool inAudio = false, sawAudio = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() < 2 || line[1] != '=') continue;
    char type = line[0];
    std::string_view val = line.substr(2);
    if (type == 'm') {
      inAudio = false;
      auto f = splitWs(val);
      if (f.size() >= 3 && f[0] == "audio" && !sawAudio) {
        sawAudio = inAudio = true;
        d.hasAudio = true;
        std::string_view port = f[1].substr(0, f[1].find('/'));
        if (!toNum(port, d.port)) return std::nullopt;
        for (size_t i = 3; i < f.size(); ++i) {
          int pt;
          if (toNum(f[i], pt) && pt >= 0 && pt < 128) d.formats.push_back(pt);
        }
      }
    } else if (type == 'c') {
      auto f = splitWs(val);
      if (f.size() >= 3 && f[0] == "IN") {
        std::string addr(f[2].substr(0, f[2].find('/')));
        if (inAudio)
          d.address = addr;
        else if (!sawAudio)
          sessionAddr = addr;
      }
    } else if (type == 'a' && (inAudio || !sawAudio)) {
      if (val.substr(0, 7) == "rtpmap:") {
        std::string_view rest = val.substr(7);
        size_t sp = rest.find(' ');
        int pt;
        if (sp != std::string_view::npos && toNum(rest.substr(0, sp), pt))
          d.rtpmap.emplace_back(pt, upper(rest.substr(sp + 1)));
      } else if (val == "sendrecv" || val == "sendonly" || val == "recvonly" || val == "inactive") {
        d.direction = std::string(val);
      }
    }
  }
  if (!d.hasAudio) return std::nullopt;
  if (d.address.empty()) d.address = sessionAddr;
  return d;
}

namespace {
std::optional<media::Codec> codecOf(const MediaDesc& d, int pt) {
  for (const auto& [p, name] : d.rtpmap) {
    if (p != pt) continue;
    if (name.rfind("PCMU/8000", 0) == 0) return media::Codec::Pcmu;
    if (name.rfind("PCMA/8000", 0) == 0) return media::Codec::Pcma;
    return std::nullopt;
  }
  if (pt == 0) return media::Codec::Pcmu;
  if (pt == 8) return media::Codec::Pcma;
  return std::nullopt;
}
}  // namespace

std::optional<media::Codec> chooseCodec(const MediaDesc& d) {
  for (int pt : d.formats)
    if (auto c = codecOf(d, pt)) return c;
  return std::nullopt;
}

bool offersCodec(const MediaDesc& d, media::Codec c) {
  return std::any_of(d.formats.begin(), d.formats.end(),
                     [&](int pt) { return codecOf(d, pt) == c; });
}

namespace {
bool held(const MediaDesc& d) {
  return !d.hasAudio || d.port == 0 || d.address == "0.0.0.0" || d.address == "::";
}
}  // namespace

bool peerSends(const MediaDesc& d) {
  return !held(d) && (d.direction == "sendrecv" || d.direction == "sendonly");
}

bool peerReceives(const MediaDesc& d) {
  return !held(d) && (d.direction == "sendrecv" || d.direction == "recvonly");
}

std::string_view answerDirection(const MediaDesc& offer) {
  bool sends = peerSends(offer), receives = peerReceives(offer);
  if (sends && receives) return "sendrecv";
  if (sends) return "recvonly";
  if (receives) return "sendonly";
  return "inactive";
}

std::string buildSdp(std::string_view ip, uint16_t port, uint64_t sessionId, uint64_t version,
                     const std::vector<media::Codec>& codecs, std::string_view direction) {
  std::string ipv = ip.find(':') != std::string_view::npos ? "IP6" : "IP4";
  std::string s;
  s.reserve(256);
  s += "v=0\r\no=parkd " + std::to_string(sessionId) + " " + std::to_string(version) + " IN " +
       ipv + " " + std::string(ip) + "\r\ns=callpark\r\nc=IN " + ipv + " " + std::string(ip) +
       "\r\nt=0 0\r\nm=audio " + std::to_string(port) + " RTP/AVP";
  for (auto c : codecs) s += c == media::Codec::Pcmu ? " 0" : " 8";
  s += "\r\n";
  for (auto c : codecs)
    s += c == media::Codec::Pcmu ? "a=rtpmap:0 PCMU/8000\r\n" : "a=rtpmap:8 PCMA/8000\r\n";
  s += "a=ptime:20\r\na=" + std::string(direction) + "\r\n";
  return s;
}

}  // namespace callpark::sip
