#pragma once
/// Errors of the storage module, as std::error_code (DESIGN.md section 8: errors are values).
#include <system_error>

namespace onair::storage {

enum class errc {
  not_found = 1,   ///< no such key
  locked,          ///< the data directory is open in another process
  io_error,        ///< RocksDB reported an I/O or other failure
  corrupt,         ///< a stored value does not decode
};

const std::error_category& storage_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), storage_category()}; }

}  // namespace onair::storage

template <>
struct std::is_error_code_enum<onair::storage::errc> : std::true_type {};
