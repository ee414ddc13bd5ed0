#include "storage/ledger.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "storage/keys.h"
#include "storage/records.h"

namespace sello::storage {

void Transaction::Record(absl::string_view kind, std::vector<std::string> subjects,
                         const google::protobuf::Message& record, absl::string_view organisation_id,
                         absl::string_view site_id) {
  v1::Event event;
  event.set_kind(std::string(kind));
  for (auto& subject : subjects) event.add_subjects(std::move(subject));
  event.set_organisation_id(std::string(organisation_id));
  event.set_site_id(std::string(site_id));
  event.set_record_sha256(domain::Sha256(SerializeRecord(record)));
  events_.push_back(std::move(event));
}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(Store* store, Clock* clock) {
  uint64_t last_seq = 0;
  absl::Time last_time = absl::InfinitePast();
  absl::Status parse_status;
  absl::Status scan =
      store->ScanReverse(Table::kEvents, "", [&](absl::string_view key, absl::string_view value) {
        v1::Event event;
        absl::StatusOr<uint64_t> seq = DecodeU64(key);
        if (!seq.ok() || !event.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            event.seq() != *seq) {
          parse_status = absl::DataLossError(absl::StrCat(
              "events: the last event (key ", domain::HexEncode(key), ") is unreadable"));
          return false;
        }
        last_seq = *seq;
        last_time = domain::FromProto(event.time());
        return false;  // only the last one
      });
  if (!scan.ok()) return scan;
  if (!parse_status.ok()) return parse_status;
  return std::unique_ptr<Ledger>(new Ledger(store, clock, last_seq, last_time));
}

absl::Status Ledger::Apply(const domain::Principal& actor,
                           const std::function<absl::Status(Transaction&)>& change) {
  absl::MutexLock lock(&mu_);
  // Event times never go backwards, even when the wall clock does.
  const absl::Time now = std::max(clock_->Now(), last_time_);
  Transaction tx(*store_, now, actor);
  if (absl::Status status = change(tx); !status.ok()) return status;
  if (tx.events_.empty()) {
    if (tx.writes_.empty()) return absl::OkStatus();
    return absl::InternalError("a change wrote records without recording an event");
  }
  uint64_t seq = last_seq_;
  for (v1::Event& event : tx.events_) {
    event.set_seq(++seq);
    *event.mutable_time() = domain::ToProto(now);
    event.set_actor_token_id(actor.token_id);
    event.set_actor_organisation_id(actor.organisation_id);
    event.set_actor_role(actor.role);
    tx.writes_.Put(Table::kEvents, EncodeU64(event.seq()), SerializeRecord(event));
  }
  if (absl::Status status = store_->Write(tx.writes_); !status.ok()) return status;
  last_seq_ = seq;
  last_time_ = now;
  return absl::OkStatus();
}

uint64_t Ledger::last_seq() const {
  absl::MutexLock lock(&mu_);
  return last_seq_;
}

}  // namespace sello::storage
