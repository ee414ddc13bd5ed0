#include "tests/bench/load/write_workloads.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/domain/time_convert.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "tests/bench/load/certification_setup.h"

namespace sello::load {
namespace {

class SubmitWorkload final : public Workload {
 public:
  SubmitWorkload(const LoadOptions& load, v1::Inspection inspection, std::string run_id)
      : settings_(load.token, load.deadline_seconds),
        inspection_(std::move(inspection)),
        run_id_(std::move(run_id)) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int connection, int slot) override {
    return std::make_unique<Slot>(*this, channel,
                                  absl::StrCat(run_id_, "-", connection, "-", slot));
  }

 private:
  class Slot final : public SubmitInspectionSlot {
   public:
    Slot(const SubmitWorkload& workload, const std::shared_ptr<grpc::Channel>& channel,
         std::string prefix)
        : SubmitInspectionSlot(workload.settings_, channel, /*require_pass=*/false),
          prefix_(std::move(prefix)) {
      *request_.mutable_inspection() = workload.inspection_;
      dated_ = request_.inspection().has_inspection_date();
    }

    absl::StatusOr<bool> Prepare() override {
      v1::Inspection* inspection = request_.mutable_inspection();
      inspection->set_request_id(absl::StrCat(prefix_, "-", ++count_));
      if (!dated_) *inspection->mutable_inspection_date() = domain::ToProto(absl::Now());
      return true;
    }

   private:
    const std::string prefix_;
    bool dated_ = false;
    int64_t count_ = 0;
  };

  CallSettings settings_;
  v1::Inspection inspection_;
  std::string run_id_;
};

class IssueWorkload final : public Workload {
 public:
  IssueWorkload(const LoadOptions& load, IssueOptions options)
      : settings_(load.token, load.deadline_seconds), options_(std::move(options)) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int connection, int slot) override {
    auto made = std::make_unique<Slot>(*this, channel,
                                       absl::StrCat(options_.run_id, "-", connection, "-", slot));
    // The first lot is made before the clock starts.
    if (absl::Status status = made->MakeRoom(); !status.ok()) return status;
    return made;
  }

 private:
  class Slot final : public IssueSealsSlot {
   public:
    Slot(const IssueWorkload& workload, const std::shared_ptr<grpc::Channel>& channel,
         std::string prefix)
        : IssueSealsSlot(workload.settings_, channel),
          workload_(workload),
          inspections_(v1::InspectionService::NewStub(channel)),
          prefix_(std::move(prefix)) {
      request_.set_count(workload_.options_.count);
    }

    // Makes a new lot (and its inspection) when the current one has no room for a call.
    absl::Status MakeRoom() {
      const IssueOptions& options = workload_.options_;
      if (room_ >= options.count) return absl::OkStatus();
      absl::StatusOr<std::string> lot =
          CreateInspectedLot(*inspections_, workload_.settings_, options.inspection,
                             options.lot_boxes, absl::StrCat(prefix_, "-lot-", ++lots_));
      if (!lot.ok()) return lot.status();
      request_.set_lot_id(*lot);
      room_ = options.lot_boxes;
      return absl::OkStatus();
    }

    absl::StatusOr<bool> Prepare() override {
      if (absl::Status status = MakeRoom(); !status.ok()) return status;
      room_ -= workload_.options_.count;
      request_.set_request_id(absl::StrCat(prefix_, "-", ++calls_));
      return true;
    }

   private:
    const IssueWorkload& workload_;
    std::unique_ptr<v1::InspectionService::Stub> inspections_;
    const std::string prefix_;
    uint32_t room_ = 0;
    int lots_ = 0;
    int64_t calls_ = 0;
  };

  CallSettings settings_;
  IssueOptions options_;
};

}  // namespace

SubmitInspectionSlot::SubmitInspectionSlot(CallSettings settings,
                                           const std::shared_ptr<grpc::Channel>& channel,
                                           bool require_pass)
    : UnarySlot(std::move(settings)),
      stub_(v1::InspectionService::NewStub(channel)),
      require_pass_(require_pass) {}

std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Inspection>> SubmitInspectionSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  return stub_->PrepareAsyncSubmitInspection(context, request_, cq);
}

CallOutcome SubmitInspectionSlot::Check() {
  if (response_.request_id() != request_.inspection().request_id() || response_.id().empty()) {
    return CallOutcome::Wrong("WRONG_ANSWER",
                              absl::StrCat("submitted ", request_.inspection().request_id(),
                                           ", answered ", response_.request_id()));
  }
  if (require_pass_ && response_.outcome() != v1::Inspection::PASS) {
    return CallOutcome::Wrong("WRONG_ANSWER",
                              absl::StrCat("inspection ", response_.id(), " did not pass"));
  }
  return CallOutcome::Ok(1);
}

IssueSealsSlot::IssueSealsSlot(CallSettings settings, const std::shared_ptr<grpc::Channel>& channel)
    : UnarySlot(std::move(settings)), stub_(v1::SealService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientAsyncResponseReader<v1::IssueSealsResponse>> IssueSealsSlot::StartCall(
    grpc::ClientContext* context, grpc::CompletionQueue* cq) {
  return stub_->PrepareAsyncIssueSeals(context, request_, cq);
}

CallOutcome IssueSealsSlot::Check() {
  if (response_.codes_size() != static_cast<int>(request_.count())) {
    return CallOutcome::Wrong("WRONG_ANSWER", absl::StrCat("asked ", request_.count(),
                                                           " seals, got ", response_.codes_size()));
  }
  Issued(response_.codes());
  return CallOutcome::Ok(response_.codes_size());
}

std::unique_ptr<Workload> NewSubmitWorkload(const LoadOptions& load, v1::Inspection inspection,
                                            std::string run_id) {
  return std::make_unique<SubmitWorkload>(load, std::move(inspection), std::move(run_id));
}

std::unique_ptr<Workload> NewIssueWorkload(const LoadOptions& load, IssueOptions options) {
  options.lot_boxes = std::max(options.lot_boxes, options.count);
  return std::make_unique<IssueWorkload>(load, std::move(options));
}

std::string NewRunId() {
  std::random_device device;
  return absl::StrFormat("load-%08x", device());
}

}  // namespace sello::load
