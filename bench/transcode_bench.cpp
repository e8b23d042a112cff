// Issue #5 item 8: runs media::video_transcoder over an FLV file at full speed (or paced to real time)
// and prints one JSON line: frames in/out, keyframes per rendition, media seconds, CPU and wall seconds.
// bench/transcode_compare.sh runs it against the ffmpeg CLI producing the same ladder.
//
//   transcode_bench FILE.flv [--threads N] [--realtime] [--thumbnail OUT.jpg] [--dump DIR]
//
// --realtime paces input at the source timestamps (a live publisher) and reports how far output fell
// behind; --dump writes each rendition as an H.264 Annex B file for inspection with ffprobe.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>

extern "C" {
#include <libavutil/log.h>
}

#include "flv_file_reader.hpp"
#include "media/transcoder.hpp"

namespace {

using namespace onair::media;

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void write_annexb(std::ofstream& out, const frame& f, const video_config* config) {
  static const char start[4] = {0, 0, 0, 1};
  if (config && f.keyframe) {  // SPS and PPS from the avcC in front of each IDR
    const auto& r = config->avcc;
    std::size_t pos = 5;
    for (int kind = 0; kind < 2 && pos < r.size(); ++kind) {
      const int count = kind == 0 ? (r[pos] & 0x1f) : r[pos];
      ++pos;
      for (int i = 0; i < count && pos + 2 <= r.size(); ++i) {
        const std::size_t len = (std::size_t{r[pos]} << 8) | r[pos + 1];
        out.write(start, 4);
        out.write(reinterpret_cast<const char*>(r.data() + pos + 2), static_cast<std::streamsize>(len));
        pos += 2 + len;
      }
    }
  }
  const auto s = f.data.span();
  for (std::size_t pos = 0; pos + 4 <= s.size();) {
    const std::size_t len = (std::size_t{s[pos]} << 24) | (s[pos + 1] << 16) | (s[pos + 2] << 8) | s[pos + 3];
    out.write(start, 4);
    out.write(reinterpret_cast<const char*>(s.data() + pos + 4), static_cast<std::streamsize>(len));
    pos += 4 + len;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE.flv [--threads N] [--realtime] [--thumbnail OUT.jpg] [--dump DIR]\n", argv[0]);
    return 2;
  }
  av_log_set_level(AV_LOG_WARNING);  // x264's banner and per-encoder statistics
  int threads = 1;
  bool realtime = false;
  std::string thumbnail, dump;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--realtime")) realtime = true;
    else if (!std::strcmp(argv[i], "--thumbnail") && i + 1 < argc) thumbnail = argv[++i];
    else if (!std::strcmp(argv[i], "--dump") && i + 1 < argc) dump = argv[++i];
  }
  const auto contents = test::read_flv_file(argv[1]);
  if (!contents || !contents->video) {
    std::fprintf(stderr, "%s: no FLV with H.264 video\n", argv[1]);
    return 1;
  }
  const auto rungs = rungs_below(default_video_ladder(), contents->video->height);
  const double cpu0 = cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  std::error_code ec;
  auto tc = video_transcoder::create(*contents->video, rungs, threads, ec);
  if (!tc) {
    std::fprintf(stderr, "create: %s\n", ec.message().c_str());
    return 1;
  }
  std::map<std::string, std::ofstream> files;
  if (!dump.empty())
    for (const auto& r : rungs) files[r.name].open(dump + "/" + r.name + ".h264", std::ios::binary);

  std::map<std::string, int> frames_out, keys_out;
  int frames_in = 0, keys_in = 0, errors = 0;
  std::int64_t first_ts = -1, last_ts = 0;
  double max_lag_ms = 0;
  std::vector<rung_frame> out;
  for (const auto& f : contents->frames) {
    if (f.kind != track_kind::video) continue;
    if (first_ts < 0) first_ts = f.dts_ms;
    last_ts = f.dts_ms;
    const auto due = wall0 + std::chrono::milliseconds(f.dts_ms - first_ts);
    if (realtime) std::this_thread::sleep_until(due);
    ++frames_in;
    keys_in += f.keyframe;
    out.clear();
    if (tc->push(f, out)) ++errors;
    for (const auto& r : out) {
      ++frames_out[r.rendition];
      keys_out[r.rendition] += r.f.keyframe;
      if (!dump.empty()) {
        const auto cfg = tc->config(r.rendition);
        write_annexb(files[r.rendition], r.f, r.f.keyframe ? &*cfg : nullptr);
      }
    }
    if (realtime) {
      const double lag = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - due).count();
      if (lag > max_lag_ms) max_lag_ms = lag;
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = cpu_seconds() - cpu0;

  if (!thumbnail.empty()) {
    for (const auto& f : contents->frames) {
      if (f.kind != track_kind::video || !f.keyframe) continue;
      if (auto jpeg = make_thumbnail(*contents->video, f, 320, ec)) {
        std::ofstream(thumbnail, std::ios::binary).write(reinterpret_cast<const char*>(jpeg->data()),
                                                         static_cast<std::streamsize>(jpeg->size()));
      }
      break;
    }
  }

  const double media = (last_ts - first_ts) / 1000.0 + (frames_in > 1 ? (last_ts - first_ts) / 1000.0 / (frames_in - 1) : 0);
  std::printf("{\"source\":\"%dx%d\",\"threads\":%d,\"frames_in\":%d,\"keyframes_in\":%d,\"errors\":%d,", contents->video->width,
              contents->video->height, threads, frames_in, keys_in, errors);
  std::printf("\"media_s\":%.3f,\"cpu_s\":%.3f,\"wall_s\":%.3f,\"max_lag_ms\":%.1f,\"renditions\":{", media, cpu, wall,
              max_lag_ms);
  bool first = true;
  for (const auto& r : rungs) {
    const auto cfg = tc->config(r.name);
    std::printf("%s\"%s\":{\"size\":\"%dx%d\",\"frames\":%d,\"keyframes\":%d}", first ? "" : ",", r.name.c_str(),
                cfg->width, cfg->height, frames_out[r.name], keys_out[r.name]);
    first = false;
  }
  std::printf("}}\n");
  return errors == 0 ? 0 : 1;
}
