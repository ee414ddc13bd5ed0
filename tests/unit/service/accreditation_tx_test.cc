// The accreditation service's bodies against a real store: only a CERTIFIER is
// accredited; suspending an accreditation with SUSPEND_SEALS suspends the certifier's
// seals within its scope and records how many in its history.
#include "daemon/service/accreditation_tx.h"

#include <gtest/gtest.h>

#include "daemon/service/seal_tx.h"
#include "storage/loaders.h"
#include "tests/unit/service/tx_world.h"

namespace sello::service {
namespace {

class AccreditationTxTest : public tx_test::TxWorld {};

TEST_F(AccreditationTxTest, OnlyACertifierIsAccredited) {
  absl::Status refused = Apply(admin, [](storage::Transaction& tx) {
    return CreateAccreditationTx(tx, Accreditation("firm-1")).status();
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "accreditation.certifier_id: 'firm-1' is a FIRM, not a CERTIFIER");
}

TEST_F(AccreditationTxTest, SuspendingWithSuspendSealsSuspendsTheCertifiersSeals) {
  absl::StatusOr<std::vector<v1::Accreditation>> held =
      storage::AccreditationsOfCertifier(store(), "cert-1");
  ASSERT_TRUE(held.ok() && held->size() == 1u);
  ASSERT_TRUE(Submit(certifier, 20).ok());
  ASSERT_EQ(IssueSeals(3).size(), 3u);
  v1::ChangeAccreditationRequest change;
  change.set_accreditation_id(held->front().id());
  change.set_reason("audit findings");
  change.set_seals(v1::SUSPEND_SEALS);
  absl::StatusOr<v1::Accreditation> suspended =
      Run<v1::Accreditation>(admin, [&](storage::Transaction& tx) {
        return ChangeAccreditationTx(tx, change, v1::Accreditation::SUSPENDED,
                                     "accreditation.suspended");
      });
  ASSERT_TRUE(suspended.ok()) << suspended.status();
  EXPECT_EQ(suspended->status(), v1::Accreditation::SUSPENDED);
  EXPECT_EQ(suspended->history().rbegin()->seals_suspended(), 3u);
  absl::StatusOr<v1::Accreditation> stored =
      storage::RequireAccreditation(store(), held->front().id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status(), v1::Accreditation::SUSPENDED);
}

}  // namespace
}  // namespace sello::service
