// Writing 8-bit RGB PNG images through libpng (for looking at synthesis samples,
// predictions and reports). Stage: io.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cmems {

/// `rgb` holds h*w*3 bytes, row-major. The PNG file's bytes (for data URIs).
std::string encode_png_rgb(int64_t w, int64_t h, const std::vector<uint8_t>& rgb);

/// `rgb` holds h*w*3 bytes, row-major. Written atomically; throws Error naming the file.
void write_png_rgb(const std::string& path, int64_t w, int64_t h, const std::vector<uint8_t>& rgb);

/// The overlay colour of label value `label` >= 1 (1 red, 2 green, 3 blue, 4 yellow, ...).
std::array<uint8_t, 3> label_colour(int label);

/// A grey image in [0, 1] (h×w) with labels overlaid in colour (1 red, 2 green, 3 blue,
/// further classes cycling; `ignore` values drawn darkened), as RGB bytes.
std::vector<uint8_t> overlay_rgb(const std::vector<float>& image, const std::vector<uint8_t>& label, int64_t w,
                                 int64_t h, uint8_t ignore = 255);
}  // namespace cmems
