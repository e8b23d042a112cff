// Micro benchmark: synced chat appends (store::append_chat), the chat hot path. Each iteration is one
// append of a batch of N messages, i.e. one WriteBatch and one WAL fsync; items/s is messages/s.
// The per-message fsync (batch 1) is the peer the batched figures are compared against in the same run.
//   chat_store_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// The database goes to $ONAIR_BENCH_DIR (default /tmp): point it at the disk that will hold data.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/chat_codec.hpp"
#include "storage/store.hpp"

namespace {

using onair::storage::chat_record;
using onair::storage::store;

/// A fresh database directory, removed afterwards.
struct bench_db {
  std::string dir;
  std::unique_ptr<store> db;
  bench_db() {
    const char* base = std::getenv("ONAIR_BENCH_DIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/onair-chat-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    std::error_code ec;
    db = store::open(dir, ec);
    if (!db) throw std::runtime_error("open failed: " + ec.message());
  }
  ~bench_db() {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

/// A typical chat line: ~100 bytes of text plus a user id, display name and role.
chat_record sample(std::uint64_t seq) {
  chat_record m;
  m.seq = seq;
  m.ts_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  m.user_id = "0f3c9a1e-user-7731";
  m.user_name = "listener_7731";
  m.user_role = "viewer";
  m.text = "that drop at 1:02:30 was unreal, what track is this? id please, been waiting all week!!";
  return m;
}

void append_batches(benchmark::State& state, store& db, const std::string& room) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<chat_record> batch;
  for (std::size_t i = 0; i < n; ++i) batch.push_back(sample(i + 1));
  std::uint64_t next = 1;
  for (auto _ : state) {
    for (auto& m : batch) m.seq = next++;
    if (auto ec = db.append_chat(room, batch)) {
      state.SkipWithError(ec.message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  // Per thread, not summed over the two-writer threads.
  state.counters["msgs_per_batch"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kAvgThreads);
}

/// One writer: one fsync per batch.
void BM_append_chat(benchmark::State& state) {
  bench_db db;
  append_batches(state, *db.db, "room");
}
BENCHMARK(BM_append_chat)->ArgName("batch")->Arg(1)->Arg(16)->Arg(128)->UseRealTime()->MinTime(2.0);

/// Two writers (two rooms' channels) at once: RocksDB's write group lets concurrent synced batches
/// share one fsync, which append_chat allows because it holds no lock across the write.
std::unique_ptr<bench_db> shared_db;
void BM_append_chat_two_writers(benchmark::State& state) {
  append_batches(state, *shared_db->db, "room-" + std::to_string(state.thread_index()));
}
BENCHMARK(BM_append_chat_two_writers)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(16)
    ->Threads(2)
    ->UseRealTime()
    ->MinTime(2.0)
    ->Setup([](const benchmark::State&) { shared_db = std::make_unique<bench_db>(); })
    ->Teardown([](const benchmark::State&) { shared_db.reset(); });

/// The CPU part alone: encoding one message value.
void BM_encode_chat(benchmark::State& state) {
  const auto m = sample(42);
  for (auto _ : state) benchmark::DoNotOptimize(onair::storage::encode_chat(m));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_encode_chat);

}  // namespace

BENCHMARK_MAIN();
