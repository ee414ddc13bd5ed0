#include "daemon/service/log_service.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/tlog/merkle.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/read_deadline.h"
#include "storage/records.h"

namespace sello::service {
namespace {

constexpr int kDefaultEventPage = 100;

std::string Method(absl::string_view name) {
  return MethodName(v1::LogService::service_full_name(), name);
}

// The event as the caller may see it: whole, or redacted to its leaf hash.
absl::StatusOr<v1::LoggedEvent> LoggedEvent(uint64_t seq, absl::string_view data,
                                            const domain::Principal* caller) {
  v1::LoggedEvent out;
  out.set_seq(seq);
  out.set_leaf_hash(domain::merkle::LeafHash(data));
  v1::Event event;
  if (absl::Status status = storage::ParseEventRecord(seq, data, event); !status.ok()) {
    return status;
  }
  if (domain::CanReadEvent(event, caller)) {
    out.set_leaf_data(std::string(data));
    *out.mutable_event() = std::move(event);
  }
  return out;
}

}  // namespace

// A size the log signed a checkpoint for but no longer holds events for means the store
// lost history behind the log's back: DATA_LOSS, never a plain bad argument.
absl::Status LogService::CheckHolds(uint64_t size, const v1::Checkpoint& checkpoint) const {
  const uint64_t held = registry_.ledger->last_seq();
  if (size > held && size <= checkpoint.size()) {
    return absl::DataLossError(absl::StrCat("the log signed a checkpoint of size ",
                                            checkpoint.size(), " but holds only ", held,
                                            " events"));
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<std::string> RequireEventData(const storage::Store& store, uint64_t seq) {
  absl::StatusOr<std::optional<std::string>> data = storage::LoadEventData(store, seq);
  if (!data.ok()) return data.status();
  if (!data->has_value()) return absl::NotFoundError(absl::StrCat("event ", seq, " not found"));
  return **std::move(data);
}

// Who may read what, before anything is read, where the kind alone decides.
absl::Status CheckKindReadable(absl::string_view kind, const domain::Principal* caller) {
  const bool public_kind = kind == domain::kOrganisationRecord ||
                           kind == domain::kStandardVersionRecord ||
                           kind == domain::kAccreditationRecord || kind == domain::kNormRecord;
  if (kind == domain::kTokenRecord && (caller == nullptr || caller->role != v1::ADMIN)) {
    return absl::PermissionDeniedError("token records are read by ADMIN only");
  }
  if (!public_kind && caller == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat(kind, " records need a token"));
  }
  return absl::OkStatus();
}

// A seal status change is read by whoever may read its event (the firm whose seals they
// are, the certifier that made it, ADMIN and REGULATOR).
absl::Status CheckSealChangeReadable(const storage::Store& store, absl::string_view subject,
                                     const domain::Principal* caller) {
  absl::StatusOr<uint64_t> seq = storage::LatestEventFor(store, subject);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> data = RequireEventData(store, *seq);
  if (!data.ok()) return data.status();
  v1::Event event;
  if (!event.ParseFromString(*data) || !domain::CanReadEvent(event, caller)) {
    return absl::PermissionDeniedError(absl::StrCat(subject, " is not yours to read"));
  }
  return absl::OkStatus();
}

// Who may read what, where the record itself (its stored `bytes`) decides. `caller` is
// null only for the public kinds (CheckKindReadable).
absl::Status CheckRecordReadable(const storage::Store& store, absl::string_view kind,
                                 absl::string_view subject, const std::string& bytes,
                                 const domain::Principal* caller) {
  const bool privileged =
      caller != nullptr && (caller->role == v1::ADMIN || caller->role == v1::REGULATOR);
  const auto firm_only = [&](absl::string_view firm_id) -> absl::Status {
    if (caller->role == v1::FIRM && firm_id != caller->organisation_id) {
      return absl::PermissionDeniedError(absl::StrCat(subject, " belongs to another firm"));
    }
    return absl::OkStatus();
  };
  if (kind == domain::kSiteRecord) {
    v1::Site site;
    if (site.ParseFromString(bytes)) return firm_only(site.firm_id());
  } else if (kind == domain::kLotRecord) {
    v1::Lot lot;
    if (lot.ParseFromString(bytes)) return firm_only(lot.firm_id());
  } else if (kind == domain::kStandardVersionRecord) {
    v1::StandardVersion version;
    if (version.ParseFromString(bytes) && version.status() == v1::StandardVersion::DRAFT &&
        !privileged) {
      return absl::PermissionDeniedError(
          absl::StrCat(subject, " is a DRAFT; drafts are visible to ADMIN and REGULATOR only"));
    }
  } else if (kind == domain::kInspectionRecord) {
    v1::Inspection inspection;
    if (inspection.ParseFromString(bytes) && !domain::CanReadInspection(inspection, *caller)) {
      return absl::PermissionDeniedError(absl::StrCat(subject, " is not yours to read"));
    }
  } else if (kind == domain::kSealIssuanceRecord) {
    v1::SealIssuance issuance;
    if (!privileged && issuance.ParseFromString(bytes) &&
        issuance.certifier_id() != caller->organisation_id) {
      // A firm checks its issuances through their lots' seals instead.
      return absl::PermissionDeniedError(
          absl::StrCat(subject, " is read by its certifier, ADMIN and REGULATOR"));
    }
  } else if (kind == domain::kAppealRecord) {
    v1::Appeal appeal;
    if (appeal.ParseFromString(bytes) && !domain::CanReadAppeal(appeal, *caller)) {
      return absl::PermissionDeniedError(absl::StrCat(subject, " is not yours to read"));
    }
  } else if (kind == domain::kSealChangeRecord) {
    return CheckSealChangeReadable(store, subject, caller);
  }
  return absl::OkStatus();
}

// The stored bytes of the record a subject names, if the caller may read it.
absl::StatusOr<google::protobuf::Any> LoadRecordBytes(const storage::Store& store,
                                                      absl::string_view subject,
                                                      const domain::Principal* caller) {
  absl::string_view kind, id;
  if (!domain::SplitSubject(subject, &kind, &id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "subject: '", subject, "' is not KIND/ID (e.g. organisation/salmones-calbuco)"));
  }
  if (absl::Status readable = CheckKindReadable(kind, caller); !readable.ok()) return readable;
  absl::StatusOr<std::optional<storage::LoggedRecord>> record =
      storage::LoadLoggedRecord(store, subject);
  if (!record.ok()) return record.status();
  if (!record->has_value()) return absl::NotFoundError(absl::StrCat(subject, " not found"));
  const std::string& bytes = (*record)->bytes;
  if (absl::Status readable = CheckRecordReadable(store, kind, subject, bytes, caller);
      !readable.ok()) {
    return readable;
  }
  google::protobuf::Any any;
  any.set_type_url(absl::StrCat("type.googleapis.com/", (*record)->type));
  any.set_value(bytes);
  return any;
}

// The event GetInclusionProof is asked about: the one numbered, or the latest about a subject.
absl::StatusOr<uint64_t> TargetSeq(const storage::Store& store,
                                   const v1::GetInclusionProofRequest& request) {
  switch (request.target_case()) {
    case v1::GetInclusionProofRequest::kSeq:
      return request.seq();
    case v1::GetInclusionProofRequest::kSubject:
      return storage::LatestEventFor(store, request.subject());
    default:
      return absl::InvalidArgumentError("seq or subject: one is required");
  }
}

// Event `seq` must be in the tree of `size`; the latest checkpoint is `checkpoint_size`.
absl::Status CheckInTree(uint64_t seq, uint64_t size, uint64_t checkpoint_size) {
  if (seq == 0 || seq > size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seq: event ", seq, " is not in the tree of size ", size,
        size == checkpoint_size ? " (the latest checkpoint; it is signed within a second)" : ""));
  }
  return absl::OkStatus();
}

// What GetInclusionProof reads and answers: event `seq` as `caller` may see it, with its
// proof into the tree of `size` and the checkpoint served.
absl::Status ProveInclusion(const storage::Store& store, storage::TransparencyLog& log,
                            uint64_t seq, uint64_t size, const v1::Checkpoint& checkpoint,
                            const domain::Principal* caller,
                            v1::GetInclusionProofResponse& response) {
  absl::StatusOr<std::string> data = RequireEventData(store, seq);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<std::string>> proof = log.InclusionProof(seq - 1, size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<v1::LoggedEvent> event = LoggedEvent(seq, *data, caller);
  if (!event.ok()) return event.status();
  *response.mutable_event() = *std::move(event);
  response.set_leaf_index(seq - 1);
  response.set_tree_size(size);
  for (auto& hash : *proof) response.add_hashes(std::move(hash));
  *response.mutable_checkpoint() = checkpoint;
  return absl::OkStatus();
}

// What ListEvents reads and answers: up to `page_size` events from `from` on, as `caller`
// may see them, and the seq the next page starts at (0 when there is none).
absl::Status ListEventsPage(const storage::Store& store, uint64_t from, int page_size,
                            const domain::Principal* caller, v1::ListEventsResponse& response) {
  absl::Status inner;
  uint64_t next = 0;
  absl::Status scan =
      storage::VisitEvents(store, from, [&](absl::StatusOr<uint64_t> seq, absl::string_view value) {
        if (!seq.ok()) {
          inner = seq.status();
          return false;
        }
        if (response.events_size() == page_size) {
          next = *seq;
          return false;
        }
        absl::StatusOr<v1::LoggedEvent> event = LoggedEvent(*seq, value, caller);
        if (!event.ok()) {
          inner = event.status();
          return false;
        }
        *response.add_events() = *std::move(event);
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  response.set_next_seq(next);
  return absl::OkStatus();
}

}  // namespace

grpc::Status LogService::GetCheckpoint(grpc::ServerContext* context,
                                       const v1::GetCheckpointRequest* request,
                                       v1::GetCheckpointResponse* response) {
  return Serve(registry_, context, Method("GetCheckpoint"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<v1::Checkpoint> served = log_->Served();
                 if (!served.ok()) return served.status();
                 *response->mutable_checkpoint() = *std::move(served);
                 response->set_verifier_key(log_->VerifierKey());
                 response->set_next_verifier_key(log_->NextVerifierKey());
                 return absl::OkStatus();
               });
}

grpc::ServerUnaryReactor* LogService::GetInclusionProof(grpc::CallbackServerContext* context,
                                                        const v1::GetInclusionProofRequest* request,
                                                        v1::GetInclusionProofResponse* response) {
  return ServeNow(
      registry_, context, Method("GetInclusionProof"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        absl::StatusOr<uint64_t> seq = TargetSeq(store, *request);
        if (!seq.ok()) return seq.status();
        absl::StatusOr<v1::Checkpoint> served = log_->Served();
        if (!served.ok()) return served.status();
        const v1::Checkpoint& checkpoint = *served;
        const uint64_t size = request->tree_size() != 0 ? request->tree_size() : checkpoint.size();
        if (absl::Status status = CheckInTree(*seq, size, checkpoint.size()); !status.ok()) {
          return status;
        }
        if (absl::Status status = CheckHolds(size, checkpoint); !status.ok()) {
          return status;
        }
        return ProveInclusion(store, *log_, *seq, size, checkpoint, caller, *response);
      });
}

grpc::Status LogService::GetConsistencyProof(grpc::ServerContext* context,
                                             const v1::GetConsistencyProofRequest* request,
                                             v1::GetConsistencyProofResponse* response) {
  return Serve(registry_, context, Method("GetConsistencyProof"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<v1::Checkpoint> served = log_->Served();
                 if (request->new_size() == 0 && !served.ok()) return served.status();
                 const uint64_t new_size =
                     request->new_size() != 0 ? request->new_size() : served->size();
                 if (request->old_size() == 0 || request->old_size() > new_size) {
                   return absl::InvalidArgumentError(
                       absl::StrCat("old_size: must be between 1 and new_size (", new_size, ")"));
                 }
                 if (absl::Status status = CheckHolds(new_size, log_->Latest()); !status.ok()) {
                   return status;
                 }
                 absl::StatusOr<std::vector<std::string>> proof =
                     log_->ConsistencyProof(request->old_size(), new_size);
                 if (!proof.ok()) return proof.status();
                 response->set_old_size(request->old_size());
                 response->set_new_size(new_size);
                 for (auto& hash : *proof) response->add_hashes(std::move(hash));
                 return absl::OkStatus();
               });
}

grpc::Status LogService::ListEvents(grpc::ServerContext* context,
                                    const v1::ListEventsRequest* request,
                                    v1::ListEventsResponse* response) {
  return Serve(registry_, context, Method("ListEvents"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->page_size() < 0)
                   return absl::InvalidArgumentError("page_size: negative");
                 const int page_size = request->page_size() == 0
                                           ? kDefaultEventPage
                                           : std::min(request->page_size(), 1000);
                 const uint64_t from = std::max<uint64_t>(request->from_seq(), 1);
                 return ListEventsPage(*registry_.store, from, page_size, caller, *response);
               });
}

grpc::Status LogService::GetRecord(grpc::ServerContext* context,
                                   const v1::GetRecordRequest* request,
                                   v1::GetRecordResponse* response) {
  return Serve(registry_, context, Method("GetRecord"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<google::protobuf::Any> record =
                     LoadRecordBytes(store, request->subject(), caller);
                 if (!record.ok()) return record.status();
                 absl::StatusOr<uint64_t> seq = storage::LatestEventFor(store, request->subject());
                 if (!seq.ok()) return seq.status();
                 absl::StatusOr<std::string> data = RequireEventData(store, *seq);
                 if (!data.ok()) return data.status();
                 absl::StatusOr<v1::LoggedEvent> event = LoggedEvent(*seq, *data, caller);
                 if (!event.ok()) return event.status();
                 *response->mutable_record() = *std::move(record);
                 *response->mutable_event() = *std::move(event);
                 return absl::OkStatus();
               });
}

namespace {

using EventBatch = std::vector<std::pair<uint64_t, std::string>>;
using WatchWriter = grpc::ServerWriter<v1::WatchEventsResponse>;

// Where a watch stands: the next event to send, whether it has reached the head once, and
// when it last wrote to its stream.
struct WatchProgress {
  uint64_t next;
  bool caught_up = false;
  absl::Time last_sent = absl::Now();
};

// Each watch holds a server thread while it lasts: their number is bounded, per token and,
// without one, per client address, with room kept for token holders. No ticket when the
// server sets no admission limits.
absl::StatusOr<std::optional<Admission::WatchTicket>> AdmitWatcher(const Registry& registry,
                                                                   const domain::Principal* caller,
                                                                   grpc::ServerContext* context) {
  std::optional<Admission::WatchTicket> ticket;
  if (registry.admission != nullptr) {
    absl::StatusOr<Admission::WatchTicket> admitted = registry.admission->AdmitWatch(
        caller != nullptr ? caller->token_id : "", PeerHost(context->peer()));
    if (!admitted.ok()) return admitted.status();
    ticket.emplace(*std::move(admitted));
  }
  return ticket;
}

domain::WatchFilter WatchFilterOf(const v1::WatchEventsRequest& request) {
  domain::WatchFilter filter;
  filter.kinds.assign(request.kinds().begin(), request.kinds().end());
  filter.organisation_id = request.organisation_id();
  filter.site_id = request.site_id();
  return filter;
}

// With nothing new to send: a heartbeat if the stream has been idle for its interval, then
// a wait for the next event (at most a second, so that the watch's checks run again).
absl::Status AwaitNextEvent(storage::Ledger& ledger, uint64_t head, const WatchOptions& watch,
                            WatchProgress& progress, WatchWriter* writer) {
  progress.caught_up = true;
  if (absl::Now() - progress.last_sent >= watch.heartbeat) {
    v1::WatchEventsResponse beat;
    beat.set_heartbeat_head_seq(head);
    if (!writer->Write(beat)) return absl::CancelledError("watcher went away");
    progress.last_sent = absl::Now();
  }
  ledger.AwaitEventsAfter(progress.next - 1, std::min(watch.heartbeat, absl::Seconds(1)));
  return absl::OkStatus();
}

// The events from `next` up to `head`, at most `batch_size` of them.
absl::StatusOr<EventBatch> ReadEventBatch(const storage::Store& store, uint64_t next, uint64_t head,
                                          int batch_size) {
  EventBatch batch;
  absl::Status scan =
      storage::VisitEvents(store, next, [&](absl::StatusOr<uint64_t> seq, absl::string_view value) {
        if (!seq.ok() || *seq > head) return false;
        batch.emplace_back(*seq, std::string(value));
        return static_cast<int>(batch.size()) < batch_size;
      });
  if (!scan.ok()) return scan;
  if (batch.empty()) return absl::DataLossError(absl::StrCat("event ", next, " missing"));
  return batch;
}

// Writes the events of `batch` that the caller may read and that match `filter`.
absl::Status SendMatchingEvents(const EventBatch& batch, const domain::Principal* caller,
                                const domain::WatchFilter& filter, WatchProgress& progress,
                                WatchWriter* writer) {
  for (const auto& [seq, data] : batch) {
    progress.next = seq + 1;
    absl::StatusOr<v1::LoggedEvent> event = LoggedEvent(seq, data, caller);
    if (!event.ok()) return event.status();
    if (!event->has_event() || !domain::MatchesWatch(event->event(), filter)) continue;
    v1::WatchEventsResponse item;
    *item.mutable_event() = *std::move(event);
    if (!writer->Write(item)) return absl::CancelledError("watcher went away");
    progress.last_sent = absl::Now();
  }
  return absl::OkStatus();
}

// One wake-up of a watch: its checks, then a heartbeat and a wait, or one batch sent.
absl::Status AdvanceWatch(const Registry& registry, const WatchOptions& watch,
                          const domain::Principal* caller, const domain::WatchFilter& filter,
                          WatchProgress& progress, WatchWriter* writer) {
  // A token revoked while its watch is open ends the watch: checked on every wake-up (at
  // least once a second, and at once on the revocation's own event).
  if (caller != nullptr) {
    if (absl::Status valid = registry.auth->CheckStillValid(*caller); !valid.ok()) return valid;
  }
  const uint64_t head = registry.ledger->last_seq();
  const uint64_t next = progress.next;
  if (progress.caught_up && head >= next && head - next > watch.max_lag) {
    return absl::ResourceExhaustedError(absl::StrCat("watch fell ", head - next,
                                                     " events behind (limit ", watch.max_lag,
                                                     "); resume with from_seq=", next));
  }
  if (head < next) return AwaitNextEvent(*registry.ledger, head, watch, progress, writer);
  absl::StatusOr<EventBatch> batch = ReadEventBatch(*registry.store, next, head, watch.batch);
  if (!batch.ok()) return batch.status();
  return SendMatchingEvents(*batch, caller, filter, progress, writer);
}

}  // namespace

grpc::Status LogService::WatchEvents(grpc::ServerContext* context,
                                     const v1::WatchEventsRequest* request, WatchWriter* writer) {
  return Serve(registry_, context, Method("WatchEvents"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 // A watch lasts as long as its client wants: its reads are not held to the
                 // server's default deadline (a client's own deadline ends the stream anyway).
                 const storage::ScopedReadDeadline unbounded(absl::InfiniteFuture());
                 // The ticket is held until the watch ends.
                 absl::StatusOr<std::optional<Admission::WatchTicket>> ticket =
                     AdmitWatcher(registry_, caller, context);
                 if (!ticket.ok()) return ticket.status();
                 const domain::WatchFilter filter = WatchFilterOf(*request);
                 WatchProgress progress{.next = std::max<uint64_t>(request->from_seq(), 1)};
                 // Events are read from the store in bounded batches: a watcher never holds
                 // more than one batch, and writers never wait for watchers.
                 while (!context->IsCancelled() && !registry_.ledger->closed()) {
                   absl::Status advanced =
                       AdvanceWatch(registry_, watch_, caller, filter, progress, writer);
                   if (!advanced.ok()) return advanced;
                 }
                 return absl::OkStatus();
               });
}

}  // namespace sello::service
