#include "storage/ledger.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/merkle.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/tree_store.h"

namespace sello::storage {

void Transaction::Record(absl::string_view kind, std::string subject,
                         const google::protobuf::Message& record, absl::string_view organisation_id,
                         absl::string_view site_id) {
  v1::Event event;
  event.set_kind(std::string(kind));
  event.add_subjects(std::move(subject));
  event.set_organisation_id(std::string(organisation_id));
  event.set_site_id(std::string(site_id));
  event.set_record_sha256(domain::Sha256(SerializeRecord(record)));
  events_.push_back(std::move(event));
}

absl::StatusOr<Ledger::Head> Ledger::ReadHead(const Store& store) {
  Head head;
  absl::Status parse_status;
  absl::Status scan =
      store.ScanReverse(Table::kEvents, "", [&](absl::string_view key, absl::string_view value) {
        v1::Event event;
        absl::StatusOr<uint64_t> seq = DecodeU64(key);
        if (!seq.ok() || !event.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            event.seq() != *seq) {
          parse_status = absl::DataLossError(absl::StrCat(
              "events: the last event (key ", domain::HexEncode(key), ") is unreadable"));
          return false;
        }
        head.seq = *seq;
        head.time = domain::FromProto(event.time());
        return false;  // only the last one
      });
  if (!scan.ok()) return scan;
  if (!parse_status.ok()) return parse_status;
  return head;
}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(Store* store, Clock* clock) {
  absl::StatusOr<Head> head = ReadHead(*store);
  if (!head.ok()) return head.status();
  return std::unique_ptr<Ledger>(new Ledger(store, clock, head->seq, head->time));
}

Ledger::Ledger(Store* store, Clock* clock, uint64_t last_seq, absl::Time last_time)
    : store_(store),
      clock_(clock),
      last_seq_(last_seq),
      last_time_(last_time),
      durable_seq_(last_seq),
      committed_seq_(last_seq) {
  {
    absl::MutexLock lock(&mu_);
    forming_ = NewGroup();
  }
  committer_ = std::thread([this] { CommitLoop(); });
}

Ledger::~Ledger() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  committer_.join();
}

std::shared_ptr<Ledger::Group> Ledger::NewGroup() {
  auto group = std::make_shared<Group>();
  group->id = next_group_++;
  return group;
}

absl::Status Ledger::Apply(const domain::Principal& actor,
                           const std::function<absl::Status(Transaction&)>& change) {
  // Shared with the callback, which may outlive this call when the wait times out.
  struct Outcome {
    absl::Notification finished;
    absl::Status status;
  };
  auto outcome = std::make_shared<Outcome>();
  ApplyAsync(actor, change, [outcome](absl::Status status) {
    outcome->status = std::move(status);
    outcome->finished.Notify();
  });
  absl::Duration max_wait;
  {
    absl::MutexLock lock(&mu_);
    max_wait = max_wait_;
  }
  if (!outcome->finished.WaitForNotificationWithTimeout(max_wait)) {
    return absl::DeadlineExceededError(
        absl::StrCat("not durable within ", absl::FormatDuration(max_wait),
                     " (the disk may be stalled); the change may still be committed"));
  }
  return outcome->status;
}

void Ledger::SetMaxWait(absl::Duration max_wait) {
  absl::MutexLock lock(&mu_);
  max_wait_ = max_wait;
}

void Ledger::ApplyAsync(const domain::Principal& actor,
                        const std::function<absl::Status(Transaction&)>& change, Done done) {
  std::optional<absl::Status> now;
  {
    absl::MutexLock lock(&mu_);
    now = Sequence(actor, change, done);
  }
  if (now.has_value()) done(*std::move(now));
}

std::optional<absl::Status> Ledger::Sequence(
    const domain::Principal& actor, const std::function<absl::Status(Transaction&)>& change,
    Done& done) {
  if (stopping_) return absl::UnavailableError("the registry is shutting down");
  // After a failed write, changes that write wait until the store takes writes again,
  // and then continue from what it holds.
  const absl::Status writable = reload_head_ ? ReloadHead() : absl::OkStatus();
  // Event times never go backwards, even when the wall clock does.
  const absl::Time now = std::max(clock_->Now(), last_time_);
  const OverlayStore view(*store_, overlay_, &committed_);
  Transaction tx(view, now, actor);
  if (absl::Status status = change(tx); !status.ok()) return status;
  if (tx.events_.empty()) {
    if (!tx.writes_.empty()) {
      return absl::InternalError("a change wrote records without recording an event");
    }
    return AnswerAfterReads(done);
  }
  if (!writable.ok()) return writable;
  absl::StatusOr<uint64_t> seq = AppendEvents(tx, view, last_seq_, actor, now);
  if (!seq.ok()) return seq.status();
  return Enqueue(tx, *seq, now, done);
}

std::optional<absl::Status> Ledger::AnswerAfterReads(Done& done) {
  // It may have read changes not yet durable: answer once they are, with the last
  // group that holds any of them.
  if (forming_->changes > 0) {
    forming_->waiting.push_back(std::move(done));
    return std::nullopt;
  }
  if (writing_ != nullptr) {
    writing_->waiting.push_back(std::move(done));
    return std::nullopt;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Ledger::AppendEvents(Transaction& tx, const Store& view, uint64_t last_seq,
                                              const domain::Principal& actor, absl::Time now) {
  // Each event is a leaf of the transparency log's tree, appended in the same write:
  // leaf index seq - 1, leaf data the event's deterministic serialisation.
  TreeReader tree(view);
  uint64_t seq = last_seq;
  for (v1::Event& event : tx.events_) {
    event.set_seq(++seq);
    *event.mutable_time() = domain::ToProto(now);
    event.set_actor_token_id(actor.token_id);
    event.set_actor_organisation_id(actor.organisation_id);
    event.set_actor_role(actor.role);
    const std::string leaf = SerializeRecord(event);
    absl::StatusOr<std::vector<std::pair<domain::merkle::NodeId, std::string>>> nodes =
        domain::merkle::HashesForAppend(seq - 1, domain::merkle::LeafHash(leaf), tree);
    if (!nodes.ok()) return nodes.status();
    for (const auto& [id, hash] : *nodes) tree.Stage(id, hash, tx.writes_);
    for (const std::string& subject : event.subjects()) {
      tx.writes_.Put(Table::kEventsBySubject, ChildKey(subject, EncodeU64(seq)), "");
    }
    tx.writes_.Put(Table::kEvents, EncodeU64(seq), leaf);
  }
  return seq;
}

std::optional<absl::Status> Ledger::Enqueue(Transaction& tx, uint64_t seq, absl::Time now,
                                            Done& done) {
  // A change too large for the room left under the store's space limit is refused whole
  // (the writes sequenced before it and not yet written count against the room too).
  const uint64_t bytes = tx.writes_.ApproximateBytes();
  const uint64_t pending = forming_->bytes + (writing_ != nullptr ? writing_->bytes : 0);
  if (absl::Status room = store_->AdmitBytes(pending + bytes); !room.ok()) return room;
  last_seq_ = seq;
  last_time_ = now;
  forming_->bytes += bytes;
  const size_t from = forming_->writes.size();
  forming_->writes.Append(std::move(tx.writes_));
  overlay_.Add(forming_->writes, from, forming_->id);
  forming_->last_seq = seq;
  ++forming_->changes;
  forming_->waiting.push_back(std::move(done));
  return std::nullopt;
}

void Ledger::CommitLoop() {
  mu_.Lock();
  while (true) {
    auto ready = [this]()
                     ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || forming_->changes > 0; };
    mu_.Await(absl::Condition(&ready));
    if (forming_->changes == 0) break;  // stopping, and nothing left to write
    writing_ = std::move(forming_);
    forming_ = NewGroup();
    CommitObserver observer = observer_;
    // Frozen while it is written (see Group), so read without the lock.
    const std::shared_ptr<const Group> frozen = writing_;
    mu_.Unlock();
    const absl::Time started = absl::Now();
    const absl::Status status = store_->Write(frozen->writes);
    const absl::Duration took = absl::Now() - started;
    mu_.Lock();
    std::shared_ptr<Group> written = std::move(writing_);
    std::vector<std::pair<std::vector<Done>, absl::Status>> outcomes;
    if (status.ok()) {
      committed_.Apply(written->writes);
      overlay_.Retire(written->id);
      durable_seq_ = written->last_seq;
      ++counts_.groups;
      counts_.changes += written->changes;
      {
        absl::MutexLock head_lock(&head_mu_);
        committed_seq_ = written->last_seq;
      }
    } else {
      // What was sequenced after the last durable event may have read the failed
      // group's state: fail it too (with the same code: a full disk stays
      // RESOURCE_EXHAUSTED) and resume the sequence from what is durable, or from what
      // the store holds once it takes writes again (see ReloadHead).
      outcomes.emplace_back(
          std::move(forming_->waiting),
          absl::Status(status.code(), absl::StrCat("an earlier change in the same commit failed: ",
                                                   status.message())));
      overlay_.Clear();    // before the groups whose writes it indexes go
      committed_.Clear();  // what the store holds now is not known
      forming_ = NewGroup();
      last_seq_ = durable_seq_;
      reload_head_ = true;
    }
    outcomes.emplace_back(std::move(written->waiting), status);
    // The callers (and the observer) hear of it outside the lock.
    const uint64_t changes = written->changes;
    mu_.Unlock();
    if (observer && status.ok()) observer(changes, took);
    for (auto& [waiting, outcome] : outcomes) {
      for (Done& done : waiting) done(outcome);
    }
    mu_.Lock();
  }
  mu_.Unlock();
}

absl::Status Ledger::ReloadHead() {
  if (absl::Status writable = store_->Writable(); !writable.ok()) return writable;
  // Nothing is in flight: the last group failed and nothing was sequenced since.
  absl::StatusOr<Head> head = ReadHead(*store_);
  if (!head.ok()) return head.status();
  if (head->seq < durable_seq_) {
    return absl::DataLossError(absl::StrCat("the store holds ", head->seq, " events, but ",
                                            durable_seq_,
                                            " were acknowledged: refusing to write over the gap"));
  }
  // The failed write may have reached the disk after all (its log record whole, only
  // its sync failed): then it is durable now and its events are part of the log.
  last_seq_ = durable_seq_ = head->seq;
  last_time_ = std::max(last_time_, head->time);
  {
    absl::MutexLock head_lock(&head_mu_);
    committed_seq_ = head->seq;
  }
  reload_head_ = false;
  return absl::OkStatus();
}

absl::Status Ledger::Read(const std::function<absl::Status()>& read) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]()
                  ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !writing_ && forming_->changes == 0; };
  mu_.Await(absl::Condition(&idle));
  return read();
}

void Ledger::SetCommitObserver(CommitObserver observer) {
  absl::MutexLock lock(&mu_);
  observer_ = std::move(observer);
}

Ledger::CommitCounts Ledger::commit_counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

uint64_t Ledger::AwaitEventsAfter(uint64_t seq, absl::Duration timeout) const {
  absl::MutexLock lock(&head_mu_);
  auto ready = [&]()
                   ABSL_SHARED_LOCKS_REQUIRED(head_mu_) { return committed_seq_ > seq || closed_; };
  head_mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return committed_seq_;
}

void Ledger::Close() {
  absl::MutexLock lock(&head_mu_);
  closed_ = true;
}

bool Ledger::closed() const {
  absl::MutexLock lock(&head_mu_);
  return closed_;
}

uint64_t Ledger::last_seq() const {
  absl::MutexLock lock(&head_mu_);
  return committed_seq_;
}

}  // namespace sello::storage
