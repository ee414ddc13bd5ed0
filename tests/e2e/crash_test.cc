// End-to-end crash safety, in the spirit of RocksDB's db_crashtest.py: writers submit
// inspections and issue seals concurrently while the daemon is killed with SIGKILL at
// random moments and restarted, again and again. An oracle outside the data dir (this
// process) keeps every acknowledged write, every write whose outcome it never heard and
// every signed checkpoint handed out. The writers pause while the daemon restarts and
// is checked; after EACH restart:
//   - the newest checkpoint extends every checkpoint recorded before, by the auditor's
//     own consistency proofs (client::Auditor::VerifyExtends, the code `sello audit
//     verify` runs): no rollback, no fork; and `sello audit verify` accepts it;
//   - the events are numbered without a gap; their number never shrinks and covers the
//     newest checkpoint;
//   - every write in flight at the kill is wholly there or wholly absent: replayed with
//     its request id, it returns the first result when it was there (the same
//     inspection; the same issuance, every seal of which verifies) and is written afresh
//     when it was not; from then on it counts as acknowledged;
//   - every acknowledged inspection is stored unchanged; every acknowledged issuance's
//     codes verify as VALID seals of that issuance, lot and grade; the log holds exactly
//     the inspections and issuances the writers were told of, each once; and each lot's
//     count of seals issued is the sum of its issuances' counts.
// All of that covers everything while the oracle holds up to kFullCheckLimit writes,
// which is all of a ctest run. Longer runs (tests/e2e/crash.sh) would spend seconds per
// kill re-reading hundreds of thousands of records, so past that limit a restart checks
// every write, event and checkpoint since the previous restart plus a random
// kSampleSize of the older writes and kCheckpointSample of the older checkpoints (each
// of which an earlier check proved a prefix of a later one), and every
// kFullCheckEvery-th restart, and the last, check everything.
//
// Kills come 50 ms to 2 s apart, skewed to short ones: four in five 50-300 ms, one in
// five 300 ms-2 s, each log-uniform (mean 0.29 s). The short ones land in the thick of
// the writes; the long ones let flushes and compactions run first. ctest runs 40 kills;
// SELLO_CRASH_KILLS or SELLO_CRASH_SECONDS ask for more (tests/e2e/crash.sh).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/auditor.h"
#include "client/connection.h"
#include "google/protobuf/util/json_util.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

constexpr int kInspectionWriters = 2;
constexpr int kSealWriters = 2;
constexpr absl::Duration kCallTimeout = absl::Seconds(10);
constexpr size_t kFullCheckLimit = 50'000;
constexpr int kFullCheckEvery = 20;
constexpr size_t kSampleSize = 1'000;
constexpr size_t kCheckpointSample = 20;

// How long to go on: SELLO_CRASH_SECONDS (a duration), else SELLO_CRASH_KILLS, else the
// 40 kills of ctest.
struct RunLength {
  int kills = 40;
  std::optional<absl::Duration> duration;

  static RunLength FromEnvironment() {
    RunLength length;
    int n = 0;
    if (const char* seconds = std::getenv("SELLO_CRASH_SECONDS");
        seconds != nullptr && absl::SimpleAtoi(seconds, &n) && n > 0) {
      length.duration = absl::Seconds(n);
    } else if (const char* kills = std::getenv("SELLO_CRASH_KILLS");
               kills != nullptr && absl::SimpleAtoi(kills, &n) && n > 0) {
      length.kills = n;
    }
    return length;
  }

  bool More(int kills_so_far, absl::Time started) const {
    return duration.has_value() ? absl::Now() - started < *duration : kills_so_far < kills;
  }
};

// How long the writers write before the next kill (see the header).
absl::Duration KillInterval(std::mt19937& random) {
  std::uniform_real_distribution<double> unit(0, 1);
  const bool short_one = unit(random) < 0.8;
  const double from_ms = short_one ? 50 : 300, to_ms = short_one ? 300 : 2000;
  return absl::Milliseconds(from_ms * std::pow(to_ms / from_ms, unit(random)));
}

// A writer's pause between calls, 0-3 ms: it halves the writes that pile up for the
// checks to read back, and a writer still has a call in flight at most kills.
void ThinkTime(std::mt19937& random) {
  absl::SleepFor(absl::Microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
}

// Lets the writers through while open; closed, it holds them back and tells when none
// has a call in flight (so that the daemon is checked while nothing writes).
class WriterGate {
 public:
  // Waits while the gate is closed; false once it is stopped. A true return counts the
  // caller in flight until Leave().
  bool Enter() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &WriterGate::OpenOrStopped));
    if (stopped_) return false;
    ++in_flight_;
    return true;
  }
  void Leave() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  // Whether every call in flight ended within `timeout`.
  bool AwaitIdle(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(this, &WriterGate::Idle), timeout);
  }

 private:
  bool OpenOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_ || stopped_; }
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; }

  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// What the writers were told, and what they never heard back about, by request id.
struct Oracle {
  absl::Mutex mu;
  std::map<std::string, Inspection> inspections ABSL_GUARDED_BY(mu);
  std::map<std::string, v1::IssueSealsResponse> issuances ABSL_GUARDED_BY(mu);
  // The request ids above in the order acknowledged, and those acknowledged since the
  // last check.
  std::vector<std::string> inspection_order ABSL_GUARDED_BY(mu);
  std::vector<std::string> issuance_order ABSL_GUARDED_BY(mu);
  std::vector<std::string> fresh_inspections ABSL_GUARDED_BY(mu);
  std::vector<std::string> fresh_issuances ABSL_GUARDED_BY(mu);
  std::map<std::string, v1::SubmitInspectionRequest> unanswered_inspections ABSL_GUARDED_BY(mu);
  std::map<std::string, v1::IssueSealsRequest> unanswered_issuances ABSL_GUARDED_BY(mu);
  // How the unanswered calls ended, by code.
  std::map<grpc::StatusCode, int> failures ABSL_GUARDED_BY(mu);

  void Acknowledge(const std::string& id, const Inspection& inspection)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    inspections[id] = inspection;
    inspection_order.push_back(id);
    fresh_inspections.push_back(id);
  }
  void Acknowledge(const std::string& id, const v1::IssueSealsResponse& issued)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    issuances[id] = issued;
    issuance_order.push_back(id);
    fresh_issuances.push_back(id);
  }
};

// The inspections and issuances a stretch of the log records, by id.
struct Logged {
  std::set<std::string> inspections;
  std::set<std::string> issuances;
};

// What the checks found, for the closing line.
struct Tally {
  int in_flight_found = 0;   // unanswered writes that were there after the restart
  int in_flight_absent = 0;  // ... and those that were not (written afresh)
  int full_checks = 0;
  int consistency_proofs = 0;
  size_t seals = 0;  // checked after the last restart
};

class CrashTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    // Each seal writer issues on a lot of its own, sealed under a PREMIUM inspection.
    for (int w = 0; w < kSealWriters; ++w) {
      lots_.push_back(CreateLot(firm_, "calbuco", 10'000'000));
      setup_inspections_.insert(Submitted(certifier_, InspectionFile().OfLot(lots_.back())).id());
    }
    ASSERT_FALSE(HasFailure());
    absl::StatusOr<domain::NoteVerifier> verifier = domain::NoteVerifier::FromVerifierKey(
        Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_.emplace(*std::move(verifier));
    address_ = daemon_.address();
    // Reconnect quickly after each restart (the default backoff grows to two minutes).
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    auto channel =
        grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), arguments);
    inspections_ = v1::InspectionService::NewStub(channel);
    seals_ = v1::SealService::NewStub(channel);
    log_ = v1::LogService::NewStub(channel);
    ConnectAuditor();
  }

  void TearDown() override {
    gate_.Stop();
    for (std::thread& writer : writers_) writer.join();
  }

  // An inspection request for `site`, as the certifier writes it.
  Inspection Template(const std::string& site) {
    Inspection inspection;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        ToJson(InspectionFile().AtSite(site), absl::Now()), &inspection);
    EXPECT_TRUE(parsed.ok()) << parsed.ToString();
    return inspection;
  }

  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
    context->set_wait_for_ready(true);
    return context;
  }

  void StartWriters() {
    const Inspection calbuco = Template("calbuco"), hornopiren = Template("hornopiren");
    for (int w = 0; w < kInspectionWriters; ++w) {
      writers_.emplace_back([this, w, calbuco, hornopiren] {
        std::mt19937 random(w);
        for (int i = 0; gate_.Enter(); ++i) {
          v1::SubmitInspectionRequest request;
          *request.mutable_inspection() = i % 2 == 0 ? calbuco : hornopiren;
          const std::string id = absl::StrCat("insp-", w, "-", i);
          request.mutable_inspection()->set_request_id(id);
          Inspection response;
          const grpc::Status status =
              inspections_->SubmitInspection(Context(certifier_).get(), request, &response);
          {
            absl::MutexLock lock(&oracle_.mu);
            if (status.ok()) {
              oracle_.Acknowledge(id, response);
            } else {
              oracle_.unanswered_inspections[id] = request;
              ++oracle_.failures[status.error_code()];
            }
          }
          gate_.Leave();
          ThinkTime(random);
        }
      });
    }
    for (int w = 0; w < kSealWriters; ++w) {
      writers_.emplace_back([this, w] {
        std::mt19937 random(kInspectionWriters + w);
        for (int i = 0; gate_.Enter(); ++i) {
          v1::IssueSealsRequest request;
          request.set_lot_id(lots_[w]);
          request.set_count(1 + i % 4);
          const std::string id = absl::StrCat("seal-", w, "-", i);
          request.set_request_id(id);
          v1::IssueSealsResponse response;
          const grpc::Status status =
              seals_->IssueSeals(Context(certifier_).get(), request, &response);
          {
            absl::MutexLock lock(&oracle_.mu);
            if (status.ok()) {
              oracle_.Acknowledge(id, response);
            } else {
              oracle_.unanswered_issuances[id] = request;
              ++oracle_.failures[status.error_code()];
            }
          }
          gate_.Leave();
          ThinkTime(random);
        }
      });
    }
  }

  // A fresh connection for the auditor's checks (the daemon just started).
  void ConnectAuditor() {
    client::ConnectionOptions options;
    options.server = address_;
    options.token = admin_;
    connection_ = std::make_unique<client::Connection>(options);
    auditor_ = std::make_unique<client::Auditor>(*connection_, *verifier_);
  }

  // The newest signed checkpoint, its signature checked against the pinned key, kept
  // (one per size: a second root for a size is a fork).
  std::optional<client::SignedCheckpoint> FetchAndRecordCheckpoint() {
    absl::StatusOr<client::SignedCheckpoint> latest = auditor_->FetchCheckpoint();
    EXPECT_TRUE(latest.ok()) << latest.status();
    if (!latest.ok()) return std::nullopt;
    auto [kept, added] = checkpoints_.emplace(latest->checkpoint.size, *latest);
    EXPECT_EQ(kept->second.checkpoint.root_hash, latest->checkpoint.root_hash)
        << "two roots for size " << latest->checkpoint.size << ":\n"
        << kept->second.note << latest->note;
    return *std::move(latest);
  }

  // No rollback, no fork: `latest` extends every checkpoint kept (`full`), or those kept
  // since the previous check and a sample of the older ones.
  void CheckCheckpoints(const client::SignedCheckpoint& latest, bool full) {
    std::vector<const client::SignedCheckpoint*> older;
    for (const auto& [size, earlier] : checkpoints_) {
      if (!full && size < checked_checkpoint_) {
        older.push_back(&earlier);
        continue;
      }
      const absl::Status extends = auditor_->VerifyExtends(earlier, latest);
      EXPECT_TRUE(extends.ok()) << extends;
      ++tally_.consistency_proofs;
    }
    std::shuffle(older.begin(), older.end(), random_);
    older.resize(std::min(older.size(), kCheckpointSample));
    for (const client::SignedCheckpoint* earlier : older) {
      const absl::Status extends = auditor_->VerifyExtends(*earlier, latest);
      EXPECT_TRUE(extends.ok()) << extends;
      ++tally_.consistency_proofs;
    }
    checked_checkpoint_ = latest.checkpoint.size;
  }

  // `sello audit verify`: the newest checkpoint extends the one it trusted last.
  void Audit() {
    const ProcessResult audited =
        daemon_.RunCli("audit", "--log-key-file", daemon_.data_dir() + "/log.pub", "verify",
                       "--state", daemon_.root_dir() + "/audit-state.json");
    EXPECT_EQ(audited.exit_code, 0) << audited;
  }

  // The events from `from` on, checked to be numbered from..N without a gap; returns N
  // and adds the inspections and issuances they record to `logged`.
  uint64_t CheckEvents(uint64_t from, Logged& logged) {
    v1::ListEventsRequest request;
    request.set_from_seq(from);
    request.set_page_size(1000);
    uint64_t last = from - 1;
    do {
      v1::ListEventsResponse page;
      const grpc::Status status = log_->ListEvents(Context(admin_).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return last;
      for (const v1::LoggedEvent& event : page.events()) {
        if (event.seq() != last + 1) {
          ADD_FAILURE() << "event " << last + 1 << " is missing; the next is " << event.seq();
          return last;
        }
        last = event.seq();
        const v1::Event& logged_event = event.event();
        if (logged_event.subjects_size() == 0) continue;
        absl::string_view subject = logged_event.subjects(0);
        if (logged_event.kind() == "inspection.submitted" &&
            absl::ConsumePrefix(&subject, "inspection/")) {
          EXPECT_TRUE(logged.inspections.emplace(subject).second) << subject << " logged twice";
        } else if (logged_event.kind() == "seals.issued" &&
                   absl::ConsumePrefix(&subject, "seal_issuance/")) {
          EXPECT_TRUE(logged.issuances.emplace(subject).second) << subject << " logged twice";
        }
      }
      request.set_from_seq(page.next_seq());
    } while (request.from_seq() != 0);
    return last;
  }

  // Replays every write the writers never heard back about, now that the daemon is up:
  // the first result if it was there (`logged` since the previous check holds it), a
  // fresh write if not. Either way it is then acknowledged.
  void ReplayUnanswered(const Logged& logged) {
    absl::MutexLock lock(&oracle_.mu);
    for (const auto& [id, request] : oracle_.unanswered_inspections) {
      Inspection response;
      const grpc::Status status =
          inspections_->SubmitInspection(Context(certifier_).get(), request, &response);
      EXPECT_TRUE(status.ok()) << "replay of " << id << ": " << status.error_message();
      if (!status.ok()) continue;
      EXPECT_EQ(response.request_id(), id);
      ++(logged.inspections.count(response.id()) ? tally_.in_flight_found
                                                 : tally_.in_flight_absent);
      oracle_.Acknowledge(id, response);
    }
    oracle_.unanswered_inspections.clear();
    for (const auto& [id, request] : oracle_.unanswered_issuances) {
      v1::IssueSealsResponse response;
      const grpc::Status status = seals_->IssueSeals(Context(certifier_).get(), request, &response);
      EXPECT_TRUE(status.ok()) << "replay of " << id << ": " << status.error_message();
      if (!status.ok()) continue;
      EXPECT_EQ(response.issuance().request_id(), id);
      ++(logged.issuances.count(response.issuance().id()) ? tally_.in_flight_found
                                                          : tally_.in_flight_absent);
      oracle_.Acknowledge(id, response);
    }
    oracle_.unanswered_issuances.clear();
  }

  // `fresh` and kSampleSize more of `order` drawn at random (all of it when `full`).
  std::vector<std::string> ToCheck(const std::vector<std::string>& order,
                                   const std::vector<std::string>& fresh, bool full) {
    if (full) return order;
    std::vector<std::string> chosen = fresh;
    const size_t older = order.size() - fresh.size();
    if (older == 0) return chosen;
    std::uniform_int_distribution<size_t> pick(0, older - 1);
    for (size_t i = 0; i < kSampleSize; ++i) chosen.push_back(order[pick(random_)]);
    return chosen;
  }

  // Austral's inspections as stored, by request id (the fixture's own left out).
  std::map<std::string, Inspection> StoredInspections() {
    v1::ListInspectionsRequest request;
    request.set_certifier_id("cert-austral");
    request.set_page_size(1000);
    std::map<std::string, Inspection> stored;
    do {
      v1::ListInspectionsResponse page;
      const grpc::Status status =
          inspections_->ListInspections(Context(admin_).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const Inspection& inspection : page.inspections()) {
        if (setup_inspections_.count(inspection.id())) continue;
        const bool once = stored.emplace(inspection.request_id(), inspection).second;
        EXPECT_TRUE(once) << "request " << inspection.request_id() << " stored twice";
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return stored;
  }

  // The inspections of `request_ids` are stored as acknowledged (`full`: they are all
  // there is, read back in pages; otherwise each is read back alone).
  void CheckInspections(const std::vector<std::string>& request_ids, bool full)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(oracle_.mu) {
    std::map<std::string, Inspection> stored;
    if (full) {
      stored = StoredInspections();
      EXPECT_EQ(stored.size(), request_ids.size()) << "inspections stored, and acknowledged";
    }
    for (const std::string& id : request_ids) {
      const Inspection& acknowledged = oracle_.inspections.at(id);
      if (!full) {
        v1::GetInspectionRequest request;
        request.set_inspection_id(acknowledged.id());
        const grpc::Status status =
            inspections_->GetInspection(Context(admin_).get(), request, &stored[id]);
        if (!status.ok()) stored.erase(id);
      }
      auto found = stored.find(id);
      if (found == stored.end()) {
        ADD_FAILURE() << "acknowledged inspection " << acknowledged.id() << " (request " << id
                      << ") is gone";
        continue;
      }
      EXPECT_EQ(found->second.SerializeAsString(), acknowledged.SerializeAsString()) << id;
    }
  }

  // The seals of `request_ids`' issuances verify as issued, and each lot counts all of
  // its issuances' seals.
  void CheckSeals(const std::vector<std::string>& request_ids)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(oracle_.mu) {
    std::vector<std::pair<std::string, const v1::SealIssuance*>> codes;
    for (const std::string& id : request_ids) {
      const v1::IssueSealsResponse& issued = oracle_.issuances.at(id);
      EXPECT_EQ(static_cast<uint32_t>(issued.codes_size()), issued.issuance().count()) << id;
      for (const std::string& code : issued.codes()) codes.emplace_back(code, &issued.issuance());
    }
    tally_.seals = codes.size();
    for (size_t from = 0; from < codes.size(); from += 1000) {
      v1::VerifySealRequest request;
      const size_t to = std::min(codes.size(), from + 1000);
      for (size_t i = from; i < to; ++i) request.add_codes(codes[i].first);
      v1::VerifySealResponse response;
      const grpc::Status status = seals_->VerifySeal(Context(admin_).get(), request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_EQ(static_cast<size_t>(response.verdicts_size()), to - from);
      for (size_t i = from; i < to; ++i) {
        const v1::SealVerdict& verdict = response.verdicts(static_cast<int>(i - from));
        const std::string& code = codes[i].first;
        const v1::SealIssuance& issuance = *codes[i].second;
        EXPECT_EQ(verdict.problem(), SealVerdict::PROBLEM_UNSPECIFIED)
            << code << " of " << issuance.request_id() << ": " << verdict.problem_detail();
        EXPECT_EQ(verdict.seal().code(), code);
        EXPECT_EQ(verdict.seal().status(), Seal::VALID) << code;
        EXPECT_EQ(verdict.seal().issuance_id(), issuance.id()) << code;
        EXPECT_EQ(verdict.seal().lot_id(), issuance.lot_id()) << code;
        EXPECT_EQ(verdict.seal().grade(), issuance.grade()) << code;
      }
    }
    std::map<std::string, uint64_t> per_lot;
    for (const auto& [id, issued] : oracle_.issuances) {
      per_lot[issued.issuance().lot_id()] += issued.issuance().count();
    }
    for (const std::string& lot : lots_) {
      v1::GetLotRequest request;
      request.set_lot_id(lot);
      v1::Lot stored;
      const grpc::Status status = inspections_->GetLot(Context(admin_).get(), request, &stored);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(stored.seals_issued(), per_lot[lot]) << "lot " << lot;
    }
  }

  // Everything the header lists, against the daemon just started, with the writers held.
  void CheckAfterRestart(bool full) {
    if (full) ++tally_.full_checks;
    ConnectAuditor();
    const std::optional<client::SignedCheckpoint> latest = FetchAndRecordCheckpoint();
    ASSERT_TRUE(latest.has_value());
    CheckCheckpoints(*latest, full);
    Audit();

    // The log since the previous check (since the start, when `full`), the replays of
    // the writes in flight at the kill, and the log again up to its new end.
    Logged logged;
    const uint64_t last = CheckEvents(full ? 1 : checked_head_ + 1, logged);
    EXPECT_GE(last, checked_head_) << "events acknowledged before the kill are gone";
    EXPECT_GE(last, latest->checkpoint.size) << "the log signed events it does not hold";
    ReplayUnanswered(logged);
    const uint64_t head = CheckEvents(last + 1, logged);

    absl::MutexLock lock(&oracle_.mu);
    // The log holds exactly the writes acknowledged (in that stretch of it), each once.
    Logged acknowledged;
    for (const std::string& id : full ? oracle_.inspection_order : oracle_.fresh_inspections) {
      acknowledged.inspections.insert(oracle_.inspections.at(id).id());
    }
    for (const std::string& id : full ? oracle_.issuance_order : oracle_.fresh_issuances) {
      acknowledged.issuances.insert(oracle_.issuances.at(id).issuance().id());
    }
    for (const std::string& id : setup_inspections_) logged.inspections.erase(id);
    EXPECT_EQ(logged.inspections, acknowledged.inspections)
        << "the log's inspections are not those acknowledged";
    EXPECT_EQ(logged.issuances, acknowledged.issuances)
        << "the log's issuances are not those acknowledged";
    // Their records: every acknowledged one (or the fresh ones and a sample) as told.
    CheckInspections(ToCheck(oracle_.inspection_order, oracle_.fresh_inspections, full), full);
    ASSERT_NO_FATAL_FAILURE(
        CheckSeals(ToCheck(oracle_.issuance_order, oracle_.fresh_issuances, full)));
    oracle_.fresh_inspections.clear();
    oracle_.fresh_issuances.clear();
    checked_head_ = head;
  }

  // Whether the check after the `kills`-th kill covers everything.
  bool FullCheck(int kills) {
    absl::MutexLock lock(&oracle_.mu);
    return oracle_.inspections.size() + oracle_.issuances.size() <= kFullCheckLimit ||
           kills % kFullCheckEvery == 0;
  }

  std::vector<std::string> lots_;            // one per seal writer
  std::set<std::string> setup_inspections_;  // the lots' inspections, by id
  std::optional<domain::NoteVerifier> verifier_;
  std::string address_;
  std::unique_ptr<v1::InspectionService::Stub> inspections_;
  std::unique_ptr<v1::SealService::Stub> seals_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<client::Connection> connection_;
  std::unique_ptr<client::Auditor> auditor_;
  std::map<uint64_t, client::SignedCheckpoint> checkpoints_;  // by size
  uint64_t checked_checkpoint_ = 0;  // the size of the newest one the last check saw
  uint64_t checked_head_ = 0;        // the events the last check saw, all in order
  std::mt19937 random_{20261126};
  WriterGate gate_;
  Oracle oracle_;
  Tally tally_;
  std::vector<std::thread> writers_;
};

TEST_F(CrashTest, AcknowledgedWritesSurviveRepeatedKills) {
  const RunLength length = RunLength::FromEnvironment();
  const absl::Time started = absl::Now();
  StartWriters();
  int kills = 0;
  while (length.More(kills, started)) {
    // Writes go on for a while; the last checkpoint handed out is kept; the power goes.
    absl::SleepFor(KillInterval(random_));
    FetchAndRecordCheckpoint();
    gate_.Close();
    ASSERT_EQ(daemon_.Stop(SIGKILL), 128 + SIGKILL);
    ++kills;
    // The calls in flight fail with the connection; none waits for the restart.
    ASSERT_TRUE(gate_.AwaitIdle(kCallTimeout + absl::Seconds(5)));
    ASSERT_TRUE(daemon_.Start(address_));
    ASSERT_NO_FATAL_FAILURE(CheckAfterRestart(FullCheck(kills)));
    if (HasFailure()) break;  // the first restart that fails says it all
    gate_.Open();
    if (kills % 100 == 0) {
      absl::MutexLock lock(&oracle_.mu);
      std::cout << "crash test: " << kills << " kills in "
                << absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Seconds(1)))
                << ", " << oracle_.inspections.size() << " inspections and "
                << oracle_.issuances.size() << " issuances acknowledged" << std::endl;
    }
  }
  gate_.Close();
  ASSERT_TRUE(gate_.AwaitIdle(kCallTimeout + absl::Seconds(5)));
  // And a clean restart at the same address, after which everything is checked.
  ASSERT_EQ(daemon_.Stop(SIGTERM), 0);
  ASSERT_TRUE(daemon_.Start(address_));
  ASSERT_NO_FATAL_FAILURE(CheckAfterRestart(/*full=*/true));

  absl::MutexLock lock(&oracle_.mu);
  EXPECT_GE(kills, 1);
  EXPECT_GT(oracle_.inspections.size(), 100u);
  EXPECT_GT(oracle_.issuances.size(), 100u);
  // A writer's call fails only because the daemon went away under it.
  std::string failures;
  for (const auto& [code, count] : oracle_.failures) {
    absl::StrAppend(&failures, " code ", code, " x", count);
    EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE) << "a write failed otherwise";
  }
  RecordProperty("kills", kills);
  RecordProperty("acknowledged_inspections", static_cast<int>(oracle_.inspections.size()));
  RecordProperty("acknowledged_issuances", static_cast<int>(oracle_.issuances.size()));
  std::cout << "crash test: " << kills << " kills in "
            << absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Seconds(1))) << ", "
            << oracle_.inspections.size() << " inspections and " << oracle_.issuances.size()
            << " issuances (" << tally_.seals << " seals) acknowledged, 0 lost; "
            << tally_.in_flight_found + tally_.in_flight_absent << " in flight at a kill ("
            << tally_.in_flight_found << " there, " << tally_.in_flight_absent
            << " absent; failures:" << failures << "); " << tally_.full_checks << " full checks; "
            << checkpoints_.size() << " checkpoints kept, " << tally_.consistency_proofs
            << " consistency proofs checked; " << checked_head_ << " events without a gap\n";
}

}  // namespace
}  // namespace sello::e2e
