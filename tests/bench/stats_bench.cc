// Benchmarks of the statistics aggregates on a real RocksDB store: what keeping them
// costs a submission, and what a statistics call costs as the registry grows — reading
// the aggregate cells (flat in the number of inspections) against recomputing from
// every inspection (linear). Built by default, not run by ctest:
//   build/tests/bench/stats_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "storage/stats_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

// A realistic inspection: 12 criteria, 8 of them numeric, by one of 6 certifiers for one
// of 200 firms, in one of 12 months.
v1::Inspection RandomInspection(std::mt19937& random, int n) {
  v1::Inspection inspection;
  inspection.set_id(absl::StrCat("insp-", n));
  inspection.set_certifier_id(absl::StrCat("cert-", random() % 6));
  inspection.set_firm_id(absl::StrCat("firm-", random() % 200));
  inspection.set_site_id(absl::StrCat(inspection.firm_id(), "-pp"));
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(2);
  for (const char* stage : {"farming", "harvest", "processing", "final_product"}) {
    inspection.add_stages(stage);
  }
  *inspection.mutable_inspection_date() = domain::ToProto(absl::FromCivil(
      absl::CivilDay(2026, 1 + static_cast<int>(random() % 12), 15), absl::UTCTimeZone()));
  inspection.set_status(v1::Inspection::CURRENT);
  const int grade = static_cast<int>(random() % 4);
  inspection.set_outcome(grade == 3 ? v1::Inspection::FAIL : v1::Inspection::PASS);
  inspection.set_grade(grade == 3 ? v1::GRADE_UNSPECIFIED : static_cast<v1::Grade>(grade + 1));
  for (int c = 0; c < 12; ++c) {
    v1::CriterionResult* result = inspection.add_results();
    result->set_criterion_id(absl::StrCat("C", c));
    if (c < 8) {
      result->set_measured(static_cast<double>(random() % 400) / 10.0);  // 0.1 precision
    } else {
      result->set_passed(random() % 10 != 0);
    }
  }
  if (grade == 3) inspection.add_failing_criteria("C9");
  if (grade > 0) inspection.add_limiting_criteria(absl::StrCat("C", random() % 12));
  return inspection;
}

struct Fixture {
  explicit Fixture(int size) {
    store = *OpenRocksStore({.path = dir.path() + "/db"});
    std::mt19937 random(size);
    // Written in batches (the benchmark is about reading, not about building).
    for (int done = 0; done < size;) {
      WriteSet writes;
      for (int i = 0; i < 1000 && done < size; ++i, ++done) {
        v1::Inspection inspection = RandomInspection(random, done);
        writes.Put(Table::kInspections, inspection.id(), SerializeRecord(inspection));
        domain::Aggregates counted;
        domain::AddInspection(inspection, 1, counted);
        (void)AddToAggregates(*store, writes, counted);
      }
      (void)store->Write(writes);
    }
  }
  test_support::TempDir dir;
  std::unique_ptr<Store> store;
};

Fixture& FixtureOfSize(int size) {
  static auto* fixtures = new std::map<int, std::unique_ptr<Fixture>>();
  auto& fixture = (*fixtures)[size];
  if (fixture == nullptr) fixture = std::make_unique<Fixture>(size);
  return *fixture;
}

// What one submission adds to its write: the aggregate cells read, added to, written.
void BM_CountOneInspection(benchmark::State& state) {
  Fixture& fixture = FixtureOfSize(10'000);
  std::mt19937 random(1);
  int n = 0;
  for (auto _ : state) {
    const v1::Inspection inspection = RandomInspection(random, ++n);
    WriteSet writes;
    domain::Aggregates counted;
    domain::AddInspection(inspection, 1, counted);
    benchmark::DoNotOptimize(AddToAggregates(*fixture.store, writes, counted));
  }
}
BENCHMARK(BM_CountOneInspection);

// A certifier-statistics call's work: the standard's cells, summed per certifier, tested.
void BM_CertifierStatsFromCells(benchmark::State& state) {
  Fixture& fixture = FixtureOfSize(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto cells = LoadCertifierCells(*fixture.store, "CSCS");
    std::map<std::string, v1::GradeCounts> own;
    v1::GradeCounts all;
    for (const auto& [key, cell] : *cells) {
      domain::AddCounts(cell, own[key.certifier_id]);
      domain::AddCounts(cell, all);
    }
    for (const auto& [id, counts] : own) {
      benchmark::DoNotOptimize(domain::TestCertifier(counts, all, 6));
    }
  }
  state.counters["cells"] = static_cast<double>(LoadCertifierCells(*fixture.store, "CSCS")->size());
}
BENCHMARK(BM_CertifierStatsFromCells)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// A criterion-statistics call's work: every criterion cell of the version, merged.
void BM_CriterionStatsFromCells(benchmark::State& state) {
  Fixture& fixture = FixtureOfSize(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto cells = LoadCriterionCells(*fixture.store, "CSCS", 2);
    std::map<std::string, domain::CellSum> merged;
    for (const auto& [key, cell] : *cells) merged[key.criterion_id].Add(cell);
    for (const auto& [id, sum] : merged) {
      benchmark::DoNotOptimize(domain::Quantile(sum.Cell().values(), 0.9));
    }
  }
  state.counters["cells"] =
      static_cast<double>(LoadCriterionCells(*fixture.store, "CSCS", 2)->size());
}
BENCHMARK(BM_CriterionStatsFromCells)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// The alternative we did not take: recomputing from every inspection per call.
void BM_RecomputeFromInspections(benchmark::State& state) {
  Fixture& fixture = FixtureOfSize(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::vector<v1::Inspection> inspections;
    (void)fixture.store->Scan(Table::kInspections, "", "",
                              [&](absl::string_view key, absl::string_view value) {
                                v1::Inspection inspection;
                                (void)ParseRecord(Table::kInspections, key, value, inspection);
                                inspections.push_back(std::move(inspection));
                                return true;
                              });
    benchmark::DoNotOptimize(domain::Recompute(inspections));
  }
}
BENCHMARK(BM_RecomputeFromInspections)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Iterations(3);

}  // namespace
}  // namespace sello::storage

BENCHMARK_MAIN();
