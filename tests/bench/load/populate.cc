#include "tests/bench/load/populate.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/standard_file.h"
#include "daemon/domain/time_convert.h"
#include "sello/v1/accreditation.grpc.pb.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/organisation.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "sello/v1/standard.grpc.pb.h"
#include "sello/v1/token.grpc.pb.h"
#include "tests/bench/load/certification_setup.h"
#include "tests/bench/load/progress_bar.h"
#include "tests/bench/load/write_workloads.h"

namespace sello::load {
namespace {

constexpr uint32_t kSealsPerCall = 10'000;  // the most one IssueSeals call may issue
constexpr uint32_t kMaxLotBoxes = 10'000'000;

// What the bulk phases build, decided up front and filled in as they go.
struct Plan {
  std::string run_id;
  std::vector<std::string> sites;                      // one processing plant per firm
  v1::Inspection inspection;                           // the template: every criterion at PREMIUM
  std::vector<uint32_t> lot_boxes;                     // per lot
  std::vector<std::string> lot_ids;                    // per lot, set by the lots phase
  int inspections = 0;                                 // lot inspections first, then plant audits
  std::vector<std::pair<size_t, uint32_t>> issuances;  // (lot, seals), lots interleaved
};

// The jobs of a bulk phase; each is taken by exactly one call.
class JobQueue {
 public:
  explicit JobQueue(int64_t count) : count_(count) {}
  bool Take(int64_t* job) {
    *job = next_.fetch_add(1, std::memory_order_relaxed);
    return *job < count_;
  }

 private:
  const int64_t count_;
  std::atomic<int64_t> next_{0};
};

// Appends issued codes to a file, one per line, from any thread.
class CodeSink {
 public:
  explicit CodeSink(std::FILE* file) : file_(file) {}
  void Write(const google::protobuf::RepeatedPtrField<std::string>& codes) {
    if (file_ == nullptr) return;
    std::string text = absl::StrJoin(codes, "\n");
    text.push_back('\n');
    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), file_);
  }

 private:
  std::FILE* file_;
  std::mutex mutex_;
};

// Registers the planned lots (CreateLot as the certifier).
class LotsPhase final : public Workload {
 public:
  LotsPhase(const LoadOptions& load, Plan& plan)
      : settings_(load.token, load.deadline_seconds),
        plan_(plan),
        jobs_(static_cast<int64_t>(plan.lot_boxes.size())) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int, int) override {
    return std::make_unique<Slot>(*this, channel);
  }

 private:
  class Slot final : public UnarySlot<v1::CreateLotRequest, v1::Lot> {
   public:
    Slot(LotsPhase& phase, const std::shared_ptr<grpc::Channel>& channel)
        : UnarySlot(phase.settings_),
          phase_(phase),
          stub_(v1::InspectionService::NewStub(channel)) {}

    absl::StatusOr<bool> Prepare() override {
      if (!phase_.jobs_.Take(&job_)) return false;
      const Plan& plan = phase_.plan_;
      const auto lot = static_cast<size_t>(job_);
      request_ = NewLotRequest(plan.sites[lot % plan.sites.size()], plan.lot_boxes[lot]);
      return true;
    }

   private:
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Lot>> StartCall(
        grpc::ClientContext* context, grpc::CompletionQueue* cq) override {
      return stub_->PrepareAsyncCreateLot(context, request_, cq);
    }
    CallOutcome Check() override {
      phase_.plan_.lot_ids[static_cast<size_t>(job_)] = response_.id();
      return CallOutcome::Ok(1);
    }

    LotsPhase& phase_;
    std::unique_ptr<v1::InspectionService::Stub> stub_;
    int64_t job_ = 0;
  };

  CallSettings settings_;
  Plan& plan_;
  JobQueue jobs_;
};

// Submits one inspection per lot, then plant audits, each with its own request id.
class InspectionsPhase final : public Workload {
 public:
  InspectionsPhase(const LoadOptions& load, const Plan& plan)
      : settings_(load.token, load.deadline_seconds), plan_(plan), jobs_(plan.inspections) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int, int) override {
    return std::make_unique<Slot>(*this, channel);
  }

 private:
  class Slot final : public SubmitInspectionSlot {
   public:
    Slot(InspectionsPhase& phase, const std::shared_ptr<grpc::Channel>& channel)
        : SubmitInspectionSlot(phase.settings_, channel, /*require_pass=*/true), phase_(phase) {}

    absl::StatusOr<bool> Prepare() override {
      int64_t job = 0;
      if (!phase_.jobs_.Take(&job)) return false;
      const Plan& plan = phase_.plan_;
      const auto index = static_cast<size_t>(job);
      v1::Inspection* inspection = request_.mutable_inspection();
      *inspection = plan.inspection;
      inspection->set_site_id(plan.sites[index % plan.sites.size()]);
      if (index < plan.lot_ids.size()) inspection->set_lot_id(plan.lot_ids[index]);
      inspection->set_request_id(absl::StrCat(plan.run_id, "-inspection-", job));
      *inspection->mutable_inspection_date() = domain::ToProto(absl::Now());
      return true;
    }

   private:
    InspectionsPhase& phase_;
  };

  CallSettings settings_;
  const Plan& plan_;
  JobQueue jobs_;
};

// Issues the planned seals, 10,000 a call, and writes their codes.
class SealsPhase final : public Workload {
 public:
  SealsPhase(const LoadOptions& load, const Plan& plan, CodeSink& sink)
      : settings_(load.token, load.deadline_seconds),
        plan_(plan),
        sink_(sink),
        jobs_(static_cast<int64_t>(plan.issuances.size())) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int, int) override {
    return std::make_unique<Slot>(*this, channel);
  }

 private:
  class Slot final : public IssueSealsSlot {
   public:
    Slot(SealsPhase& phase, const std::shared_ptr<grpc::Channel>& channel)
        : IssueSealsSlot(phase.settings_, channel), phase_(phase) {}

    absl::StatusOr<bool> Prepare() override {
      int64_t job = 0;
      if (!phase_.jobs_.Take(&job)) return false;
      const Plan& plan = phase_.plan_;
      const auto& [lot, count] = plan.issuances[static_cast<size_t>(job)];
      request_.set_lot_id(plan.lot_ids[lot]);
      request_.set_count(count);
      request_.set_request_id(absl::StrCat(plan.run_id, "-seals-", job));
      return true;
    }

   private:
    void Issued(const google::protobuf::RepeatedPtrField<std::string>& codes) override {
      phase_.sink_.Write(codes);
    }

    SealsPhase& phase_;
  };

  CallSettings settings_;
  const Plan& plan_;
  CodeSink& sink_;
  JobQueue jobs_;
};

// One synchronous set-up call with the settings' token and deadline.
template <class Call>
grpc::Status Once(const CallSettings& settings, Call call) {
  grpc::ClientContext context;
  settings.Apply(context);
  return call(&context);
}

// Creates an organisation unless it exists.
absl::Status EnsureOrganisation(v1::OrganisationService::Stub& stub, const CallSettings& admin,
                                const std::string& id, v1::Organisation::Kind kind,
                                const std::string& name) {
  v1::CreateOrganisationRequest request;
  request.set_organisation_id(id);
  request.mutable_organisation()->set_kind(kind);
  request.mutable_organisation()->set_name(name);
  request.mutable_organisation()->set_country("CL");
  v1::Organisation created;
  const grpc::Status status = Once(admin, [&](grpc::ClientContext* context) {
    return stub.CreateOrganisation(context, request, &created);
  });
  if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) return absl::OkStatus();
  return ToAbsl(status, absl::StrCat("organisation ", id));
}

// The certifier and the firms with one processing plant each; sets plan.sites.
absl::Status EnsureOrganisations(const std::shared_ptr<grpc::Channel>& channel,
                                 const CallSettings& admin, const PopulateOptions& options,
                                 Plan& plan) {
  auto stub = v1::OrganisationService::NewStub(channel);
  absl::Status status = EnsureOrganisation(*stub, admin, options.prefix + "-certifier",
                                           v1::Organisation::CERTIFIER, "Load Test Certifier");
  for (int i = 0; status.ok() && i < options.firms; ++i) {
    const std::string firm = absl::StrCat(options.prefix, "-firm-", i);
    status = EnsureOrganisation(*stub, admin, firm, v1::Organisation::FIRM,
                                absl::StrCat("Load Test Salmon ", i, " S.A."));
    if (!status.ok()) break;
    v1::CreateSiteRequest site;
    site.set_site_id(firm + "-pp");
    site.mutable_site()->set_firm_id(firm);
    site.mutable_site()->set_type("processing_plant");
    site.mutable_site()->set_name(absl::StrCat("Planta ", i));
    site.mutable_site()->set_region("Los Lagos");
    site.mutable_site()->set_registration_code(absl::StrCat("RPP-", options.prefix, "-", i));
    v1::Site created;
    const grpc::Status created_status = Once(admin, [&](grpc::ClientContext* context) {
      return stub->CreateSite(context, site, &created);
    });
    if (created_status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      status = ToAbsl(created_status, absl::StrCat("site ", site.site_id()));
    }
    plan.sites.push_back(site.site_id());
  }
  return status;
}

// Pushes and publishes the standard file unless that version is already past DRAFT;
// returns the version now PUBLISHED (which may be a later one).
absl::StatusOr<v1::StandardVersion> EnsurePublishedStandard(
    const std::shared_ptr<grpc::Channel>& channel, const CallSettings& admin,
    const std::string& file) {
  absl::StatusOr<v1::StandardVersion> content = client::LoadStandardFile(file);
  if (!content.ok()) return content.status();
  auto stub = v1::StandardService::NewStub(channel);
  v1::GetStandardVersionRequest get;
  get.set_standard_id(content->standard_id());
  get.set_version(content->version());
  v1::StandardVersion existing;
  grpc::Status status = Once(admin, [&](grpc::ClientContext* context) {
    return stub->GetStandardVersion(context, get, &existing);
  });
  if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
      (status.ok() && existing.status() == v1::StandardVersion::DRAFT)) {
    v1::PushStandardVersionRequest push;
    *push.mutable_version() = *content;
    push.set_source_name(file);
    status = Once(admin, [&](grpc::ClientContext* context) {
      return stub->PushStandardVersion(context, push, &existing);
    });
    if (!status.ok()) return ToAbsl(status, "PushStandardVersion");
    v1::PublishStandardVersionRequest publish;
    publish.set_standard_id(content->standard_id());
    publish.set_version(content->version());
    v1::PublishStandardVersionResponse published;
    status = Once(admin, [&](grpc::ClientContext* context) {
      return stub->PublishStandardVersion(context, publish, &published);
    });
    if (!status.ok()) return ToAbsl(status, "PublishStandardVersion");
  } else if (!status.ok()) {
    return ToAbsl(status, "GetStandardVersion");
  }
  get.set_version(0);  // the version now PUBLISHED
  status = Once(admin, [&](grpc::ClientContext* context) {
    return stub->GetStandardVersion(context, get, &existing);
  });
  if (!status.ok()) return ToAbsl(status, "GetStandardVersion (published)");
  return existing;
}

// Accredits the certifier for the standard (every stage) unless it already is.
absl::Status EnsureAccreditation(const std::shared_ptr<grpc::Channel>& channel,
                                 const CallSettings& admin, const std::string& certifier,
                                 const std::string& standard_id) {
  auto stub = v1::AccreditationService::NewStub(channel);
  v1::ListAccreditationsRequest list;
  list.set_certifier_id(certifier);
  list.set_page_size(1000);
  v1::ListAccreditationsResponse existing;
  grpc::Status status = Once(admin, [&](grpc::ClientContext* context) {
    return stub->ListAccreditations(context, list, &existing);
  });
  if (!status.ok()) return ToAbsl(status, "ListAccreditations");
  for (const v1::Accreditation& accreditation : existing.accreditations()) {
    if (accreditation.status() != v1::Accreditation::ACTIVE) continue;
    for (const v1::AccreditationScope& scope : accreditation.scope()) {
      if (scope.standard_id() == standard_id && scope.stage_ids().empty()) return absl::OkStatus();
    }
  }
  v1::CreateAccreditationRequest request;
  v1::Accreditation* accreditation = request.mutable_accreditation();
  accreditation->set_certifier_id(certifier);
  accreditation->add_scope()->set_standard_id(standard_id);
  *accreditation->mutable_valid_from() = domain::ToProto(absl::Now() - absl::Hours(24 * 30));
  *accreditation->mutable_valid_until() = domain::ToProto(absl::Now() + absl::Hours(24 * 365 * 3));
  v1::Accreditation created;
  status = Once(admin, [&](grpc::ClientContext* context) {
    return stub->CreateAccreditation(context, request, &created);
  });
  return ToAbsl(status, "CreateAccreditation");
}

// A new CERTIFIER token for `certifier`; returns its secret.
absl::StatusOr<std::string> NewCertifierToken(const std::shared_ptr<grpc::Channel>& channel,
                                              const CallSettings& admin,
                                              const std::string& certifier) {
  auto stub = v1::TokenService::NewStub(channel);
  v1::CreateTokenRequest request;
  request.set_organisation_id(certifier);
  request.set_role(v1::CERTIFIER);
  request.set_label("sello-load");
  v1::CreateTokenResponse response;
  const grpc::Status status = Once(admin, [&](grpc::ClientContext* context) {
    return stub->CreateToken(context, request, &response);
  });
  if (!status.ok()) return ToAbsl(status, "CreateToken");
  return response.secret();
}

absl::Status WriteSecretFile(const std::string& path, const std::string& secret) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string line = secret + "\n";
  const bool written =
      fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0) ::close(fd);
  if (!written) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status WriteTemplate(const std::string& path, v1::Inspection inspection) {
  inspection.clear_inspection_date();  // the submit scenario dates each submission now
  return WriteJsonFile(path, inspection);
}

// Lots, their sizes and the IssueSeals calls for `options.seals` seals.
absl::Status PlanLots(const PopulateOptions& options, Plan& plan) {
  plan.inspections = options.inspections;
  if (options.seals <= 0) return absl::OkStatus();
  if (options.boxes_per_lot == 0) return absl::InvalidArgumentError("--boxes-per-lot: must be > 0");
  const int64_t wanted = (options.seals + options.boxes_per_lot - 1) / options.boxes_per_lot;
  const int64_t lots = std::min<int64_t>(options.inspections, wanted);
  if (lots < 1) return absl::InvalidArgumentError("--inspections: seals need at least one");
  if ((options.seals + lots - 1) / lots > kMaxLotBoxes) {
    return absl::InvalidArgumentError(absl::StrCat("--inspections: ", lots, " lots cannot hold ",
                                                   options.seals, " seals (at most ", kMaxLotBoxes,
                                                   " boxes a lot)"));
  }
  for (int64_t i = 0; i < lots; ++i) {
    plan.lot_boxes.push_back(
        static_cast<uint32_t>(options.seals / lots + (i < options.seals % lots ? 1 : 0)));
  }
  plan.lot_ids.resize(plan.lot_boxes.size());
  // Round r issues the r-th batch of every lot, so calls in flight are on different lots.
  for (uint32_t issued = 0; issued < plan.lot_boxes.front(); issued += kSealsPerCall) {
    for (size_t lot = 0; lot < plan.lot_boxes.size(); ++lot) {
      if (issued < plan.lot_boxes[lot]) {
        plan.issuances.emplace_back(lot, std::min(kSealsPerCall, plan.lot_boxes[lot] - issued));
      }
    }
  }
  return absl::OkStatus();
}

// Runs one bulk phase with a progress bar; appends its report.
absl::Status RunPhase(const std::string& name, const std::string& unit, int64_t total,
                      const LoadOptions& load, Workload& workload, std::vector<Report>& reports) {
  if (total == 0) return absl::OkStatus();
  std::atomic<int64_t> done{0};
  absl::StatusOr<Report> report;
  {
    ProgressBar bar(name, unit, total, done);
    report = RunLoad(name, load, workload, &done);
  }
  if (!report.ok()) return report.status();
  reports.push_back(*std::move(report));
  if (reports.back().error_count() > 0) {
    return absl::AbortedError(
        absl::StrCat(name, ": ", reports.back().error_count(), " calls failed; stopping"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Report>> Populate(const LoadOptions& load,
                                             const PopulateOptions& options) {
  const auto start = absl::Now();
  Plan plan;
  plan.run_id = NewRunId();
  if (absl::Status status = PlanLots(options, plan); !status.ok()) return status;
  if (options.firms < 1) return absl::InvalidArgumentError("--firms: at least 1");

  const std::shared_ptr<grpc::Channel> channel = NewChannel(load.server, -1);
  const CallSettings admin(load.token, load.deadline_seconds);
  const std::string certifier = options.prefix + "-certifier";
  if (absl::Status status = EnsureOrganisations(channel, admin, options, plan); !status.ok()) {
    return status;
  }
  absl::StatusOr<v1::StandardVersion> version =
      EnsurePublishedStandard(channel, admin, options.standard_file);
  if (!version.ok()) return version.status();
  if (absl::Status status = EnsureAccreditation(channel, admin, certifier, version->standard_id());
      !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> token = NewCertifierToken(channel, admin, certifier);
  if (!token.ok()) return token.status();
  plan.inspection = PassingInspection(*version, plan.sites.front());
  if (!options.certifier_token_out.empty()) {
    if (absl::Status status = WriteSecretFile(options.certifier_token_out, *token); !status.ok()) {
      return status;
    }
  }
  if (!options.inspection_out.empty()) {
    if (absl::Status status = WriteTemplate(options.inspection_out, plan.inspection);
        !status.ok()) {
      return status;
    }
  }

  std::FILE* codes = nullptr;
  if (!options.codes_out.empty()) {
    codes = std::fopen(options.codes_out.c_str(), "w");
    if (codes == nullptr)
      return absl::UnavailableError(absl::StrCat("cannot write ", options.codes_out));
  }
  CodeSink sink(codes);
  LoadOptions as_certifier = load;
  as_certifier.token = *token;
  as_certifier.duration_seconds = 0;  // each phase runs until its jobs are done
  as_certifier.calls = 0;
  as_certifier.warmup_seconds = 0;
  std::vector<Report> reports;
  LotsPhase lots(as_certifier, plan);
  InspectionsPhase inspections(as_certifier, plan);
  SealsPhase seals(as_certifier, plan, sink);
  absl::Status status = RunPhase("populate-lots", "lots", static_cast<int64_t>(plan.lot_ids.size()),
                                 as_certifier, lots, reports);
  if (status.ok()) {
    status = RunPhase("populate-inspect", "inspections", plan.inspections, as_certifier,
                      inspections, reports);
  }
  if (status.ok()) {
    status = RunPhase("populate-seals", "seals", options.seals, as_certifier, seals, reports);
  }
  if (codes != nullptr && std::fclose(codes) != 0 && status.ok()) {
    status = absl::UnavailableError(absl::StrCat("cannot write ", options.codes_out));
  }
  if (!status.ok() && AllOk(reports)) return status;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  reports.back().notes.push_back(absl::StrCat(
      "populated ", options.seals, " seals in ", plan.lot_ids.size(), " lots, ", plan.inspections,
      " inspections, ", options.firms, " firms in ", absl::StrFormat("%.1f", seconds), " s (",
      absl::StrFormat("%.0f", options.seals / std::max(seconds, 1e-9)), " seals/s overall)",
      status.ok() ? "" : absl::StrCat("; stopped: ", status.message())));
  return reports;
}

}  // namespace sello::load
