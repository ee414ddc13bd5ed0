// Benchmarks of the public register of certified sites (ListCertifiedSites) on a real
// RocksDB store: what one page costs as the sites and their inspections grow, and what
// the alternative we did not take — an index of certified sites kept in the inspections'
// own writes — would cost every submission. Built by default, not run by ctest:
//   build/tests/bench/register_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/certification_ops.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::service {
namespace {

using storage::Table;

// A realistic inspection record (a plant audit or a lot's, 12 results with notes): about
// what SubmitInspection stores, 1 KiB.
v1::Inspection RandomInspection(std::mt19937& random, const std::string& site, int n) {
  v1::Inspection inspection;
  inspection.set_id(absl::StrCat("insp-", site, "-", n));
  inspection.set_certifier_id(absl::StrCat("cert-", random() % 6));
  inspection.set_firm_id(absl::StrCat("firm-", site));
  inspection.set_site_id(site);
  inspection.set_standard_id(random() % 10 == 0 ? "PTOM" : "CSCS");
  inspection.set_standard_version(2);
  for (const char* stage : {"harvest", "processing", "final_product"}) inspection.add_stages(stage);
  *inspection.mutable_inspection_date() =
      domain::ToProto(absl::FromUnixSeconds(1'750'000'000 + n * 3600));
  inspection.set_inspector("M. Oyarzun");
  inspection.set_status(random() % 20 == 0 ? v1::Inspection::SUPERSEDED : v1::Inspection::CURRENT);
  const int grade = static_cast<int>(random() % 4);
  inspection.set_outcome(grade == 3 ? v1::Inspection::FAIL : v1::Inspection::PASS);
  inspection.set_grade(grade == 3 ? v1::GRADE_UNSPECIFIED : static_cast<v1::Grade>(grade + 1));
  for (int c = 0; c < 12; ++c) {
    v1::CriterionResult* result = inspection.add_results();
    result->set_criterion_id(absl::StrCat("C", c));
    if (c < 8) {
      result->set_measured(static_cast<double>(random() % 400) / 10.0);
    } else {
      result->set_passed(random() % 10 != 0);
    }
    result->set_note("probe 3, calibrated this morning");
    v1::CriterionGrade* graded = inspection.add_criterion_grades();
    graded->set_criterion_id(result->criterion_id());
    graded->set_stage_id("processing");
    graded->set_grade(v1::GRADE_I);
    graded->set_reason("within the GRADE_I range");
  }
  return inspection;
}

// `sites` sites, each with `per_site` inspections.
struct Fixture {
  Fixture(int sites, int per_site) {
    store = *storage::OpenRocksStore({.path = dir.path() + "/db"});
    std::mt19937 random(sites * 7919 + per_site);
    storage::WriteSet writes;
    for (int s = 0; s < sites; ++s) {
      const std::string id = absl::StrCat("site-", 100'000 + s);
      v1::Organisation firm;
      firm.set_id(absl::StrCat("firm-", id));
      firm.set_kind(v1::Organisation::FIRM);
      firm.set_name(absl::StrCat("Salmones ", s));
      storage::PutOrganisation(writes, firm);
      v1::Site site;
      site.set_id(id);
      site.set_firm_id(firm.id());
      site.set_type(s % 3 == 0 ? "farming_centre" : "processing_plant");
      site.set_name(absl::StrCat("Planta ", s));
      site.set_region(s % 4 == 0 ? "Aysen" : "Los Lagos");
      site.set_registration_code(absl::StrCat("RPP-", s));
      storage::PutSite(writes, site);
      for (int n = 0; n < per_site; ++n) {
        storage::PutInspection(writes, RandomInspection(random, id, n));
        if (writes.size() > 20'000) {
          (void)store->Write(writes);
          writes = storage::WriteSet();
        }
      }
    }
    (void)store->Write(writes);
  }
  test_support::TempDir dir;
  std::unique_ptr<storage::Store> store;
};

Fixture& FixtureOf(int sites, int per_site) {
  static auto* fixtures = new std::map<std::pair<int, int>, std::unique_ptr<Fixture>>();
  auto& fixture = (*fixtures)[{sites, per_site}];
  if (fixture == nullptr) fixture = std::make_unique<Fixture>(sites, per_site);
  return *fixture;
}

// One call of the register: the first page of 50 (no filter), or (range 2 = 1) a filter
// that few sites meet, so that the call reads until its budget.
void BM_RegisterPage(benchmark::State& state) {
  Fixture& fixture = FixtureOf(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  domain::RegisterFilter filter;
  if (state.range(2) == 1) {
    filter.min_grade = v1::PREMIUM;
    filter.region = "Aysen";
  }
  int64_t listed = 0;
  for (auto _ : state) {
    google::protobuf::RepeatedPtrField<v1::CertifiedSite> sites;
    absl::StatusOr<std::string> next =
        ReadRegister(*fixture.store, filter, "", 50, kRegisterReadBudget, sites);
    if (!next.ok()) state.SkipWithError(std::string(next.status().message()).c_str());
    listed += sites.size();
  }
  state.counters["sites_per_call"] =
      benchmark::Counter(static_cast<double>(listed), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_RegisterPage)
    ->Args({1'000, 20, 0})
    ->Args({1'000, 20, 1})
    ->Args({1'000, 200, 0})
    ->Args({1'000, 200, 1})
    ->Args({100, 5'000, 0})
    ->Unit(benchmark::kMillisecond);

// The alternative: an index of certified sites kept in each inspection's write. Every
// submission would recompute its site's certification (the same function, over the
// site's inspections) under the ledger's lock, where a submission now costs tens of
// microseconds: this is that recomputation, for one site with range(0) inspections.
void BM_RecomputeOneSite(benchmark::State& state) {
  Fixture& fixture = FixtureOf(1, static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(SiteCertifications(*fixture.store, "site-100000"));
  }
}
BENCHMARK(BM_RecomputeOneSite)->Arg(20)->Arg(200)->Arg(5'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sello::service

BENCHMARK_MAIN();
