// The standard service's bodies against a real store: publishing stores the version
// PUBLISHED; withdrawing it with SUSPEND_SEALS suspends its seals in the same write and
// says how many.
#include "daemon/service/standard_tx.h"

#include <gtest/gtest.h>

#include "daemon/service/seal_tx.h"
#include "storage/loaders.h"
#include "tests/unit/service/tx_world.h"

namespace sello::service {
namespace {

class StandardTxTest : public tx_test::TxWorld {};

TEST_F(StandardTxTest, WithdrawingAVersionSuspendsItsSeals) {
  absl::StatusOr<v1::StandardVersion> published = RequireVersion(store(), "TST", 1);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->status(), v1::StandardVersion::PUBLISHED);
  ASSERT_TRUE(Submit(certifier, 20).ok());
  ASSERT_EQ(IssueSeals(2).size(), 2u);
  v1::WithdrawStandardVersionRequest withdraw;
  withdraw.set_standard_id("TST");
  withdraw.set_version(1);
  withdraw.set_reason("the hours limit was unsafe");
  absl::StatusOr<v1::StandardVersion> withdrawn =
      Run<v1::StandardVersion>(admin, [&](storage::Transaction& tx) {
        return WithdrawStandardVersionTx(tx, withdraw, v1::SUSPEND_SEALS);
      });
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->seals_suspended(), 2u);
  EXPECT_EQ(withdrawn->withdraw_seals(), v1::SUSPEND_SEALS);
  absl::StatusOr<v1::StandardVersion> stored = RequireVersion(store(), "TST", 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status(), v1::StandardVersion::WITHDRAWN);
  EXPECT_EQ(SealStatuses(), std::vector<v1::Seal::Status>(2, v1::Seal::SUSPENDED));
}

TEST_F(StandardTxTest, AnUnknownVersionIsNamed) {
  absl::StatusOr<v1::StandardVersion> missing = RequireVersion(store(), "TST", 9);
  EXPECT_EQ(missing.status().message(), "standard version TST@9 not found");
  absl::StatusOr<v1::Standard> unnamed = RequireStandard(store(), "");
  EXPECT_EQ(unnamed.status().message(), "standard_id: required");
}

}  // namespace
}  // namespace sello::service
