#include "daemon/domain/organisation_rules.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using v1::Organisation;

const absl::Time kJan2024 = absl::FromUnixSeconds(1'704'067'200);  // 2024-01-01T00:00:00Z
const absl::Time kJul2024 = absl::FromUnixSeconds(1'719'792'000);  // 2024-07-01T00:00:00Z
const absl::Time kJan2025 = absl::FromUnixSeconds(1'735'689'600);  // 2025-01-01T00:00:00Z
const absl::Time kJan2026 = absl::FromUnixSeconds(1'767'225'600);  // 2026-01-01T00:00:00Z
const absl::Duration kNs = absl::Nanoseconds(1);

// --- ValidateId ---

struct IdCase {
  std::string id;
  bool valid;
};

TEST(ValidateIdTest, Shape) {
  const std::vector<IdCase> cases = {
      {"ab", true},
      {"acme", true},
      {"acme-salmon", true},
      {"1acme", true},
      {"a1", true},
      {"a-", true},
      {std::string(40, 'a'), true},
      {std::string(41, 'a'), false},
      {"a", false},
      {"", false},
      {"-acme", false},
      {"Acme", false},
      {"acMe", false},
      {"ac_me", false},
      {"ac me", false},
      {"ac.me", false},
      {"acm\xc3\xa9", false},
  };
  for (const IdCase& test : cases) {
    SCOPED_TRACE(test.id);
    const absl::Status status = ValidateId("organisation_id", test.id);
    if (test.valid) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(absl::StartsWith(status.message(), "organisation_id: ")) << status;
    }
  }
}

TEST(ValidateIdTest, Messages) {
  EXPECT_EQ(ValidateId("site_id", "").message(), "site_id: required");
  EXPECT_EQ(ValidateId("site_id", "a").message(),
            "site_id: \"a\" must be 2 to 40 characters long (got 1)");
  EXPECT_EQ(ValidateId("site_id", "-ab").message(), "site_id: \"-ab\" must start with a-z or 0-9");
  EXPECT_EQ(ValidateId("site_id", "ab_c").message(),
            "site_id: \"ab_c\" may contain only a-z, 0-9 and '-' (found '_')");
}

// --- ValidateNewOrganisation ---

Organisation NewOrganisation(Organisation::Kind kind) {
  Organisation organisation;
  organisation.set_kind(kind);
  organisation.set_name("Salmones del Sur S.A.");
  organisation.set_country("CL");
  return organisation;
}

void AddPeriod(Organisation& firm, absl::Time since, std::optional<absl::Time> until) {
  v1::MembershipPeriod* period = firm.add_membership();
  if (since != absl::UnixEpoch()) *period->mutable_since() = ToProto(since);
  if (until) *period->mutable_until() = ToProto(*until);
}

TEST(ValidateNewOrganisationTest, EveryKindIsAccepted) {
  for (const auto kind : {Organisation::ASSOCIATION, Organisation::CERTIFIER, Organisation::FIRM,
                          Organisation::REGULATOR}) {
    EXPECT_TRUE(ValidateNewOrganisation(NewOrganisation(kind)).ok())
        << Organisation::Kind_Name(kind);
  }
}

TEST(ValidateNewOrganisationTest, Kind) {
  EXPECT_EQ(ValidateNewOrganisation(NewOrganisation(Organisation::KIND_UNSPECIFIED)).message(),
            "organisation.kind: required: ASSOCIATION, CERTIFIER, FIRM or REGULATOR");
  const absl::Status unknown =
      ValidateNewOrganisation(NewOrganisation(static_cast<Organisation::Kind>(9)));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(), "organisation.kind: unknown kind 9");
}

TEST(ValidateNewOrganisationTest, Name) {
  Organisation organisation = NewOrganisation(Organisation::FIRM);
  organisation.set_name("  ");
  EXPECT_EQ(ValidateNewOrganisation(organisation).message(), "organisation.name: required");
  organisation.set_name(std::string(200, 'n'));
  EXPECT_TRUE(ValidateNewOrganisation(organisation).ok());
  organisation.set_name(std::string(201, 'n'));
  EXPECT_EQ(ValidateNewOrganisation(organisation).message(),
            "organisation.name: must be at most 200 characters (got 201)");
}

TEST(ValidateNewOrganisationTest, Country) {
  for (const auto& [country, valid] : std::vector<std::pair<std::string, bool>>{
           {"CL", true},
           {"PE", true},
           {"cl", false},
           {"Cl", false},
           {"C", false},
           {"CHL", false},
           {"C1", false},
           {"", false},
       }) {
    SCOPED_TRACE(country);
    Organisation organisation = NewOrganisation(Organisation::CERTIFIER);
    organisation.set_country(country);
    const absl::Status status = ValidateNewOrganisation(organisation);
    EXPECT_EQ(status.ok(), valid) << status;
  }
  Organisation organisation = NewOrganisation(Organisation::CERTIFIER);
  organisation.set_country("chl");
  EXPECT_EQ(ValidateNewOrganisation(organisation).message(),
            "organisation.country: \"chl\" is not an ISO 3166-1 alpha-2 code (e.g. \"CL\")");
  organisation.set_country("");
  EXPECT_EQ(ValidateNewOrganisation(organisation).message(), "organisation.country: required");
}

TEST(ValidateNewOrganisationTest, MembershipOnlyForFirms) {
  Organisation certifier = NewOrganisation(Organisation::CERTIFIER);
  certifier.set_member(true);
  AddPeriod(certifier, kJan2024, std::nullopt);
  EXPECT_EQ(ValidateNewOrganisation(certifier).message(),
            "2 problems\n"
            "  organisation.member: only a FIRM can be a member\n"
            "  organisation.membership: only a FIRM can be a member");

  Organisation firm = NewOrganisation(Organisation::FIRM);
  AddPeriod(firm, kJan2024, kJul2024);
  AddPeriod(firm, kJul2024, kJan2025);  // back to back
  AddPeriod(firm, kJan2026, std::nullopt);
  EXPECT_TRUE(ValidateNewOrganisation(firm).ok()) << ValidateNewOrganisation(firm);
}

TEST(ValidateNewOrganisationTest, MembershipPeriodsAreOrderedAndOnlyTheLastIsOpen) {
  Organisation firm = NewOrganisation(Organisation::FIRM);
  AddPeriod(firm, absl::UnixEpoch(), kJan2024);  // no since
  AddPeriod(firm, kJul2024, std::nullopt);       // open, but not the last
  AddPeriod(firm, kJan2025, kJul2024);           // ends before it starts
  AddPeriod(firm, kJan2024, std::nullopt);       // overlaps the previous one
  EXPECT_EQ(ValidateNewOrganisation(firm).message(),
            "4 problems\n"
            "  organisation.membership[0].since: required\n"
            "  organisation.membership[1].until: required: only the last period is open\n"
            "  organisation.membership[2].until: lies before since\n"
            "  organisation.membership[3].since: overlaps organisation.membership[2]");
}

TEST(ValidateNewOrganisationTest, EveryProblemIsReported) {
  Organisation organisation;
  EXPECT_EQ(ValidateNewOrganisation(organisation).message(),
            "3 problems\n"
            "  organisation.kind: required: ASSOCIATION, CERTIFIER, FIRM or REGULATOR\n"
            "  organisation.name: required\n"
            "  organisation.country: required");
}

// --- ValidateNewSite ---

v1::Site NewSite() {
  v1::Site site;
  site.set_firm_id("salmones-del-sur");
  site.set_type("processing_plant");
  site.set_name("Planta Calbuco");
  site.set_region("Los Lagos");
  site.set_registration_code("SERNAPESCA-10234");
  return site;
}

TEST(ValidateNewSiteTest, ValidSite) { EXPECT_TRUE(ValidateNewSite(NewSite()).ok()); }

TEST(ValidateNewSiteTest, Type) {
  for (const auto& [type, valid] : std::vector<std::pair<std::string, bool>>{
           {"hatchery", true},
           {"farming_centre", true},
           {"x", true},
           {std::string(32, 't'), true},
           {std::string(33, 't'), false},
           {"", false},
           {"Hatchery", false},
           {"_hatchery", false},
           {"farming-centre", false},
           {"plant2", false},
           {"processing plant", false},
       }) {
    SCOPED_TRACE(type);
    v1::Site site = NewSite();
    site.set_type(type);
    const absl::Status status = ValidateNewSite(site);
    EXPECT_EQ(status.ok(), valid) << status;
    if (!valid) {
      EXPECT_TRUE(absl::StartsWith(status.message(), "site.type: ")) << status;
    }
  }
}

TEST(ValidateNewSiteTest, RegistrationCode) {
  v1::Site site = NewSite();
  site.set_registration_code(std::string(64, 'R'));
  EXPECT_TRUE(ValidateNewSite(site).ok());
  site.set_registration_code(std::string(65, 'R'));
  EXPECT_EQ(ValidateNewSite(site).message(),
            "site.registration_code: must be at most 64 characters (got 65)");
}

TEST(ValidateNewSiteTest, EveryFieldIsRequired) {
  const absl::Status status = ValidateNewSite(v1::Site());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "5 problems\n"
            "  site.firm_id: required\n"
            "  site.type: required\n"
            "  site.name: required\n"
            "  site.region: required\n"
            "  site.registration_code: required");
}

TEST(ValidateNewSiteTest, NameAndRegionLength) {
  v1::Site site = NewSite();
  site.set_name(std::string(200, 'n'));
  site.set_region(std::string(200, 'r'));
  EXPECT_TRUE(ValidateNewSite(site).ok());
  site.set_name(std::string(201, 'n'));
  site.set_region(std::string(201, 'r'));
  EXPECT_EQ(ValidateNewSite(site).message(),
            "2 problems\n"
            "  site.name: must be at most 200 characters (got 201)\n"
            "  site.region: must be at most 200 characters (got 201)");
}

// --- RoleForKind ---

TEST(RoleForKindTest, OneRolePerKind) {
  EXPECT_EQ(RoleForKind(Organisation::ASSOCIATION), v1::ADMIN);
  EXPECT_EQ(RoleForKind(Organisation::CERTIFIER), v1::CERTIFIER);
  EXPECT_EQ(RoleForKind(Organisation::FIRM), v1::FIRM);
  EXPECT_EQ(RoleForKind(Organisation::REGULATOR), v1::REGULATOR);
  EXPECT_EQ(RoleForKind(Organisation::KIND_UNSPECIFIED), v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(RoleForKind(static_cast<Organisation::Kind>(9)), v1::ROLE_UNSPECIFIED);
}

// --- ApplyMembership and IsMemberAt ---

Organisation Firm() {
  Organisation firm = NewOrganisation(Organisation::FIRM);
  firm.set_id("salmones-del-sur");
  return firm;
}

MATCHER_P(EqualsProto, expected, "") { return MessageDifferencer::Equals(arg, expected); }

TEST(ApplyMembershipTest, JoinLeaveRejoin) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2024).ok());
  EXPECT_TRUE(firm.member());
  ASSERT_EQ(firm.membership_size(), 1);
  EXPECT_EQ(FromProto(firm.membership(0).since()), kJan2024);
  EXPECT_FALSE(IsSet(firm.membership(0).until()));

  ASSERT_TRUE(ApplyMembership(firm, false, kJul2024).ok());
  EXPECT_FALSE(firm.member());
  ASSERT_EQ(firm.membership_size(), 1);
  EXPECT_EQ(FromProto(firm.membership(0).until()), kJul2024);

  ASSERT_TRUE(ApplyMembership(firm, true, kJan2025).ok());
  EXPECT_TRUE(firm.member());
  ASSERT_EQ(firm.membership_size(), 2);
  EXPECT_EQ(FromProto(firm.membership(1).since()), kJan2025);
  EXPECT_FALSE(IsSet(firm.membership(1).until()));
  EXPECT_TRUE(ValidateNewOrganisation(firm).ok());
}

TEST(ApplyMembershipTest, RejoinAtTheEndOfTheLastPeriod) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, false, kJul2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, true, kJul2024).ok());
  EXPECT_EQ(firm.membership_size(), 2);
}

TEST(ApplyMembershipTest, RejoinBeforeTheEndOfTheLastPeriodIsRefused) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, false, kJul2024).ok());
  const Organisation before = firm;
  for (const absl::Time effective : {kJul2024 - kNs, kJan2024, kJan2024 - absl::Hours(1)}) {
    const absl::Status status = ApplyMembership(firm, true, effective);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(status.message(), "effective_time: ")) << status;
    EXPECT_THAT(firm, EqualsProto(before));
  }
  EXPECT_EQ(ApplyMembership(firm, true, kJan2024).message(),
            "effective_time: 2024-01-01T00:00:00Z lies before the end of the last membership "
            "(2024-01-01T00:00:00Z to 2024-07-01T00:00:00Z)");
}

TEST(ApplyMembershipTest, LeaveBeforeTheStartIsRefused) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJul2024).ok());
  const Organisation before = firm;
  const absl::Status status = ApplyMembership(firm, false, kJul2024 - kNs);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "effective_time: 2024-06-30T23:59:59Z lies before the start of the current "
            "membership (since 2024-07-01T00:00:00Z)");
  EXPECT_THAT(firm, EqualsProto(before));
}

TEST(ApplyMembershipTest, LeaveAtTheStartIsAllowed) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJul2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, false, kJul2024).ok());
  EXPECT_FALSE(IsMemberAt(firm, kJul2024));
}

TEST(ApplyMembershipTest, JoinTwiceIsRefused) {
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2024).ok());
  const Organisation before = firm;
  const absl::Status status = ApplyMembership(firm, true, kJan2025);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "firm salmones-del-sur is already a member (since 2024-01-01T00:00:00Z)");
  EXPECT_THAT(firm, EqualsProto(before));
}

TEST(ApplyMembershipTest, LeavingWhenNotAMemberIsRefused) {
  Organisation never = Firm();
  absl::Status status = ApplyMembership(never, false, kJan2024);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "firm salmones-del-sur is not a member");
  EXPECT_EQ(never.membership_size(), 0);

  Organisation left = Firm();
  ASSERT_TRUE(ApplyMembership(left, true, kJan2024).ok());
  ASSERT_TRUE(ApplyMembership(left, false, kJul2024).ok());
  status = ApplyMembership(left, false, kJan2025);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FromProto(left.membership(0).until()), kJul2024);
}

TEST(ApplyMembershipTest, OnlyFirmsHaveMembership) {
  for (const auto kind : {Organisation::ASSOCIATION, Organisation::CERTIFIER,
                          Organisation::REGULATOR, Organisation::KIND_UNSPECIFIED}) {
    for (const bool member : {true, false}) {
      Organisation organisation = NewOrganisation(kind);
      organisation.set_id("other");
      const absl::Status status = ApplyMembership(organisation, member, kJan2024);
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(status.message(), absl::StrCat("organisation other is a ",
                                               Organisation::Kind_Name(kind), ", not a FIRM"));
      EXPECT_EQ(organisation.membership_size(), 0);
    }
  }
}

struct MemberAtCase {
  absl::Time at;
  bool member;
};

TEST(IsMemberAtTest, PeriodsIncludeTheirStartAndExcludeTheirEnd) {
  // Member from Jan 2024 to Jul 2024, and again from Jan 2025 on.
  Organisation firm = Firm();
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, false, kJul2024).ok());
  ASSERT_TRUE(ApplyMembership(firm, true, kJan2025).ok());
  const std::vector<MemberAtCase> cases = {
      {absl::UnixEpoch(), false}, {kJan2024 - kNs, false}, {kJan2024, true},
      {kJul2024 - kNs, true},     {kJul2024, false},       {kJan2025 - kNs, false},
      {kJan2025, true},           {kJan2026, true},        {absl::InfiniteFuture(), true},
  };
  for (const MemberAtCase& test : cases) {
    EXPECT_EQ(IsMemberAt(firm, test.at), test.member) << absl::FormatTime(test.at);
  }
}

TEST(IsMemberAtTest, NeverAMember) {
  EXPECT_FALSE(IsMemberAt(Firm(), kJan2024));
  EXPECT_FALSE(IsMemberAt(NewOrganisation(Organisation::CERTIFIER), kJan2024));
}

// --- NormalisePageSize ---

TEST(NormalisePageSizeTest, DefaultsAndLimits) {
  for (const auto& [requested, expected] : std::vector<std::pair<int, int>>{
           {0, 50}, {1, 1}, {50, 50}, {999, 999}, {1000, 1000}, {1001, 1000}, {1 << 30, 1000}}) {
    const absl::StatusOr<int> size = NormalisePageSize(requested);
    ASSERT_TRUE(size.ok()) << requested;
    EXPECT_EQ(*size, expected) << requested;
  }
}

TEST(NormalisePageSizeTest, TheConfiguredBoundCutsTheDefaultToo) {
  for (const auto& [requested, expected] :
       std::vector<std::pair<int, int>>{{0, 20}, {1, 1}, {20, 20}, {21, 20}, {1000, 20}}) {
    const absl::StatusOr<int> size = NormalisePageSize(requested, 20);
    ASSERT_TRUE(size.ok()) << requested;
    EXPECT_EQ(*size, expected) << requested;
  }
}

TEST(NormalisePageSizeTest, NegativeIsRefused) {
  for (const int requested : {-1, -1000}) {
    const absl::StatusOr<int> size = NormalisePageSize(requested);
    EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(size.status().message(),
              absl::StrCat("page_size: must not be negative (got ", requested, ")"));
  }
}

}  // namespace
}  // namespace sello::domain
