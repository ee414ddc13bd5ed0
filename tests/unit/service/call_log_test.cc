#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/server/access_record.h"

namespace sello::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const domain::Principal kCertifier{
    .token_id = "tok-1", .organisation_id = "cert-austral", .role = v1::CERTIFIER};

CallRecord Call(const domain::Principal* caller) {
  return {.method = "/sello.v1.SealService/VerifySeal",
          .caller = caller,
          .peer = "ipv4:127.0.0.1:5000",
          .duration = absl::Microseconds(1500)};
}

TEST(CallLogTest, LevelsChooseWhichCallsGetALine) {
  struct Case {
    CallLogLevel level;
    bool anonymous_ok, principal_ok, refused, server_error;
  };
  for (const Case& c : {Case{CallLogLevel::kNone, false, false, false, true},
                        Case{CallLogLevel::kErrors, false, false, true, true},
                        Case{CallLogLevel::kPrincipals, false, true, true, true},
                        Case{CallLogLevel::kAll, true, true, true, true}}) {
    const AccessRecorder log(c.level);
    EXPECT_EQ(log.Format(Call(nullptr), absl::OkStatus()).has_value(), c.anonymous_ok);
    EXPECT_EQ(log.Format(Call(&kCertifier), absl::OkStatus()).has_value(), c.principal_ok);
    EXPECT_EQ(log.Format(Call(nullptr), absl::PermissionDeniedError("no")).has_value(), c.refused);
    EXPECT_EQ(log.Format(Call(nullptr), absl::InternalError("disk")).has_value(), c.server_error);
  }
}

TEST(CallLogTest, ALineNamesWhoWhatHowAndHowLong) {
  const AccessRecorder log(CallLogLevel::kAll);
  EXPECT_EQ(*log.Format(Call(&kCertifier), absl::OkStatus()),
            ",\"method\":\"/sello.v1.SealService/VerifySeal\",\"code\":\"OK\","
            "\"duration_ms\":1.500,\"peer\":\"ipv4:127.0.0.1:5000\","
            "\"organisation\":\"cert-austral\",\"role\":\"CERTIFIER\",\"token\":\"tok-1\"");
  const std::string refused =
      *log.Format(Call(nullptr), absl::NotFoundError("seal \"X\n\" unknown"));
  EXPECT_THAT(refused, HasSubstr("\"code\":\"NOT_FOUND\""));
  EXPECT_THAT(refused, HasSubstr("\"message\":\"seal \\\"X\\n\\\" unknown\""));
  EXPECT_THAT(refused, Not(HasSubstr("organisation")));
}

TEST(CallLogTest, ParsesTheFlagsValues) {
  EXPECT_EQ(*ParseCallLogLevel("principals"), CallLogLevel::kPrincipals);
  EXPECT_EQ(*ParseCallLogLevel("none"), CallLogLevel::kNone);
  EXPECT_THAT(std::string(ParseCallLogLevel("verbose").status().message()),
              HasSubstr("not one of none, errors, principals, all"));
}

}  // namespace
}  // namespace sello::service
