// The lifecycle of standard versions: DRAFT -> PUBLISHED -> SUPERSEDED, and WITHDRAWN.
// Pure functions: given the records as stored and the time, each returns the records
// to store, or the reason the transition is refused.
#ifndef SELLO_DAEMON_DOMAIN_STANDARD_LIFECYCLE_H_
#define SELLO_DAEMON_DOMAIN_STANDARD_LIFECYCLE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// How long a superseded version stays acceptable when the publisher does not say.
inline constexpr absl::Duration kDefaultTransition = absl::Hours(24 * 180);

struct PushResult {
  v1::Standard standard;        // the standard's summary after the push
  v1::StandardVersion version;  // the DRAFT to store (content + server fields)
  bool created = false;         // a new version (false: an existing draft replaced)
};

// Pushing `content` (already validated) as a draft. `standard` is the stored summary
// (nullopt for a new standard); `existing` the stored record of the same version
// number, if any. Refused with FAILED_PRECONDITION when that version is not a DRAFT
// ("CSCS@1 is PUBLISHED; push a new version instead") or when the number is not the
// next one ("version 4: the next version of CSCS is 3").
absl::StatusOr<PushResult> PlanPush(const std::optional<v1::Standard>& standard,
                                    const std::optional<v1::StandardVersion>& existing,
                                    const v1::StandardVersion& content, absl::Time now);

struct PublishResult {
  v1::Standard standard;
  v1::StandardVersion published;
  std::optional<v1::StandardVersion> superseded;  // the previously published version
};

// Publishing `target` (must be DRAFT, and newer than `current`, the version now
// PUBLISHED if any). `current` becomes SUPERSEDED with cessation_time =
// `previous_cessation` or now + kDefaultTransition; a cessation before now is
// INVALID_ARGUMENT (field previous_cessation_time).
absl::StatusOr<PublishResult> PlanPublish(const v1::Standard& standard,
                                          const v1::StandardVersion& target,
                                          const std::optional<v1::StandardVersion>& current,
                                          std::optional<absl::Time> previous_cessation,
                                          absl::Time now);

struct WithdrawResult {
  v1::Standard standard;
  v1::StandardVersion withdrawn;
};

// Withdrawing `target` (DRAFT, PUBLISHED or SUPERSEDED; a reason is required:
// INVALID_ARGUMENT naming "reason"). Withdrawing the PUBLISHED version leaves the
// standard with no published version. WITHDRAWN again is FAILED_PRECONDITION.
absl::StatusOr<WithdrawResult> PlanWithdraw(const v1::Standard& standard,
                                            const v1::StandardVersion& target,
                                            absl::string_view reason, absl::Time now);

// True when an inspection dated `at` may use `version`: PUBLISHED (from its
// publish_time) or SUPERSEDED before its cessation_time.
bool IsAcceptableAt(const v1::StandardVersion& version, absl::Time at);

// "CSCS@2".
std::string VersionRef(absl::string_view standard_id, uint32_t version);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_STANDARD_LIFECYCLE_H_
