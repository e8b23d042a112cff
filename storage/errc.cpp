#include "storage/errc.hpp"

#include <string>

namespace onair::storage {

namespace {
class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.storage"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::not_found: return "not found";
      case errc::locked: return "data directory is in use by another process";
      case errc::io_error: return "storage I/O error";
      case errc::corrupt: return "stored value does not decode";
    }
    return "unknown storage error";
  }
};
}  // namespace

const std::error_category& storage_category() {
  static const category c;
  return c;
}

}  // namespace onair::storage
