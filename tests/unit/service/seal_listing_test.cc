// Listing a lot's seals page by page: issuance by issuance through their stored codes,
// then the seals stored before issuances kept codes, each once, as each reader may see
// them; and one issuance's seals by position.
#include "daemon/service/seal_listing.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "daemon/domain/time_convert.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::service {
namespace {

using storage::Table;

const domain::Principal kAdmin{"tok-a", "association", v1::ADMIN};
const domain::Principal kFirm{"tok-f", "firm-1", v1::FIRM};
const domain::Principal kOtherFirm{"tok-o", "firm-2", v1::FIRM};
const domain::Principal kAustral{"tok-c", "cert-austral", v1::CERTIFIER};
const domain::Principal kNorte{"tok-n", "cert-norte", v1::CERTIFIER};
const domain::Principal kTercera{"tok-t", "cert-tercera", v1::CERTIFIER};

v1::Seal Seal(const std::string& code, const std::string& certifier, const std::string& issuance,
              uint32_t position) {
  v1::Seal seal;
  seal.set_code(code);
  seal.set_lot_id("lot-1");
  seal.set_inspection_id("insp-1");
  seal.set_firm_id("firm-1");
  seal.set_certifier_id(certifier);
  seal.set_grade(v1::PREMIUM);
  seal.set_status(v1::Seal::VALID);
  seal.set_issuance_id(issuance);
  seal.set_position(position);
  return seal;
}

class SealListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::Store>> opened =
        storage::OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    lot_.set_id("lot-1");
    lot_.set_firm_id("firm-1");
    storage::WriteSet writes;
    // Seals stored whole, before issuances kept their codes (Norte's), and a compact one
    // of that time, found through its by-lot entry (its issuance is not in
    // issuances_by_lot).
    storage::PutSeal(writes, Seal("OLD-B", "cert-norte", "iss-0", 1), /*compact=*/false);
    storage::PutSeal(writes, Seal("OLD-A", "cert-norte", "iss-0", 0), /*compact=*/false);
    storage::PutSealTemplate(writes, Seal("", "cert-austral", "iss-m", 0));
    storage::PutSeal(writes, Seal("MID-A", "cert-austral", "iss-m", 0), /*compact=*/true);
    writes.Put(Table::kSealsByLot, storage::ChildKey("lot-1", "MID-A"), "");
    // Two issuances as IssueSeals writes them: Austral's three, Norte's two (one
    // suspended, one expired).
    Issue(writes, "iss-1", "cert-austral", {"NEW-C", "NEW-A", "NEW-B"});
    Issue(writes, "iss-2", "cert-norte", {"NEW-E", "NEW-D"}, absl::Now() - absl::Hours(1));
    v1::Seal suspended = Seal("NEW-E", "cert-norte", "iss-2", 0);
    suspended.set_status(v1::Seal::SUSPENDED);
    suspended.set_status_reason("under investigation");
    storage::PutSeal(writes, suspended, /*compact=*/true);
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  // Writes an issuance of `codes` the way IssueSeals does.
  void Issue(storage::WriteSet& writes, const std::string& id, const std::string& certifier,
             const std::vector<std::string>& codes, absl::Time expiry = absl::InfiniteFuture()) {
    v1::SealIssuance issuance;
    issuance.set_id(id);
    issuance.set_lot_id("lot-1");
    issuance.set_certifier_id(certifier);
    issuance.set_count(static_cast<uint32_t>(codes.size()));
    storage::PutIssuance(writes, issuance, "CSCS", 1);
    v1::Seal shared = Seal("", certifier, id, 0);
    if (expiry != absl::InfiniteFuture()) *shared.mutable_expire_time() = domain::ToProto(expiry);
    storage::PutSealTemplate(writes, shared);
    for (uint32_t i = 0; i < codes.size(); ++i) {
      storage::PutSeal(writes, Seal(codes[i], certifier, id, i), /*compact=*/true);
    }
    writes.Put(Table::kIssuances, storage::IssuanceCodesKey(id), absl::StrJoin(codes, "\n"));
  }

  // Every page of the lot's seals as `reader` reads them, `page_size` at a time: the codes
  // in order, "|" between pages.
  std::string AllPages(const domain::Principal& reader, int page_size) {
    std::vector<std::string> pages;
    std::string token;
    do {
      google::protobuf::RepeatedPtrField<v1::Seal> seals;
      absl::StatusOr<std::string> next =
          ListSealsOfLot(*store_, lot_, reader, token, page_size, absl::Now(), nullptr, seals);
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      std::vector<std::string> codes;
      for (const v1::Seal& seal : seals) codes.push_back(seal.code());
      pages.push_back(absl::StrJoin(codes, ","));
      token = *next;
    } while (!token.empty() && pages.size() < 100);
    return absl::StrJoin(pages, "|");
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  v1::Lot lot_;
};

TEST_F(SealListingTest, ALotsSealsIssuanceByIssuanceThenTheEarlierOnesEachOnceAsEachMayRead) {
  EXPECT_EQ(AllPages(kAdmin, 50), "NEW-C,NEW-A,NEW-B,NEW-E,NEW-D,MID-A,OLD-A,OLD-B");
  EXPECT_EQ(AllPages(kFirm, 3), "NEW-C,NEW-A,NEW-B|NEW-E,NEW-D,MID-A|OLD-A,OLD-B");
  EXPECT_EQ(AllPages(kFirm, 2), "NEW-C,NEW-A|NEW-B,NEW-E|NEW-D,MID-A|OLD-A,OLD-B");
  // A page that ends exactly at the end has no next page.
  EXPECT_EQ(AllPages(kFirm, 8), "NEW-C,NEW-A,NEW-B,NEW-E,NEW-D,MID-A,OLD-A,OLD-B");
  EXPECT_EQ(AllPages(kFirm, 1), "NEW-C|NEW-A|NEW-B|NEW-E|NEW-D|MID-A|OLD-A|OLD-B");
  // A certifier sees only the seals it issued.
  EXPECT_EQ(AllPages(kAustral, 2), "NEW-C,NEW-A|NEW-B,MID-A");
  EXPECT_EQ(AllPages(kNorte, 3), "NEW-E,NEW-D,OLD-A|OLD-B");
}

TEST_F(SealListingTest, OthersAreRefusedWithoutACodeOrACount) {
  for (const domain::Principal& reader : {kOtherFirm, kTercera, domain::Principal{}}) {
    google::protobuf::RepeatedPtrField<v1::Seal> seals;
    absl::StatusOr<std::string> next =
        ListSealsOfLot(*store_, lot_, reader, "", 50, absl::Now(), nullptr, seals);
    ASSERT_EQ(next.status().code(), absl::StatusCode::kPermissionDenied) << reader.organisation_id;
    EXPECT_TRUE(seals.empty());
    const std::string message(next.status().message());
    for (const char* secret : {"NEW-", "OLD-", "MID-", "iss-", "8", "5", "3", "2"}) {
      EXPECT_FALSE(absl::StrContains(message, secret)) << message;
    }
  }
}

TEST_F(SealListingTest, SealsComeWholeWithTheirStatusAsRead) {
  google::protobuf::RepeatedPtrField<v1::Seal> seals;
  ASSERT_TRUE(ListSealsOfLot(*store_, lot_, kFirm, "", 50, absl::Now(), nullptr, seals).ok());
  ASSERT_EQ(seals.size(), 8);
  EXPECT_EQ(seals[0].lot_id(), "lot-1");
  EXPECT_EQ(seals[0].certifier_id(), "cert-austral");
  EXPECT_EQ(seals[0].issuance_id(), "iss-1");
  EXPECT_EQ(seals[0].grade(), v1::PREMIUM);
  EXPECT_EQ(seals[0].status(), v1::Seal::VALID);
  EXPECT_EQ(seals[1].position(), 1u);
  // Norte's issuance expired an hour ago: EXPIRED is computed when read, over the
  // suspension too (whose reason stays).
  EXPECT_EQ(seals[3].code(), "NEW-E");
  EXPECT_EQ(seals[3].status(), v1::Seal::EXPIRED);
  EXPECT_EQ(seals[3].status_reason(), "under investigation");
  EXPECT_EQ(seals[4].status(), v1::Seal::EXPIRED);
  EXPECT_EQ(seals[5].code(), "MID-A");
  EXPECT_EQ(seals[5].lot_id(), "lot-1");
  EXPECT_EQ(seals[6].code(), "OLD-A");
  EXPECT_EQ(seals[6].status(), v1::Seal::VALID);
}

TEST_F(SealListingTest, OneIssuanceByPosition) {
  absl::StatusOr<v1::SealIssuance> issuance =
      storage::RequireRecord<v1::SealIssuance>(*store_, Table::kIssuances, "iss-1", "issuance");
  ASSERT_TRUE(issuance.ok());
  std::vector<std::string> codes;
  std::string token;
  int pages = 0;
  do {
    google::protobuf::RepeatedPtrField<v1::Seal> seals;
    absl::StatusOr<std::string> next =
        ListSealsOfIssuance(*store_, *issuance, token, 2, absl::Now(), nullptr, seals);
    ASSERT_TRUE(next.ok()) << next.status();
    for (const v1::Seal& seal : seals) codes.push_back(seal.code());
    token = *next;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(absl::StrJoin(codes, ","), "NEW-C,NEW-A,NEW-B");
  EXPECT_EQ(pages, 2);
}

TEST_F(SealListingTest, RefusesATokenOfAnotherListing) {
  google::protobuf::RepeatedPtrField<v1::Seal> seals;
  absl::StatusOr<std::string> first =
      ListSealsOfLot(*store_, lot_, kAdmin, "", 1, absl::Now(), nullptr, seals);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->empty());
  v1::Lot other = lot_;
  other.set_id("lot-2");
  EXPECT_EQ(ListSealsOfLot(*store_, other, kAdmin, *first, 1, absl::Now(), nullptr, seals)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<v1::SealIssuance> issuance =
      storage::RequireRecord<v1::SealIssuance>(*store_, Table::kIssuances, "iss-1", "issuance");
  ASSERT_TRUE(issuance.ok());
  EXPECT_EQ(ListSealsOfIssuance(*store_, *issuance, *first, 1, absl::Now(), nullptr, seals)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ListSealsOfLot(*store_, lot_, kAdmin, "bm90IGEgdG9rZW4", 1, absl::Now(), nullptr, seals)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sello::service
