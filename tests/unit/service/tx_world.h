// A small world for the services' transaction bodies (daemon/service/*_tx.h), against a
// real store: RocksDB in a temporary directory with its ledger, a fixed clock, and the
// records a certification needs (an association, a firm with a site, two certifiers, a
// published standard TST@1, accreditations and a lot), made by the bodies themselves
// where one exists.
#ifndef SELLO_TESTS_UNIT_SERVICE_TX_WORLD_H_
#define SELLO_TESTS_UNIT_SERVICE_TX_WORLD_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "daemon/service/accreditation_tx.h"
#include "daemon/service/inspection_tx.h"
#include "daemon/service/seal_tx.h"
#include "daemon/service/standard_tx.h"
#include "google/protobuf/text_format.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::service::tx_test {

class FixedClock final : public storage::Clock {
 public:
  absl::Time Now() override { return now; }
  absl::Time now = absl::FromUnixSeconds(2000100000);
};

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

// TST@1: one stage, harvest, with a measured criterion and two checks.
inline constexpr char kStandard[] = R"pb(
  version {
    standard_id: "TST"
    version: 1
    title: "Test standard for fresh salmon"
    seal_validity_days: 365
    stages {
      id: "harvest"
      name: "Harvest"
      criteria {
        id: "H1"
        name: "Hours from harvest to processing"
        kind: NUMERIC
        unit: "h"
        grades {
          premium { max: 24 }
          grade_i { max: 36 }
          industrial { max: 48 }
        }
      }
      criteria { id: "B1" name: "No notifiable disease outbreak" kind: BOOLEAN critical: true }
      criteria { id: "L1" name: "Label and box integrity" kind: BOOLEAN caps_at: GRADE_I }
    }
  }
  source_name: "tst.textproto"
)pb";

class TxWorld : public ::testing::Test {
 protected:
  const domain::Principal admin{"tok-admin", "assoc", v1::ADMIN};
  const domain::Principal firm{"tok-firm", "firm-1", v1::FIRM};
  const domain::Principal certifier{"tok-cert", "cert-1", v1::CERTIFIER};
  const domain::Principal other_certifier{"tok-cert2", "cert-2", v1::CERTIFIER};

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<storage::Ledger>> ledger =
        storage::Ledger::Open(store_.get(), &clock_);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
    clock_.now = absl::FromUnixSeconds(1995000000);
    SeedOrganisations();
    ASSERT_TRUE(Apply(admin, [](storage::Transaction& tx) {
                  return PushStandardVersionTx(tx, Parse<v1::PushStandardVersionRequest>(kStandard))
                      .status();
                }).ok());
    ASSERT_TRUE(Apply(admin, [](storage::Transaction& tx) {
                  return PublishStandardVersionTx(
                             tx, Parse<v1::PublishStandardVersionRequest>(R"pb(standard_id: "TST"
                                                                               version: 1)pb"))
                      .status();
                }).ok());
    for (const char* id : {"cert-1", "cert-2"}) {
      ASSERT_TRUE(Apply(admin, [&](storage::Transaction& tx) {
                    return CreateAccreditationTx(tx, Accreditation(id)).status();
                  }).ok());
    }
    // The standard was published, and the certifiers accredited, long before the lot.
    clock_.now = absl::FromUnixSeconds(2000100000);
    lot_id_ = CreateLot();
  }

  absl::Status Apply(const domain::Principal& actor,
                     const std::function<absl::Status(storage::Transaction&)>& change) {
    return ledger_->Apply(actor, change);
  }

  // Runs `body` as `actor` and returns what it returned.
  template <typename Result>
  absl::StatusOr<Result> Run(
      const domain::Principal& actor,
      const std::function<absl::StatusOr<Result>(storage::Transaction&)>& body) {
    absl::StatusOr<Result> result = absl::UnknownError("not run");
    absl::Status applied = Apply(actor, [&](storage::Transaction& tx) {
      result = body(tx);
      return result.status();
    });
    if (!applied.ok()) return applied;
    return result;
  }

  static v1::Accreditation Accreditation(const std::string& certifier_id) {
    v1::Accreditation accreditation = Parse<v1::Accreditation>(R"pb(
      scope { standard_id: "TST" }
      valid_from { seconds: 1990000000 }
      valid_until { seconds: 2030000000 }
    )pb");
    accreditation.set_certifier_id(certifier_id);
    return accreditation;
  }

  std::string CreateLot() {
    absl::StatusOr<v1::Lot> lot = Run<v1::Lot>(certifier, [](storage::Transaction& tx) {
      return CreateLotTx(tx, Parse<v1::Lot>(R"pb(
                           site_id: "site-1"
                           product_form: "fresh whole"
                           harvest_date { seconds: 1999913600 }
                           box_count: 1000
                         )pb"));
    });
    EXPECT_TRUE(lot.ok()) << lot.status();
    return lot.ok() ? lot->id() : "";
  }

  // An inspection of the lot's harvest measuring `hours` (PREMIUM up to 24).
  v1::Inspection Inspection(double hours, const std::string& request_id = "") const {
    v1::Inspection inspection = Parse<v1::Inspection>(R"pb(
      site_id: "site-1"
      standard_id: "TST"
      standard_version: 1
      stages: "harvest"
      inspection_date { seconds: 2000000000 }
      inspector: "M. Test"
      results { criterion_id: "B1" passed: true }
      results { criterion_id: "L1" passed: true }
    )pb");
    inspection.set_lot_id(lot_id_);
    inspection.set_request_id(request_id);
    v1::CriterionResult* measured = inspection.add_results();
    measured->set_criterion_id("H1");
    measured->set_measured(hours);
    return inspection;
  }

  absl::StatusOr<v1::Inspection> Submit(const domain::Principal& by, double hours,
                                        const std::string& request_id = "") {
    return Run<v1::Inspection>(by, [&](storage::Transaction& tx) {
      return SubmitInspectionTx(tx, Inspection(hours, request_id), nullptr);
    });
  }

  // Issues `count` seals of the lot as `certifier` (IssueSealsTx); their codes.
  std::vector<std::string> IssueSeals(uint32_t count) {
    v1::IssueSealsRequest request;
    request.set_lot_id(lot_id_);
    request.set_count(count);
    v1::IssueSealsResponse response;
    EXPECT_TRUE(Apply(certifier, [&](storage::Transaction& tx) {
                  return IssueSealsTx(tx, request, 10000, response);
                }).ok());
    return {response.codes().begin(), response.codes().end()};
  }

  // The stored status of each seal of the lot, in code order.
  std::vector<v1::Seal::Status> SealStatuses() const {
    std::vector<v1::Seal::Status> statuses;
    absl::StatusOr<std::vector<std::string>> codes = SealCodesOfLot(*store_, lot_id_);
    EXPECT_TRUE(codes.ok()) << codes.status();
    for (const std::string& code : codes.value_or(std::vector<std::string>())) {
      absl::StatusOr<std::optional<storage::StoredSeal>> seal = storage::LoadSeal(*store_, code);
      EXPECT_TRUE(seal.ok() && seal->has_value()) << code;
      if (seal.ok() && seal->has_value()) statuses.push_back((*seal)->seal.status());
    }
    return statuses;
  }

  const storage::Store& store() const { return *store_; }
  const std::string& lot_id() const { return lot_id_; }
  FixedClock& clock() { return clock_; }

 private:
  void SeedOrganisations() {
    storage::WriteSet writes;
    const auto organisation = [&](const std::string& id, v1::Organisation::Kind kind) {
      v1::Organisation record;
      record.set_id(id);
      record.set_kind(kind);
      record.set_name("Org " + id);
      storage::PutOrganisation(writes, record);
    };
    organisation("assoc", v1::Organisation::ASSOCIATION);
    organisation("firm-1", v1::Organisation::FIRM);
    organisation("cert-1", v1::Organisation::CERTIFIER);
    organisation("cert-2", v1::Organisation::CERTIFIER);
    v1::Site site;
    site.set_id("site-1");
    site.set_firm_id("firm-1");
    site.set_name("Planta Uno");
    site.set_type("processing_plant");
    site.set_region("Los Lagos");
    storage::PutSite(writes, site);
    ASSERT_TRUE(store_->Write(writes).ok());
  }

  sello::test_support::TempDir dir_;
  FixedClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::Ledger> ledger_;
  std::string lot_id_;
};

}  // namespace sello::service::tx_test

#endif  // SELLO_TESTS_UNIT_SERVICE_TX_WORLD_H_
