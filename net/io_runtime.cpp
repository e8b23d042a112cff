#include "net/io_runtime.hpp"

#include "net/io_runtime_impl.hpp"

namespace onair::net {

io_runtime::io_runtime(unsigned threads) : impl_(std::make_unique<impl>()) {
  impl_->thread_count = threads == 0 ? 1 : threads;
}

io_runtime::~io_runtime() { stop(); }

void io_runtime::start() {
  impl_->guard.emplace(impl_->ioc.get_executor());
  for (unsigned i = 0; i < impl_->thread_count; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void io_runtime::stop() {
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

}  // namespace onair::net
