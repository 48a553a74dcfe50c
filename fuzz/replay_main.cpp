// Fuzz smoke driver for builds without libFuzzer (g++): runs the target on every file of a
// corpus folder plus deterministic mutations of each (truncations, byte flips, splices).
// Usage: TARGET_replay CORPUS_DIR [MUTATIONS_PER_FILE]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "fuzz_targets.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
    return 2;
  }
  const int mutations = argc > 2 ? std::atoi(argv[2]) : 200;
  std::vector<std::string> corpus;
  for (auto& e : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    corpus.push_back(s.str());
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "%s: empty corpus\n", argv[1]);
    return 2;
  }
  std::mt19937 gen(12345);
  long runs = 0;
  auto run = [&](const std::string& s) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  };
  for (auto& c : corpus) {
    run(c);
    for (int m = 0; m < mutations; ++m) {
      std::string s = c;
      switch (m % 3) {
        case 0: s.resize(s.empty() ? 0 : gen() % s.size()); break;  // truncation
        case 1:
          for (int k = 0, n = 1 + int(gen() % 8); k < n && !s.empty(); ++k) s[gen() % s.size()] ^= char(1 << (gen() % 8));
          break;
        case 2: {  // splice with another corpus file
          const std::string& o = corpus[gen() % corpus.size()];
          size_t a = s.empty() ? 0 : gen() % s.size(), b = o.empty() ? 0 : gen() % o.size();
          s = s.substr(0, a) + o.substr(b);
          break;
        }
      }
      run(s);
    }
  }
  std::printf("%ld inputs, 0 crashes\n", runs);
  return 0;
}
