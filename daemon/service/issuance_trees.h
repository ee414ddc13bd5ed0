// The Merkle trees over seal issuances' leaves, built once and kept: an issuance's leaves
// never change once written, and every VerifySeal with a proof (the seal page, `sello seal
// verify --proof`) needs the path of its seal in its issuance's tree. Rebuilding the tree
// per call made the cost of a proof grow with the issuance (10,000 seals: ~2 ms).
#ifndef SELLO_DAEMON_SERVICE_ISSUANCE_TREES_H_
#define SELLO_DAEMON_SERVICE_ISSUANCE_TREES_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/transparency_log.h"
#include "sello/v1/seal.pb.h"
#include "storage/store.h"

namespace sello::service {

// Thread-safe. Bounded by the leaves it holds (a tree costs about 64 bytes per leaf): past
// `max_leaves` it starts again empty; a tree larger than that is built for each call and
// not kept.
class IssuanceTreeCache {
 public:
  explicit IssuanceTreeCache(size_t max_leaves = size_t{1} << 18) : max_leaves_(max_leaves) {}

  // The tree over `issuance_id`'s stored leaves (an empty tree when it has none). A
  // shared tree is only read (LeafTree::ReadHashes does not change it). DATA_LOSS when the
  // stored leaves are not whole hashes.
  absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> Get(const storage::Store& store,
                                                                absl::string_view issuance_id);

 private:
  const size_t max_leaves_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<domain::merkle::LeafTree>> trees_
      ABSL_GUARDED_BY(mu_);
  size_t leaves_ ABSL_GUARDED_BY(mu_) = 0;
};

// The parts of a seal's proof that every seal of an issuance shares in a tree of one size:
// the issuance's latest event with its inclusion proof (absent while the event is newer
// than the tree) and the issuance record that event digests, without the checkpoint (the
// caller puts in the one it serves: a checkpoint of one size may be signed again, or
// cosigned later). Built once per (issuance, event, tree size) and kept: every seal page
// otherwise read the event and the record and walked the log's tree again.
// Thread-safe. Past `max_entries` it starts again empty.
class IssuanceProofCache {
 public:
  explicit IssuanceProofCache(size_t max_entries = 4096) : max_entries_(max_entries) {}

  absl::StatusOr<std::shared_ptr<const v1::SealProof>> Get(const storage::Store& store,
                                                           const storage::TransparencyLog& log,
                                                           absl::string_view issuance_id,
                                                           uint64_t tree_size);

 private:
  const size_t max_entries_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const v1::SealProof>> proofs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ISSUANCE_TREES_H_
