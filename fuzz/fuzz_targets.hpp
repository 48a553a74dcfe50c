// Fuzz targets for the readers of untrusted files. Each target writes the input where the
// reader expects a file and runs the reader; cmems::Error is the expected outcome for bad
// input, anything else (a crash, a sanitizer report, another exception) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
