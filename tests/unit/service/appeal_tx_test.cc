// The appeal service's bodies against a real store: a firm files, ADMIN assigns another
// certifier, whose worse re-inspection overturns the original (superseding it); a
// certifier not party to an appeal learns nothing of it.
#include "daemon/service/appeal_tx.h"

#include <gtest/gtest.h>

#include "storage/loaders.h"
#include "tests/unit/service/tx_world.h"

namespace sello::service {
namespace {

class AppealTxTest : public tx_test::TxWorld {
 protected:
  absl::StatusOr<v1::Appeal> File(const std::string& inspection_id) {
    v1::FileAppealRequest request;
    request.set_inspection_id(inspection_id);
    request.set_grounds("The hours were misread");
    return Run<v1::Appeal>(firm, [&](storage::Transaction& tx) {
      return FileAppealTx(tx, request, absl::Hours(24 * 30));
    });
  }
};

TEST_F(AppealTxTest, AnOverturnSupersedesTheOriginal) {
  absl::StatusOr<v1::Inspection> original = Submit(certifier, 20);
  ASSERT_TRUE(original.ok()) << original.status();
  absl::StatusOr<v1::Appeal> appeal = File(original->id());
  ASSERT_TRUE(appeal.ok()) << appeal.status();
  EXPECT_EQ(appeal->status(), v1::Appeal::FILED);

  v1::ResolveAppealRequest resolve;
  resolve.set_appeal_id(appeal->id());
  *resolve.mutable_reinspection() = Inspection(40);
  // Re-inspected after the appeal was filed.
  resolve.mutable_reinspection()->mutable_inspection_date()->set_seconds(2000200000);
  clock().now = absl::FromUnixSeconds(2000300000);
  absl::Status stranger = Apply(other_certifier, [&](storage::Transaction& tx) {
    return ResolveAppealTx(tx, resolve).status();
  });
  EXPECT_EQ(stranger.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(stranger.message(),
            "appeal " + appeal->id() +
                " is not assigned to you; only the certifier the association assigns re-inspects");

  v1::AssignAppealRequest assign;
  assign.set_appeal_id(appeal->id());
  assign.set_certifier_id("cert-2");
  absl::StatusOr<v1::Appeal> assigned =
      Run<v1::Appeal>(admin, [&](storage::Transaction& tx) { return AssignAppealTx(tx, assign); });
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->assigned_certifier_id(), "cert-2");

  absl::StatusOr<v1::Appeal> resolved = Run<v1::Appeal>(
      other_certifier, [&](storage::Transaction& tx) { return ResolveAppealTx(tx, resolve); });
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->status(), v1::Appeal::OVERTURNED);
  absl::StatusOr<v1::Inspection> superseded = storage::RequireInspection(store(), original->id());
  ASSERT_TRUE(superseded.ok());
  EXPECT_EQ(superseded->status(), v1::Inspection::SUPERSEDED);
  absl::StatusOr<v1::Appeal> stored = storage::RequireAppeal(store(), appeal->id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status(), v1::Appeal::OVERTURNED);
}

TEST_F(AppealTxTest, ADismissedAppealIsStoredDismissed) {
  absl::StatusOr<v1::Inspection> original = Submit(certifier, 20);
  ASSERT_TRUE(original.ok()) << original.status();
  absl::StatusOr<v1::Appeal> appeal = File(original->id());
  ASSERT_TRUE(appeal.ok()) << appeal.status();
  v1::DismissAppealRequest dismiss;
  dismiss.set_appeal_id(appeal->id());
  dismiss.set_reason("no grounds");
  absl::StatusOr<v1::Appeal> dismissed = Run<v1::Appeal>(
      admin, [&](storage::Transaction& tx) { return DismissAppealTx(tx, dismiss); });
  ASSERT_TRUE(dismissed.ok()) << dismissed.status();
  absl::StatusOr<v1::Appeal> stored = storage::RequireAppeal(store(), appeal->id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status(), v1::Appeal::DISMISSED);
  dismiss.set_appeal_id("");
  absl::Status missing =
      Apply(admin, [&](storage::Transaction& tx) { return DismissAppealTx(tx, dismiss).status(); });
  EXPECT_EQ(missing.message(), "appeal_id: required");
}

}  // namespace
}  // namespace sello::service
