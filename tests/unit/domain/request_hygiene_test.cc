// The cleaning every request gets before its handler (domain/request_hygiene.h), table by
// table: unknown fields discarded at every depth, undefined enum values refused, dates
// bounded per field, and text refused where it would show something other than it holds.
#include "daemon/domain/request_hygiene.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

const absl::Time kNow = Utc(2026, 12, 7);

// `wire` appended to `message`'s serialisation as a field the schema does not have.
template <typename Message>
Message WithUnknownField(const Message& message, int field_number, const std::string& bytes) {
  std::string wire = message.SerializeAsString();
  wire.push_back(static_cast<char>((field_number << 3) | 2));  // length-delimited
  wire.push_back(static_cast<char>(bytes.size()));
  wire += bytes;
  Message parsed;
  EXPECT_TRUE(parsed.ParseFromString(wire));
  return parsed;
}

TEST(CleanRequestTest, DiscardsUnknownFieldsAtEveryDepth) {
  // The issue's lot: 100 hidden bytes (127 max in this one-byte length) in the lot, and
  // more in the request around it.
  v1::CreateLotRequest request;
  request.mutable_lot()->set_site_id("calbuco");
  request.mutable_lot()->set_product_form("fresh whole");
  v1::Lot hidden = WithUnknownField(request.lot(), 15, std::string(100, 'x'));
  ASSERT_FALSE(hidden.GetReflection()->GetUnknownFields(hidden).empty());
  *request.mutable_lot() = hidden;
  request = WithUnknownField(request, 9, "more");
  ASSERT_GT(request.ByteSizeLong(), 100u);

  ASSERT_TRUE(CleanRequest(request, kNow).ok());
  EXPECT_TRUE(request.GetReflection()->GetUnknownFields(request).empty());
  EXPECT_TRUE(request.lot().GetReflection()->GetUnknownFields(request.lot()).empty());
  EXPECT_EQ(request.lot().site_id(), "calbuco");
  EXPECT_LT(request.ByteSizeLong(), 40u);
}

TEST(CleanRequestTest, RefusesEnumValuesTheSchemaDoesNotDefine) {
  v1::ListAppealsRequest appeals;
  appeals.set_status(static_cast<v1::Appeal::Status>(77));
  const absl::Status status = CleanRequest(appeals, kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("status: 77 is not a value of"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("FILED"));
  appeals.set_status(v1::Appeal::FILED);
  EXPECT_TRUE(CleanRequest(appeals, kNow).ok());
  // Inside a repeated message, named with its index.
  v1::SubmitInspectionRequest submit;
  submit.mutable_inspection()->set_claimed_grade(v1::PREMIUM);
  submit.mutable_inspection()->add_results()->set_criterion_id("H1");
  submit.mutable_inspection()->set_outcome(static_cast<v1::Inspection::Outcome>(-3));
  EXPECT_THAT(std::string(CleanRequest(submit, kNow).message()),
              HasSubstr("inspection.outcome: -3 is not a value of sello.v1.Inspection.Outcome"));
}

TEST(CleanRequestTest, DatesWithinTheirFieldsBounds) {
  struct Case {
    std::string name;
    absl::Time harvest;
    std::string error;  // "" when accepted
  };
  const std::vector<Case> cases = {
      {"last week", kNow - absl::Hours(24 * 7), ""},
      {"1970", Utc(1970, 1, 2), ""},
      {"year 1 (the issue's)", Utc(1, 1, 1), "lot.harvest_date: 0001-01-01 is before 1970-01-01"},
      {"1969", Utc(1969, 12, 31), "lot.harvest_date: 1969-12-31 is before 1970-01-01"},
      {"two days ahead", kNow + absl::Hours(48), "lot.harvest_date: 2026-12-09 is after"},
      {"year 9999", Utc(9999, 1, 1), "is after 2026-12-08"},
  };
  for (const Case& c : cases) {
    v1::CreateLotRequest request;
    *request.mutable_lot()->mutable_harvest_date() = ToProto(c.harvest);
    const absl::Status status = CleanRequest(request, kNow);
    if (c.error.empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.error)) << c.name;
    }
  }
  // Other dates (validity periods, expiries) may lie a century ahead, no more.
  EXPECT_EQ(DateBoundsOf("expire_time", kNow).latest, Utc(2126, 12, 7));
  EXPECT_EQ(DateBoundsOf("inspection_date", kNow).latest, kNow + absl::Hours(24));
  v1::IssueSealsRequest seals;
  *seals.mutable_expire_time() = ToProto(Utc(2099, 12, 31));
  EXPECT_TRUE(CleanRequest(seals, kNow).ok());
  *seals.mutable_expire_time() = ToProto(Utc(2200, 1, 1));
  EXPECT_THAT(std::string(CleanRequest(seals, kNow).message()), HasSubstr("expire_time: 2200"));
  // Out-of-range nanos are not a time.
  seals.mutable_expire_time()->set_nanos(-1);
  EXPECT_THAT(std::string(CleanRequest(seals, kNow).message()), HasSubstr("nanos -1"));
}

TEST(CheckTextTest, RefusesWhatDisplaysAsSomethingElse) {
  struct Case {
    std::string name;
    std::string text;
    bool multi_line;
    std::string error;  // "" when accepted
  };
  const std::vector<Case> cases = {
      {"plain", "Salmones Calbuco S.A.", false, ""},
      {"accents and other scripts", "Pesquera Aysén — 鮭 — Лосось", false, ""},
      {"emoji (not a format character)", "🐟", false, ""},
      // The issue's: "Salmones \u202Eocubla" displays as "Salmones calbuco".
      {"right-to-left override", "Salmones \u202Eocubla", false,
       "U+202E (RIGHT-TO-LEFT OVERRIDE), a Unicode format character"},
      {"right-to-left isolate", "a\u2067b", false, "U+2067"},
      {"left-to-right mark", "a\u200Eb", false, "U+200E"},
      {"zero-width space", "Calbu\u200Bco", false, "U+200B (ZERO WIDTH SPACE)"},
      {"zero-width joiner", "a\u200Db", false, "U+200D"},
      {"byte order mark", "\uFEFFname", false, "U+FEFF"},
      {"soft hyphen", "Cal\u00ADbuco", false, "U+00AD"},
      {"a tag character", "a\U000E0041", false, "U+E0041"},
      {"newline in a name", "Salmones\nCalbuco", false, "control character U+000A"},
      {"newline in a note", "line 1\nline 2\ttabbed\r\n", true, ""},
      {"NUL", std::string("a\0b", 3), true, "U+0000"},
      {"escape", "a\x1b[31mred", true, "U+001B"},
      {"DEL", "a\x7f", false, "U+007F"},
      {"C1 control", "a\u0085b", true, "U+0085"},
      {"line separator", "a\u2028b", true, "U+2028"},
      {"invalid UTF-8", "caf\xe9", false, "is not valid UTF-8 (at byte 3)"},
      {"truncated UTF-8", "\xe2\x80", false, "is not valid UTF-8"},
      {"overlong UTF-8", "\xc0\xaf", false, "is not valid UTF-8"},
      {"a surrogate in UTF-8", "\xed\xa0\x80", false, "is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CheckText(c.text, c.multi_line, "organisation.name");
    if (c.error.empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_THAT(std::string(status.message()), HasSubstr(c.error)) << c.name;
      EXPECT_THAT(std::string(status.message()), HasSubstr("organisation.name: ")) << c.name;
    }
  }
}

TEST(CleanRequestTest, ChecksEveryStringFieldNamedByItsPath) {
  v1::SubmitInspectionRequest request;
  v1::Inspection& inspection = *request.mutable_inspection();
  inspection.set_inspector("Jorge Ruiz");
  inspection.add_results()->set_note("probe 3\nsecond probe");
  inspection.add_results()->set_criterion_id("P\u202E1");
  const absl::Status status = CleanRequest(request, kNow);
  EXPECT_THAT(std::string(status.message()), HasSubstr("inspection.results[1].criterion_id: "));
  inspection.mutable_results(1)->set_criterion_id("P1");
  EXPECT_TRUE(CleanRequest(request, kNow).ok());
  // Any string of any request: a filter too.
  v1::ListInspectionsRequest list;
  list.set_site_id("calbuco");
  list.set_standard_id("CS\u200BCS");
  EXPECT_THAT(std::string(CleanRequest(list, kNow).message()), HasSubstr("standard_id: "));
  // Seal codes are left to their own rule: a bad one is MALFORMED on its own.
  v1::VerifySealRequest verify;
  verify.add_codes("CSCS-7KQ2-M9XD-3WPA-B");
  verify.add_codes("CSCS\u200B-7KQ2");
  EXPECT_TRUE(CleanRequest(verify, kNow).ok());
}

TEST(MultiLineTextTest, NotesReasonsAndDescriptionsOnly) {
  for (const char* field : {"note", "grounds", "description", "reason", "correction_reason",
                            "withdraw_reason", "repeal_reason"}) {
    EXPECT_TRUE(IsMultiLineText(field)) << field;
  }
  for (const char* field : {"name", "title", "inspector", "product_form", "region", "site_name"}) {
    EXPECT_FALSE(IsMultiLineText(field)) << field;
  }
}

}  // namespace
}  // namespace sello::domain
