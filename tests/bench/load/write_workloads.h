// The write scenarios of sello-load, as a certifier: SubmitInspection with a distinct
// request id per call, and IssueSeals against lots it creates (and inspects) as they fill.
#ifndef SELLO_TESTS_BENCH_LOAD_WRITE_WORKLOADS_H_
#define SELLO_TESTS_BENCH_LOAD_WRITE_WORKLOADS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "tests/bench/load/runner.h"

namespace sello::load {

// A SubmitInspection call; checks that the answer is the inspection just submitted (its
// request id, not a replay of another), and with `require_pass` that it passed. Subclasses
// fill request_ in Prepare.
class SubmitInspectionSlot : public UnarySlot<v1::SubmitInspectionRequest, v1::Inspection> {
 protected:
  SubmitInspectionSlot(CallSettings settings, const std::shared_ptr<grpc::Channel>& channel,
                       bool require_pass);

 private:
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Inspection>> StartCall(
      grpc::ClientContext* context, grpc::CompletionQueue* cq) final;
  CallOutcome Check() final;

  std::unique_ptr<v1::InspectionService::Stub> stub_;
  const bool require_pass_;
};

// An IssueSeals call; checks that every seal asked for came back (items: seals) and hands
// the codes to Issued. Subclasses fill request_ in Prepare.
class IssueSealsSlot : public UnarySlot<v1::IssueSealsRequest, v1::IssueSealsResponse> {
 protected:
  IssueSealsSlot(CallSettings settings, const std::shared_ptr<grpc::Channel>& channel);
  virtual void Issued(const google::protobuf::RepeatedPtrField<std::string>& /*codes*/) {}

 private:
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::IssueSealsResponse>> StartCall(
      grpc::ClientContext* context, grpc::CompletionQueue* cq) final;
  CallOutcome Check() final;

  std::unique_ptr<v1::SealService::Stub> stub_;
};

// Each call submits `inspection` (a template: site, standard version, stages, results)
// with request id "<run_id>-<connection>-<slot>-<n>", dated now unless the template has a
// date; it checks that the answer is a new inspection (not a replay of another id).
std::unique_ptr<Workload> NewSubmitWorkload(const LoadOptions& load, v1::Inspection inspection,
                                            std::string run_id);

struct IssueOptions {
  v1::Inspection inspection;       // template for each new lot's inspection
  uint32_t count = 10'000;         // seals per call
  uint32_t lot_boxes = 1'000'000;  // boxes of each lot the workload creates
  std::string run_id;
};

// Each call issues `count` seals for the slot's lot; a slot whose lot has no room left
// creates (untimed) a new lot at the template's site and submits its inspection. Checks
// that every seal asked for came back. Items: seals.
std::unique_ptr<Workload> NewIssueWorkload(const LoadOptions& load, IssueOptions options);

// A random hex id for this run's request ids.
std::string NewRunId();

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_WRITE_WORKLOADS_H_
