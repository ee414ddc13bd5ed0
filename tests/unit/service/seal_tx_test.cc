// A lot's seals are found through its issuances (compact seals) and through their own
// by-lot entries (seals stored whole, from before issuances kept templates), together; a
// certifier's and a standard version's through their issuance indexes, which a data
// dir from before them gets built once.
#include "daemon/service/seal_tx.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "daemon/tlog/merkle.h"
#include "storage/loaders.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"
#include "tests/unit/service/tx_world.h"

namespace sello::service {
namespace {

using storage::Table;

v1::Seal Seal(const std::string& code, const std::string& inspection, const std::string& issuance,
              uint32_t position) {
  v1::Seal seal;
  seal.set_code(code);
  seal.set_lot_id("lot-1");
  seal.set_inspection_id(inspection);
  seal.set_firm_id("firm-1");
  seal.set_status(v1::Seal::VALID);
  seal.set_issuance_id(issuance);
  seal.set_position(position);
  return seal;
}

// Writes an issuance of `codes` under `inspection` (by `certifier`, of CSCS@`version`)
// the way IssueSeals does.
void Issue(storage::WriteSet& writes, const std::string& id, const std::string& inspection,
           const std::vector<std::string>& codes, const std::string& certifier = "cert-1",
           uint32_t version = 1) {
  v1::SealIssuance issuance;
  issuance.set_id(id);
  issuance.set_lot_id("lot-1");
  issuance.set_inspection_id(inspection);
  issuance.set_certifier_id(certifier);
  storage::PutIssuance(writes, issuance, "CSCS", version);
  storage::PutSealTemplate(writes, Seal("", inspection, id, 0));
  for (uint32_t i = 0; i < codes.size(); ++i) {
    storage::PutSeal(writes, Seal(codes[i], inspection, id, i), /*compact=*/true);
  }
  writes.Put(Table::kIssuances, storage::IssuanceCodesKey(id), absl::StrJoin(codes, "\n"));
}

TEST(SealCodesOfLotTest, FindsCompactAndWholeSealsByLotAndInspection) {
  test_support::TempDir dir;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::OpenRocksStore({.path = dir.path() + "/db"});
  ASSERT_TRUE(store.ok()) << store.status();
  storage::WriteSet writes;
  storage::PutSeal(writes, Seal("OLD-2", "insp-a", "iss-0", 0), /*compact=*/false);
  storage::PutSeal(writes, Seal("OLD-1", "insp-b", "iss-0", 1), /*compact=*/false);
  Issue(writes, "iss-1", "insp-a", {"NEW-3", "NEW-1"});
  Issue(writes, "iss-2", "insp-b", {"NEW-2"});
  ASSERT_TRUE((*store)->Write(writes).ok());

  absl::StatusOr<std::vector<std::string>> all = SealCodesOfLot(**store, "lot-1");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(absl::StrJoin(*all, ","), "NEW-1,NEW-2,NEW-3,OLD-1,OLD-2");
  absl::StatusOr<std::vector<std::string>> under_a = SealCodesOfLot(**store, "lot-1", "insp-a");
  ASSERT_TRUE(under_a.ok()) << under_a.status();
  EXPECT_EQ(absl::StrJoin(*under_a, ","), "NEW-1,NEW-3,OLD-2");
  absl::StatusOr<std::vector<std::string>> other = SealCodesOfLot(**store, "lot-2");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

v1::Inspection InspectionOf(const std::string& id, uint32_t version,
                            std::vector<std::string> stages) {
  v1::Inspection inspection;
  inspection.set_id(id);
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(version);
  for (std::string& stage : stages) inspection.add_stages(std::move(stage));
  return inspection;
}

TEST(SealCodesOfIssuancesTest, ACertifiersAndAVersionsSealsThroughTheirIndexes) {
  test_support::TempDir dir;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::OpenRocksStore({.path = dir.path() + "/db"});
  ASSERT_TRUE(store.ok()) << store.status();
  storage::WriteSet writes;
  storage::PutInspection(writes, InspectionOf("insp-a", 1, {"harvest"}));
  storage::PutInspection(writes, InspectionOf("insp-b", 2, {"processing"}));
  Issue(writes, "iss-1", "insp-a", {"A-2", "A-1"}, "cert-1", 1);
  Issue(writes, "iss-2", "insp-b", {"B-1"}, "cert-1", 2);
  Issue(writes, "iss-3", "insp-a", {"C-1"}, "cert-2", 1);
  ASSERT_TRUE((*store)->Write(writes).ok());

  absl::StatusOr<std::vector<std::string>> mine = SealCodesOfCertifier(**store, "cert-1");
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(absl::StrJoin(*mine, ","), "A-1,A-2,B-1");
  absl::StatusOr<std::vector<std::string>> harvest = SealCodesOfCertifier(
      **store, "cert-1",
      [](const v1::Inspection& inspection) { return inspection.stages(0) == "harvest"; });
  ASSERT_TRUE(harvest.ok()) << harvest.status();
  EXPECT_EQ(absl::StrJoin(*harvest, ","), "A-1,A-2");
  absl::StatusOr<std::vector<std::string>> v1 = SealCodesOfVersion(**store, "CSCS", 1);
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(absl::StrJoin(*v1, ","), "A-1,A-2,C-1");
  absl::StatusOr<std::vector<std::string>> none = SealCodesOfVersion(**store, "CSCS", 3);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SealCodesOfIssuancesTest, IndexesMissingFromAnOlderDataDirAreBuiltOnce) {
  test_support::TempDir dir;
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::OpenRocksStore({.path = dir.path() + "/db"});
  ASSERT_TRUE(store.ok()) << store.status();
  // As an older sellod wrote them: the records and the by-lot index only.
  storage::WriteSet writes;
  storage::PutInspection(writes, InspectionOf("insp-a", 1, {"harvest"}));
  v1::SealIssuance issuance;
  issuance.set_id("iss-1");
  issuance.set_lot_id("lot-1");
  issuance.set_inspection_id("insp-a");
  issuance.set_certifier_id("cert-1");
  writes.Put(Table::kIssuances, issuance.id(), storage::SerializeRecord(issuance));
  writes.Put(Table::kIssuances, storage::IssuanceCodesKey("iss-1"), "OLD-1\nOLD-2");
  writes.Put(Table::kIssuances, storage::SealTemplateKey("iss-1"), "");
  v1::Norm norm;
  norm.set_id("norm-1");
  norm.set_standard_id("CSCS");
  norm.set_standard_version(1);
  writes.Put(Table::kNorms, norm.id(), storage::SerializeRecord(norm));
  ASSERT_TRUE((*store)->Write(writes).ok());
  absl::StatusOr<std::vector<std::string>> before = SealCodesOfVersion(**store, "CSCS", 1);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());

  absl::StatusOr<std::optional<size_t>> built = storage::EnsureVersionIndexes(**store);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(*built, std::optional<size_t>(2));
  absl::StatusOr<std::vector<std::string>> after = SealCodesOfVersion(**store, "CSCS", 1);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(absl::StrJoin(*after, ","), "OLD-1,OLD-2");
  absl::StatusOr<std::vector<std::string>> by_certifier = SealCodesOfCertifier(**store, "cert-1");
  ASSERT_TRUE(by_certifier.ok());
  EXPECT_EQ(absl::StrJoin(*by_certifier, ","), "OLD-1,OLD-2");
  absl::StatusOr<std::vector<v1::Norm>> norms = storage::LoadIndexed<v1::Norm>(
      **store, Table::kNormsByVersion, storage::VersionIndexPrefix("CSCS", 1), Table::kNorms);
  ASSERT_TRUE(norms.ok());
  ASSERT_EQ(norms->size(), 1u);
  EXPECT_EQ((*norms)[0].id(), "norm-1");
  // Once.
  built = storage::EnsureVersionIndexes(**store);
  ASSERT_TRUE(built.ok());
  EXPECT_FALSE(built->has_value());
}

// IssueSeals' body: the seals are stored (compact, each in its position, VALID), the
// issuance's root is the tree over their whole records, the lot counts them, and a retry
// of the request answers the first issuance and writes nothing.
class IssueSealsTxTest : public tx_test::TxWorld {};

TEST_F(IssueSealsTxTest, IssuesSealsWithTheirTreeAndAnswersARetryWithTheFirst) {
  ASSERT_TRUE(Submit(certifier, 20).ok());
  v1::IssueSealsRequest request;
  request.set_lot_id(lot_id());
  request.set_count(3);
  request.set_request_id("seals-1");
  const auto issue = [&]() {
    return Run<v1::IssueSealsResponse>(certifier, [&](storage::Transaction& tx) {
      v1::IssueSealsResponse response;
      absl::Status status = IssueSealsTx(tx, request, 10000, response);
      if (!status.ok()) return absl::StatusOr<v1::IssueSealsResponse>(status);
      return absl::StatusOr<v1::IssueSealsResponse>(response);
    });
  };
  absl::StatusOr<v1::IssueSealsResponse> first = issue();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->codes_size(), 3);
  EXPECT_EQ(first->issuance().grade(), v1::PREMIUM);
  std::string leaves;
  for (int i = 0; i < first->codes_size(); ++i) {
    absl::StatusOr<std::optional<storage::StoredSeal>> seal =
        storage::LoadSeal(store(), first->codes(i));
    ASSERT_TRUE(seal.ok() && seal->has_value()) << first->codes(i);
    EXPECT_TRUE((*seal)->compact);
    EXPECT_EQ((*seal)->seal.position(), static_cast<uint32_t>(i));
    EXPECT_EQ((*seal)->seal.status(), v1::Seal::VALID);
    EXPECT_EQ((*seal)->seal.firm_name(), "Org firm-1");
    leaves += domain::merkle::LeafHash(storage::SerializeRecord((*seal)->seal));
  }
  absl::StatusOr<domain::merkle::LeafTree> tree = domain::merkle::LeafTree::Build(leaves);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(*tree->Root(), first->issuance().seals_root());
  absl::StatusOr<v1::IssueSealsResponse> again = issue();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->issuance().id(), first->issuance().id());
  EXPECT_EQ(absl::StrJoin(again->codes(), ","), absl::StrJoin(first->codes(), ","));
  absl::StatusOr<v1::Lot> lot = storage::RequireLot(store(), lot_id());
  ASSERT_TRUE(lot.ok());
  EXPECT_EQ(lot->seals_issued(), 3u);
}

TEST_F(IssueSealsTxTest, ACertifierWithoutAnInspectionOfTheLotIssuesNothing) {
  ASSERT_TRUE(Submit(certifier, 20).ok());
  v1::IssueSealsRequest request;
  request.set_lot_id(lot_id());
  request.set_count(1);
  absl::Status refused = Apply(other_certifier, [&](storage::Transaction& tx) {
    v1::IssueSealsResponse response;
    return IssueSealsTx(tx, request, 10000, response);
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_EQ(refused.message(),
            "lot_id: lot " + lot_id() + " has no current inspection by cert-2; submit one first");
}

// A change by hand of a whole lot reaches every seal of it that the certifier issued.
TEST_F(IssueSealsTxTest, ChangingALotSuspendsItsSeals) {
  ASSERT_TRUE(Submit(certifier, 20).ok());
  ASSERT_EQ(IssueSeals(2).size(), 2u);
  absl::StatusOr<uint32_t> changed = Run<uint32_t>(certifier, [&](storage::Transaction& tx) {
    return ChangeSealsOrLot(tx, {}, v1::Seal::SUSPENDED, "labels damaged", lot_id());
  });
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(*changed, 2u);
  absl::StatusOr<uint32_t> missing = Run<uint32_t>(certifier, [&](storage::Transaction& tx) {
    return ChangeSealsOrLot(tx, {}, v1::Seal::SUSPENDED, "labels damaged", "lot-none");
  });
  EXPECT_EQ(missing.status().message(), "lot 'lot-none' not found");
}

}  // namespace
}  // namespace sello::service
