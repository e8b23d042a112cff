#include "net/hls/steering.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

namespace onair::net::hls {

namespace {

bool legal_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/// One attribute of an attribute list (RFC 8216bis 4.2): its name and its raw value, quotes included.
struct attribute {
  std::string name;
  std::string value;
  bool quoted() const { return value.size() >= 2 && value.front() == '"' && value.back() == '"'; }
  std::string_view unquoted() const {
    return quoted() ? std::string_view(value).substr(1, value.size() - 2) : std::string_view(value);
  }
};

/// Splits "A=1,B=\"x,y\"" into its attributes; commas inside quoted strings do not split.
std::vector<attribute> parse_attributes(std::string_view list) {
  std::vector<attribute> out;
  while (!list.empty()) {
    const auto eq = list.find('=');
    if (eq == std::string_view::npos) break;
    attribute a;
    a.name = std::string(list.substr(0, eq));
    list.remove_prefix(eq + 1);
    std::size_t end = 0;
    if (!list.empty() && list.front() == '"') {
      const auto close = list.find('"', 1);
      end = close == std::string_view::npos ? list.size() : close + 1;
    }
    end = std::min(list.find(',', end), list.size());
    a.value = std::string(list.substr(0, end));
    out.push_back(std::move(a));
    list.remove_prefix(std::min(end + 1, list.size()));
  }
  return out;
}

std::string render_attributes(std::string_view tag, const std::vector<attribute>& attrs) {
  std::string out(tag);
  bool first = true;
  for (const auto& a : attrs) {
    if (!first) out += ',';
    first = false;
    out += a.name;
    out += '=';
    out += a.value;
  }
  return out;
}

attribute* find_attribute(std::vector<attribute>& attrs, std::string_view name) {
  for (auto& a : attrs)
    if (a.name == name) return &a;
  return nullptr;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

/// A rendition group of one pathway: each pathway's variants must name only that pathway's renditions,
/// or a player would fetch audio from another node than the video (hls.js groups tracks by GROUP-ID;
/// its own pathway clones rename groups the same way).
std::string group_of(std::string_view group, const pathway& p) {
  std::string out(group);
  out += '-';
  out += p.id;
  return out;
}

/// Where `uri` (as the packager wrote it, relative to the master) lives on pathway `p`: unchanged on this
/// node, absolute on another one. URIs with a scheme already name their server.
std::string uri_on(std::string_view uri, const pathway& p, bool self, std::string_view room_dir) {
  if (self || uri.find("://") != std::string_view::npos) return std::string(uri);
  std::string out = p.base_url;
  if (uri.empty() || uri.front() != '/') out += room_dir;
  out += uri;
  return out;
}

/// STABLE-VARIANT-ID (RFC 8216bis 4.4.6.2) from the variant's URI ("source/index.m3u8" -> "source"), so
/// players match a variant across pathways; unique within the master.
std::string stable_id(std::string_view uri, std::set<std::string>& taken) {
  uri = uri.substr(0, uri.find('?'));
  auto slash = uri.find('/');
  std::string_view base = slash == std::string_view::npos || slash == 0 ? uri : uri.substr(0, slash);
  std::string id;
  for (char c : base) id += legal_id_char(c) ? c : '_';
  if (id.empty()) id = "v";
  std::string unique = id;
  for (int n = 2; !taken.insert(unique).second; ++n) unique = id + "-" + std::to_string(n);
  return unique;
}

enum class line_kind { other, media, stream_inf, iframe };

struct master_line {
  line_kind kind = line_kind::other;
  std::string tag;                ///< "#EXT-X-MEDIA:" etc.
  std::vector<attribute> attrs;
  std::string uri;                ///< the URI line after EXT-X-STREAM-INF
  std::string stable;             ///< STABLE-VARIANT-ID to add (stream_inf / iframe without one)
  std::string text;               ///< kind == other: the line as is
};

std::string_view next_line(std::string_view& in) {
  const auto nl = in.find('\n');
  auto line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

/// The master with only sids added: for one that already names pathways (a steered source).
std::string sids_only(std::string_view master, std::string_view sid) {
  std::string out;
  while (!master.empty()) {
    auto line = next_line(master);
    if (!line.empty() && line.front() != '#') {
      out += with_session_id(line, sid);
    } else if (line.starts_with("#EXT-X-MEDIA:") || line.starts_with("#EXT-X-I-FRAME-STREAM-INF:")) {
      const auto colon = line.find(':') + 1;
      auto attrs = parse_attributes(line.substr(colon));
      if (auto* u = find_attribute(attrs, "URI"); u && u->quoted()) u->value = quote(with_session_id(u->unquoted(), sid));
      out += render_attributes(line.substr(0, colon), attrs);
    } else {
      out += line;
    }
    out += '\n';
  }
  return out;
}

}  // namespace

const pathway* steering_view::self() const {
  for (const auto& p : pathways)
    if (p.node_id == self_id) return &p;
  return nullptr;
}

const pathway* steering_view::first_other() const {
  for (const auto& p : pathways)
    if (p.node_id != self_id) return &p;
  return nullptr;
}

steering_table::steering_table() : view_(std::make_shared<const steering_view>()) {}

void steering_table::update(const steering_member& self, const std::vector<steering_member>& others) {
  auto v = std::make_shared<steering_view>();
  v->self_id = self.node_id;
  v->self_region = self.region;
  v->self_draining = self.draining;
  auto as_pathway = [](const steering_member& m) {
    return pathway{pathway_id(m.node_id), m.node_id, m.region, "http://" + m.host + ":" + std::to_string(m.http_port)};
  };
  // Only what a player can use now: a dead, left or suspect node would cost it a failed request, and a
  // draining node is emptying itself (docs/hls-steering.md, "Who is a pathway").
  auto usable = [](const steering_member& m) { return m.alive && !m.draining && m.http_port != 0 && !m.host.empty(); };
  std::vector<pathway> rest;
  std::set<std::string> seen{self.node_id};
  for (const auto& m : others)
    if (usable(m) && seen.insert(m.node_id).second) rest.push_back(as_pathway(m));
  // Nearest first: this node's region before the others (a viewer usually reached the node nearest to
  // it), then by region and node id so that every node lists the same order for the same view.
  std::sort(rest.begin(), rest.end(), [&](const pathway& a, const pathway& b) {
    return std::make_tuple(a.region != self.region, a.region, a.node_id) <
           std::make_tuple(b.region != self.region, b.region, b.node_id);
  });
  if (usable(self)) v->pathways.push_back(as_pathway(self));
  for (auto& p : rest) v->pathways.push_back(std::move(p));
  std::lock_guard lock(mutex_);
  view_ = std::move(v);
}

std::shared_ptr<const steering_view> steering_table::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

std::string pathway_id(std::string_view node_id) {
  std::string out;
  out.reserve(node_id.size());
  for (char c : node_id) out += legal_id_char(c) ? c : '_';
  if (out.empty()) out = "_";
  return out;
}

std::string with_session_id(std::string_view uri, std::string_view sid) {
  std::string out(uri);
  out += uri.find('?') == std::string_view::npos ? "?sid=" : "&sid=";
  out += sid;
  return out;
}

std::string steer_master(std::string_view master, std::string_view sid, const steering_view& v,
                         std::string_view room_dir) {
  if (v.pathways.empty()) return sids_only(master, sid);
  // A source that already steers (PATHWAY-ID or its own steering tag) keeps its pathways.
  if (master.find("#EXT-X-CONTENT-STEERING") != std::string_view::npos ||
      master.find("PATHWAY-ID=") != std::string_view::npos)
    return sids_only(master, sid);

  // Session-level lines (EXTM3U, VERSION, INDEPENDENT-SEGMENTS, anything unknown) are written once;
  // renditions and variants once per pathway (RFC 8216bis 4.4.6: tags of a Multivariant Playlist other
  // than EXT-X-STREAM-INF and its URI line may come in any order).
  std::vector<std::string> head;
  std::vector<master_line> body;
  std::set<std::string> stable_taken;
  while (!master.empty()) {
    const auto line = next_line(master);
    if (line.empty()) continue;
    master_line ml;
    if (line.starts_with("#EXT-X-MEDIA:")) ml.kind = line_kind::media;
    else if (line.starts_with("#EXT-X-STREAM-INF:")) ml.kind = line_kind::stream_inf;
    else if (line.starts_with("#EXT-X-I-FRAME-STREAM-INF:")) ml.kind = line_kind::iframe;
    if (ml.kind == line_kind::other) {
      if (line.front() == '#') head.emplace_back(line);  // a URI line without STREAM-INF is invalid: dropped
      continue;
    }
    const auto colon = line.find(':') + 1;
    ml.tag = std::string(line.substr(0, colon));
    ml.attrs = parse_attributes(line.substr(colon));
    if (ml.kind == line_kind::stream_inf) {
      // RFC 8216bis 4.4.6.2: the URI line follows the tag (comments and blank lines may sit between).
      while (!master.empty()) {
        const auto next = next_line(master);
        if (next.empty() || next.front() == '#') continue;
        ml.uri = std::string(next);
        break;
      }
      if (ml.uri.empty()) continue;
    }
    if (ml.kind != line_kind::media && !find_attribute(ml.attrs, "STABLE-VARIANT-ID")) {
      const auto* u = find_attribute(ml.attrs, "URI");
      ml.stable = stable_id(ml.kind == line_kind::stream_inf ? std::string_view(ml.uri)
                                                             : u ? u->unquoted() : std::string_view{},
                            stable_taken);
    }
    body.push_back(std::move(ml));
  }

  const auto& first = v.pathways.front();
  std::string out;
  out.reserve(256 + v.pathways.size() * 512);
  for (const auto& h : head) {
    out += h;
    out += '\n';
  }
  // RFC 8216bis 4.4.6.6: the manifest's URI (relative: the node that served this master, or the one a
  // redirect led to) and the pathway to use until the first manifest arrives.
  out += "#EXT-X-CONTENT-STEERING:SERVER-URI=\"";
  out += with_session_id("steering.json", sid);
  out += "\",PATHWAY-ID=\"";
  out += first.id;
  out += "\"\n";

  for (const auto& p : v.pathways) {
    const bool self = p.node_id == v.self_id;
    for (const auto& ml : body) {
      auto attrs = ml.attrs;
      if (ml.kind == line_kind::media) {
        if (auto* g = find_attribute(attrs, "GROUP-ID"); g && g->quoted()) g->value = quote(group_of(g->unquoted(), p));
      } else {
        for (const char* ref : {"AUDIO", "VIDEO", "SUBTITLES", "CLOSED-CAPTIONS"})
          if (auto* g = find_attribute(attrs, ref); g && g->quoted()) g->value = quote(group_of(g->unquoted(), p));
        if (!ml.stable.empty()) attrs.push_back({"STABLE-VARIANT-ID", quote(ml.stable)});
        attrs.push_back({"PATHWAY-ID", quote(p.id)});
      }
      if (auto* u = find_attribute(attrs, "URI"); u && u->quoted())
        u->value = quote(with_session_id(uri_on(u->unquoted(), p, self, room_dir), sid));
      out += render_attributes(ml.tag, attrs);
      out += '\n';
      if (ml.kind == line_kind::stream_inf) {
        out += with_session_id(uri_on(ml.uri, p, self, room_dir), sid);
        out += '\n';
      }
    }
  }
  return out;
}

std::string steering_manifest(const steering_view& v, std::string_view room_dir, std::string_view sid) {
  nlohmann::json j;
  j["VERSION"] = 1;
  j["TTL"] = steering_ttl_s;
  std::string reload = sid.empty() ? std::string("steering.json") : with_session_id("steering.json", sid);
  const pathway* head = v.pathways.empty() ? nullptr : &v.pathways.front();
  // The next reload goes to the node the player is told to use first: when this node drains, players
  // and their steering move together.
  if (head && head->node_id != v.self_id) reload = head->base_url + std::string(room_dir) + reload;
  j["RELOAD-URI"] = reload;
  auto priority = nlohmann::json::array();
  for (const auto& p : v.pathways) priority.push_back(p.id);
  // Nobody healthy (a lone draining node): this node still serves its viewers. "." is the pathway of a
  // master without PATHWAY-IDs (hls.js's default), for a table that was never filled.
  if (priority.empty()) priority.push_back(v.self_id.empty() ? std::string(".") : pathway_id(v.self_id));
  j["PATHWAY-PRIORITY"] = std::move(priority);
  return j.dump();
}

}  // namespace onair::net::hls
