// Seals stored compact (own fields + the issuance's template) read back whole and
// byte-identical to what was issued (their leaves depend on it); seals stored whole
// before templates existed still read as they are.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "daemon/domain/seal_code.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

v1::Seal WholeSeal(const std::string& code, uint32_t position) {
  v1::Seal seal;
  seal.set_code(code);
  seal.set_lot_id("lot-1");
  seal.set_inspection_id("insp-1");
  seal.set_firm_id("firm-1");
  seal.set_firm_name("Salmones del Sur");
  seal.set_site_id("site-1");
  seal.set_site_name("Planta Calbuco");
  seal.set_certifier_id("cert-1");
  seal.set_standard_id("CSCS");
  seal.set_standard_version(2);
  seal.set_grade(v1::PREMIUM);
  seal.mutable_issue_time()->set_seconds(1'800'000'000);
  seal.mutable_expire_time()->set_seconds(1'900'000'000);
  seal.set_status(v1::Seal::VALID);
  seal.set_issuance_id("iss-1");
  seal.set_position(position);
  return seal;
}

class SealRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  test_support::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SealRecordsTest, CompactSealsReadBackWholeAndByteIdentical) {
  WriteSet writes;
  std::vector<v1::Seal> issued;
  // Position 0 is proto3's default (absent on the wire): it must survive too.
  for (uint32_t position = 0; position < 3; ++position) {
    issued.push_back(WholeSeal("CSCS-AAAAA-BBBB" + std::to_string(position), position));
  }
  PutSealTemplate(writes, issued[0]);
  for (const v1::Seal& seal : issued) PutSeal(writes, seal, /*compact=*/true);
  ASSERT_TRUE(store_->Write(writes).ok());

  for (uint32_t position = 0; position < 3; ++position) {
    absl::StatusOr<std::optional<StoredSeal>> stored = LoadSeal(*store_, issued[position].code());
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_TRUE(stored->has_value());
    EXPECT_TRUE((*stored)->compact);
    EXPECT_EQ(SerializeRecord((*stored)->seal), SerializeRecord(issued[position]));
  }
  // Only the seal's own fields are stored per seal.
  absl::StatusOr<std::optional<std::string>> raw =
      store_->Get(Table::kSeals, domain::SealCodeKey(issued[1].code()));
  ASSERT_TRUE(raw.ok() && raw->has_value());
  EXPECT_EQ(**raw, SerializeRecord(SealOwnFields(issued[1])));
  EXPECT_LT((*raw)->size(), SerializeRecord(issued[1]).size() / 2);

  // A status change keeps the seal compact; the whole seal reads with the new status.
  v1::Seal suspended = issued[1];
  suspended.set_status(v1::Seal::SUSPENDED);
  suspended.set_status_reason("under investigation");
  WriteSet change;
  PutSeal(change, suspended, /*compact=*/true);
  ASSERT_TRUE(store_->Write(change).ok());
  absl::StatusOr<std::optional<StoredSeal>> after = LoadSeal(*store_, suspended.code());
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ(SerializeRecord((*after)->seal), SerializeRecord(suspended));
}

TEST_F(SealRecordsTest, WholeSealsFromBeforeTemplatesReadAsTheyAre) {
  const v1::Seal whole = WholeSeal("CSCS-CCCCC-DDDD0", 7);
  WriteSet writes;
  PutSeal(writes, whole, /*compact=*/false);
  ASSERT_TRUE(store_->Write(writes).ok());
  absl::StatusOr<std::optional<StoredSeal>> stored = LoadSeal(*store_, whole.code());
  ASSERT_TRUE(stored.ok() && stored->has_value()) << stored.status();
  EXPECT_FALSE((*stored)->compact);
  EXPECT_EQ(SerializeRecord((*stored)->seal), SerializeRecord(whole));
  absl::StatusOr<std::optional<StoredSeal>> none = LoadSeal(*store_, "CSCS-EEEEE-FFFF0");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SealRecordsTest, AMissingTemplateIsDataLoss) {
  const v1::Seal seal = WholeSeal("CSCS-GGGGG-HHHH0", 1);
  WriteSet writes;
  PutSeal(writes, seal, /*compact=*/true);  // no template
  ASSERT_TRUE(store_->Write(writes).ok());
  absl::StatusOr<std::optional<StoredSeal>> stored = LoadSeal(*store_, seal.code());
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(stored.status().message(), "template of issuance iss-1"))
      << stored.status();
}

}  // namespace
}  // namespace sello::storage

namespace sello::storage {
namespace {

// Templates read once are kept: completing seals of a cached issuance reads nothing
// (here: the stored template is gone, and the cached one still serves).
TEST_F(SealRecordsTest, TheTemplateCacheServesTemplatesReadBefore) {
  const v1::Seal issued = WholeSeal("CSCS-JJJJJ-KKKK0", 3);
  WriteSet writes;
  PutSealTemplate(writes, issued);
  ASSERT_TRUE(store_->Write(writes).ok());
  SealTemplateCache cache(/*capacity=*/2);
  for (int round = 0; round < 2; ++round) {
    v1::Seal compact = SealOwnFields(issued);
    ASSERT_TRUE(CompleteSeals(*store_, {&compact}, &cache).ok());
    EXPECT_EQ(SerializeRecord(compact), SerializeRecord(issued));
    if (round == 0) {
      WriteSet gone;
      gone.Delete(Table::kIssuances, SealTemplateKey("iss-1"));
      ASSERT_TRUE(store_->Write(gone).ok());
    }
  }
  // Without the cache the loss shows.
  v1::Seal compact = SealOwnFields(issued);
  EXPECT_EQ(CompleteSeals(*store_, {&compact}).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sello::storage

namespace sello::storage {
namespace {

// Records made by joining bytes are exactly the serialised seals, for every position
// (0 and the varint widths) and with optional fields present or not.
TEST(IssuedSealRecordsTest, JoinedRecordsAreTheSerialisedSeals) {
  for (const bool expires : {true, false}) {
    v1::Seal seal = WholeSeal("", 0);
    if (!expires) seal.clear_expire_time();
    const IssuedSealRecords records(seal);
    for (const uint32_t position : {0u, 1u, 127u, 128u, 9'999u, 16'384u, 4'000'000'000u}) {
      seal.set_code("CSCS-7KQ2M-9XDF" + std::to_string(position % 10));
      seal.set_position(position);
      EXPECT_EQ(records.Whole(seal.code(), position), SerializeRecord(seal)) << position;
      EXPECT_EQ(records.Own(seal.code(), position), SerializeRecord(SealOwnFields(seal)))
          << position;
    }
  }
}

}  // namespace
}  // namespace sello::storage
