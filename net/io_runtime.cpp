#include "net/io_runtime.hpp"

#include "net/io_runtime_impl.hpp"

namespace onair::net {

io_runtime::io_runtime(unsigned threads) : impl_(std::make_unique<impl>(threads == 0 ? 1 : threads)) {}

io_runtime::~io_runtime() { stop(); }

void io_runtime::start() {
  for (auto& s : impl_->shards) {
    if (s->thread.joinable()) continue;
    s->guard.emplace(s->ioc.get_executor());
    s->thread = std::thread([ctx = &s->ioc] { ctx->run(); });
  }
}

void io_runtime::stop() {
  for (auto& s : impl_->shards) {
    s->guard.reset();
    s->ioc.stop();
  }
  for (auto& s : impl_->shards)
    if (s->thread.joinable()) s->thread.join();
}

}  // namespace onair::net
