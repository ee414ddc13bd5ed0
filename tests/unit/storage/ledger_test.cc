#include "storage/ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "tests/unit/common/temp_dir.h"

namespace sello::storage {
namespace {

class FakeClock final : public Clock {
 public:
  absl::Time Now() override { return now; }
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
};

// A Store that forwards to the real one; the fakes below change only Write.
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& real) : real_(real) {}
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
  absl::Status Write(const WriteSet& writes) override { return real_.Write(writes); }

 private:
  Store& real_;
};

// Can be told to fail its next writes, as a full disk would.
class FailingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::Status Write(const WriteSet& writes) override {
    if (fail_writes) return absl::UnavailableError("injected: no space left on device");
    return ForwardingStore::Write(writes);
  }
  std::atomic<bool> fail_writes = false;
};

const domain::Principal kAdmin{"tok-admin", "association", v1::ADMIN};

v1::Organisation Firm(absl::string_view id) {
  v1::Organisation organisation;
  organisation.set_id(std::string(id));
  organisation.set_kind(v1::Organisation::FIRM);
  organisation.set_name(absl::StrCat("Firm ", id));
  return organisation;
}

absl::Status CreateFirm(Ledger& ledger, absl::string_view id) {
  return ledger.Apply(kAdmin, [&](Transaction& tx) {
    const v1::Organisation organisation = Firm(id);
    PutOrganisation(tx.writes(), organisation);
    tx.Record("organisation.created", "organisation/" + organisation.id(), organisation,
              organisation.id());
    return absl::OkStatus();
  });
}

std::vector<v1::Event> Events(const Store& store) {
  std::vector<v1::Event> events;
  EXPECT_TRUE(store
                  .Scan(Table::kEvents, "", "",
                        [&](absl::string_view, absl::string_view value) {
                          v1::Event event;
                          EXPECT_TRUE(event.ParseFromArray(value.data(), value.size()));
                          events.push_back(event);
                          return true;
                        })
                  .ok());
  return events;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRocksStore({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(store_.get(), &clock_);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
  }
  void Reopen() {
    ledger_.reset();
    store_.reset();
    Open();
  }

  sello::test_support::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, CommitsRecordAndEventTogether) {
  ASSERT_TRUE(CreateFirm(*ledger_, "salmones-sur").ok());
  absl::StatusOr<std::optional<v1::Organisation>> stored =
      LoadRecord<v1::Organisation>(*store_, Table::kOrganisations, "salmones-sur");
  ASSERT_TRUE(stored.ok() && stored->has_value());

  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), 1u);
  const v1::Event& event = events[0];
  EXPECT_EQ(event.seq(), 1u);
  EXPECT_EQ(event.kind(), "organisation.created");
  ASSERT_EQ(event.subjects_size(), 1);
  EXPECT_EQ(event.subjects(0), "organisation/salmones-sur");
  EXPECT_EQ(event.organisation_id(), "salmones-sur");
  EXPECT_EQ(event.actor_token_id(), "tok-admin");
  EXPECT_EQ(event.actor_organisation_id(), "association");
  EXPECT_EQ(event.actor_role(), v1::ADMIN);
  EXPECT_EQ(domain::FromProto(event.time()), clock_.now);
  EXPECT_EQ(event.record_sha256(), domain::Sha256(SerializeRecord(**stored)));
  EXPECT_EQ(ledger_->last_seq(), 1u);
}

TEST_F(LedgerTest, RefusedChangeWritesNothing) {
  const absl::Status status = ledger_->Apply(kAdmin, [&](Transaction& tx) {
    PutOrganisation(tx.writes(), Firm("half-done"));
    tx.Record("organisation.created", "organisation/half-done", Firm("half-done"));
    return absl::FailedPreconditionError("refused");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Events(*store_).empty());
  absl::StatusOr<std::optional<std::string>> stored =
      store_->Get(Table::kOrganisations, "half-done");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
  EXPECT_EQ(ledger_->last_seq(), 0u);
}

TEST_F(LedgerTest, WritesWithoutAnEventAreRefused) {
  const absl::Status status = ledger_->Apply(kAdmin, [&](Transaction& tx) {
    PutOrganisation(tx.writes(), Firm("silent"));
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  absl::StatusOr<std::optional<std::string>> stored = store_->Get(Table::kOrganisations, "silent");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(LedgerTest, SequenceIsGapFreeAcrossReopen) {
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  ASSERT_TRUE(CreateFirm(*ledger_, "b").ok());
  Reopen();
  EXPECT_EQ(ledger_->last_seq(), 2u);
  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), 3u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), i + 1);
}

TEST_F(LedgerTest, EventTimesNeverGoBackwards) {
  ASSERT_TRUE(CreateFirm(*ledger_, "a").ok());
  const absl::Time first = clock_.now;
  clock_.now -= absl::Hours(1);  // the wall clock is set back
  ASSERT_TRUE(CreateFirm(*ledger_, "b").ok());
  Reopen();  // ... and the daemon restarts with it
  ASSERT_TRUE(CreateFirm(*ledger_, "c").ok());
  for (const v1::Event& event : Events(*store_)) {
    EXPECT_EQ(domain::FromProto(event.time()), first) << event.seq();
  }
}

TEST_F(LedgerTest, FailedWriteLeavesNoGap) {
  ledger_.reset();
  FailingStore failing(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&failing, &clock_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(CreateFirm(**ledger, "a").ok());
  failing.fail_writes = true;
  EXPECT_EQ(CreateFirm(**ledger, "b").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*ledger)->last_seq(), 1u);
  failing.fail_writes = false;
  ASSERT_TRUE(CreateFirm(**ledger, "c").ok());
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].seq(), 2u);
  EXPECT_EQ(events[1].subjects(0), "organisation/c");
}

// Statistics cells are read through the ledger's cache of durable values: each change
// must see the value the one before it made durable, and never what a failed write left.
TEST_F(LedgerTest, CachedCellsReadWhatTheLastCommitLeft) {
  ledger_.reset();
  FailingStore failing(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&failing, &clock_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(CommittedCache::Keeps(Table::kStatsCriteria));
  // Adds one to a counter cell; `seen` is what it read.
  const auto count = [&](int& seen) {
    return (*ledger)->Apply(kAdmin, [&](Transaction& tx) {
      absl::StatusOr<std::optional<std::string>> cell = tx.store().Get(Table::kStatsCriteria, "n");
      if (!cell.ok()) return cell.status();
      seen = cell->has_value() ? std::stoi(**cell) : 0;
      tx.writes().Put(Table::kStatsCriteria, "n", std::to_string(seen + 1));
      tx.Record("organisation.created", "organisation/a", Firm("a"), "a");
      return absl::OkStatus();
    });
  };
  int seen = -1;
  for (int expected = 0; expected < 3; ++expected) {
    ASSERT_TRUE(count(seen).ok());
    EXPECT_EQ(seen, expected);
  }
  failing.fail_writes = true;
  EXPECT_EQ(count(seen).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(seen, 3);
  failing.fail_writes = false;
  ASSERT_TRUE(count(seen).ok());
  EXPECT_EQ(seen, 3);  // the failed write's 4 was never durable
  absl::StatusOr<std::optional<std::string>> stored = store_->Get(Table::kStatsCriteria, "n");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "4");
}

TEST_F(LedgerTest, ConcurrentChangesGetDistinctConsecutiveNumbers) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(CreateFirm(*ledger_, absl::StrCat("firm-", t, "-", i)).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), i + 1);
}

// A Store whose writes wait for the test (`entered` when a write arrives, `release` to
// let it finish) and then succeed or fail as told: to hold a group in flight.
class GatedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::Status Write(const WriteSet& writes) override {
    if (gated.exchange(false)) {
      entered.Notify();
      release.WaitForNotification();
      if (fail) return absl::UnavailableError("injected: the disk went away");
    }
    ++writes_done;
    return ForwardingStore::Write(writes);
  }
  std::atomic<bool> gated = false;
  std::atomic<bool> fail = false;
  std::atomic<int> writes_done = 0;
  absl::Notification entered, release;
};

// A change that reads the counter in kMeta and writes it plus one (with an event); the
// value it read goes to `read` when given, and `ran` is notified once it has read.
absl::Status Increment(Ledger& ledger, int* read = nullptr,
                       const std::function<void()>& ran = nullptr) {
  return ledger.Apply(kAdmin, [&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<std::string>> stored = tx.store().Get(Table::kMeta, "counter");
    if (!stored.ok()) return stored.status();
    int value = 0;
    if (stored->has_value() && !absl::SimpleAtoi(**stored, &value)) {
      return absl::DataLossError("counter");
    }
    if (read != nullptr) *read = value;
    if (ran) ran();
    tx.writes().Put(Table::kMeta, "counter", absl::StrCat(value + 1));
    v1::Organisation record = Firm(absl::StrCat("counted-", value + 1));
    tx.Record("counter.incremented", "counter/1", record);
    return absl::OkStatus();
  });
}

int Counter(const Store& store) {
  absl::StatusOr<std::optional<std::string>> stored = store.Get(Table::kMeta, "counter");
  int value = 0;
  if (stored.ok() && stored->has_value()) {
    EXPECT_TRUE(absl::SimpleAtoi(**stored, &value));
  }
  return value;
}

TEST_F(LedgerTest, ConcurrentChangesAreCommittedInGroupsAndSeeEachOther) {
  // While one group is written, the next forms: a change sees those sequenced before it
  // (a lost update would leave the counter short), and one fsync serves many changes.
  ledger_.reset();
  GatedStore gated(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&gated, &clock_);
  ASSERT_TRUE(ledger.ok());
  gated.gated = true;
  std::thread first([&] { EXPECT_TRUE(Increment(**ledger).ok()); });
  gated.entered.WaitForNotification();  // the first group is in flight
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> acknowledged = 0;
  absl::BlockingCounter all_read(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      int read = -1;
      EXPECT_TRUE(Increment(**ledger, &read, [&] { all_read.DecrementCount(); }).ok());
      EXPECT_GE(read, 1) << "saw the change in flight";
      ++acknowledged;
    });
  }
  // All sixteen have run (and so joined the next group) while the first write waits;
  // none is acknowledged before its own write.
  all_read.Wait();
  EXPECT_EQ(acknowledged.load(), 0);
  gated.release.Notify();
  first.join();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(Counter(*store_), kThreads + 1);
  const Ledger::CommitCounts counts = (*ledger)->commit_counts();
  EXPECT_EQ(counts.changes, static_cast<uint64_t>(kThreads + 1));
  EXPECT_EQ(counts.groups, 2u) << "the sixteen shared one fsync";
  EXPECT_EQ(static_cast<uint64_t>(gated.writes_done.load()), counts.groups);
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), static_cast<size_t>(kThreads + 1));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), i + 1);
}

TEST_F(LedgerTest, ApplyWaitsNoLongerThanTheMaximumBehindAStalledDisk) {
  ledger_.reset();
  GatedStore gated(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&gated, &clock_);
  ASSERT_TRUE(ledger.ok());
  (*ledger)->SetMaxWait(absl::Milliseconds(100));
  gated.gated = true;  // the next write stalls until released
  const absl::Time start = absl::Now();
  const absl::Status stalled = CreateFirm(**ledger, "stalled");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
  EXPECT_EQ(stalled.code(), absl::StatusCode::kDeadlineExceeded) << stalled;
  EXPECT_THAT(std::string(stalled.message()), ::testing::HasSubstr("not durable within 100ms"));
  // The disk comes back: the change was not lost, only its answer.
  gated.release.Notify();
  EXPECT_TRUE(CreateFirm(**ledger, "after").ok());
  EXPECT_EQ((*ledger)->last_seq(), 2u);
  EXPECT_EQ(Events(gated).size(), 2u);
}

TEST_F(LedgerTest, AFailedGroupFailsWhatWasSequencedAfterIt) {
  ledger_.reset();
  GatedStore gated(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&gated, &clock_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(Increment(**ledger).ok());  // counter 1, event 1: durable
  gated.gated = true;
  gated.fail = true;
  absl::Status doomed, dependent;
  std::thread first([&] { doomed = Increment(**ledger); });
  gated.entered.WaitForNotification();
  int read = -1;
  absl::Notification second_ran;
  std::thread second([&] { dependent = Increment(**ledger, &read, [&] { second_ran.Notify(); }); });
  // `second` runs while the first write is in flight and reads its counter. It holds the
  // sequencer until it has joined the next group, so the failure (which needs the
  // sequencer) is handled after that.
  second_ran.WaitForNotification();
  gated.release.Notify();
  first.join();
  second.join();
  EXPECT_EQ(doomed.code(), absl::StatusCode::kUnavailable) << doomed;
  EXPECT_EQ(read, 2) << "it read the change in flight";
  EXPECT_EQ(dependent.code(), absl::StatusCode::kUnavailable) << dependent;
  EXPECT_THAT(std::string(dependent.message()), ::testing::HasSubstr("earlier change"));
  EXPECT_EQ((*ledger)->last_seq(), 1u);
  EXPECT_EQ(Counter(*store_), 1);
  // Nothing of the failed group is visible; the sequence resumes without a gap.
  EXPECT_EQ(Counter(*store_), dependent.ok() ? 2 : 1);
  int after = -1;
  ASSERT_TRUE(Increment(**ledger, &after).ok());
  EXPECT_EQ(after, 1);
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), 2u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), i + 1);
  EXPECT_EQ(Counter(*store_), 2);
}

// A store with a space limit of `room` bytes (what AdmitBytes is asked is kept in
// `asked`), whose next write can be held, as GatedStore's.
class LimitedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::Status AdmitBytes(uint64_t bytes) const override {
    asked = bytes;
    if (entered.HasBeenNotified() && !admitted_while_held.HasBeenNotified()) {
      admitted_while_held.Notify();
    }
    if (bytes > room) return absl::ResourceExhaustedError("injected: over the space limit");
    return absl::OkStatus();
  }
  absl::Status Write(const WriteSet& writes) override {
    if (gated.exchange(false)) {
      entered.Notify();
      release.WaitForNotification();
    }
    return ForwardingStore::Write(writes);
  }
  std::atomic<uint64_t> room = UINT64_MAX;
  mutable std::atomic<uint64_t> asked = 0;
  std::atomic<bool> gated = false;
  absl::Notification entered, release;
  mutable absl::Notification admitted_while_held;  // a change asked while a write was held
};

// Admission against the store's space limit: a change larger than the room left is
// refused whole, with the store's status, before it is sequenced (no event number is used
// up, nothing is written), and the sequence goes on.
TEST_F(LedgerTest, AChangeLargerThanTheRoomLeftIsRefusedWhole) {
  ledger_.reset();
  LimitedStore limited(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&limited, &clock_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(CreateFirm(**ledger, "first").ok());
  const uint64_t one_firm = limited.asked;
  // Its keys and values, and some bytes of record overhead per write.
  EXPECT_GT(one_firm, Firm("first").ByteSizeLong());
  limited.room = one_firm - 1;
  const absl::Status refused = CreateFirm(**ledger, "second");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_EQ((*ledger)->last_seq(), 1u);
  EXPECT_EQ(Events(*store_).size(), 1u);
  absl::StatusOr<std::optional<std::string>> stored = store_->Get(Table::kOrganisations, "second");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
  limited.room = UINT64_MAX;
  ASSERT_TRUE(CreateFirm(**ledger, "third").ok());
  const std::vector<v1::Event> events = Events(*store_);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].seq(), 2u);
  EXPECT_EQ(events[1].subjects(0), "organisation/third");
}

// Changes sequenced and not yet written count against the room: a change that joins the
// next group while one is in flight asks for its bytes and theirs.
TEST_F(LedgerTest, ChangesNotYetWrittenCountAgainstTheRoom) {
  ledger_.reset();
  LimitedStore limited(*store_);
  absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open(&limited, &clock_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(CreateFirm(**ledger, "alone").ok());
  const uint64_t one_firm = limited.asked;
  limited.gated = true;
  std::thread first([&] { EXPECT_TRUE(CreateFirm(**ledger, "in-flight").ok()); });
  limited.entered.WaitForNotification();  // its group is being written
  absl::Status second;
  std::thread follower([&] { second = CreateFirm(**ledger, "follower"); });
  // The follower asks for about two firms' worth (its own and the one in flight); it is
  // admitted and waits for its group.
  ASSERT_TRUE(limited.admitted_while_held.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_GT(limited.asked, one_firm * 3 / 2);
  limited.release.Notify();
  first.join();
  follower.join();
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_EQ((*ledger)->last_seq(), 3u);
}

// ListPage: the one pagination used by every listing.
class ListPageTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(CreateFirm(*ledger_, absl::StrCat("firm-", i)).ok());
  }

  // Every id, page by page, and the number of pages.
  std::vector<std::string> ListAll(int page_size, int* pages, bool skip_odd = false) {
    std::vector<std::string> ids;
    std::string token;
    *pages = 0;
    do {
      absl::StatusOr<std::string> next =
          ListPage(*store_, Table::kOrganisations, "", "organisations", token, page_size,
                   [&](absl::string_view key, absl::string_view) -> absl::StatusOr<bool> {
                     if (skip_odd && (key.back() - '0') % 2 == 1) return false;
                     ids.emplace_back(key);
                     return true;
                   });
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      token = *next;
      ++*pages;
    } while (!token.empty());
    return ids;
  }
};

TEST_F(ListPageTest, PagesCoverEveryEntryOnce) {
  int pages = 0;
  const std::vector<std::string> ids = ListAll(3, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(ids[i], absl::StrCat("firm-", i));
  EXPECT_EQ(ListAll(7, &pages).size(), 7u);
  EXPECT_EQ(pages, 1);
}

TEST_F(ListPageTest, FilteredEntriesDoNotCountTowardsThePage) {
  int pages = 0;
  const std::vector<std::string> ids = ListAll(2, &pages, /*skip_odd=*/true);
  EXPECT_EQ(ids, (std::vector<std::string>{"firm-0", "firm-2", "firm-4", "firm-6"}));
}

TEST_F(ListPageTest, ForeignOrDamagedTokensAreRefused) {
  const std::string foreign = EncodePageToken("sites", "firm-2");
  auto visit = [](absl::string_view, absl::string_view) -> absl::StatusOr<bool> { return true; };
  for (const std::string& token : {foreign, std::string("%%%not-base64")}) {
    absl::StatusOr<std::string> next =
        ListPage(*store_, Table::kOrganisations, "", "organisations", token, 3, visit);
    EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_TRUE(absl::StartsWith(next.status().message(), "page_token: ")) << next.status();
  }
  // A token of the same listing but outside the prefix being listed.
  absl::StatusOr<std::string> next =
      ListPage(*store_, Table::kSitesByFirm, ChildPrefix("firm-1"), "sites_by_firm",
               EncodePageToken("sites_by_firm", "zzz"), 3, visit);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sello::storage
