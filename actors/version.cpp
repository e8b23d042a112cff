#include "actors/version.hpp"

namespace onair::actors {
const char* version() { return ONAIR_VERSION; }
}  // namespace onair::actors
