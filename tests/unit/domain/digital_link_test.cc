// GS1 Digital Link paths for seals: the GTIN check digit, per-segment percent-decoding,
// the order and the lengths of the AIs, and the URI a label prints.
#include "daemon/domain/digital_link.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

TEST(Gtin, CheckDigitsOfEveryLength) {
  for (const char* gtin : {"09506000134352", "4006381333931", "036000291452", "96385074"}) {
    EXPECT_TRUE(CheckGtin(gtin).ok()) << gtin;
  }
  const absl::Status wrong = CheckGtin("09506000134353");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.message(), HasSubstr("expected 2"));
  EXPECT_THAT(CheckGtin("0950600013435").message(), HasSubstr("check digit"));
  EXPECT_THAT(CheckGtin("123").message(), HasSubstr("8, 12, 13 or 14 digits"));
  EXPECT_THAT(CheckGtin("0950600013435A").message(), HasSubstr("digits only"));
}

TEST(DigitalLinkPath, ReadsGtinLotAndSerial) {
  absl::StatusOr<DigitalLink> link =
      ParseDigitalLinkPath("/01/09506000134352/10/L%2F24-07/21/CSCS7KQ2M9XD3WPAB");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->gtin, "09506000134352");
  EXPECT_EQ(link->lot, "L/24-07");  // an encoded '/' stays inside its segment
  EXPECT_EQ(link->serial, "CSCS7KQ2M9XD3WPAB");

  link = ParseDigitalLinkPath("/prefix/01/4006381333931/21/ABC/");
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(link->gtin, "04006381333931");
  EXPECT_EQ(link->lot, "");
  EXPECT_EQ(link->serial, "ABC");
}

TEST(DigitalLinkPath, RefusesWhatTheStandardDoesNotAllow) {
  const struct {
    const char* path;
    const char* message;
  } kCases[] = {
      {"/seal/X", "no GTIN"},
      {"/01/09506000134352", "no serial"},
      {"/01/09506000134352/21", "without its value"},
      {"/01/09506000134353/21/X", "check digit"},
      {"/01/09506000134352/21/X/10/L", "out of order"},
      {"/01/09506000134352/17/250101/21/X", "'17'"},
      {"/01/09506000134352/21/%4", "two hexadecimal digits"},
      {"/01/09506000134352/21/%E2%82%AC", "character set 82"},
      {"/01/09506000134352/21/ABCDEFGHIJKLMNOPQRSTU", "longer than 20"},
      {"/01/09506000134352/10//21/X", "lot (AI 10): empty"},
  };
  for (const auto& c : kCases) {
    const absl::StatusOr<DigitalLink> link = ParseDigitalLinkPath(c.path);
    ASSERT_FALSE(link.ok()) << c.path;
    EXPECT_EQ(link.status().code(), absl::StatusCode::kInvalidArgument) << c.path;
    EXPECT_THAT(link.status().message(), HasSubstr(c.message)) << c.path;
  }
}

TEST(DigitalLinkUri, RoundTripsThroughTheParser) {
  absl::StatusOr<std::string> uri = SealDigitalLink("https://sello.example/", "4006381333931",
                                                    "L24/7(A)", "cscs-7kq2-m9xd-3wpa-b");
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(*uri, "https://sello.example/01/04006381333931/10/L24%2F7%28A%29/21/CSCS7KQ2M9XD3WPAB");
  absl::StatusOr<DigitalLink> back =
      ParseDigitalLinkPath(uri->substr(std::string("https://sello.example").size()));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->lot, "L24/7(A)");
  EXPECT_EQ(back->serial, "CSCS7KQ2M9XD3WPAB");
}

TEST(DigitalLinkUri, CodesTooLongForAi21HaveNoDigitalLink) {
  EXPECT_THAT(SealCodeAsSerial("TOMATO-PROC-7KQ2-M9XD-3WPA-B").status().message(),
              HasSubstr("longer than 20"));
  EXPECT_FALSE(
      SealDigitalLink("https://x", "4006381333931", "", "TOMATO-PROC-7KQ2-M9XD-3WPA-B").ok());
  EXPECT_FALSE(SealDigitalLink("https://x", "4006381333932", "", "CSCS-7KQ2-M9XD-3WPA-B").ok());
}

}  // namespace
}  // namespace sello::domain
