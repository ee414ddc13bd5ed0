// The ledger: the one way state changes reach the store. Each change runs under the
// write lock, reads the committed state, and its writes are committed together with
// one event per changed record (gap-free sequence numbers, non-decreasing times) in
// one atomic, synced write.
#ifndef SELLO_STORAGE_LEDGER_H_
#define SELLO_STORAGE_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "google/protobuf/message.h"
#include "sello/v1/event.pb.h"
#include "storage/store.h"

namespace sello::storage {

// Where the ledger gets the time from; tests substitute their own.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

// One change in the making: reads see the committed state (no other change can commit
// meanwhile); writes and events are collected and committed by the ledger.
class Transaction {
 public:
  const Store& store() const { return store_; }
  WriteSet& writes() { return writes_; }
  // The time of this change (the time of its events).
  absl::Time now() const { return now_; }
  const domain::Principal& actor() const { return actor_; }

  // Records that `record` (the new state) changed: one event of `kind` naming the
  // record's `subject` (domain::Subject), concerning `organisation_id` / `site_id`
  // (may be empty).
  void Record(absl::string_view kind, std::string subject, const google::protobuf::Message& record,
              absl::string_view organisation_id = "", absl::string_view site_id = "");

 private:
  friend class Ledger;
  Transaction(const Store& store, absl::Time now, const domain::Principal& actor)
      : store_(store), now_(now), actor_(actor) {}

  const Store& store_;
  const absl::Time now_;
  const domain::Principal& actor_;
  WriteSet writes_;
  std::vector<v1::Event> events_;
};

class Ledger {
 public:
  // Reads the last event from `store` to continue its sequence. Both outlive the ledger.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(Store* store, Clock* clock);

  // Runs `change` and, when it returns OK, commits what it wrote with its events.
  // A change that writes must record at least one event (INTERNAL otherwise). Returns
  // the status of `change`, or of the write.
  absl::Status Apply(const domain::Principal& actor,
                     const std::function<absl::Status(Transaction&)>& change);

  // Runs `read` while no change can commit: for reads that must see one state across
  // many lookups (e.g. comparing derived data with the records). Keep it rare and short:
  // writers wait meanwhile.
  absl::Status Read(const std::function<absl::Status()>& read);

  // The sequence number of the last committed event (0: none yet); also the size of
  // the transparency log's tree.
  uint64_t last_seq() const;

  // Waits until an event after `seq` is committed or `timeout` passes, or Close();
  // returns last_seq().
  uint64_t AwaitEventsAfter(uint64_t seq, absl::Duration timeout) const;

  // Wakes every waiter of AwaitEventsAfter for good (shutdown).
  void Close();
  bool closed() const;

 private:
  Ledger(Store* store, Clock* clock, uint64_t last_seq, absl::Time last_time)
      : store_(store),
        clock_(clock),
        last_seq_(last_seq),
        last_time_(last_time),
        committed_seq_(last_seq) {}

  Store* const store_;
  Clock* const clock_;
  // Held for a whole change: changes are serialised.
  mutable absl::Mutex mu_;
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_);
  absl::Time last_time_ ABSL_GUARDED_BY(mu_);
  // The committed head, for readers that must not wait behind a change in progress.
  mutable absl::Mutex head_mu_;
  uint64_t committed_seq_ ABSL_GUARDED_BY(head_mu_);
  bool closed_ ABSL_GUARDED_BY(head_mu_) = false;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_LEDGER_H_
