// Fuzz target: the inspection validator and grader (daemon/domain/inspection_rules.h), on
// submissions as a certifier sends them. The first byte picks the scenario (which
// standard, plant audit or lot, the version's state, the accreditation's); the rest is a
// serialized sello.v1.Inspection (or, for scenario bit 0x10, a sello.v1.Lot). What the
// registry accepts must be a consistent record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "client/standard_file.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/time_convert.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::fuzz {
namespace {

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

// The registry's clock for every input, so that runs repeat.
const absl::Time kNow = Utc(2025, 6, 1);

v1::StandardVersion LoadPublished(const std::string& path) {
  absl::StatusOr<v1::StandardVersion> version = client::LoadStandardFile(path);
  SELLO_FUZZ_CHECK(version.ok(), version.status().ToString());
  version->set_status(v1::StandardVersion::PUBLISHED);
  *version->mutable_publish_time() = domain::ToProto(Utc(2024, 1, 1));
  return *std::move(version);
}

struct World {
  // The two standards of the seeds: tests/testdata/tst_v1.json and the demo's CSCS v1.
  v1::StandardVersion tst = LoadPublished(SELLO_SOURCE_DIR "/tests/testdata/tst_v1.json");
  v1::StandardVersion cscs = LoadPublished(SELLO_SOURCE_DIR "/deploy/demo/standards/cscs-v1.json");
  v1::Site site;
  v1::Lot lot;

  World() {
    site.set_id("site-1");
    site.set_firm_id("firm-1");
    lot.set_id("lot-1");
    lot.set_firm_id("firm-1");
    lot.set_site_id("site-1");
    lot.set_box_count(100);
    *lot.mutable_harvest_date() = domain::ToProto(Utc(2025, 5, 1));
  }
};

// Scenario bits (the input's first byte).
constexpr uint8_t kCscs = 0x01;            // CSCS v1 instead of TST v1
constexpr uint8_t kWithLot = 0x02;         // a lot inspection, not a plant audit
constexpr uint8_t kSuperseded = 0x04;      // the version is SUPERSEDED, ceasing 2025-03-01
constexpr uint8_t kStageScope = 0x08;      // accredited for the first stage only
constexpr uint8_t kLotOnly = 0x10;         // the rest is a Lot for ValidateNewLot
constexpr uint8_t kSuspended = 0x20;       // the accreditation is SUSPENDED
constexpr uint8_t kOtherCertifier = 0x40;  // the accreditation is another certifier's

v1::Accreditation AccreditationFor(const v1::StandardVersion& version, uint8_t scenario) {
  v1::Accreditation accreditation;
  accreditation.set_id("acc-1");
  accreditation.set_certifier_id((scenario & kOtherCertifier) ? "cert-2" : "cert-1");
  v1::AccreditationScope* scope = accreditation.add_scope();
  scope->set_standard_id(version.standard_id());
  if ((scenario & kStageScope) && version.stages_size() > 0) {
    scope->add_stage_ids(version.stages(0).id());
  }
  *accreditation.mutable_valid_from() = domain::ToProto(Utc(2024, 1, 1));
  *accreditation.mutable_valid_until() = domain::ToProto(Utc(2027, 1, 1));
  accreditation.set_status((scenario & kSuspended) ? v1::Accreditation::SUSPENDED
                                                   : v1::Accreditation::ACTIVE);
  *accreditation.mutable_create_time() = domain::ToProto(Utc(2024, 1, 1));
  return accreditation;
}

void CheckPlanned(const v1::Inspection& submitted, const v1::Inspection& planned) {
  const std::string text = planned.DebugString();
  SELLO_FUZZ_CHECK(
      planned.outcome() == v1::Inspection::PASS || planned.outcome() == v1::Inspection::FAIL, text);
  SELLO_FUZZ_CHECK(
      (planned.outcome() == v1::Inspection::PASS) == (planned.grade() != v1::GRADE_UNSPECIFIED),
      text);
  SELLO_FUZZ_CHECK(
      (planned.outcome() == v1::Inspection::FAIL) == (planned.failing_criteria_size() > 0), text);
  if (submitted.claimed_grade() != v1::GRADE_UNSPECIFIED) {
    SELLO_FUZZ_CHECK(submitted.claimed_grade() == planned.grade(), text);
  }
  SELLO_FUZZ_CHECK(planned.status() == v1::Inspection::CURRENT, text);
  SELLO_FUZZ_CHECK(planned.certifier_id() == "cert-1", text);

  // The certifier reads what it submitted, the firm its own, another firm nothing.
  SELLO_FUZZ_CHECK(domain::CanReadInspection(planned, {"t1", "cert-1", v1::CERTIFIER}), text);
  SELLO_FUZZ_CHECK(!domain::CanReadInspection(planned, {"t2", "cert-2", v1::CERTIFIER}), text);
  SELLO_FUZZ_CHECK(!domain::CanReadInspection(planned, {"t3", "firm-9", v1::FIRM}), text);

  // A correction by the same certifier links both records; an equal PASS lowers nothing.
  v1::Inspection earlier = planned;
  earlier.set_id("insp-1");
  v1::Inspection corrected = planned;
  corrected.set_id("insp-2");
  const absl::Status linked = domain::LinkCorrection(earlier, corrected, "fuzz");
  SELLO_FUZZ_CHECK(linked.ok(), linked.ToString());
  SELLO_FUZZ_CHECK(earlier.status() == v1::Inspection::SUPERSEDED, earlier.DebugString());
  SELLO_FUZZ_CHECK(domain::SupersedingLowersGrade(planned, planned) ==
                       (planned.outcome() == v1::Inspection::FAIL),
                   text);
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sello;
  static const auto* world = new fuzz::World();
  if (size == 0) return 0;
  const uint8_t scenario = data[0];
  ++data;
  --size;

  if (scenario & fuzz::kLotOnly) {
    v1::Lot lot;
    if (lot.ParseFromArray(data, static_cast<int>(size))) {
      (void)domain::ValidateNewLot(lot, fuzz::kNow);
    }
    return 0;
  }
  v1::Inspection submitted;
  if (!submitted.ParseFromArray(data, static_cast<int>(size))) return 0;

  v1::StandardVersion version = (scenario & fuzz::kCscs) ? world->cscs : world->tst;
  if (scenario & fuzz::kSuperseded) {
    version.set_status(v1::StandardVersion::SUPERSEDED);
    *version.mutable_cessation_time() = domain::ToProto(fuzz::Utc(2025, 3, 1));
  }
  domain::InspectionContext context;
  context.version = &version;
  context.site = &world->site;
  context.lot = (scenario & fuzz::kWithLot) ? &world->lot : nullptr;
  context.accreditations.push_back(fuzz::AccreditationFor(version, scenario));
  context.now = fuzz::kNow;

  const absl::StatusOr<v1::Inspection> planned =
      domain::PlanInspection(submitted, "cert-1", context);
  if (planned.ok()) fuzz::CheckPlanned(submitted, *planned);
  return 0;
}
