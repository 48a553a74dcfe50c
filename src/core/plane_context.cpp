#include "core/plane_context.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace cmems {

std::vector<int64_t> PlaneContext::offsets() const {
  std::vector<int64_t> o;
  for (int64_t k = -planes; k <= planes; ++k) o.push_back(k * stride);
  return o;
}

std::pair<std::string, int64_t> plane_of(const std::string& id) {
  size_t b = id.size();
  while (b > 0 && std::isdigit(static_cast<unsigned char>(id[b - 1]))) --b;
  if (b == id.size() || id.size() - b > 9) return {id, 0};  // no plane number (or not one that fits)
  return {id.substr(0, b), std::stoll(id.substr(b))};
}

std::vector<std::vector<size_t>> context_indices(const std::vector<std::string>& ids, const PlaneContext& ctx) {
  std::map<std::string, std::vector<std::pair<int64_t, size_t>>> volumes;  // volume -> (plane, index), sorted
  std::vector<std::pair<std::string, int64_t>> where(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    where[i] = plane_of(ids[i]);
    volumes[where[i].first].push_back({where[i].second, i});
  }
  for (auto& [name, planes] : volumes) std::sort(planes.begin(), planes.end());
  const auto offsets = ctx.offsets();
  std::vector<std::vector<size_t>> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& planes = volumes[where[i].first];
    const int64_t z = where[i].second;
    for (int64_t off : offsets) {
      const int64_t want = z + off;
      auto hi = std::lower_bound(planes.begin(), planes.end(), std::make_pair(want, size_t(0)));
      if (hi != planes.end() && hi->first == want) {
        out[i].push_back(hi->second);
        continue;
      }
      // the nearest existing plane; on a tie, the one on the slice's side of `want`
      auto pick = hi;
      if (hi == planes.end()) {
        pick = hi - 1;
      } else if (hi != planes.begin()) {
        const auto lo = hi - 1;
        const int64_t dl = want - lo->first, dh = hi->first - want;
        pick = dl < dh || (dl == dh && off > 0) ? lo : hi;
      }
      out[i].push_back(pick->second);
    }
  }
  return out;
}

std::vector<int64_t> context_planes(int64_t z, int64_t depth, const PlaneContext& ctx) {
  std::vector<int64_t> out;
  for (int64_t off : ctx.offsets()) out.push_back(std::clamp<int64_t>(z + off, 0, depth - 1));
  return out;
}
}  // namespace cmems
