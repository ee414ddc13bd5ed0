// End-to-end: appeals reach an end (issue 16 §6). ADMIN dismisses an appeal before it is
// assigned, with a reason; the firm withdraws its own before it is resolved; every appeal
// carries a deadline set at filing (sellod --appeal-deadline-days) and `sello appeal list
// --overdue` shows the open ones past it. Each ending is a step of the appeal's history
// and an event in the log; others are refused without learning the appeal's state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "sello/v1/appeal.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::Appeal;

constexpr int kExitUsage = 2;

class AppealEndingTest : public CertificationTest {
 protected:
  // `sello --token TOKEN -o json appeal ARGS...`, which must succeed: the appeal shown.
  Appeal AppealOk(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", token, "-o", "json", "appeal"});
    const ProcessResult result = daemon_.RunCliArgs(args);
    EXPECT_EQ(result.exit_code, 0) << result;
    if (result.exit_code != 0) return Appeal();
    return ParseJson<Appeal>(result.out);
  }

  // `sello [--token TOKEN] appeal ARGS...`, which must be refused with `exit_code` and a
  // message holding `says`; returns what it printed on stderr.
  std::string AppealRefused(const std::string& token, std::vector<std::string> args, int exit_code,
                            const std::string& says) {
    args.insert(args.begin(), "appeal");
    if (!token.empty()) args.insert(args.begin(), {"--token", token});
    const ProcessResult result = daemon_.RunCliArgs(args);
    EXPECT_EQ(result.exit_code, exit_code) << result;
    EXPECT_THAT(result.err, HasSubstr(says)) << result;
    return result.err;
  }

  // The firm appeals a fresh PREMIUM plant audit by Austral; the appeal as filed.
  Appeal FileOne(const std::string& grounds = "the probe was not calibrated") {
    const Inspection inspection = Submitted(certifier_, InspectionFile());
    return AppealOk(firm_, {"file", inspection.id(), "--grounds", grounds});
  }

  // The ids listed by `appeal list --overdue` as `token`.
  std::vector<std::string> Overdue(const std::string& token) {
    const ProcessResult listed =
        daemon_.RunCliAs(token, "-o", "json", "appeal", "list", "--overdue");
    EXPECT_EQ(listed.exit_code, 0) << listed;
    const v1::ListAppealsResponse response = ParseJson<v1::ListAppealsResponse>(listed.out);
    std::vector<std::string> ids;
    for (const Appeal& appeal : response.appeals()) {
      EXPECT_TRUE(appeal.overdue()) << appeal.id();
      ids.push_back(appeal.id());
    }
    return ids;
  }

  static std::vector<Appeal::Status> Steps(const Appeal& appeal) {
    std::vector<Appeal::Status> steps;
    for (const v1::AppealStep& step : appeal.history()) steps.push_back(step.status());
    return steps;
  }
};

TEST_F(AppealEndingTest, AdminDismissesAnAppealBeforeAssignment) {
  const Inspection original = Submitted(certifier_, InspectionFile());
  const Appeal filed = AppealOk(firm_, {"file", original.id(), "--grounds", "we disagree"});
  ASSERT_EQ(filed.status(), Appeal::FILED);
  // Every appeal carries its deadline from filing: 30 days by default.
  EXPECT_EQ(domain::FromProto(filed.deadline()) - domain::FromProto(filed.file_time()),
            absl::Hours(24 * 30));
  EXPECT_FALSE(filed.overdue());

  // Only ADMIN dismisses, and only with a reason.
  AppealRefused(firm_, {"dismiss", filed.id(), "--reason", "x"}, kExitDenied, "");
  AppealRefused(certifier_, {"dismiss", filed.id(), "--reason", "x"}, kExitDenied, "");
  AppealRefused("", {"dismiss", filed.id(), "--reason", "x"}, kExitDenied, "needs a token");
  AppealRefused(admin_, {"dismiss", filed.id()}, kExitUsage, "--reason");
  AppealRefused(admin_, {"dismiss", filed.id(), "--reason", ""}, kExitRefused, "reason");
  const Appeal dismissed =
      AppealOk(admin_, {"dismiss", filed.id(), "--reason", "no grounds given under the code"});
  EXPECT_EQ(dismissed.status(), Appeal::DISMISSED);
  EXPECT_THAT(Steps(dismissed), ElementsAre(Appeal::FILED, Appeal::DISMISSED));
  EXPECT_EQ(dismissed.history(1).actor_role(), v1::ADMIN);
  EXPECT_EQ(dismissed.history(1).actor_organisation_id(), "association");
  EXPECT_EQ(dismissed.history(1).note(), "no grounds given under the code");
  EXPECT_EQ(AppealOk(firm_, {"show", filed.id()}).status(), Appeal::DISMISSED);

  // Final: not dismissed again, assigned, withdrawn or appealed once more; and the original
  // certifier may correct its inspection again (an open appeal had held it).
  AppealRefused(admin_, {"dismiss", filed.id(), "--reason", "again"}, kExitRefused, "is DISMISSED");
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  AppealRefused(admin_, {"assign", filed.id(), "--certifier", "cert-norte"}, kExitRefused,
                "is DISMISSED; a closed appeal is not reassigned");
  AppealRefused(firm_, {"withdraw", filed.id()}, kExitRefused, "is DISMISSED");
  AppealRefused(firm_, {"file", original.id(), "--grounds", "again"}, kExitRefused,
                "was appealed before: appeal " + filed.id() + " is DISMISSED");
  EXPECT_TRUE(Succeeded(Correct(certifier_, original.id(), InspectionFile(), "a typo in H1")));

  // In the log.
  std::vector<std::string> kinds;
  for (const v1::Event& event : Events(1, 2, "appeal.")) kinds.push_back(event.kind());
  EXPECT_THAT(kinds, ElementsAre("appeal.filed", "appeal.dismissed"));
}

TEST_F(AppealEndingTest, TheFirmWithdrawsItsOwnAppealBeforeResolution) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  const Inspection original = Submitted(certifier_, InspectionFile().OfLot(lot));
  const std::vector<std::string> codes = Issued(certifier_, lot, 2);
  const Appeal filed = AppealOk(firm_, {"file", original.id(), "--grounds", "second opinion"});
  AppealOk(admin_, {"assign", filed.id(), "--certifier", "cert-norte"});

  // Assigned: the re-inspection decides now, ADMIN no longer dismisses it.
  AppealRefused(admin_, {"dismiss", filed.id(), "--reason", "late"}, kExitRefused,
                "is ASSIGNED to cert-norte");
  // Nobody but the firm withdraws it, and the others learn nothing of its state.
  const std::string other = AppealRefused(other_firm_, {"withdraw", filed.id()}, kExitDenied,
                                          "a firm withdraws only its own");
  EXPECT_THAT(other, Not(HasSubstr("ASSIGNED")));
  EXPECT_THAT(other, Not(HasSubstr("cert-norte")));
  AppealRefused(rival_, {"withdraw", filed.id()}, kExitDenied, "");
  AppealRefused(admin_, {"withdraw", filed.id()}, kExitDenied, "");

  const Appeal withdrawn =
      AppealOk(firm_, {"withdraw", filed.id(), "--reason", "settled with the buyer"});
  EXPECT_EQ(withdrawn.status(), Appeal::WITHDRAWN);
  EXPECT_THAT(Steps(withdrawn), ElementsAre(Appeal::FILED, Appeal::ASSIGNED, Appeal::WITHDRAWN));
  EXPECT_EQ(withdrawn.history(2).actor_role(), v1::FIRM);
  EXPECT_EQ(withdrawn.history(2).actor_organisation_id(), "salmones-sur");
  EXPECT_EQ(withdrawn.history(2).note(), "settled with the buyer");

  // The assigned certifier can no longer resolve it; the original stands with its seals.
  AppealRefused(rival_, {"resolve", filed.id(), WriteInspection(InspectionFile().OfLot(lot))},
                kExitRefused, "is WITHDRAWN; an appeal is resolved once");
  AppealRefused(firm_, {"withdraw", filed.id()}, kExitRefused, "is WITHDRAWN");
  EXPECT_EQ(ShowInspection(firm_, original.id()).status(), Inspection::CURRENT);
  EXPECT_THAT(Statuses(codes), ElementsAre(Seal::VALID, Seal::VALID));
  // ADMIN and the certifiers involved read how it ended.
  EXPECT_EQ(AppealOk(rival_, {"show", filed.id()}).status(), Appeal::WITHDRAWN);
  const ProcessResult shown = daemon_.RunCliAs(admin_, "appeal", "show", filed.id());
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("WITHDRAWN"));
  EXPECT_THAT(shown.out, HasSubstr("settled with the buyer"));

  std::vector<std::string> kinds;
  for (const v1::Event& event : Events(1, 3, "appeal.")) kinds.push_back(event.kind());
  EXPECT_THAT(kinds, ElementsAre("appeal.filed", "appeal.assigned", "appeal.withdrawn"));
}

TEST_F(AppealEndingTest, OpenAppealsPastTheirDeadlineAreListedAsOverdue) {
  // Filed with the default deadline (30 days): not overdue.
  const Appeal patient = FileOne();
  EXPECT_THAT(Overdue(admin_), IsEmpty());

  // The operator shortens the time to decide to about 2.6 s: appeals filed from now on get
  // that deadline; the one filed before keeps its own.
  daemon_.set_daemon_args({"--appeal-deadline-days", "0.00003"});
  ASSERT_TRUE(daemon_.Restart());
  const Appeal late = FileOne();
  const Appeal withdrawn = FileOne();
  EXPECT_NEAR(absl::ToDoubleMilliseconds(domain::FromProto(late.deadline()) -
                                         domain::FromProto(late.file_time())),
              2592, 1);
  AppealOk(firm_, {"withdraw", withdrawn.id()});

  // Once its deadline passes, the open one is overdue; the withdrawn one never is, nor
  // the one with 30 days.
  std::vector<std::string> overdue;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (overdue.empty() && absl::Now() < give_up) overdue = Overdue(admin_);
  EXPECT_THAT(overdue, ElementsAre(late.id()));
  EXPECT_GE(absl::Now(), domain::FromProto(late.deadline()));
  EXPECT_THAT(Overdue(firm_), ElementsAre(late.id()));
  EXPECT_THAT(Overdue(other_firm_), IsEmpty());
  EXPECT_TRUE(AppealOk(firm_, {"show", late.id()}).overdue());
  EXPECT_FALSE(AppealOk(firm_, {"show", patient.id()}).overdue());
  EXPECT_FALSE(AppealOk(firm_, {"show", withdrawn.id()}).overdue());
  const ProcessResult table = daemon_.RunCliAs(admin_, "appeal", "list", "--overdue");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("OVERDUE"));
  const ProcessResult shown = daemon_.RunCliAs(admin_, "appeal", "show", late.id());
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("(overdue)"));

  // ADMIN ends it: it is no longer overdue (nothing stays open for ever).
  AppealOk(admin_, {"dismiss", late.id(), "--reason", "not pursued within the deadline"});
  EXPECT_THAT(Overdue(admin_), IsEmpty());
}

}  // namespace
}  // namespace sello::e2e
