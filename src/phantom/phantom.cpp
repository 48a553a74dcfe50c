#include "phantom/phantom.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "core/check.hpp"
#include "core/fs.hpp"
#include "io/nifti.hpp"

namespace cmems {
namespace {
constexpr double kPi = 3.14159265358979323846;

struct R {
  std::mt19937_64 g;
  double u(double a, double b) { return a + (b - a) * (double(g() >> 11) * (1.0 / 9007199254740992.0)); }
  int64_t i(int64_t a, int64_t b) { return a + int64_t(g() % uint64_t(b - a + 1)); }
  double n() {  // Box-Muller: identical on every platform
    double a = u(1e-12, 1.0), b = u(0.0, 1.0);
    return std::sqrt(-2.0 * std::log(a)) * std::cos(2 * kPi * b);
  }
};

// Separable Gaussian blur of one h×w plane.
void blur(std::vector<double>& p, int64_t w, int64_t h, double sigma) {
  int r = std::max(1, int(std::ceil(3 * sigma)));
  std::vector<double> k(2 * r + 1);
  double s = 0;
  for (int i = -r; i <= r; ++i) s += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  for (auto& x : k) x /= s;
  std::vector<double> t(p.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        double acc = 0;
        for (int i = -r; i <= r; ++i) {
          int64_t xx = pass == 0 ? std::clamp<int64_t>(x + i, 0, w - 1) : x;
          int64_t yy = pass == 1 ? std::clamp<int64_t>(y + i, 0, h - 1) : y;
          acc += k[i + r] * p[xx + w * yy];
        }
        t[x + w * y] = acc;
      }
    p.swap(t);
  }
}

struct Blob {
  double x, y, sx, sy, amp;
};
}  // namespace

PhantomCase make_phantom_case(uint64_t seed, int64_t index) {
  R r{std::mt19937_64(seed * 1000003ULL + uint64_t(index) * 7919ULL + 17ULL)};
  const int64_t nx = r.i(12, 16) * 8, ny = r.i(12, 16) * 8, nz = r.i(8, 14);
  const double sxy = r.u(1.2, 1.8), sz = r.u(6.0, 10.0);
  PhantomCase c;
  c.image.dims = c.label.dims = {nx, ny, nz};
  c.image.data.assign(nx * ny * nz, 0.f);
  c.label.data.assign(nx * ny * nz, 0);
  Geometry g;
  g.spacing = {sxy, sxy, sz};
  g.qform_code = g.sform_code = 1;
  g.qoffset_x = r.u(-150, -50), g.qoffset_y = r.u(-150, -50), g.qoffset_z = r.u(-60, 0);
  g.sform = {{{sxy, 0, 0, g.qoffset_x}, {0, sxy, 0, g.qoffset_y}, {0, 0, sz, g.qoffset_z}, {0, 0, 0, 1}}};
  c.image.geometry = c.label.geometry = g;

  // Case-level anatomy and appearance.
  const double cx = nx * (0.5 + r.u(-0.12, 0.12)), cy = ny * (0.5 + r.u(-0.12, 0.12));
  const double phi = r.u(0, 2 * kPi), scale = r.u(0.8, 1.2) * std::min(nx, ny) / 112.0;
  const double r0 = scale * r.u(10, 14), th0 = scale * r.u(3.5, 5.5), ecc = r.u(0.8, 1.0);
  const double rv_a0 = r0 * r.u(0.7, 1.0), rv_b0 = r0 * r.u(1.4, 1.9);
  const double i_lv = r.u(0.75, 0.9), i_rv = i_lv * r.u(0.85, 1.0), i_myo = r.u(0.25, 0.35);
  const double i_tissue = r.u(0.3, 0.42), gamma = std::exp(r.u(-0.35, 0.35));
  const double noise = r.u(0.02, 0.06), bias_a = r.u(-0.3, 0.3), bias_b = r.u(-0.3, 0.3);
  const double bias_c = r.u(-0.25, 0.1), body_a = nx * r.u(0.4, 0.47), body_b = ny * r.u(0.34, 0.44);
  std::vector<Blob> blobs;
  for (int k = 0; k < 7; ++k)
    blobs.push_back({r.u(0, nx), r.u(0, ny), r.u(6, 20), r.u(6, 20), r.u(-0.12, 0.15)});
  std::vector<Blob> vessels;  // bright distractors away from the heart
  for (int k = 0, n = int(r.i(1, 3)); k < n; ++k) {
    double a = r.u(0, 2 * kPi), d = r0 * r.u(2.6, 3.6);
    vessels.push_back({cx + d * std::cos(a), cy + d * std::sin(a), scale * r.u(3, 6), 0, r.u(0.6, 0.9)});
  }
  const double cp = std::cos(phi), sp = std::sin(phi);

  std::vector<double> plane(nx * ny);
  for (int64_t z = 0; z < nz; ++z) {
    const double t = nz > 1 ? double(z) / double(nz - 1) : 0.0;  // 0 base .. 1 apex
    const double rl = r0 * (1 - 0.7 * std::pow(t, 1.5)), th = th0 * (1 - 0.25 * t);
    const double rv_a = rv_a0 * (1 - 0.9 * t), rv_b = rv_b0 * (1 - 0.6 * t);
    const bool has_rv = t < 0.8;
    const double dz_x = r.u(-1, 1), dz_y = r.u(-1, 1);  // slight through-plane drift
    for (int64_t y = 0; y < ny; ++y)
      for (int64_t x = 0; x < nx; ++x) {
        // Heart frame: u along phi (towards the RV), v across.
        double dx = x + 0.5 - (cx + dz_x), dy = y + 0.5 - (cy + dz_y);
        double u = dx * cp + dy * sp, v = -dx * sp + dy * cp;
        double rho = std::sqrt(u * u + (v * ecc) * (v * ecc));
        uint8_t lab = 0;
        if (rho < rl) lab = 3;
        else if (rho < rl + th) lab = 2;
        else if (has_rv) {
          double du = u - (rl + th * 0.4), rr = (du / rv_a) * (du / rv_a) + (v / rv_b) * (v / rv_b);
          if (rr < 1 && du > -rv_a) lab = 1;
        }
        // Tissue background.
        double val = 0.03;
        double bx = (x - nx / 2.0) / body_a, by = (y - ny / 2.0) / body_b;
        if (bx * bx + by * by < 1) {
          val = i_tissue;
          for (auto& b : blobs)
            val += b.amp * std::exp(-0.5 * (std::pow((x - b.x) / b.sx, 2) + std::pow((y - b.y) / b.sy, 2)));
          for (auto& vs : vessels)
            if (std::hypot(x - vs.x, y - vs.y) < vs.sx) val = vs.amp;
        }
        if (lab == 3) val = i_lv;
        else if (lab == 2) val = i_myo;
        else if (lab == 1) val = i_rv;
        c.label.at(x, y, z) = lab;
        plane[x + nx * y] = val;
      }
    blur(plane, nx, ny, 0.7);  // partial volume
    for (int64_t y = 0; y < ny; ++y)
      for (int64_t x = 0; x < nx; ++x) {
        double xn = (x - nx / 2.0) / nx, yn = (y - ny / 2.0) / ny;
        double bias = 1 + bias_a * xn + bias_b * yn + bias_c * (xn * xn + yn * yn) * 4;
        double s = std::pow(std::max(plane[x + nx * y], 0.0), gamma) * bias;
        double n1 = noise * r.n(), n2 = noise * r.n();
        c.image.at(x, y, z) = static_cast<float>(1000.0 * std::sqrt((s + n1) * (s + n1) + n2 * n2));
      }
  }
  return c;
}

void write_phantom_dataset(const std::string& out, const PhantomOptions& o) {
  CMEMS_CHECK(o.cases >= 1 && o.cases <= 499, "option --cases: ", o.cases, " is out of range [1, 499]");
  CMEMS_CHECK(o.test_cases >= 1 && o.test_cases <= 499, "option --test-cases: ", o.test_cases,
              " is out of range [1, 499]");
  fs::path root(out);
  for (auto d : {"imagesTr", "labelsTr", "imagesTs", "labelsTs"}) fs::create_directories(root / d);
  auto name = [](int64_t i) {
    char b[32];
    std::snprintf(b, sizeof b, "phantom_%03lld", static_cast<long long>(i));
    return std::string(b);
  };
  for (int64_t i = 0; i < o.cases + o.test_cases; ++i) {
    bool train = i < o.cases;
    int64_t id = train ? i : 500 + (i - o.cases);
    PhantomCase c = make_phantom_case(o.seed, id);
    write_nifti((root / (train ? "imagesTr" : "imagesTs") / (name(id) + "_0000.nii.gz")).string(), c.image);
    write_nifti((root / (train ? "labelsTr" : "labelsTs") / (name(id) + ".nii.gz")).string(), c.label);
  }
  nlohmann::json j = {{"name", "cmems phantom"},
                      {"description", "synthetic short-axis cardiac MRI-like volumes (cmems phantom)"},
                      {"channel_names", {{"0", "MRI"}}},
                      {"labels", {{"background", 0}, {"RV", 1}, {"Myo", 2}, {"LV", 3}}},
                      {"numTraining", o.cases},
                      {"file_ending", ".nii.gz"},
                      {"phantom_seed", o.seed}};
  write_file_atomic(root / "dataset.json", j.dump(2) + "\n");
}
}  // namespace cmems
