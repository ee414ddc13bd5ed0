// End-to-end: a firm takes an inspection through appeal to resolution with the real
// `sello`. The firm files, the association assigns a different accredited certifier, and
// that certifier's re-inspection resolves the appeal: UPHELD (the original stands) or
// OVERTURNED (the re-inspection supersedes it, and the seals follow in the same write).
// Every refusal is checked by its exit code and by the message naming the state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sello/v1/appeal.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using v1::Appeal;

class AppealTest : public CertificationTest {
 protected:
  // `sello --token TOKEN -o json appeal ARGS...`, which must succeed: the appeal shown.
  Appeal AppealOk(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", token, "-o", "json", "appeal"});
    const ProcessResult result = daemon_.RunCliArgs(args);
    EXPECT_EQ(result.exit_code, 0) << result;
    if (result.exit_code != 0) return Appeal();
    return ParseJson<Appeal>(result.out);
  }

  // `sello --token TOKEN appeal ARGS...`, which must be refused with `exit_code` and a
  // message holding `says`.
  void AppealRefused(const std::string& token, std::vector<std::string> args, int exit_code,
                     const std::string& says) {
    args.insert(args.begin(), {"--token", token, "appeal"});
    const ProcessResult result = daemon_.RunCliArgs(args);
    EXPECT_EQ(result.exit_code, exit_code) << result;
    EXPECT_THAT(result.err, HasSubstr(says)) << result;
  }

  // The assigned certifier's re-inspection of `file`.
  std::vector<std::string> Resolve(const std::string& appeal, const InspectionFile& file) {
    return {"resolve", appeal, WriteInspection(file)};
  }

  static std::vector<Appeal::Status> Steps(const Appeal& appeal) {
    std::vector<Appeal::Status> steps;
    for (const v1::AppealStep& step : appeal.history()) steps.push_back(step.status());
    return steps;
  }
};

TEST_F(AppealTest, ABetterReinspectionOverturnsTheOriginal) {
  // Austral grades the lot GRADE_I (30 h from harvest to processing) and seals it.
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  const Inspection original =
      Submitted(certifier_, InspectionFile().OfLot(lot).Measuring(With(Premium(), {{"H1", "30"}})));
  ASSERT_EQ(original.grade(), v1::GRADE_I);
  const std::vector<std::string> codes = Issued(certifier_, lot, 3);
  ASSERT_EQ(codes.size(), 3u);

  // The firm contests it.
  const Appeal filed = AppealOk(
      firm_, {"file", original.id(), "--grounds", "H1 was timed on the previous day's batch"});
  EXPECT_EQ(filed.status(), Appeal::FILED);
  EXPECT_EQ(filed.original_certifier_id(), "cert-austral");
  EXPECT_EQ(filed.original_grade(), v1::GRADE_I);

  // Nobody resolves before ADMIN assigns; the original certifier is never assignable; the
  // assignee must be accredited for the scope.
  AppealRefused(certifier_, Resolve(filed.id(), InspectionFile().OfLot(lot)), kExitRefused,
                "is FILED");
  AppealRefused(admin_, {"assign", filed.id(), "--certifier", "cert-austral"}, kExitRefused,
                "the original certifier can never re-inspect it");
  AppealRefused(admin_, {"assign", filed.id(), "--certifier", "cert-norte"}, kExitRefused,
                "no accreditation for standard CSCS");
  AppealRefused(admin_, {"assign", filed.id(), "--certifier", "salmones-sur"}, kExitRefused,
                "not a CERTIFIER");
  AppealRefused(firm_, {"assign", filed.id(), "--certifier", "cert-norte"}, kExitDenied, "");
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const Appeal assigned = AppealOk(admin_, {"assign", filed.id(), "--certifier", "cert-norte",
                                            "--note", "nearest accredited certifier"});
  EXPECT_EQ(assigned.status(), Appeal::ASSIGNED);
  EXPECT_EQ(assigned.assigned_certifier_id(), "cert-norte");

  // While the appeal is open the original certifier cannot correct its inspection away.
  const ProcessResult correction =
      Correct(certifier_, original.id(), InspectionFile().OfLot(lot), "second thoughts");
  EXPECT_EQ(correction.exit_code, kExitRefused) << correction;
  EXPECT_THAT(correction.err, HasSubstr("is under appeal"));

  // Only the assigned certifier re-inspects, and only the same lot, version and stages.
  AppealRefused(certifier_, Resolve(filed.id(), InspectionFile().OfLot(lot)), kExitDenied,
                "is assigned to cert-norte");
  AppealRefused(rival_,
                Resolve(filed.id(), InspectionFile()
                                        .OfLot(lot)
                                        .Covering({"harvest", "processing"})
                                        .Measuring(Without(Without(Premium(), "Q1"), "Q2"))),
                kExitRefused, "reinspection.stages");
  AppealRefused(rival_, Resolve(filed.id(), InspectionFile()), kExitRefused, "reinspection.lot_id");

  // Norte finds the lot PREMIUM: the appeal is overturned, the re-inspection supersedes the
  // original, and the GRADE_I seals stay valid (a box never claims more than is true).
  const std::vector<std::string> resolve = Resolve(filed.id(), InspectionFile().OfLot(lot));
  const Appeal overturned = AppealOk(rival_, resolve);
  EXPECT_EQ(overturned.status(), Appeal::OVERTURNED);
  EXPECT_EQ(overturned.reinspection_grade(), v1::PREMIUM);
  EXPECT_EQ(overturned.seals_suspended(), 0u);
  EXPECT_THAT(Steps(overturned), ElementsAre(Appeal::FILED, Appeal::ASSIGNED, Appeal::OVERTURNED));
  EXPECT_EQ(overturned.history(0).actor_organisation_id(), "salmones-sur");
  EXPECT_EQ(overturned.history(0).actor_role(), v1::FIRM);
  EXPECT_EQ(overturned.history(1).actor_role(), v1::ADMIN);
  EXPECT_EQ(overturned.history(1).certifier_id(), "cert-norte");
  EXPECT_EQ(overturned.history(2).actor_organisation_id(), "cert-norte");
  EXPECT_TRUE(overturned.history(2).has_time());

  const Inspection superseded = ShowInspection(admin_, original.id());
  EXPECT_EQ(superseded.status(), Inspection::SUPERSEDED);
  EXPECT_EQ(superseded.superseded_by(), overturned.reinspection_id());
  const Inspection reinspection = ShowInspection(firm_, overturned.reinspection_id());
  EXPECT_EQ(reinspection.status(), Inspection::CURRENT);
  EXPECT_EQ(reinspection.certifier_id(), "cert-norte");
  EXPECT_EQ(reinspection.supersedes(), original.id());
  EXPECT_EQ(reinspection.appeal_id(), filed.id());
  EXPECT_THAT(Statuses(codes), ElementsAre(Seal::VALID, Seal::VALID, Seal::VALID));
  // The re-inspecting certifier seals further boxes at the better grade.
  const std::vector<std::string> premium = Issued(rival_, lot, 2);
  ASSERT_EQ(premium.size(), 2u);
  EXPECT_EQ(SealOf(premium[0]).grade(), v1::PREMIUM);

  // Resolved once: the same request again is refused naming the state; the superseded
  // original and the final re-inspection cannot be appealed.
  AppealRefused(rival_, Resolve(filed.id(), InspectionFile().OfLot(lot)), kExitRefused,
                "is OVERTURNED");
  AppealRefused(firm_, {"file", original.id(), "--grounds", "again"}, kExitRefused,
                "is SUPERSEDED by " + reinspection.id());
  AppealRefused(firm_, {"file", reinspection.id(), "--grounds", "again"}, kExitRefused,
                "its result is final");

  // Each step is an event in the log.
  std::vector<std::string> kinds;
  for (const v1::Event& event : Events(1, 3, "appeal.")) kinds.push_back(event.kind());
  EXPECT_THAT(kinds, ElementsAre("appeal.filed", "appeal.assigned", "appeal.overturned"));
}

TEST_F(AppealTest, AWorseReinspectionSuspendsTheSealsInTheSameWrite) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  const Inspection original = Submitted(certifier_, InspectionFile().OfLot(lot));
  ASSERT_EQ(original.grade(), v1::PREMIUM);
  const std::vector<std::string> codes = Issued(certifier_, lot, 4);
  const Appeal filed =
      AppealOk(firm_, {"file", original.id(), "--grounds", "the buyer wants a second opinion"});
  AppealOk(admin_, {"assign", filed.id(), "--certifier", "cert-norte"});

  // Norte finds Listeria: the original is superseded and its seals suspended.
  const Appeal overturned = AppealOk(
      rival_, Resolve(filed.id(),
                      InspectionFile().OfLot(lot).Measuring(With(Premium(), {{"P4", "false"}}))));
  EXPECT_EQ(overturned.status(), Appeal::OVERTURNED);
  EXPECT_EQ(overturned.reinspection_outcome(), Inspection::FAIL);
  EXPECT_EQ(overturned.seals_suspended(), 4u);
  EXPECT_THAT(Statuses(codes),
              ElementsAre(Seal::SUSPENDED, Seal::SUSPENDED, Seal::SUSPENDED, Seal::SUSPENDED));
  // The firm reads which appeal; a buyer only that an appeal was overturned.
  EXPECT_THAT(SealOf(codes[0], firm_).status_reason(),
              HasSubstr("appeal " + filed.id() + " overturned"));
  EXPECT_EQ(SealOf(codes[0]).status_reason(),
            "decided by the association (an appeal was overturned)");

  // One atomic write: the supersession, the suspension, the re-inspection and the appeal's
  // resolution are consecutive events of one commit, all stamped with the same time.
  const std::vector<v1::Event> resolution = Events(1, 1, "appeal.overturned");
  ASSERT_EQ(resolution.size(), 1u);
  const uint64_t resolved = resolution[0].seq();
  const std::vector<v1::Event> write = Events(resolved - 3, 4);
  ASSERT_EQ(write.size(), 4u);
  EXPECT_EQ(write[0].kind(), "inspection.superseded");
  EXPECT_EQ(write[1].kind(), "seals.suspended");
  EXPECT_EQ(write[2].kind(), "inspection.reinspected");
  EXPECT_EQ(write[3].kind(), "appeal.overturned");
  for (const v1::Event& event : write) {
    EXPECT_EQ(event.time().seconds(), resolution[0].time().seconds());
    EXPECT_EQ(event.time().nanos(), resolution[0].time().nanos());
  }
  // The firm cannot issue over a failed lot, and nor can the original certifier now.
  EXPECT_NE(IssueSeals(certifier_, lot, 1).exit_code, 0);
}

TEST_F(AppealTest, AnAgreeingReinspectionUpholdsTheOriginal) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "certifier", "--name",
                                         "Tercera", "--id", "cert-tercera")));
  const std::string third = IssueToken("cert-tercera", "certifier");
  ASSERT_FALSE(Accredit("cert-tercera", "CSCS").empty());

  // A failed plant audit.
  const Inspection original =
      Submitted(certifier_, InspectionFile().Measuring(With(Premium(), {{"P4", "false"}})));
  ASSERT_EQ(original.outcome(), Inspection::FAIL);

  // Another firm cannot appeal it, nor read the appeal; the grounds are required.
  AppealRefused(other_firm_, {"file", original.id(), "--grounds", "x"}, kExitDenied,
                "a firm appeals only its own");
  AppealRefused(firm_, {"file", original.id(), "--grounds", ""}, kExitRefused, "grounds");
  const Appeal filed =
      AppealOk(firm_, {"file", original.id(), "--grounds", "the swab was contaminated"});
  AppealRefused(firm_, {"file", original.id(), "--grounds", "twice"}, kExitRefused,
                "already under appeal");
  AppealRefused(other_firm_, {"show", filed.id()}, kExitDenied, "");

  // ADMIN assigns Norte, then reassigns to Tercera: Norte drops out of the appeal.
  AppealOk(admin_, {"assign", filed.id(), "--certifier", "cert-norte"});
  const Appeal reassigned = AppealOk(admin_, {"assign", filed.id(), "--certifier", "cert-tercera",
                                              "--note", "Norte has a conflict of interest"});
  EXPECT_EQ(reassigned.assigned_certifier_id(), "cert-tercera");
  AppealRefused(rival_, {"show", filed.id()}, kExitDenied, "");
  // Norte, no longer a party, is refused without learning who is (issue 16 §8).
  AppealRefused(rival_, Resolve(filed.id(), InspectionFile()), kExitDenied,
                "is not assigned to you");
  const ProcessResult dropped = daemon_.RunCliArgs(
      {"--token", rival_, "appeal", "resolve", filed.id(), WriteInspection(InspectionFile())});
  EXPECT_THAT(dropped.err, Not(HasSubstr("cert-tercera")));
  EXPECT_THAT(dropped.err, Not(HasSubstr("ASSIGNED")));
  // The original certifier follows the appeal against its own inspection.
  EXPECT_EQ(AppealOk(certifier_, {"show", filed.id()}).id(), filed.id());

  // Tercera finds Listeria too: upheld, the original stands.
  std::vector<std::string> resolve =
      Resolve(filed.id(), InspectionFile().Measuring(With(Premium(), {{"P4", "false"}})));
  resolve.insert(resolve.end(), {"--request-id", "re-1"});
  const Appeal upheld = AppealOk(third, resolve);
  EXPECT_EQ(upheld.status(), Appeal::UPHELD);
  EXPECT_THAT(Steps(upheld),
              ElementsAre(Appeal::FILED, Appeal::ASSIGNED, Appeal::ASSIGNED, Appeal::UPHELD));
  EXPECT_EQ(ShowInspection(admin_, original.id()).status(), Inspection::CURRENT);
  EXPECT_EQ(ShowInspection(third, upheld.reinspection_id()).appeal_id(), filed.id());

  // A retry of the resolving request (same request id) returns the appeal unchanged; any
  // other resolution is refused.
  const Appeal retried = AppealOk(third, resolve);
  EXPECT_EQ(retried.status(), Appeal::UPHELD);
  EXPECT_EQ(retried.reinspection_id(), upheld.reinspection_id());
  EXPECT_EQ(retried.history_size(), upheld.history_size());
  resolve.back() = "re-2";
  AppealRefused(third, resolve, kExitRefused, "is UPHELD");

  // Decided: no second appeal of the same inspection.
  AppealRefused(firm_, {"file", original.id(), "--grounds", "again"}, kExitRefused,
                "was appealed before");

  // Listings: the firm sees its appeal, the other firm none, ADMIN all; by status.
  const ProcessResult mine = daemon_.RunCliAs(firm_, "-o", "json", "appeal", "list");
  ASSERT_EQ(mine.exit_code, 0) << mine;
  EXPECT_EQ(ParseJson<v1::ListAppealsResponse>(mine.out).appeals_size(), 1);
  const ProcessResult theirs = daemon_.RunCliAs(other_firm_, "-o", "json", "appeal", "list");
  ASSERT_EQ(theirs.exit_code, 0) << theirs;
  EXPECT_EQ(ParseJson<v1::ListAppealsResponse>(theirs.out).appeals_size(), 0);
  const ProcessResult upheld_list =
      daemon_.RunCliAs(admin_, "appeal", "list", "--status", "UPHELD");
  ASSERT_EQ(upheld_list.exit_code, 0) << upheld_list;
  EXPECT_THAT(upheld_list.out, HasSubstr(filed.id()));
  const ProcessResult shown = daemon_.RunCliAs(firm_, "appeal", "show", filed.id());
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("Norte has a conflict of interest"));
  EXPECT_THAT(shown.out, HasSubstr("agrees with FAIL"));
}

}  // namespace
}  // namespace sello::e2e
