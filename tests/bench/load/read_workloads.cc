#include "tests/bench/load/read_workloads.h"

#include <fstream>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/seal_code.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "tests/bench/load/certification_setup.h"

namespace sello::load {
namespace {

// Unknown codes are drawn from a pool made up front, so calls do no client-side crypto.
constexpr int kUnknownPool = 4096;

class VerifyWorkload final : public Workload {
 public:
  VerifyWorkload(const LoadOptions& load, VerifyOptions options, std::vector<std::string> unknown)
      : settings_(load.token, load.deadline_seconds),
        options_(std::move(options)),
        unknown_(std::move(unknown)) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int connection, int slot) override {
    return std::make_unique<Slot>(*this, channel, connection * 10'000 + slot);
  }

 private:
  class Slot final : public UnarySlot<v1::VerifySealRequest, v1::VerifySealResponse> {
   public:
    Slot(const VerifyWorkload& workload, const std::shared_ptr<grpc::Channel>& channel, int seed)
        : UnarySlot(workload.settings_),
          workload_(workload),
          stub_(v1::SealService::NewStub(channel)),
          random_(static_cast<uint64_t>(seed) + 1) {}

    absl::StatusOr<bool> Prepare() override {
      request_.clear_codes();
      known_.clear();
      std::uniform_real_distribution<double> share(0, 1);
      for (int i = 0; i < workload_.options_.batch; ++i) {
        const bool unknown = share(random_) < workload_.options_.unknown_share;
        const auto& pool = unknown ? workload_.unknown_ : workload_.options_.codes;
        request_.add_codes(pool[random_() % pool.size()]);
        known_.push_back(!unknown);
      }
      return true;
    }

   private:
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::VerifySealResponse>> StartCall(
        grpc::ClientContext* context, grpc::CompletionQueue* cq) override {
      return stub_->PrepareAsyncVerifySeal(context, request_, cq);
    }

    CallOutcome Check() override {
      if (response_.verdicts_size() != request_.codes_size()) {
        return CallOutcome::Wrong("WRONG_ANSWER",
                                  absl::StrCat(response_.verdicts_size(), " verdicts for ",
                                               request_.codes_size(), " codes"));
      }
      for (int i = 0; i < response_.verdicts_size(); ++i) {
        const v1::SealVerdict& verdict = response_.verdicts(i);
        const bool found =
            verdict.has_seal() && verdict.problem() == v1::SealVerdict::PROBLEM_UNSPECIFIED;
        const bool as_expected = known_[static_cast<size_t>(i)]
                                     ? found
                                     : verdict.problem() == v1::SealVerdict::NOT_FOUND;
        if (!as_expected) {
          return CallOutcome::Wrong(
              "WRONG_VERDICT", absl::StrCat(request_.codes(i), " (",
                                            known_[static_cast<size_t>(i)] ? "issued" : "unknown",
                                            "): ", v1::SealVerdict::Problem_Name(verdict.problem()),
                                            " ", verdict.problem_detail()));
        }
      }
      return CallOutcome::Ok(request_.codes_size());
    }

    const VerifyWorkload& workload_;
    std::unique_ptr<v1::SealService::Stub> stub_;
    std::mt19937_64 random_;
    std::vector<bool> known_;
  };

  CallSettings settings_;
  VerifyOptions options_;
  std::vector<std::string> unknown_;
};

class ProofWorkload final : public Workload {
 public:
  ProofWorkload(const LoadOptions& load, uint64_t tree_size)
      : settings_(load.token, load.deadline_seconds), tree_size_(tree_size) {}

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int connection, int slot) override {
    return std::make_unique<Slot>(*this, channel, connection * 10'000 + slot);
  }

 private:
  class Slot final : public UnarySlot<v1::GetInclusionProofRequest, v1::GetInclusionProofResponse> {
   public:
    Slot(const ProofWorkload& workload, const std::shared_ptr<grpc::Channel>& channel, int seed)
        : UnarySlot(workload.settings_),
          tree_size_(workload.tree_size_),
          stub_(v1::LogService::NewStub(channel)),
          random_(static_cast<uint64_t>(seed) + 1) {}

    absl::StatusOr<bool> Prepare() override {
      request_.set_seq(1 + random_() % tree_size_);
      return true;
    }

   private:
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetInclusionProofResponse>> StartCall(
        grpc::ClientContext* context, grpc::CompletionQueue* cq) override {
      return stub_->PrepareAsyncGetInclusionProof(context, request_, cq);
    }

    CallOutcome Check() override {
      if (response_.leaf_index() + 1 != request_.seq()) {
        return CallOutcome::Wrong(
            "WRONG_ANSWER",
            absl::StrCat("asked event ", request_.seq(), ", got leaf ", response_.leaf_index()));
      }
      return CallOutcome::Ok(1);
    }

    const uint64_t tree_size_;
    std::unique_ptr<v1::LogService::Stub> stub_;
    std::mt19937_64 random_;
  };

  CallSettings settings_;
  uint64_t tree_size_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Workload>> NewVerifyWorkload(const LoadOptions& load,
                                                            VerifyOptions options) {
  if (options.codes.empty()) return absl::InvalidArgumentError("no seal codes to verify");
  if (options.batch < 1 || options.batch > 1000) {
    return absl::InvalidArgumentError("--batch must be 1 to 1000");
  }
  // The standard id prefix of the issued codes ("CSCS" of "CSCS-7KQ2-M9XD-3WPA-B").
  const std::string& sample = options.codes.front();
  if (sample.size() <= domain::kSealFormattedSerialLength + 1) {
    return absl::InvalidArgumentError(absl::StrCat("not a seal code: ", sample));
  }
  const std::string prefix =
      sample.substr(0, sample.size() - domain::kSealFormattedSerialLength - 1);
  std::vector<std::string> unknown;
  unknown.reserve(kUnknownPool);
  for (int i = 0; i < kUnknownPool; ++i) unknown.push_back(domain::NewSealCode(prefix));
  return std::make_unique<VerifyWorkload>(load, std::move(options), std::move(unknown));
}

std::unique_ptr<Workload> NewProofWorkload(const LoadOptions& load, uint64_t tree_size) {
  return std::make_unique<ProofWorkload>(load, tree_size);
}

absl::StatusOr<uint64_t> FetchTreeSize(const LoadOptions& load) {
  auto stub = v1::LogService::NewStub(NewChannel(load.server, -1));
  grpc::ClientContext context;
  CallSettings(load.token, load.deadline_seconds).Apply(context);
  v1::GetCheckpointResponse response;
  const grpc::Status status = stub->GetCheckpoint(&context, v1::GetCheckpointRequest(), &response);
  if (!status.ok()) return ToAbsl(status, "GetCheckpoint");
  return response.checkpoint().size();
}

absl::StatusOr<std::vector<std::string>> ReadCodes(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<std::string> codes;
  for (std::string line; std::getline(in, line);) {
    absl::string_view code = absl::StripAsciiWhitespace(line);
    if (!code.empty()) codes.emplace_back(code);
  }
  return codes;
}

}  // namespace sello::load
