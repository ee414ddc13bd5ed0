// The inspection service's bodies against a real store: a submission is graded and
// stored, a retry answers the first, a correction supersedes the inspection it corrects
// and the lot's seals follow the worse result; a FIRM creates lots at its own sites only.
#include "daemon/service/inspection_tx.h"

#include <gtest/gtest.h>

#include "daemon/service/seal_tx.h"
#include "storage/loaders.h"
#include "tests/unit/service/tx_world.h"

namespace sello::service {
namespace {

class InspectionTxTest : public tx_test::TxWorld {};

TEST_F(InspectionTxTest, ASubmissionIsGradedAndARetryAnswersTheFirst) {
  absl::StatusOr<v1::Inspection> first = Submit(certifier, 20, "insp-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->grade(), v1::PREMIUM);
  EXPECT_EQ(first->status(), v1::Inspection::CURRENT);
  EXPECT_EQ(first->firm_id(), "firm-1");
  absl::StatusOr<v1::Inspection> again = Submit(certifier, 40, "insp-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), first->id());
  EXPECT_EQ(again->grade(), v1::PREMIUM);
  absl::StatusOr<std::vector<v1::Inspection>> stored = storage::InspectionsOfLot(store(), lot_id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 1u);
}

TEST_F(InspectionTxTest, ACorrectionSupersedesAndTheLotsSealsFollow) {
  absl::StatusOr<v1::Inspection> first = Submit(certifier, 20);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(IssueSeals(2).size(), 2u);
  v1::CorrectInspectionRequest correction;
  correction.set_inspection_id(first->id());
  correction.set_reason("the hours were misread");
  absl::StatusOr<v1::Inspection> corrected =
      Run<v1::Inspection>(certifier, [&](storage::Transaction& tx) {
        return SubmitInspectionTx(tx, Inspection(40), &correction);
      });
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(corrected->grade(), v1::INDUSTRIAL);
  absl::StatusOr<v1::Inspection> earlier = storage::RequireInspection(store(), first->id());
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->status(), v1::Inspection::SUPERSEDED);
  EXPECT_EQ(SealStatuses(), std::vector<v1::Seal::Status>(2, v1::Seal::SUSPENDED));
  // Another certifier may not correct it.
  correction.set_inspection_id(corrected->id());
  absl::Status refused = Apply(other_certifier, [&](storage::Transaction& tx) {
    return SubmitInspectionTx(tx, Inspection(20), &correction).status();
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
}

TEST_F(InspectionTxTest, AFirmCreatesLotsAtItsOwnSitesOnly) {
  absl::StatusOr<v1::Lot> own = Run<v1::Lot>(firm, [](storage::Transaction& tx) {
    return CreateLotTx(tx, tx_test::Parse<v1::Lot>(R"pb(
                         site_id: "site-1"
                         product_form: "fillets"
                         harvest_date { seconds: 1999913600 }
                         box_count: 10
                       )pb"));
  });
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->firm_id(), "firm-1");
  EXPECT_EQ(own->created_by(), "firm-1");
  const domain::Principal rival{"tok-rival", "firm-2", v1::FIRM};
  absl::Status refused = Apply(rival, [](storage::Transaction& tx) {
    return CreateLotTx(tx, tx_test::Parse<v1::Lot>(R"pb(
                         site_id: "site-1"
                         product_form: "fillets"
                         harvest_date { seconds: 1999913600 }
                         box_count: 10
                       )pb"))
        .status();
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(), "lot.site_id: site site-1 belongs to another firm");
}

}  // namespace
}  // namespace sello::service
