#include "report/html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>

namespace cmems {

TEST(Html, Base64MatchesRfc4648) {  // RFC 4648 section 10 test vectors
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(Html, EscapesMarkup) {
  EXPECT_EQ(html_escape("<a href=\"x\">R&D's</a>"), "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;");
}

TEST(Html, ImagesArePngDataUris) {
  std::vector<uint8_t> rgb(4 * 3 * 3, 200);
  auto tag = img_tag(4, 3, rgb, "a <test>", 120);
  EXPECT_EQ(tag.rfind("<img alt=\"a &lt;test&gt;\" width=\"120\" src=\"data:image/png;base64,iVBORw0KGgo", 0), 0u)
      << tag.substr(0, 100);
  EXPECT_EQ(tag.find("http"), std::string::npos);
}

TEST(Html, NiceTicksCoverTheRangeInRoundSteps) {
  auto u = nice_ticks(0, 1);
  ASSERT_EQ(u.size(), 6u);
  for (size_t i = 0; i < u.size(); ++i) EXPECT_NEAR(u[i], 0.2 * double(i), 1e-12);
  auto t = nice_ticks(3, 997);
  EXPECT_EQ(t.front(), 200);
  EXPECT_EQ(t.back(), 800);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_FALSE(nice_ticks(5, 5).empty());  // a flat range still gets an axis
}

TEST(Html, LineChartDrawsEverySeriesWithAxesAndLegend) {
  Series a{"loss", {{10, 0.9}, {20, 0.5}, {30, NAN}, {40, 0.2}}}, b{"loss_sup", {{10, 0.4}, {40, 0.1}}};
  auto svg = svg_line_chart("Loss <all>", "iteration", "loss", {a, b});
  EXPECT_NE(svg.find("<title>Loss &lt;all&gt;</title>"), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"loss\" data-points=\"3\""), std::string::npos);  // the NaN is skipped
  EXPECT_NE(svg.find("data-name=\"loss_sup\" data-points=\"2\""), std::string::npos);
  EXPECT_NE(svg.find(">iteration</text>"), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n'), 0);
  // Every plotted coordinate lies inside the drawing.
  std::string pts = svg.substr(svg.find(" points=\"") + 9);
  pts = pts.substr(0, pts.find('"'));
  std::regex pair("([0-9.]+),([0-9.]+)");
  int n = 0;
  for (std::sregex_iterator it(pts.begin(), pts.end(), pair), end; it != end; ++it, ++n) {
    double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 560);
    EXPECT_GE(y, 0);
    EXPECT_LE(y, 300);
  }
  EXPECT_EQ(n, 3);
}
}  // namespace cmems
