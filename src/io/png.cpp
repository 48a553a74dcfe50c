#include "io/png.hpp"

#include <png.h>

#include <algorithm>

#include "core/check.hpp"
#include "core/fs.hpp"

namespace cmems {

std::string encode_png_rgb(int64_t w, int64_t h, const std::vector<uint8_t>& rgb) {
  CMEMS_CHECK(w > 0 && h > 0 && int64_t(rgb.size()) == w * h * 3, "PNG: bad image size ", w, "x", h);
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  bool ok = png && info;
  if (ok && setjmp(png_jmpbuf(png))) {
    ok = false;
  } else if (ok) {
    auto append = [](png_structp p, png_bytep data, png_size_t n) {
      static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
    };
    png_set_write_fn(png, &out, append, nullptr);
    png_set_IHDR(png, info, png_uint_32(w), png_uint_32(h), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int64_t y = 0; y < h; ++y) png_write_row(png, const_cast<png_bytep>(rgb.data() + y * w * 3));
    png_write_end(png, nullptr);
  }
  png_destroy_write_struct(&png, &info);
  CMEMS_CHECK(ok, "PNG encoding failed");
  return out;
}

void write_png_rgb(const std::string& path, int64_t w, int64_t h, const std::vector<uint8_t>& rgb) {
  CMEMS_CHECK(w > 0 && h > 0 && int64_t(rgb.size()) == w * h * 3, path, ": bad image size for PNG");
  write_file_atomic(path, encode_png_rgb(w, h, rgb));
}

std::array<uint8_t, 3> label_colour(int label) {
  static const std::array<uint8_t, 3> colours[6] = {{230, 40, 40},  {40, 200, 60},  {50, 90, 240},
                                                    {240, 200, 30}, {200, 60, 220}, {40, 210, 220}};
  return colours[(label - 1) % 6];
}

std::vector<uint8_t> overlay_rgb(const std::vector<float>& image, const std::vector<uint8_t>& label, int64_t w,
                                 int64_t h, uint8_t ignore) {
  std::vector<uint8_t> out(size_t(w * h * 3));
  for (int64_t i = 0; i < w * h; ++i) {
    float g = std::clamp(image[i], 0.f, 1.f) * 255.f;
    for (int c = 0; c < 3; ++c) {
      float v = g;
      if (label[i] == ignore) v = g * 0.5f;
      else if (label[i] > 0) v = 0.5f * g + 0.5f * label_colour(label[i])[c];
      out[i * 3 + c] = uint8_t(v);
    }
  }
  return out;
}
}  // namespace cmems
