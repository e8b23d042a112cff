#pragma once
/// A unique directory under /tmp for one test, removed with everything in it when the test ends, so
/// tests run in parallel (ctest -j) and leave nothing behind.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace onair::storage::test {

class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = "/tmp/onair-storage-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// The directory itself.
  const std::string& path() const { return path_; }
  /// A path inside it (not created).
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace onair::storage::test
