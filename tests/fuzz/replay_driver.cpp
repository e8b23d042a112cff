// Replay driver for fuzz targets when libFuzzer is not available (g++): runs every file of the seed
// corpus, then a bounded number of deterministic mutations of them, through LLVMFuzzerTestOneInput.
// A crash or sanitizer report fails the ctest run; the loop is bounded so it always stops by itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::vector<std::vector<std::uint8_t>> seeds;
  if (argc > 1 && std::filesystem::is_directory(argv[1])) {
    for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
      std::ifstream in(e.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (seeds.empty())
    seeds.push_back({});
  const long iterations = argc > 2 ? std::atol(argv[2]) : 10000;
  for (const auto& s : seeds)
    LLVMFuzzerTestOneInput(s.data(), s.size());
  std::mt19937_64 rng(12345);  // fixed seed: a failure reproduces on the next run
  for (long i = 0; i < iterations; ++i) {
    auto input = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 4) {
        case 0:  // flip a byte
          if (!input.empty()) input[rng() % input.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          break;
        case 1:  // insert random bytes
          input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : rng() % input.size()),
                       static_cast<std::size_t>(1 + rng() % 16), static_cast<std::uint8_t>(rng()));
          break;
        case 2:  // truncate
          if (!input.empty()) input.resize(rng() % input.size());
          break;
        default:  // overwrite with an interesting value
          if (!input.empty()) input[rng() % input.size()] = (rng() & 1) ? 0xff : 0x00;
      }
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("replayed %zu seeds and %ld mutations\n", seeds.size(), iterations);
  return 0;
}
