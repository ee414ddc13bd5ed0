#include "daemon/domain/event_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace sello::domain {
namespace {

TEST(SubjectTest, NamesTheRecordKindAndId) {
  EXPECT_EQ(Subject(kOrganisationRecord, "salmones-calbuco"), "organisation/salmones-calbuco");
  EXPECT_EQ(Subject(kSiteRecord, "site-k3m9x2a7qp"), "site/site-k3m9x2a7qp");
  EXPECT_EQ(Subject(kTokenRecord, "tok-x"), "token/tok-x");
  EXPECT_EQ(Subject(kStandardVersionRecord, "CSCS@2"), "standard_version/CSCS@2");
}

TEST(SubjectTest, SplitsWhatSubjectJoins) {
  for (absl::string_view kind :
       {kOrganisationRecord, kSiteRecord, kTokenRecord, kStandardVersionRecord}) {
    // An id may itself contain '/': the kind ends at the first one.
    for (absl::string_view id : {"x", "salmones-calbuco", "CSCS@2", "a/b/c"}) {
      const std::string subject = Subject(kind, id);
      absl::string_view split_kind;
      absl::string_view split_id;
      ASSERT_TRUE(SplitSubject(subject, &split_kind, &split_id)) << subject;
      EXPECT_EQ(split_kind, kind) << subject;
      EXPECT_EQ(split_id, id) << subject;
    }
  }
}

TEST(SubjectTest, MalformedSubjectsDoNotSplit) {
  for (absl::string_view subject :
       {"", "organisation", "salmones-calbuco", "/", "/salmones-calbuco", "organisation/"}) {
    absl::string_view kind;
    absl::string_view id;
    EXPECT_FALSE(SplitSubject(subject, &kind, &id)) << "'" << subject << "'";
  }
}

// Every kind of event the daemon records, and whether anyone may read it.
struct KindCase {
  absl::string_view kind;
  bool is_public;
};
constexpr KindCase kKinds[] = {
    {"organisation.created", true},
    {"organisation.membership_changed", true},
    {"standard_version.published", true},
    {"standard_version.superseded", true},
    {"standard_version.withdrawn", true},
    // What the log says about itself: every auditor must be able to follow it.
    {"log.key_rotation_begun", true},
    {"log.key_rotation_finished", true},
    {"log.history_rollback_accepted", true},
    // Drafts are not published yet.
    {"standard_version.created", false},
    {"standard_version.replaced", false},
    {"site.created", false},
    {"token.created", false},
    {"token.revoked", false},
};

TEST(IsPublicEventTest, OrganisationsAndPublishedStandardsArePublic) {
  for (const KindCase& c : kKinds) {
    v1::Event event;
    event.set_kind(std::string(c.kind));
    EXPECT_EQ(IsPublicEvent(event), c.is_public) << c.kind;
  }
}

// The event concerns this firm and was made by this certifier's principal.
constexpr absl::string_view kFirm = "salmones-sur";
constexpr absl::string_view kCertifier = "certificadora-austral";

// Who reads, and what else (besides public events) they may read.
struct ReaderCase {
  std::string name;
  bool anonymous;
  Principal principal;
  bool reads_all;  // non-public events of any organisation
  bool reads_own;  // non-public events that concern or were made by its organisation
};

std::vector<ReaderCase> Readers() {
  return {
      {"admin", false, {"tok-a", "association", v1::ADMIN}, true, false},
      {"regulator", false, {"tok-r", "sernapesca", v1::REGULATOR}, true, false},
      {"regulator without organisation", false, {"tok-r2", "", v1::REGULATOR}, true, false},
      {"the firm concerned", false, {"tok-f", std::string(kFirm), v1::FIRM}, false, true},
      {"another firm", false, {"tok-g", "pesquera-norte", v1::FIRM}, false, false},
      {"the certifier that acted",
       false,
       {"tok-c", std::string(kCertifier), v1::CERTIFIER},
       false,
       true},
      {"another certifier", false, {"tok-d", "otra-certificadora", v1::CERTIFIER}, false, false},
      {"a firm principal without organisation", false, {"tok-e", "", v1::FIRM}, false, false},
      {"the daemon itself", false, {"", "", v1::ROLE_UNSPECIFIED}, false, false},
      {"anonymous", true, {}, false, false},
  };
}

TEST(CanReadEventTest, KindsByReaders) {
  for (const KindCase& kind : kKinds) {
    v1::Event event;
    event.set_seq(7);
    event.set_kind(std::string(kind.kind));
    event.set_organisation_id(std::string(kFirm));
    event.set_actor_organisation_id(std::string(kCertifier));
    event.set_actor_role(v1::CERTIFIER);
    for (const ReaderCase& reader : Readers()) {
      const bool expected = kind.is_public || reader.reads_all || reader.reads_own;
      EXPECT_EQ(CanReadEvent(event, reader.anonymous ? nullptr : &reader.principal), expected)
          << kind.kind << " read by " << reader.name;
    }
  }
}

TEST(CanReadEventTest, OwnEventsThroughEitherOrganisation) {
  const Principal firm{"tok-f", std::string(kFirm), v1::FIRM};
  const Principal certifier{"tok-c", std::string(kCertifier), v1::CERTIFIER};
  v1::Event event;
  event.set_kind("site.created");

  // Concerning the firm, made by the association.
  event.set_organisation_id(std::string(kFirm));
  event.set_actor_organisation_id("association");
  EXPECT_TRUE(CanReadEvent(event, &firm));
  EXPECT_FALSE(CanReadEvent(event, &certifier));

  // Made by the certifier, concerning no organisation.
  event.set_organisation_id("");
  event.set_actor_organisation_id(std::string(kCertifier));
  EXPECT_FALSE(CanReadEvent(event, &firm));
  EXPECT_TRUE(CanReadEvent(event, &certifier));

  // Neither: an empty organisation on both sides is not a match.
  event.set_actor_organisation_id("");
  const Principal orphan{"tok-o", "", v1::FIRM};
  EXPECT_FALSE(CanReadEvent(event, &orphan));
  EXPECT_FALSE(CanReadEvent(event, &firm));
  EXPECT_FALSE(CanReadEvent(event, nullptr));
}

v1::Event EventOf(absl::string_view kind, absl::string_view organisation_id = "",
                  absl::string_view site_id = "") {
  v1::Event event;
  event.set_kind(std::string(kind));
  event.set_organisation_id(std::string(organisation_id));
  event.set_site_id(std::string(site_id));
  return event;
}

TEST(MatchesWatchTest, EmptyFilterMatchesEverything) {
  for (const KindCase& c : kKinds) {
    EXPECT_TRUE(MatchesWatch(EventOf(c.kind, kFirm, "site-1"), {})) << c.kind;
    EXPECT_TRUE(MatchesWatch(EventOf(c.kind), {})) << c.kind;
  }
}

TEST(MatchesWatchTest, Kinds) {
  struct Case {
    std::vector<std::string> kinds;
    absl::string_view kind;
    bool matches;
  };
  const Case cases[] = {
      // Exact names.
      {{"site.created"}, "site.created", true},
      {{"site.created"}, "site.created2", false},
      {{"site.created"}, "site.create", false},
      {{"site.created"}, "organisation.created", false},
      {{"site"}, "site.created", false},
      {{"standard_version"}, "standard_version.published", false},
      // A prefix ends in '.'.
      {{"standard_version."}, "standard_version.published", true},
      {{"standard_version."}, "standard_version.created", true},
      {{"standard_version."}, "standard_version", false},
      {{"standard_version."}, "organisation.created", false},
      {{"site."}, "site_visit.created", false},
      {{"token."}, "token.revoked", true},
      // Any of several.
      {{"token.revoked", "site."}, "site.created", true},
      {{"token.revoked", "site."}, "token.revoked", true},
      {{"token.revoked", "site."}, "token.created", false},
  };
  for (const Case& c : cases) {
    WatchFilter filter;
    filter.kinds = c.kinds;
    EXPECT_EQ(MatchesWatch(EventOf(c.kind), filter), c.matches)
        << c.kind << " against {" << absl::StrJoin(c.kinds, ", ") << "}";
  }
}

TEST(MatchesWatchTest, OrganisationAndSite) {
  WatchFilter by_firm;
  by_firm.organisation_id = std::string(kFirm);
  EXPECT_TRUE(MatchesWatch(EventOf("site.created", kFirm, "site-1"), by_firm));
  EXPECT_FALSE(MatchesWatch(EventOf("site.created", "pesquera-norte", "site-1"), by_firm));
  EXPECT_FALSE(MatchesWatch(EventOf("site.created"), by_firm));

  WatchFilter by_site;
  by_site.site_id = "site-1";
  EXPECT_TRUE(MatchesWatch(EventOf("site.created", kFirm, "site-1"), by_site));
  EXPECT_FALSE(MatchesWatch(EventOf("site.created", kFirm, "site-2"), by_site));
  EXPECT_FALSE(MatchesWatch(EventOf("organisation.created", kFirm), by_site));

  // Every filter given must hold.
  WatchFilter all;
  all.kinds = {"site."};
  all.organisation_id = std::string(kFirm);
  all.site_id = "site-1";
  EXPECT_TRUE(MatchesWatch(EventOf("site.created", kFirm, "site-1"), all));
  EXPECT_FALSE(MatchesWatch(EventOf("token.created", kFirm, "site-1"), all));
  EXPECT_FALSE(MatchesWatch(EventOf("site.created", "pesquera-norte", "site-1"), all));
  EXPECT_FALSE(MatchesWatch(EventOf("site.created", kFirm, "site-2"), all));
}

}  // namespace
}  // namespace sello::domain
