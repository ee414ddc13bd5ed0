// The ledger: the one way state changes reach the store. Each change runs under the
// write lock, reads the committed state, and its writes are committed together with
// one event per changed record (gap-free sequence numbers, non-decreasing times) in
// one atomic, synced write.
#ifndef SELLO_STORAGE_LEDGER_H_
#define SELLO_STORAGE_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "google/protobuf/message.h"
#include "sello/v1/event.pb.h"
#include "storage/overlay_store.h"
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

// One change in the making: reads see the committed state and the changes sequenced
// before it (no other change can be sequenced meanwhile); writes and events are
// collected and committed by the ledger.
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

// Sequences changes and commits them durably, many at a time (group commit, as in
// LevelDB's DBImpl::Write): each change runs under the sequencer lock against the
// committed state plus the changes sequenced before it but not yet on disk (an
// overlay), gets its sequence numbers, events and Merkle nodes, and joins the group
// being formed. One committer thread writes each group as one WriteBatch with one
// fsync while the next group forms, then acknowledges every change in it. A change is
// acknowledged only once it is durable; if a group's write fails, it and every change
// sequenced after it fail (they may have read its state), changes that write are
// refused with the store's error until it takes writes again (Store::Writable), and the
// sequence then resumes from the last event the store holds: the last durable one, or
// the failed group's own last one when its write turned out to have reached the disk.
class Ledger {
 public:
  // Reads the last event from `store` to continue its sequence. Both outlive the ledger.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(Store* store, Clock* clock);
  // Writes what is sequenced, then stops the committer.
  ~Ledger() ABSL_LOCKS_EXCLUDED(mu_);

  // How long Apply waits for a change to be durable before it answers
  // DEADLINE_EXCEEDED (the change may still be committed): the server's default
  // deadline, so that no caller waits for ever behind a stalled disk. Unbounded by
  // default.
  void SetMaxWait(absl::Duration max_wait) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `change` and, when it returns OK, commits what it wrote with its events;
  // returns once that is durable (or after the maximum wait, see SetMaxWait). A change that writes
  // must record at least one event (INTERNAL otherwise). A change that only reads returns once what
  // it read is durable. Returns the status of `change`, or of the write.
  absl::Status Apply(const domain::Principal& actor,
                     const std::function<absl::Status(Transaction&)>& change)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The same without waiting: `change` runs now, in this thread; `done` is called with
  // the outcome, in this thread when it is known at once (a refused change, nothing to
  // wait for) and otherwise on the committer's thread once the write is durable or has
  // failed. For callback-API handlers, so that no gRPC thread waits for an fsync.
  // `done` must be quick and must not call back into the ledger.
  using Done = std::function<void(absl::Status)>;
  void ApplyAsync(const domain::Principal& actor,
                  const std::function<absl::Status(Transaction&)>& change, Done done)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `read` while nothing is being written and no change can be sequenced: for
  // reads that must see one state across many lookups (e.g. comparing derived data
  // with the records). Keep it rare and short: writers wait meanwhile.
  absl::Status Read(const std::function<absl::Status()>& read) ABSL_LOCKS_EXCLUDED(mu_);

  // The sequence number of the last committed event (0: none yet); also the size of
  // the transparency log's tree.
  uint64_t last_seq() const ABSL_LOCKS_EXCLUDED(head_mu_);

  // Waits until an event after `seq` is committed or `timeout` passes, or Close();
  // returns last_seq().
  uint64_t AwaitEventsAfter(uint64_t seq, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(head_mu_);

  // Wakes every waiter of AwaitEventsAfter for good (shutdown).
  void Close() ABSL_LOCKS_EXCLUDED(head_mu_);
  bool closed() const ABSL_LOCKS_EXCLUDED(head_mu_);

  // Group writes done and changes they acknowledged: their ratio is the fsyncs per
  // acknowledged write.
  struct CommitCounts {
    uint64_t groups = 0;
    uint64_t changes = 0;
  };
  CommitCounts commit_counts() const ABSL_LOCKS_EXCLUDED(mu_);

  // Called on the committer thread after each group write with the changes it
  // acknowledged and how long the write took (for metrics). Set before changes start.
  using CommitObserver = std::function<void(uint64_t changes, absl::Duration write)>;
  void SetCommitObserver(CommitObserver observer) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Changes committed together: one write, one fsync. The groups are the ledger's queues:
  // `forming_` takes new changes, `writing_` is being written. Both pointers, and the
  // groups they point to, are guarded by mu_ (clang 14 cannot check the latter:
  // pt_guarded_by takes no smart pointers), except that the committer reads the writing
  // group's `writes` without it: once a group is writing, its writes are frozen (later
  // changes only join its `waiting` list, under mu_).
  struct Group {
    uint64_t id = 0;
    WriteSet writes;
    uint64_t last_seq = 0;  // of its last event
    uint64_t changes = 0;
    uint64_t bytes = 0;  // WriteSet::ApproximateBytes of its changes
    // Called with the outcome once the group is written (or has failed): its changes'
    // and those of read-only changes that read them.
    std::vector<Done> waiting;
  };

  // The last event in a store: its number (0: none) and time.
  struct Head {
    uint64_t seq = 0;
    absl::Time time = absl::InfinitePast();
  };
  static absl::StatusOr<Head> ReadHead(const Store& store);

  Ledger(Store* store, Clock* clock, uint64_t last_seq, absl::Time last_time);
  // After a failed write: once the store takes writes again, continues the sequence from
  // its last event. The store's refusal while it does not.
  absl::Status ReloadHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<Group> NewGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs and sequences one change; returns its outcome when known now, or nullopt when
  // `done` now waits in a group.
  std::optional<absl::Status> Sequence(const domain::Principal& actor,
                                       const std::function<absl::Status(Transaction&)>& change,
                                       Done& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sequence's steps. A change that recorded no event is answered once what it may have
  // read is durable: nullopt when `done` waits in a group for that.
  std::optional<absl::Status> AnswerAfterReads(Done& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Numbers and stamps `tx`'s events after `last_seq` and stages them, their subject
  // index and their leaves in the log's tree (`view`) into tx's writes. The last seq.
  static absl::StatusOr<uint64_t> AppendEvents(Transaction& tx, const Store& view,
                                               uint64_t last_seq, const domain::Principal& actor,
                                               absl::Time now);
  // Adds `tx`'s writes to the forming group unless they would cross the store's space
  // limit (refused whole).
  std::optional<absl::Status> Enqueue(Transaction& tx, uint64_t seq, absl::Time now, Done& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CommitLoop() ABSL_LOCKS_EXCLUDED(mu_);

  Store* const store_;
  Clock* const clock_;

  mutable absl::Mutex mu_;
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_);     // sequenced (durable or not)
  absl::Time last_time_ ABSL_GUARDED_BY(mu_);  // of the last sequenced event
  uint64_t durable_seq_ ABSL_GUARDED_BY(mu_);  // of the last durable event
  Overlay overlay_ ABSL_GUARDED_BY(mu_);       // sequenced but not durable
  // Durable statistics cells (about 200 bytes each): a few MiB at most.
  CommittedCache committed_ ABSL_GUARDED_BY(mu_){16384};
  std::shared_ptr<Group> forming_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Group> writing_ ABSL_GUARDED_BY(mu_);  // in flight, or null
  uint64_t next_group_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool reload_head_ ABSL_GUARDED_BY(mu_) = false;  // a write failed since the last reload
  CommitCounts counts_ ABSL_GUARDED_BY(mu_);
  CommitObserver observer_ ABSL_GUARDED_BY(mu_);
  absl::Duration max_wait_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();

  // The committed head, for readers that must not wait behind a change in progress.
  mutable absl::Mutex head_mu_;
  uint64_t committed_seq_ ABSL_GUARDED_BY(head_mu_);
  bool closed_ ABSL_GUARDED_BY(head_mu_) = false;

  std::thread committer_;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_LEDGER_H_
