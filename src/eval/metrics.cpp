#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.hpp"

namespace cmems {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Felzenszwalb-Huttenlocher lower envelope of parabolas on a line of n samples spaced `h`
// apart: d[i] = min_j f[j] + (h (i - j))^2.
void edt_1d(const double* f, double* d, int64_t n, double h, std::vector<int64_t>& v, std::vector<double>& z) {
  v.assign(n, 0);
  z.assign(n + 1, 0);
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == kInf) continue;
    if (k < 0) {
      v[0] = q, z[0] = -kInf, z[1] = kInf, k = 0;
      continue;
    }
    double s;
    while (true) {
      int64_t p = v[k];
      s = ((f[q] + h * h * double(q * q)) - (f[p] + h * h * double(p * p))) / (2.0 * h * h * double(q - p));
      if (s <= z[k] && k > 0) --k;
      else break;
    }
    ++k;
    v[k] = q, z[k] = s, z[k + 1] = kInf;
  }
  if (k < 0) {
    std::fill(d, d + n, kInf);
    return;
  }
  int64_t j = 0;
  for (int64_t q = 0; q < n; ++q) {
    while (z[j + 1] < double(q)) ++j;
    double diff = h * double(q - v[j]);
    d[q] = diff * diff + f[v[j]];
  }
}

// Voxels of `m` that have a face neighbour outside `m` (or lie on the image edge along a
// non-singleton axis): X \ erode(X), medpy's surface.
std::vector<uint8_t> surface(const std::vector<uint8_t>& m, const Dims3& d) {
  std::vector<uint8_t> s(m.size(), 0);
  const int64_t stride[3] = {1, d[0], d[0] * d[1]};
  for (int64_t z = 0; z < d[2]; ++z)
    for (int64_t y = 0; y < d[1]; ++y)
      for (int64_t x = 0; x < d[0]; ++x) {
        int64_t i = x + d[0] * (y + d[1] * z);
        if (!m[i]) continue;
        const int64_t c[3] = {x, y, z};
        bool border = false;
        for (int a = 0; a < 3 && !border; ++a) {
          if (d[a] == 1) continue;
          border = c[a] == 0 || c[a] == d[a] - 1 || !m[i - stride[a]] || !m[i + stride[a]];
        }
        s[i] = border;
      }
  return s;
}

double percentile_linear(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q / 100.0 * double(v.size() - 1);
  auto lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}

void check_sizes(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, const Dims3& d) {
  CMEMS_CHECK(a.size() == b.size() && int64_t(a.size()) == d[0] * d[1] * d[2],
              "metrics: prediction and truth sizes differ (", a.size(), " vs ", b.size(), ")");
}
}  // namespace

double dice(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth) {
  CMEMS_CHECK(pred.size() == truth.size(), "dice: sizes differ");
  int64_t inter = 0, a = 0, b = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    bool p = pred[i] != 0, t = truth[i] != 0;
    inter += p && t, a += p, b += t;
  }
  return a + b == 0 ? 0.0 : 2.0 * double(inter) / double(a + b);
}

std::vector<double> distance_to(const std::vector<uint8_t>& mask, const Dims3& d, const Spacing3& sp) {
  std::vector<double> f(mask.size());
  for (size_t i = 0; i < mask.size(); ++i) f[i] = mask[i] ? 0.0 : kInf;
  const int64_t stride[3] = {1, d[0], d[0] * d[1]};
  std::vector<double> line, out;
  std::vector<int64_t> v;
  std::vector<double> z;
  for (int a = 0; a < 3; ++a) {
    const int64_t n = d[a];
    if (n == 1) continue;
    line.resize(n), out.resize(n);
    const int64_t o1 = a == 0 ? 1 : 0, o2 = a == 2 ? 1 : 2;  // the two other axes
    for (int64_t j = 0; j < d[o2]; ++j)
      for (int64_t i = 0; i < d[o1]; ++i) {
        int64_t base = i * stride[o1] + j * stride[o2];
        for (int64_t q = 0; q < n; ++q) line[q] = f[base + q * stride[a]];
        edt_1d(line.data(), out.data(), n, sp[a], v, z);
        for (int64_t q = 0; q < n; ++q) f[base + q * stride[a]] = out[q];
      }
  }
  for (auto& x : f) x = std::sqrt(x);
  return f;
}

double hd95(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth, const Dims3& d,
            const Spacing3& sp) {
  check_sizes(pred, truth, d);
  auto sp_ = surface(pred, d), st = surface(truth, d);
  CMEMS_CHECK(std::any_of(sp_.begin(), sp_.end(), [](uint8_t x) { return x; }) &&
                  std::any_of(st.begin(), st.end(), [](uint8_t x) { return x; }),
              "hd95: the prediction or the truth is empty");
  auto dt_truth = distance_to(st, d, sp), dt_pred = distance_to(sp_, d, sp);
  std::vector<double> all;
  for (size_t i = 0; i < pred.size(); ++i) {
    if (sp_[i]) all.push_back(dt_truth[i]);
    if (st[i]) all.push_back(dt_pred[i]);
  }
  return percentile_linear(std::move(all), 95.0);
}

ClassScore score_class(const std::vector<uint8_t>& pred, const std::vector<uint8_t>& truth, int c,
                       const Dims3& d, const Spacing3& sp) {
  check_sizes(pred, truth, d);
  std::vector<uint8_t> p(pred.size()), t(truth.size());
  bool any_p = false, any_t = false;
  for (size_t i = 0; i < pred.size(); ++i) {
    p[i] = pred[i] == c, t[i] = truth[i] == c;
    any_p |= p[i], any_t |= t[i];
  }
  ClassScore s;
  if (!any_p) return {0.0, 0.0};           // SSL4MIS: empty prediction -> 0, 0
  if (!any_t) return {0.0, std::nullopt};  // undefined HD95
  s.dice = dice(p, t);
  s.hd95 = hd95(p, t, d, sp);
  return s;
}

namespace {
// Labels the face-connected components of the voxels where `in(i)` holds: comp[i] is the
// component's index (0, 1, ...) or -1 outside; returns each component's voxel count.
template <class In>
std::vector<int64_t> label_components(const Dims3& d, In in, std::vector<int32_t>& comp) {
  const int64_t n = d[0] * d[1] * d[2];
  comp.assign(n, -1);
  std::vector<int64_t> sizes, stack;
  for (int64_t s = 0; s < n; ++s) {
    if (!in(s) || comp[s] >= 0) continue;
    const auto id = static_cast<int32_t>(sizes.size());
    sizes.push_back(0);
    stack.assign(1, s);
    comp[s] = id;
    while (!stack.empty()) {
      int64_t i = stack.back();
      stack.pop_back();
      ++sizes[id];
      int64_t x = i % d[0], y = (i / d[0]) % d[1], z = i / (d[0] * d[1]);
      const int64_t nb[6][3] = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z}, {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
      for (auto& q : nb) {
        if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= d[0] || q[1] >= d[1] || q[2] >= d[2]) continue;
        int64_t j = q[0] + d[0] * (q[1] + d[1] * q[2]);
        if (comp[j] < 0 && in(j)) comp[j] = id, stack.push_back(j);
      }
    }
  }
  return sizes;
}

bool foreground(uint8_t v, int num_classes) { return v > 0 && v < num_classes; }
}  // namespace

void keep_large_components(std::vector<uint8_t>& labels, const Dims3& d, int num_classes, double min_fraction) {
  CMEMS_CHECK(min_fraction > 0 && min_fraction <= 1, "keep_large_components: min_fraction ", min_fraction,
              " is outside (0, 1]");
  const int64_t n = d[0] * d[1] * d[2];
  CMEMS_CHECK(int64_t(labels.size()) == n, "keep_large_components: size mismatch");
  std::vector<int32_t> comp;
  for (int c = 1; c < num_classes; ++c) {
    const auto sizes = label_components(d, [&](int64_t i) { return labels[i] == c; }, comp);
    if (sizes.size() <= 1) continue;
    const auto largest = std::max_element(sizes.begin(), sizes.end()) - sizes.begin();
    std::vector<uint8_t> keep(sizes.size());
    for (size_t k = 0; k < sizes.size(); ++k)
      keep[k] = int64_t(k) == largest || (min_fraction < 1 && double(sizes[k]) >= min_fraction * double(sizes[largest]));
    for (int64_t i = 0; i < n; ++i)
      if (labels[i] == c && !keep[comp[i]]) labels[i] = 0;
  }
}

void keep_assembly(std::vector<uint8_t>& labels, const Dims3& d, int num_classes) {
  const int64_t n = d[0] * d[1] * d[2];
  CMEMS_CHECK(int64_t(labels.size()) == n, "keep_assembly: size mismatch");
  std::vector<int32_t> comp;
  const auto sizes = label_components(d, [&](int64_t i) { return foreground(labels[i], num_classes); }, comp);
  if (sizes.size() <= 1) return;
  // voxels of each class in each component; a component's weakest class is its smallest one
  std::vector<int64_t> count(sizes.size() * size_t(num_classes), 0);
  for (int64_t i = 0; i < n; ++i)
    if (comp[i] >= 0) ++count[size_t(comp[i]) * size_t(num_classes) + labels[i]];
  auto weakest = [&](size_t k) { return *std::min_element(&count[k * num_classes + 1], &count[(k + 1) * num_classes]); };
  size_t best = 0;
  for (size_t k = 1; k < sizes.size(); ++k)
    if (std::make_pair(weakest(k), sizes[k]) > std::make_pair(weakest(best), sizes[best])) best = k;
  for (int64_t i = 0; i < n; ++i)
    if (comp[i] >= 0 && size_t(comp[i]) != best) labels[i] = 0;
}

bool is_one_assembly(const std::vector<uint8_t>& labels, const Dims3& d, int num_classes) {
  CMEMS_CHECK(int64_t(labels.size()) == d[0] * d[1] * d[2], "is_one_assembly: size mismatch");
  std::vector<uint8_t> present(size_t(std::max(num_classes, 1)), 0);
  for (uint8_t v : labels)
    if (foreground(v, num_classes)) present[v] = 1;
  if (std::count(present.begin(), present.end(), 1) < 2) return false;
  std::vector<int32_t> comp;
  return label_components(d, [&](int64_t i) { return foreground(labels[i], num_classes); }, comp).size() == 1;
}

void keep_largest_components(std::vector<uint8_t>& labels, const Dims3& d, int num_classes) {
  keep_large_components(labels, d, num_classes, 1.0);
}

void open_largest_components(std::vector<uint8_t>& labels, const Dims3& d, const Spacing3& sp, int num_classes,
                             double alpha) {
  CMEMS_CHECK(alpha >= 0 && alpha < 1, "open_largest_components: alpha ", alpha, " is outside [0, 1)");
  if (alpha == 0) return;
  const int64_t n = d[0] * d[1] * d[2];
  CMEMS_CHECK(int64_t(labels.size()) == n, "open_largest_components: size mismatch");
  std::vector<uint8_t> outside(n), core(n);
  for (int c = 1; c < num_classes; ++c) {
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) outside[i] = labels[i] != c, count += labels[i] == c;
    if (count == 0 || count == n) continue;
    const std::vector<double> depth = distance_to(outside, d, sp);
    double deepest = 0;
    for (int64_t i = 0; i < n; ++i)
      if (!outside[i]) deepest = std::max(deepest, depth[i]);
    const double r = alpha * deepest;
    // Only where r spans two voxels along every axis: below that an opening shaves the outline
    // (thin walls such as a myocardium) or, across thick planes, cuts the structure's tapering
    // ends, which lie a whole plane from its core.
    if (r < 2 * *std::max_element(sp.begin(), sp.end())) continue;
    for (int64_t i = 0; i < n; ++i) core[i] = !outside[i] && depth[i] > r;  // the deepest voxel is always in
    keep_largest_components(core, d, 2);
    const std::vector<double> near = distance_to(core, d, sp);
    for (int64_t i = 0; i < n; ++i)
      if (!outside[i] && near[i] > r) labels[i] = 0;
  }
}
}  // namespace cmems
