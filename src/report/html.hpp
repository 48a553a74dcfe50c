// Building blocks of a self-contained HTML report (torch-free): escaping, base64 PNG data
// URIs, and line charts as inline SVG with axes, ticks, labels and a legend. Nothing refers
// to the network or to another file, so a report opens offline. Stage: report.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cmems {

std::string html_escape(const std::string& s);
std::string base64(const std::string& bytes);
/// An <img> of an RGB image (h*w*3 bytes) as a PNG data URI; `css_width` in pixels (0 = natural).
std::string img_tag(int64_t w, int64_t h, const std::vector<uint8_t>& rgb, const std::string& alt,
                    int css_width = 0);

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y); non-finite y are skipped
};

/// "Nice" axis ticks covering [lo, hi] (1, 2 or 5 times a power of ten), about `n` of them.
std::vector<double> nice_ticks(double lo, double hi, int n = 5);

/// A line chart: one <polyline> per series (class "series", data-points = its point count),
/// x and y axes with ticks and labels, a title and a legend.
std::string svg_line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, int width = 560, int height = 300);
}  // namespace cmems
