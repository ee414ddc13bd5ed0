// A lot's seals are found through its issuances (compact seals) and through their own
// by-lot entries (seals stored whole, from before issuances kept templates), together.
#include "daemon/service/seal_ops.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

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

// Writes an issuance of `codes` under `inspection` the way IssueSeals does.
void Issue(storage::WriteSet& writes, const std::string& id, const std::string& inspection,
           const std::vector<std::string>& codes) {
  v1::SealIssuance issuance;
  issuance.set_id(id);
  issuance.set_lot_id("lot-1");
  issuance.set_inspection_id(inspection);
  storage::PutIssuance(writes, issuance);
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

}  // namespace
}  // namespace sello::service
