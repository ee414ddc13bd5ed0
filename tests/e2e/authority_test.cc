// End-to-end: who may seal, and who may undo what (issue 16 §3, §4, §8). Only a
// certifier accredited today seals, and for no longer than the standard allows;
// suspending or withdrawing an accreditation or a standard version takes its seals along
// when the association says so, in the same write, and tells every party; a suspension
// is lifted only by an authority at least as high as the one that made it; and no
// refusal tells a rival, another firm or an anonymous caller anything of another party.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/standard.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int kExitUsage = 2;

class AuthorityTest : public CertificationTest {
 protected:
  // A lot of `boxes` boxes at calbuco, inspected PREMIUM by Austral, with `sealed` seals.
  struct SealedLot {
    std::string lot;
    Inspection inspection;
    std::vector<std::string> codes;
  };
  SealedLot Sealed(int boxes, int sealed, const std::string& site = "calbuco",
                   const std::string& firm_token = "") {
    SealedLot made;
    made.lot = CreateLot(firm_token.empty() ? firm_ : firm_token, site, boxes);
    made.inspection = Submitted(certifier_, InspectionFile().AtSite(site).OfLot(made.lot));
    made.codes = Issued(certifier_, made.lot, sealed);
    EXPECT_THAT(made.codes, SizeIs(sealed));
    return made;
  }

  v1::Accreditation ShowAccreditation(const std::string& id) {
    const ProcessResult shown = daemon_.RunCliAs(admin_, "-o", "json", "accredit", "show", id);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<v1::Accreditation>(shown.out);
  }

  // `sello [--token TOKEN] -o json watch --from FROM --kind KIND [--org ORG] --count N`.
  std::vector<v1::Event> Watch(const std::string& token, uint64_t from, const std::string& kind,
                               int count, const std::string& org = "") {
    std::vector<std::string> args;
    if (!token.empty()) args = {"--token", token};
    args.insert(args.end(), {"-o", "json", "watch", "--from", absl::StrCat(from), "--kind", kind,
                             "--count", absl::StrCat(count), "--no-retry"});
    if (!org.empty()) args.insert(args.end(), {"--org", org});
    const ProcessResult watched = daemon_.RunCliArgs(args);
    EXPECT_EQ(watched.exit_code, 0) << watched;
    std::vector<v1::Event> events;
    for (absl::string_view line : absl::StrSplit(watched.out, '\n', absl::SkipWhitespace())) {
      events.push_back(ParseJson<v1::Event>(std::string(line)));
    }
    return events;
  }
};

// ---------------------------------------------------------------------------------------
// §3: only an accredited certifier seals, and seals expire sensibly.

// Seen: after its accreditation was suspended, and again after it was withdrawn, a
// certifier issued seals that verify VALID.
TEST_F(AuthorityTest, NoSealsOnceTheAccreditationIsSuspendedOrWithdrawn) {
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  Submitted(certifier_, InspectionFile().OfLot(lot));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "accredit", "suspend", accreditation_, "--reason",
                                         "complaint under review", "--seals", "keep")));
  const ProcessResult suspended = IssueSeals(certifier_, lot, 2);
  EXPECT_EQ(suspended.exit_code, kExitDenied) << suspended;
  EXPECT_THAT(suspended.err,
              HasSubstr("PERMISSION_DENIED: certifier may not issue seals: accreditation " +
                        accreditation_ + " is SUSPENDED (complaint under review)"));
  EXPECT_EQ(ShowLot(lot).seals_issued(), 0u);

  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "accredit", "reinstate", accreditation_,
                                         "--reason", "complaint closed")));
  EXPECT_THAT(Issued(certifier_, lot, 2), SizeIs(2));

  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "accredit", "withdraw", accreditation_, "--reason",
                                         "left the scheme", "--seals", "keep")));
  const ProcessResult withdrawn = IssueSeals(certifier_, lot, 2);
  EXPECT_EQ(withdrawn.exit_code, kExitDenied) << withdrawn;
  EXPECT_THAT(withdrawn.err,
              HasSubstr("accreditation " + accreditation_ + " is WITHDRAWN (left the scheme)"));
  EXPECT_EQ(ShowLot(lot).seals_issued(), 2u);
}

TEST_F(AuthorityTest, NoSealsForStagesOutsideTheScopeToday) {
  // Austral's accreditation for all of CSCS goes; one for harvest alone remains.
  ASSERT_FALSE(Accredit("cert-austral", "CSCS:harvest").empty());
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  Submitted(certifier_, InspectionFile().OfLot(lot));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "accredit", "withdraw", accreditation_, "--reason",
                                         "scope reduced", "--seals", "keep")));
  const ProcessResult refused = IssueSeals(certifier_, lot, 1);
  EXPECT_EQ(refused.exit_code, kExitDenied) << refused;
  EXPECT_THAT(refused.err, HasSubstr("certifier may not issue seals: "));
  EXPECT_THAT(refused.err,
              AnyOf(HasSubstr("is outside the scope of accreditation"), HasSubstr("is WITHDRAWN")));
}

// Seen: an expiry of 2099-12-31 was accepted on a standard whose seals are valid 540
// days.
TEST_F(AuthorityTest, AnExplicitExpiryOnlyShortensTheStandardsValidity) {
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  Submitted(certifier_, InspectionFile().OfLot(lot));
  const ProcessResult far = IssueSeals(certifier_, lot, 1, {"--expires", "2099-12-31"});
  EXPECT_EQ(far.exit_code, kExitRefused) << far;
  EXPECT_THAT(far.err, HasSubstr("INVALID_ARGUMENT: expire_time: 2099-12-31"));
  EXPECT_THAT(far.err, HasSubstr("is after the latest allowed, " +
                                 Day(absl::Now() + absl::Hours(24 * 540))));
  EXPECT_THAT(far.err, HasSubstr("seals of CSCS@1 are valid 540 days"));
  EXPECT_EQ(ShowLot(lot).seals_issued(), 0u);

  const std::string sooner = Day(absl::Now() + absl::Hours(24 * 90));
  const std::vector<std::string> codes = Issued(certifier_, lot, 1, {"--expires", sooner});
  ASSERT_THAT(codes, SizeIs(1));
  EXPECT_EQ(Day(absl::FromUnixSeconds(SealOf(codes[0]).expire_time().seconds())), sooner);
  // Without one, the standard's own validity.
  const std::vector<std::string> standard = Issued(certifier_, lot, 1);
  ASSERT_THAT(standard, SizeIs(1));
  EXPECT_NEAR(SealOf(standard[0]).expire_time().seconds(),
              absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 540)), 120);
}

TEST_F(AuthorityTest, SuspendingAnAccreditationTakesItsSealsAlongWhenTheAssociationSaysSo) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const SealedLot austral = Sealed(10, 3);
  const SealedLot other = Sealed(10, 2, "hornopiren", other_firm_);
  // Norte's seals of the same lot are not Austral's.
  const std::string norte_lot = CreateLot(firm_, "calbuco", 4);
  Submitted(rival_, InspectionFile().OfLot(norte_lot));
  const std::vector<std::string> norte = Issued(rival_, norte_lot, 2);

  // The choice is required.
  const ProcessResult unsaid = daemon_.RunCliAs(admin_, "accredit", "suspend", accreditation_,
                                                "--reason", "complaint under review");
  EXPECT_EQ(unsaid.exit_code, kExitUsage) << unsaid;
  EXPECT_THAT(unsaid.err, HasSubstr("--seals"));
  EXPECT_EQ(ShowAccreditation(accreditation_).status(), v1::Accreditation::ACTIVE);

  const ProcessResult suspended =
      daemon_.RunCliAs(admin_, "accredit", "suspend", accreditation_, "--reason",
                       "complaint under review", "--seals", "suspend");
  ASSERT_EQ(suspended.exit_code, 0) << suspended;
  EXPECT_THAT(suspended.out, HasSubstr("5 suspended"));
  EXPECT_THAT(Statuses(austral.codes), Each(Seal::SUSPENDED));
  EXPECT_THAT(Statuses(other.codes), Each(Seal::SUSPENDED));
  EXPECT_THAT(Statuses(norte), Each(Seal::VALID));
  const Seal seal = SealOf(austral.codes[0]);
  EXPECT_THAT(seal.status_reason(),
              HasSubstr("accreditation " + accreditation_ + " of cert-austral suspended"));
  EXPECT_EQ(seal.status_decision().authority(), v1::ASSOCIATION);
  EXPECT_EQ(seal.status_decision().cause(), v1::ACCREDITATION_SUSPENDED);
  // Who acted is the parties' to read: the firm sees it, a buyer only why.
  EXPECT_EQ(seal.status_decision().actor_organisation_id(), "");
  const ProcessResult as_firm =
      daemon_.RunCliAs(firm_, "-o", "json", "seal", "show", austral.codes[0]);
  ASSERT_EQ(as_firm.exit_code, 0) << as_firm;
  EXPECT_EQ(ParseJson<Seal>(as_firm.out).status_decision().actor_organisation_id(), "association");
  EXPECT_EQ(ParseJson<Seal>(as_firm.out).status_decision().actor_role(), v1::ADMIN);

  // Recorded in the accreditation's history, and so in its (public) event.
  const v1::Accreditation record = ShowAccreditation(accreditation_);
  ASSERT_GE(record.history_size(), 2);
  EXPECT_EQ(record.history(record.history_size() - 1).seals(), v1::SUSPEND_SEALS);
  EXPECT_EQ(record.history(record.history_size() - 1).seals_suspended(), 5u);
  // Each firm reads its own seals' change, as an event of its own.
  const std::vector<v1::Event> mine = Watch(firm_, 1, "seals.suspended", 1);
  ASSERT_THAT(mine, SizeIs(1));
  EXPECT_EQ(mine[0].organisation_id(), "salmones-sur");
  const std::vector<v1::Event> theirs = Watch(other_firm_, 1, "seals.suspended", 1);
  ASSERT_THAT(theirs, SizeIs(1));
  EXPECT_EQ(theirs[0].organisation_id(), "fjord-foods");

  // Reinstating the accreditation leaves the seals suspended: the association decided,
  // so the certifier cannot lift it; the association can.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "accredit", "reinstate", accreditation_,
                                         "--reason", "complaint closed")));
  const ProcessResult by_issuer = daemon_.RunCliAs(certifier_, "seal", "reinstate", "--lot",
                                                   austral.lot, "--reason", "cleared");
  EXPECT_EQ(by_issuer.exit_code, kExitDenied) << by_issuer;
  EXPECT_THAT(by_issuer.err, HasSubstr("3 seals were suspended by the association (the issuer's "
                                       "accreditation was suspended)"));
  EXPECT_THAT(Statuses(austral.codes), Each(Seal::SUSPENDED));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "seal", "reinstate", "--lot", austral.lot,
                                         "--reason", "complaint closed")));
  EXPECT_THAT(Statuses(austral.codes), Each(Seal::VALID));
}

TEST_F(AuthorityTest, WithdrawingAnAccreditationMayKeepTheSeals) {
  const SealedLot sealed = Sealed(10, 2);
  const ProcessResult withdrawn =
      daemon_.RunCliAs(admin_, "-o", "json", "accredit", "withdraw", accreditation_, "--reason",
                       "left the scheme", "--seals", "keep");
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn;
  const v1::Accreditation record = ParseJson<v1::Accreditation>(withdrawn.out);
  EXPECT_EQ(record.history(record.history_size() - 1).seals(), v1::KEEP_SEALS);
  EXPECT_EQ(record.history(record.history_size() - 1).seals_suspended(), 0u);
  EXPECT_THAT(Statuses(sealed.codes), Each(Seal::VALID));
}

// ---------------------------------------------------------------------------------------
// §4: withdrawing a standard version cascades.

// Seen: after withdrawing a version, the norm that adopts it stays in force, its seals
// stay VALID and nobody is told.
TEST_F(AuthorityTest, WithdrawingAVersionSuspendsItsSealsMarksItsNormsAndTellsEveryone) {
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                         "Servicio", "--id", "servicio")));
  const std::string regulator = IssueToken("servicio", "regulator");
  const ProcessResult adopted =
      daemon_.RunCliAs(regulator, "-o", "json", "norm", "adopt", "--standard", "CSCS@1", "--title",
                       "Salmon plants", "--site-type", "plant", "--effective-from",
                       Day(absl::Now() - absl::Hours(24)), "--validity-days", "365");
  ASSERT_EQ(adopted.exit_code, 0) << adopted;
  const v1::Norm norm = ParseJson<v1::Norm>(adopted.out);
  const SealedLot mine = Sealed(10, 3);
  const SealedLot theirs = Sealed(10, 2, "hornopiren", other_firm_);
  const uint64_t before = Events(1, 1, "seals.issued")[0].seq();

  const ProcessResult withdrawn = daemon_.RunCliAs(admin_, "standard", "withdraw", "CSCS@1",
                                                   "--reason", "F3 thresholds were wrong");
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn;
  EXPECT_THAT(withdrawn.out,
              HasSubstr("withdrew CSCS@1: 5 seals suspended; norms marked: " + norm.id()));
  EXPECT_THAT(Statuses(mine.codes), Each(Seal::SUSPENDED));
  EXPECT_THAT(Statuses(theirs.codes), Each(Seal::SUSPENDED));
  const Seal seal = SealOf(mine.codes[0]);
  EXPECT_THAT(seal.status_reason(),
              HasSubstr("standard version CSCS@1 withdrawn: F3 thresholds were wrong"));
  EXPECT_EQ(seal.status_decision().cause(), v1::STANDARD_WITHDRAWN);
  EXPECT_EQ(seal.status_decision().authority(), v1::ASSOCIATION);

  // The version says what it did; anyone reads it.
  const ProcessResult shown = daemon_.RunCli("-o", "json", "standard", "show", "CSCS@1");
  ASSERT_EQ(shown.exit_code, 0) << shown;
  const v1::StandardVersion version = ParseJson<v1::StandardVersion>(shown.out);
  EXPECT_EQ(version.withdraw_seals(), v1::SUSPEND_SEALS);
  EXPECT_EQ(version.seals_suspended(), 5u);
  EXPECT_THAT(version.marked_norm_ids(), ElementsAre(norm.id()));

  // The regulator sees it in norm show and in every verdict under the norm.
  const ProcessResult norm_shown = daemon_.RunCli("norm", "show", norm.id());
  ASSERT_EQ(norm_shown.exit_code, 0) << norm_shown;
  EXPECT_THAT(norm_shown.out, HasSubstr("CSCS@1 WITHDRAWN on"));
  EXPECT_THAT(norm_shown.out, HasSubstr("F3 thresholds were wrong"));
  const ProcessResult verdict = daemon_.RunCliAs(regulator, "comply", "site", "calbuco");
  EXPECT_THAT(verdict.out, HasSubstr("note: the version this norm adopts, CSCS@1, was WITHDRAWN"));
  const ProcessResult report = daemon_.RunCliAs(regulator, "comply", "report", norm.id());
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_THAT(report.out, HasSubstr("note: the version this norm adopts, CSCS@1, was WITHDRAWN"));

  // One public event every party's watch can filter on; the regulator's own watch shows
  // its norm marked; each firm reads its own seals' change.
  const std::vector<v1::Event> public_event = Watch("", before, "standard_version.withdrawn", 1);
  ASSERT_THAT(public_event, SizeIs(1));
  EXPECT_THAT(public_event[0].subjects(), ElementsAre("standard_version/CSCS@1"));
  const std::vector<v1::Event> regulators =
      Watch(regulator, before, "norm.standard_withdrawn", 1, "servicio");
  ASSERT_THAT(regulators, SizeIs(1));
  EXPECT_THAT(regulators[0].subjects(), ElementsAre("norm/" + norm.id()));
  const std::vector<v1::Event> firms = Watch(firm_, before, "seals.suspended", 1);
  ASSERT_THAT(firms, SizeIs(1));
  EXPECT_EQ(firms[0].organisation_id(), "salmones-sur");
  // All in one write: the same time on every event of it.
  EXPECT_EQ(public_event[0].time().seconds(), regulators[0].time().seconds());
  EXPECT_EQ(public_event[0].time().nanos(), firms[0].time().nanos());
}

TEST_F(AuthorityTest, AWithdrawnVersionsSealsMayBeKept) {
  const SealedLot sealed = Sealed(10, 2);
  const ProcessResult withdrawn =
      daemon_.RunCliAs(admin_, "standard", "withdraw", "CSCS@1", "--reason", "replaced by CSCS@2",
                       "--seals", "keep");
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn;
  EXPECT_THAT(withdrawn.out, HasSubstr("seals kept valid"));
  EXPECT_THAT(Statuses(sealed.codes), Each(Seal::VALID));
}

// ---------------------------------------------------------------------------------------
// §8: nobody undoes what a higher authority decided.

// Seen: the issuing certifier reinstated seals that an overturned appeal had suspended,
// and a seal that the association had suspended "under investigation".
TEST_F(AuthorityTest, TheIssuerCannotLiftWhatTheAssociationDecided) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const SealedLot appealed = Sealed(10, 4);
  const ProcessResult filed = daemon_.RunCliAs(firm_, "-o", "json", "appeal", "file",
                                               appealed.inspection.id(), "--grounds", "recount");
  ASSERT_EQ(filed.exit_code, 0) << filed;
  const v1::Appeal appeal = ParseJson<v1::Appeal>(filed.out);
  ASSERT_TRUE(Succeeded(
      daemon_.RunCliAs(admin_, "appeal", "assign", appeal.id(), "--certifier", "cert-norte")));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(
      rival_, "appeal", "resolve", appeal.id(),
      WriteInspection(
          InspectionFile().OfLot(appealed.lot).Measuring(With(Premium(), {{"P4", "false"}}))))));
  ASSERT_THAT(Statuses(appealed.codes), Each(Seal::SUSPENDED));
  EXPECT_EQ(SealOf(appealed.codes[0]).status_decision().cause(), v1::APPEAL_OVERTURNED);

  // The issuer, by lot and by code: refused, nothing changes.
  const ProcessResult by_lot = daemon_.RunCliAs(certifier_, "seal", "reinstate", "--lot",
                                                appealed.lot, "--reason", "we disagree");
  EXPECT_EQ(by_lot.exit_code, kExitDenied) << by_lot;
  EXPECT_THAT(by_lot.err, HasSubstr("4 seals were suspended by the association (an appeal was "
                                    "overturned); only an authority at least as high"));
  const ProcessResult by_code = daemon_.RunCliAs(certifier_, "seal", "reinstate", appealed.codes[0],
                                                 "--reason", "we disagree");
  EXPECT_EQ(by_code.exit_code, kExitDenied) << by_code;
  EXPECT_THAT(Statuses(appealed.codes), Each(Seal::SUSPENDED));
  // Nor may the association make them claim more than the lot's inspections now support.
  const ProcessResult by_admin =
      daemon_.RunCliAs(admin_, "seal", "reinstate", appealed.codes[0], "--reason", "overruled");
  EXPECT_EQ(by_admin.exit_code, kExitRefused) << by_admin;
  EXPECT_THAT(by_admin.err, HasSubstr("a reinstated seal may not claim more than its lot's"));
  EXPECT_THAT(Statuses(appealed.codes), Each(Seal::SUSPENDED));

  // The association suspends a seal "under investigation": the issuer cannot lift it.
  const SealedLot investigated = Sealed(10, 2);
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "seal", "suspend", investigated.codes[0],
                                         "--reason", "under investigation")));
  const ProcessResult lifted = daemon_.RunCliAs(certifier_, "seal", "reinstate",
                                                investigated.codes[0], "--reason", "all fine");
  EXPECT_EQ(lifted.exit_code, kExitDenied) << lifted;
  EXPECT_THAT(lifted.err, HasSubstr("was suspended by the association; only an authority at "
                                    "least as high may reinstate it"));
  // A suspension of its own it may lift; and one it made, the association raises by
  // suspending again (recorded), after which it is the association's to lift.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(certifier_, "seal", "suspend", investigated.codes[1],
                                         "--reason", "label check")));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "seal", "suspend", investigated.codes[1],
                                         "--reason", "under investigation")));
  EXPECT_EQ(daemon_
                .RunCliAs(certifier_, "seal", "reinstate", investigated.codes[1], "--reason",
                          "label fine")
                .exit_code,
            kExitDenied);
  const ProcessResult shown = daemon_.RunCliAs(certifier_, "seal", "show", investigated.codes[1]);
  EXPECT_THAT(shown.out, HasSubstr("decided by:"));
  EXPECT_THAT(shown.out, HasSubstr("the association (ADMIN association)"));
  EXPECT_THAT(daemon_.RunCli("seal", "show", investigated.codes[1]).out,
              AllOf(HasSubstr("the association, "), HasSubstr("MANUAL")));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "seal", "reinstate", investigated.codes[0],
                                         investigated.codes[1], "--reason", "cleared")));
  EXPECT_THAT(Statuses(investigated.codes), Each(Seal::VALID));
  // Its own suspension the issuer lifts itself.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(certifier_, "seal", "suspend", investigated.codes[0],
                                         "--reason", "label check")));
  EXPECT_TRUE(Succeeded(daemon_.RunCliAs(certifier_, "seal", "reinstate", investigated.codes[0],
                                         "--reason", "label fine")));
}

// ---------------------------------------------------------------------------------------
// §8: nothing leaks through the cracks.

// Seen: a certifier that asked to suspend another certifier's lot got PERMISSION_DENIED
// naming a live seal code of that lot; an uninvolved certifier learned an appeal's state
// from CorrectInspection and ResolveAppeal errors.
TEST_F(AuthorityTest, RefusalsSayNothingOfAnotherParty) {
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "certifier", "--name",
                                         "Certificadora Sur", "--id", "cert-sur")));
  const std::string uninvolved = IssueToken("cert-sur", "certifier");
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  ASSERT_FALSE(Accredit("cert-sur", "CSCS").empty());
  const SealedLot a = Sealed(10, 3);
  const ProcessResult filed = daemon_.RunCliAs(firm_, "-o", "json", "appeal", "file",
                                               a.inspection.id(), "--grounds", "recount");
  ASSERT_EQ(filed.exit_code, 0) << filed;
  const v1::Appeal appeal = ParseJson<v1::Appeal>(filed.out);
  ASSERT_TRUE(Succeeded(
      daemon_.RunCliAs(admin_, "appeal", "assign", appeal.id(), "--certifier", "cert-norte")));
  const std::string reinspection = WriteInspection(InspectionFile().OfLot(a.lot));
  const std::string correction =
      WriteInspection(InspectionFile().OfLot(a.lot).Measuring(With(Premium(), {{"P4", "false"}})));

  struct Attempt {
    std::string who;
    std::string token;  // empty: anonymous
    std::vector<std::string> args;
    int exit_code;
  };
  const std::vector<Attempt> attempts = {
      {"a rival certifier suspends the lot",
       uninvolved,
       {"seal", "suspend", "--lot", a.lot, "--reason", "x"},
       kExitDenied},
      {"a rival certifier revokes the lot",
       rival_,
       {"seal", "revoke", "--lot", a.lot, "--reason", "x"},
       kExitDenied},
      {"a rival certifier suspends a seal",
       uninvolved,
       {"seal", "suspend", a.codes[1], "--reason", "x"},
       kExitDenied},
      {"a rival certifier issues under the inspection",
       uninvolved,
       {"seal", "issue", "--lot", a.lot, "--count", "1", "--inspection", a.inspection.id()},
       kExitDenied},
      {"a rival certifier corrects the appealed inspection",
       uninvolved,
       {"inspect", "correct", a.inspection.id(), correction, "--reason", "x"},
       kExitDenied},
      {"an uninvolved certifier resolves the appeal",
       uninvolved,
       {"appeal", "resolve", appeal.id(), reinspection},
       kExitDenied},
      {"an uninvolved certifier reads the appeal",
       uninvolved,
       {"appeal", "show", appeal.id()},
       kExitDenied},
      {"another firm suspends the lot",
       other_firm_,
       {"seal", "suspend", "--lot", a.lot, "--reason", "x"},
       kExitDenied},
      {"another firm reads the appeal", other_firm_, {"appeal", "show", appeal.id()}, kExitDenied},
      {"anyone suspends the lot",
       "",
       {"seal", "suspend", "--lot", a.lot, "--reason", "x"},
       kExitDenied},
      {"anyone reinstates a seal",
       "",
       {"seal", "reinstate", a.codes[2], "--reason", "x"},
       kExitDenied},
      {"anyone reads the appeal", "", {"appeal", "show", appeal.id()}, kExitDenied},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE(attempt.who);
    std::vector<std::string> args;
    if (!attempt.token.empty()) args = {"--token", attempt.token};
    args.insert(args.end(), attempt.args.begin(), attempt.args.end());
    const ProcessResult refused = daemon_.RunCliArgs(args);
    EXPECT_EQ(refused.exit_code, attempt.exit_code) << refused;
    // Nothing of the other party: no code it was not given, no appeal state, not who
    // made the inspection.
    for (const std::string& code : a.codes) {
      if (std::find(attempt.args.begin(), attempt.args.end(), code) == attempt.args.end()) {
        EXPECT_THAT(refused.err, Not(HasSubstr(code)));
      }
    }
    EXPECT_THAT(refused.err, AllOf(Not(HasSubstr("ASSIGNED")), Not(HasSubstr("FILED")),
                                   Not(HasSubstr("cert-austral")), Not(HasSubstr("cert-norte")),
                                   Not(HasSubstr("Planta Calbuco"))));
  }
  // Nothing changed.
  EXPECT_THAT(Statuses(a.codes), Each(Seal::VALID));
  EXPECT_EQ(ShowLot(a.lot).seals_issued(), 3u);
  const ProcessResult still = daemon_.RunCliAs(admin_, "-o", "json", "appeal", "show", appeal.id());
  EXPECT_EQ(ParseJson<v1::Appeal>(still.out).status(), v1::Appeal::ASSIGNED);
  // The parties themselves are still told: the original certifier learns why it may not
  // correct (the appeal is open).
  const ProcessResult own = daemon_.RunCliAs(certifier_, "inspect", "correct", a.inspection.id(),
                                             correction, "--reason", "x");
  EXPECT_EQ(own.exit_code, kExitRefused) << own;
  EXPECT_THAT(own.err, HasSubstr("is under appeal"));
}

}  // namespace
}  // namespace sello::e2e
