#pragma once
/// The onair version string (from CMake's project version).
namespace onair::actors {
const char* version();
}
