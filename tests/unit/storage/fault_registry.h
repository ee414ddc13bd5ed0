// What the power-loss and full-disk tests share: the registry's storage (a RocksStore on
// the fault-injecting file system, the ledger and the transparency log) on a temporary
// dir, the changes the writers make, an oracle of what was acknowledged, and the checks
// made on what survives.
#ifndef SELLO_TESTS_UNIT_STORAGE_FAULT_REGISTRY_H_
#define SELLO_TESTS_UNIT_STORAGE_FAULT_REGISTRY_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/domain/crypto.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/transparency_log.h"
#include "storage/testing/fault_fs.h"
#include "storage/keys.h"
#include "storage/ledger.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "storage/tree_store.h"

namespace sello::storage::fault_test {

inline const domain::Principal& Admin() {
  static const domain::Principal admin{"tok-admin", "association", v1::ADMIN};
  return admin;
}

constexpr absl::string_view kOrigin = "sello.test/log";
constexpr absl::string_view kCounterKey = "counter";
constexpr absl::string_view kCounterSubject = "counter/1";

// A Store that forwards to another and remembers, per sequence number, the last event it
// was asked to write: what the ledger wrote, to compare the recovered log with.
class RecordingStore final : public Store {
 public:
  explicit RecordingStore(Store& real) : real_(real) {}

  absl::StatusOr<std::optional<std::string>> Get(Table table,
                                                 absl::string_view key) const override {
    return real_.Get(table, key);
  }
  absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                    const ScanVisitor& visit) const override {
    return real_.Scan(table, prefix, after, visit);
  }
  absl::Status ScanReverse(Table table, absl::string_view prefix,
                           const ScanVisitor& visit) const override {
    return real_.ScanReverse(table, prefix, visit);
  }
  absl::Status Writable() const override { return real_.Writable(); }
  absl::Status Write(const WriteSet& writes) override {
    {
      absl::MutexLock lock(&mu_);
      for (const WriteSet::Op& op : writes.ops()) {
        if (op.table != Table::kEvents || !op.value.has_value()) continue;
        absl::StatusOr<uint64_t> seq = DecodeU64(op.key);
        if (seq.ok()) written_[*seq] = *op.value;
      }
    }
    return real_.Write(writes);
  }

  std::map<uint64_t, std::string> written() const {
    absl::MutexLock lock(&mu_);
    return written_;
  }

 private:
  Store& real_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, std::string> written_ ABSL_GUARDED_BY(mu_);
};

// What was acknowledged, across every restart of a test.
class Oracle {
 public:
  Oracle() = default;
  Oracle(const Oracle& other) {
    absl::MutexLock lock(&other.mu_);
    records_ = other.records_;
    events_ = other.events_;
    counter_ = other.counter_;
    checkpoints_ = other.checkpoints_;
  }
  Oracle& operator=(const Oracle&) = delete;

  void Acknowledge(const std::string& firm, std::string record, uint64_t seq, std::string event) {
    absl::MutexLock lock(&mu_);
    records_[firm] = std::move(record);
    events_[seq] = std::move(event);
  }
  void AcknowledgeCount(int value) {
    absl::MutexLock lock(&mu_);
    counter_ = std::max(counter_, value);
  }
  void AcknowledgeCheckpoint(const v1::Checkpoint& checkpoint) {
    absl::MutexLock lock(&mu_);
    checkpoints_[checkpoint.size()] = checkpoint.root_hash();
  }

  std::map<std::string, std::string> records() const {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  std::map<uint64_t, std::string> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  int counter() const {
    absl::MutexLock lock(&mu_);
    return counter_;
  }
  std::map<uint64_t, std::string> checkpoints() const {
    absl::MutexLock lock(&mu_);
    return checkpoints_;
  }
  size_t acknowledged() const {
    absl::MutexLock lock(&mu_);
    return events_.size();
  }
  // The sequence number of the last acknowledged event (0: none).
  uint64_t last_acknowledged() const {
    absl::MutexLock lock(&mu_);
    return events_.empty() ? 0 : events_.rbegin()->first;
  }
  // Waits until `count` events are acknowledged; false if `timeout` passes first.
  bool AwaitAcknowledged(size_t count, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto reached = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return events_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::string> records_ ABSL_GUARDED_BY(mu_);  // firm id -> bytes
  std::map<uint64_t, std::string> events_ ABSL_GUARDED_BY(mu_);      // seq -> event bytes
  int counter_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::string> checkpoints_ ABSL_GUARDED_BY(mu_);  // size -> root
};

// The registry's storage over a fault-injecting file system, opened and closed again and
// again on one directory.
class FaultRegistry {
 public:
  // On `dir`, which holds nothing or what an earlier registry with the same log key
  // (`seed`; empty: a new one) left.
  FaultRegistry(std::string dir, std::shared_ptr<FaultInjectionFileSystem> fs,
                std::string seed = "")
      : dir_(std::move(dir)), fs_(std::move(fs)), seed_(std::move(seed)) {
    if (!seed_.empty()) return;
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::Generate(kOrigin);
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (signer.ok()) seed_ = signer->raw_private_key();
  }
  ~FaultRegistry() { Close(); }

  std::string db_path() const { return dir_ + "/db"; }
  const std::string& seed() const { return seed_; }
  FaultInjectionFileSystem& fs() { return *fs_; }

  // Opens the store (with a limit of `max_space_bytes`, 0: none), the ledger and the
  // log: the log refuses to open when the store does not extend its last checkpoint.
  absl::Status Open(uint64_t max_space_bytes = 0) {
    absl::StatusOr<std::unique_ptr<Store>> store =
        OpenRocksStore({.path = db_path(),
                        .block_cache_bytes = 8 << 20,
                        .max_space_bytes = max_space_bytes,
                        .file_system = fs_});
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    recording_ = std::make_unique<RecordingStore>(*store_);
    absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(recording_.get(), &clock_);
    if (!ledger.ok()) return ledger.status();
    ledger_ = *std::move(ledger);
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::FromPrivateKey(kOrigin, seed_);
    if (!signer.ok()) return signer.status();
    TransparencyLogOptions options;
    options.checkpoint_file = dir_ + "/checkpoint.note";
    absl::StatusOr<std::unique_ptr<TransparencyLog>> log = TransparencyLog::Open(
        recording_.get(), ledger_.get(), *std::move(signer), &clock_, std::move(options));
    if (!log.ok()) return log.status();
    log_ = *std::move(log);
    return absl::OkStatus();
  }

  // The log first: its destructor signs through the ledger and the store.
  void Close() {
    log_.reset();
    ledger_.reset();
    recording_.reset();
    store_.reset();
  }

  Store& store() { return *store_; }
  Ledger& ledger() { return *ledger_; }
  TransparencyLog& log() { return *log_; }
  bool open() const { return store_ != nullptr; }
  std::map<uint64_t, std::string> written() const {
    std::map<uint64_t, std::string> all = written_before_;
    if (recording_ != nullptr) {
      for (auto& [seq, event] : recording_->written()) all[seq] = std::move(event);
    }
    return all;
  }
  // Keeps what the recording saw across a Close().
  void KeepWritten() { written_before_ = written(); }
  // What an earlier registry on this dir wrote.
  void SetWritten(std::map<uint64_t, std::string> written) { written_before_ = std::move(written); }

  // `bytes` letters that do not compress, the same for the same `seed`.
  static std::string Noise(absl::string_view seed, size_t bytes) {
    uint64_t state = std::hash<std::string>()(std::string(seed)) | 1;
    std::string noise(bytes, ' ');
    for (char& c : noise) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      c = static_cast<char>('a' + state % 26);
    }
    return noise;
  }

  // Creates firm `id` (its name padded to about `bytes`) with its event; on success the
  // oracle learns the record and the event as stored.
  absl::Status CreateFirm(const std::string& id, size_t bytes, Oracle& oracle) {
    v1::Organisation firm;
    firm.set_id(id);
    firm.set_kind(v1::Organisation::FIRM);
    firm.set_name(absl::StrCat("Firm ", id, " ", Noise(id, bytes)));
    firm.set_country("CL");
    absl::Status status = ledger_->Apply(Admin(), [&](Transaction& tx) {
      PutOrganisation(tx.writes(), firm);
      tx.Record("organisation.created", "organisation/" + id, firm, id);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    absl::StatusOr<uint64_t> seq = LatestEventFor(*store_, "organisation/" + id);
    EXPECT_TRUE(seq.ok()) << seq.status();
    if (!seq.ok()) return seq.status();
    absl::StatusOr<std::optional<std::string>> event = LoadEventData(*store_, *seq);
    absl::StatusOr<std::optional<std::string>> record = store_->Get(Table::kOrganisations, id);
    EXPECT_TRUE(event.ok() && event->has_value() && record.ok() && record->has_value())
        << id << " is acknowledged but cannot be read back";
    if (event.ok() && event->has_value() && record.ok() && record->has_value()) {
      oracle.Acknowledge(id, **record, *seq, **event);
    }
    return status;
  }

  // Reads the counter and writes it plus one, with an event: changes that depend on the
  // ones sequenced before them.
  absl::Status Increment(Oracle& oracle) {
    int written = 0;
    absl::Status status = ledger_->Apply(Admin(), [&](Transaction& tx) -> absl::Status {
      absl::StatusOr<std::optional<std::string>> stored = tx.store().Get(Table::kMeta, kCounterKey);
      if (!stored.ok()) return stored.status();
      int value = 0;
      if (stored->has_value() && !absl::SimpleAtoi(**stored, &value)) {
        return absl::DataLossError("counter");
      }
      written = value + 1;
      tx.writes().Put(Table::kMeta, std::string(kCounterKey), absl::StrCat(written));
      v1::Organisation record;
      record.set_name(absl::StrCat("count ", written));
      tx.Record("counter.incremented", std::string(kCounterSubject), record);
      return absl::OkStatus();
    });
    if (status.ok()) oracle.AcknowledgeCount(written);
    return status;
  }

 private:
  const std::string dir_;
  const std::shared_ptr<FaultInjectionFileSystem> fs_;
  std::string seed_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RecordingStore> recording_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<TransparencyLog> log_;
  std::map<uint64_t, std::string> written_before_;
};

// RFC 6962 §2.1 MTH written out literally, independent of the code under test.
inline std::string ReferenceRoot(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return domain::Sha256("");
  if (n == 1) return domain::Sha256(absl::StrCat(std::string(1, '\0'), leaves[begin]));
  size_t k = 1;
  while (k * 2 < n) k *= 2;  // the largest power of two smaller than n
  return domain::Sha256(absl::StrCat(std::string(1, '\1'), ReferenceRoot(leaves, begin, begin + k),
                                     ReferenceRoot(leaves, begin + k, end)));
}

// Checks what a store holds after a crash, a power cut or a full disk against what was
// acknowledged and what was written:
//  - the events are numbered 1..N without a gap, and are exactly what the ledger last
//    wrote under those numbers (the recovered log is a prefix of what was written);
//  - every acknowledged event and record is there, byte for byte;
//  - nothing is half there: every firm has its event with the record's hash, and the
//    counter is the number of its events;
//  - the stored Merkle tree is the tree of those events, and every checkpoint handed
//    out is a prefix of it.
// Sets `*events` to N.
inline void ExpectConsistent(const Store& store, const Oracle& oracle,
                             const std::map<uint64_t, std::string>& written,
                             uint64_t* events = nullptr) {
  std::vector<std::string> leaves;
  uint64_t expected_seq = 1;
  bool gap = false;
  EXPECT_TRUE(store
                  .Scan(Table::kEvents, "", "",
                        [&](absl::string_view key, absl::string_view value) {
                          absl::StatusOr<uint64_t> seq = DecodeU64(key);
                          if (!seq.ok() || *seq != expected_seq) {
                            gap = true;
                            return false;
                          }
                          ++expected_seq;
                          leaves.emplace_back(value);
                          return true;
                        })
                  .ok());
  EXPECT_FALSE(gap) << "a gap or a stray key after event " << leaves.size();
  const uint64_t size = leaves.size();
  if (events != nullptr) *events = size;

  for (uint64_t seq = 1; seq <= size; ++seq) {
    auto attempt = written.find(seq);
    if (attempt == written.end()) continue;  // written before this test recorded
    EXPECT_EQ(leaves[seq - 1], attempt->second)
        << "event " << seq << " is not what the ledger last wrote under that number";
  }
  for (const auto& [seq, event] : oracle.events()) {
    ASSERT_LE(seq, size) << "acknowledged event " << seq << " is lost (the log has " << size << ")";
    EXPECT_EQ(leaves[seq - 1], event) << "acknowledged event " << seq << " changed";
  }
  for (const auto& [id, record] : oracle.records()) {
    absl::StatusOr<std::optional<std::string>> stored = store.Get(Table::kOrganisations, id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->value_or("<lost>"), record) << "acknowledged firm " << id;
  }

  // All or nothing: records and events agree.
  int counter_events = 0;
  int firm_events = 0;
  for (const std::string& leaf : leaves) {
    v1::Event event;
    EXPECT_TRUE(event.ParseFromString(leaf));
    if (event.kind() == "counter.incremented") ++counter_events;
    if (event.kind() != "organisation.created") continue;
    ++firm_events;
    const std::string id = event.subjects(0).substr(std::string("organisation/").size());
    absl::StatusOr<std::optional<std::string>> record = store.Get(Table::kOrganisations, id);
    ASSERT_TRUE(record.ok()) << record.status();
    ASSERT_TRUE(record->has_value()) << "event " << event.seq() << " without its firm " << id;
    EXPECT_EQ(domain::Sha256(**record), event.record_sha256()) << "firm " << id;
  }
  int firms = 0;
  EXPECT_TRUE(store
                  .Scan(Table::kOrganisations, "", "",
                        [&](absl::string_view, absl::string_view) {
                          ++firms;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(firms, firm_events) << "a firm without its event";
  absl::StatusOr<std::optional<std::string>> counter = store.Get(Table::kMeta, kCounterKey);
  ASSERT_TRUE(counter.ok());
  int count = 0;
  if (counter->has_value()) {
    EXPECT_TRUE(absl::SimpleAtoi(**counter, &count));
  }
  EXPECT_EQ(count, counter_events) << "the counter and its events disagree";
  EXPECT_GE(count, oracle.counter()) << "an acknowledged increment is lost";

  // The tree is the tree of these events, and extends every checkpoint handed out.
  TreeReader reader(store);
  absl::StatusOr<std::string> root = domain::merkle::RootHash(size, reader);
  EXPECT_TRUE(root.ok()) << root.status();
  if (root.ok()) {
    EXPECT_EQ(*root, ReferenceRoot(leaves, 0, size));
  }
  for (const auto& [checkpoint_size, checkpoint_root] : oracle.checkpoints()) {
    ASSERT_LE(checkpoint_size, size) << "the log rolled back behind a checkpoint";
    absl::StatusOr<std::string> old_root = domain::merkle::RootHash(checkpoint_size, reader);
    ASSERT_TRUE(old_root.ok()) << old_root.status();
    EXPECT_EQ(*old_root, checkpoint_root) << "checkpoint " << checkpoint_size << " forked";
  }
}

// That leaf `seq` of the log's tree of `size` has an inclusion proof that verifies
// against the root (reads and proofs go on while the store cannot write).
inline void ExpectProvable(TransparencyLog& log, const Store& store, uint64_t seq, uint64_t size) {
  absl::StatusOr<std::optional<std::string>> leaf = LoadEventData(store, seq);
  ASSERT_TRUE(leaf.ok() && leaf->has_value()) << "event " << seq;
  absl::StatusOr<std::vector<std::string>> proof = log.InclusionProof(seq - 1, size);
  ASSERT_TRUE(proof.ok()) << proof.status();
  absl::StatusOr<std::string> root = log.RootHash(size);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_TRUE(domain::merkle::VerifyInclusion(domain::merkle::LeafHash(**leaf), seq - 1, size,
                                              *proof, *root)
                  .ok());
}

}  // namespace sello::storage::fault_test

#endif  // SELLO_TESTS_UNIT_STORAGE_FAULT_REGISTRY_H_
