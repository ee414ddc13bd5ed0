// Benchmarks of the transparency log on a real RocksDB store: appending events through
// the ledger, and the cost of roots and proofs as the log grows (they should stay
// O(log n): compare the figures across sizes). Built by default, not run by ctest:
//   build/tests/bench/log_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/transparency_log.h"
#include "sello/v1/organisation.pb.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

const domain::Principal kAdmin{"tok-bench", "association", v1::ADMIN};

// A store with `size` events, appended `per_change` to a change (so that building a
// large log does not take one fsync per event).
struct Fixture {
  explicit Fixture(uint64_t size, int per_change = 1000) {
    store = *OpenRocksStore({.path = dir.path() + "/db"});
    ledger = *Ledger::Open(store.get(), &clock);
    for (uint64_t done = 0; done < size;) {
      const uint64_t n = std::min<uint64_t>(per_change, size - done);
      (void)ledger->Apply(kAdmin, [&](Transaction& tx) {
        for (uint64_t i = 0; i < n; ++i) {
          v1::Organisation organisation;
          organisation.set_id(absl::StrCat("org-", done + i));
          organisation.set_kind(v1::Organisation::FIRM);
          PutOrganisation(tx.writes(), organisation);
          tx.Record("organisation.created", "organisation/" + organisation.id(), organisation);
        }
        return absl::OkStatus();
      });
      done += n;
    }
    log = *TransparencyLog::Open(store.get(), ledger.get(),
                                 *domain::NoteSigner::Generate("bench/log"), &clock,
                                 {.checkpoint_file = dir.path() + "/checkpoint.note",
                                  .checkpoint_state_file = "",
                                  .accept_rollback = false,
                                  .on_signing_error = nullptr});
  }
  test_support::TempDir dir;
  SystemClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<TransparencyLog> log;
};

Fixture& FixtureOfSize(uint64_t size) {
  static auto* fixtures = new std::map<uint64_t, std::unique_ptr<Fixture>>();
  auto& fixture = (*fixtures)[size];
  if (fixture == nullptr) fixture = std::make_unique<Fixture>(size);
  return *fixture;
}

void BM_InclusionProof(benchmark::State& state) {
  Fixture& f = FixtureOfSize(state.range(0));
  const uint64_t size = f.ledger->last_seq();
  std::mt19937_64 random(1);
  for (auto _ : state) {
    auto proof = f.log->InclusionProof(random() % size, size);
    benchmark::DoNotOptimize(proof);
  }
  state.counters["proof_hashes"] = static_cast<double>(f.log->InclusionProof(0, size)->size());
}
BENCHMARK(BM_InclusionProof)->Arg(1 << 10)->Arg(1 << 14)->Arg(1 << 17)->Arg(300'000);

void BM_ConsistencyProof(benchmark::State& state) {
  Fixture& f = FixtureOfSize(state.range(0));
  const uint64_t size = f.ledger->last_seq();
  std::mt19937_64 random(2);
  for (auto _ : state) {
    auto proof = f.log->ConsistencyProof(1 + random() % size, size);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProof)->Arg(1 << 10)->Arg(1 << 14)->Arg(1 << 17)->Arg(300'000);

void BM_RootHash(benchmark::State& state) {
  Fixture& f = FixtureOfSize(state.range(0));
  const uint64_t size = f.ledger->last_seq();
  for (auto _ : state) {
    auto root = f.log->RootHash(size - 1);
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_RootHash)->Arg(1 << 10)->Arg(300'000);

// One durable change (one event, one fsync): the floor of every write.
void BM_ApplyOneEvent(benchmark::State& state) {
  test_support::TempDir dir;
  SystemClock clock;
  std::unique_ptr<Store> store = *OpenRocksStore({.path = dir.path() + "/db"});
  std::unique_ptr<Ledger> ledger = *Ledger::Open(store.get(), &clock);
  uint64_t i = 0;
  for (auto _ : state) {
    (void)ledger->Apply(kAdmin, [&](Transaction& tx) {
      v1::Organisation organisation;
      organisation.set_id(absl::StrCat("org-", i++));
      PutOrganisation(tx.writes(), organisation);
      tx.Record("organisation.created", "organisation/" + organisation.id(), organisation);
      return absl::OkStatus();
    });
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyOneEvent)->UseRealTime();

}  // namespace
}  // namespace sello::storage

BENCHMARK_MAIN();
