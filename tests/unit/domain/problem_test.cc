#include "daemon/domain/problem.h"

#include "gtest/gtest.h"

namespace sello::domain {
namespace {

TEST(ProblemsToStatusTest, NoProblemsIsOk) {
  EXPECT_TRUE(ProblemsToStatus("cscs.json", {}).ok());
  EXPECT_TRUE(ProblemsToStatus("", {}).ok());
}

TEST(ProblemsToStatusTest, OneProblemIsOneLine) {
  const absl::Status status =
      ProblemsToStatus("cscs.json", {{"stages[2].criteria[0].grades", "PREMIUM range is looser"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "cscs.json: stages[2].criteria[0].grades: PREMIUM range is looser");
}

TEST(ProblemsToStatusTest, EmptySourceIsLeftOut) {
  const absl::Status status = ProblemsToStatus("", {{"title", "required"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "title: required");
}

TEST(ProblemsToStatusTest, SeveralProblemsAreCountedAndListedInOrder) {
  const absl::Status status = ProblemsToStatus(
      "cscs.json", {{"standard_id", "required"}, {"title", "required"}, {"stages", "too many"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "cscs.json: 3 problems\n"
            "  standard_id: required\n"
            "  title: required\n"
            "  stages: too many");
}

TEST(ProblemsToStatusTest, SeveralProblemsWithoutSource) {
  const absl::Status status = ProblemsToStatus("", {{"a", "x"}, {"b", "y"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "2 problems\n  a: x\n  b: y");
}

TEST(ProblemsToStatusTest, ProblemWithoutPathShowsOnlyTheMessage) {
  EXPECT_EQ(ProblemsToStatus("f.json", {{"", "not a standard file"}}).message(),
            "f.json: not a standard file");
  EXPECT_EQ(ProblemsToStatus("", {{"", "x"}, {"a", "y"}}).message(), "2 problems\n  x\n  a: y");
}

}  // namespace
}  // namespace sello::domain
