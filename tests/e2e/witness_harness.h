// End-to-end helpers for witnesses: the real `sello-witness` on a temporary data dir and
// a free loopback port (started like sellod, through its address file), and a log kept
// in the test's memory that signs checkpoints and makes consistency proofs, honest or
// forked, for the witness to judge.
#ifndef SELLO_TESTS_E2E_WITNESS_HARNESS_H_
#define SELLO_TESTS_E2E_WITNESS_HARNESS_H_

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "client/http_client.h"
#include "client/witness_client.h"
#include "daemon/domain/witness_protocol.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {

class WitnessHarness {
 public:
  explicit WitnessHarness(std::string name = "witness.test/w1");
  ~WitnessHarness();
  WitnessHarness(const WitnessHarness&) = delete;
  WitnessHarness& operator=(const WitnessHarness&) = delete;

  // Extra flags for the following Start()s.
  void set_args(std::vector<std::string> args) { args_ = std::move(args); }
  // Starts the witness for the logs with these verifier keys; returns once it listens.
  ::testing::AssertionResult Start(const std::vector<std::string>& log_keys,
                                   const std::string& listen = "127.0.0.1:0");
  // Sends `signal_number` and waits (bounded) for the exit status (128 + N if killed).
  int Stop(int signal_number = SIGTERM);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // "http://HOST:PORT" ("https://..." with TLS args).
  std::string url() const;
  const std::string& address() const { return address_; }
  const std::string& name() const { return name_; }
  // The cosignature verifier key the witness wrote to DATA_DIR/witness.pub.
  std::string verifier_key() const;
  const std::string& data_dir() const { return data_dir_; }
  const std::string& root_dir() const { return root_dir_; }
  std::string log() const;

  // Submits a checkpoint (fails the test when no HTTP answer comes).
  client::AddCheckpointAnswer Submit(const domain::AddCheckpointRequest& request) const;
  // A raw request to the witness (method "GET" or "POST").
  client::HttpResponse Request(const std::string& method, const std::string& path,
                               const std::string& body = "") const;

  client::HttpClientOptions& http_options() { return http_options_; }

 private:
  std::string name_;
  std::vector<std::string> args_;
  std::string root_dir_, data_dir_, log_path_, address_path_, address_;
  bool tls_ = false;
  pid_t pid_ = -1;
  int pid_fd_ = -1;
  client::HttpClientOptions http_options_;
};

// A transparency log held in memory: leaves, signed checkpoints, consistency proofs.
class TestLog {
 public:
  explicit TestLog(std::string origin = "test.example/log");
  // A copy with the same key and the same first `size` leaves (a fork once it appends).
  TestLog ForkAt(uint64_t size, const std::string& tag) const;

  void Append(int count);
  uint64_t size() const { return leaves_.size() / domain::merkle::kHashSize; }
  std::string Root(uint64_t size) const;
  // The signed checkpoint of the first `size` leaves (time: the current second).
  std::string Checkpoint(uint64_t size) const;
  std::string Checkpoint() const { return Checkpoint(size()); }
  std::vector<std::string> Proof(uint64_t from, uint64_t to) const;
  // The request to extend a witness from `from` to the current size.
  domain::AddCheckpointRequest Request(uint64_t from) const;

  const domain::NoteSigner& signer() const { return *signer_; }
  std::string verifier_key() const { return signer_->VerifierKey(); }

 private:
  TestLog(std::shared_ptr<domain::NoteSigner> signer, std::string leaves, std::string tag)
      : signer_(std::move(signer)), leaves_(std::move(leaves)), tag_(std::move(tag)) {}

  std::shared_ptr<domain::NoteSigner> signer_;
  std::string leaves_;  // leaf hashes, concatenated
  std::string tag_;     // makes a fork's leaves differ
};

}  // namespace sello::e2e

#endif  // SELLO_TESTS_E2E_WITNESS_HARNESS_H_
