// The witness's durable state in its data dir: for each log, the checkpoint note it last
// cosigned (DIR/logs/<SHA-256 of the origin, hex>.note), and the evidence it keeps of
// logs that showed it two histories (DIR/evidence/<origin hash>-<n>.json). Every write
// is a synced temporary file renamed over the old one with the directory synced, so a
// crash at any point leaves the old state or the whole new one, never a mix.
#ifndef SELLO_WITNESS_WITNESS_STORE_H_
#define SELLO_WITNESS_WITNESS_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sello/tools/witness.pb.h"

namespace sello::witness {

// Evidence kept per log at most; beyond, further conflicts are counted, not stored (only
// the log's key can make them, and the first ones prove the point).
inline constexpr int kMaxEvidencePerLog = 1000;

class WitnessStore {
 public:
  // Opens (creating) the state under `dir`: loads every log's last cosigned note and the
  // evidence. UNAVAILABLE when it cannot read or create the directories, DATA_LOSS when a
  // state file is not a note (damage outside the witness: refuse to start rather than
  // forget a log).
  static absl::StatusOr<std::unique_ptr<WitnessStore>> Open(const std::string& dir);

  // The checkpoint note last cosigned for `origin`, as loaded or saved.
  std::optional<std::string> CosignedNote(const std::string& origin) const;
  // Durably replaces it (fsync before returning). Callers serialise saves per origin.
  absl::Status SaveCosignedNote(const std::string& origin, const std::string& note);

  // Keeps `evidence` durably unless the same conflicting note is already kept for its
  // origin (returns false then) or the origin has kMaxEvidencePerLog records
  // (RESOURCE_EXHAUSTED).
  absl::StatusOr<bool> AddEvidence(const tools::WitnessEvidence& evidence);
  std::vector<tools::WitnessEvidence> Evidence() const;
  int EvidenceCount(const std::string& origin) const;

 private:
  explicit WitnessStore(std::string dir) : dir_(std::move(dir)) {}
  std::string LogPath(const std::string& origin) const;

  const std::string dir_;
  mutable absl::Mutex mutex_;
  std::map<std::string, std::string> notes_ ABSL_GUARDED_BY(mutex_);  // origin -> note
  std::vector<tools::WitnessEvidence> evidence_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace sello::witness

#endif  // SELLO_WITNESS_WITNESS_STORE_H_
