#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "io/png.hpp"

namespace cmems {

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string base64(const std::string& bytes) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
    o += t[v >> 18], o += t[(v >> 12) & 63], o += t[(v >> 6) & 63], o += t[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    o += t[v >> 18], o += t[(v >> 12) & 63], o += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8;
    o += t[v >> 18], o += t[(v >> 12) & 63], o += t[(v >> 6) & 63], o += '=';
  }
  return o;
}

std::string img_tag(int64_t w, int64_t h, const std::vector<uint8_t>& rgb, const std::string& alt, int css_width) {
  std::ostringstream o;
  o << "<img alt=\"" << html_escape(alt) << "\" width=\"" << (css_width > 0 ? css_width : w) << "\" src=\"data:image/png;base64,"
    << base64(encode_png_rgb(w, h, rgb)) << "\">";
  return o.str();
}

std::vector<double> nice_ticks(double lo, double hi, int n) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / std::max(1, n);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = p;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  std::vector<double> t;
  for (auto k = int64_t(std::ceil(lo / step - 1e-9)); double(k) * step <= hi + step * 1e-9; ++k) t.push_back(double(k) * step);
  return t;
}

namespace {
std::string fmt(double v) {
  char b[32];
  if (v != 0 && (std::abs(v) < 1e-3 || std::abs(v) >= 1e5)) std::snprintf(b, sizeof b, "%.1e", v);
  else std::snprintf(b, sizeof b, "%g", v);
  return b;
}
const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
}  // namespace

std::string svg_line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, int width, int height) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (auto& s : series)
    for (auto [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y)) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (y0 > 0 && y0 < 0.5 * y1) y0 = 0;  // start at zero unless that squashes the curve
  const auto xt = nice_ticks(x0, x1), yt = nice_ticks(y0, y1);
  x0 = std::min(x0, xt.front()), x1 = std::max(x1, xt.back()), y0 = std::min(y0, yt.front()), y1 = std::max(y1, yt.back());
  const int left = 60, right = 15, top = 28, bottom = 42 + 16 * int((series.size() + 2) / 3);
  const double pw = width - left - right, ph = height - top - bottom;
  auto X = [&](double x) { return left + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * pw; };
  auto Y = [&](double y) { return top + ph - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * ph; };
  std::ostringstream o;
  o.precision(5);
  o << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"11\">"
    << "<title>" << html_escape(title) << "</title>"
    << "<text x=\"" << width / 2 << "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
    << html_escape(title) << "</text>";
  for (double t : yt)
    o << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(t) << "\" y2=\"" << Y(t)
      << "\" stroke=\"#e4e4e4\"/><text x=\"" << left - 5 << "\" y=\"" << Y(t) + 4 << "\" text-anchor=\"end\">" << fmt(t)
      << "</text>";
  for (double t : xt)
    o << "<line x1=\"" << X(t) << "\" x2=\"" << X(t) << "\" y1=\"" << top + ph << "\" y2=\"" << top + ph + 4
      << "\" stroke=\"#333\"/><text x=\"" << X(t) << "\" y=\"" << top + ph + 16 << "\" text-anchor=\"middle\">" << fmt(t)
      << "</text>";
  o << "<line class=\"axis\" x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << top + ph << "\" y2=\"" << top + ph
    << "\" stroke=\"#333\"/><line class=\"axis\" x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\""
    << top + ph << "\" stroke=\"#333\"/>"
    << "<text x=\"" << left + pw / 2 << "\" y=\"" << top + ph + 32 << "\" text-anchor=\"middle\">" << html_escape(x_label)
    << "</text><text transform=\"translate(14," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
    << html_escape(y_label) << "</text>";
  for (size_t k = 0; k < series.size(); ++k) {
    const char* colour = kColours[k % 8];
    int n = 0;
    std::ostringstream pts;
    pts.precision(5);
    for (auto [x, y] : series[k].points)
      if (std::isfinite(x) && std::isfinite(y)) pts << (n++ ? " " : "") << X(x) << "," << Y(y);
    o << "<polyline class=\"series\" data-name=\"" << html_escape(series[k].name) << "\" data-points=\"" << n
      << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\"" << pts.str() << "\"/>";
    const double lx = left + double(k % 3) * pw / 3, ly = top + ph + 48 + 16 * double(k / 3);
    o << "<line x1=\"" << lx << "\" x2=\"" << lx + 18 << "\" y1=\"" << ly - 4 << "\" y2=\"" << ly - 4 << "\" stroke=\""
      << colour << "\" stroke-width=\"2\"/><text x=\"" << lx + 22 << "\" y=\"" << ly << "\">"
      << html_escape(series[k].name) << "</text>";
  }
  o << "</svg>";
  return o.str();
}
}  // namespace cmems
