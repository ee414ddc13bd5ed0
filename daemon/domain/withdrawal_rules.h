// What withdrawing a standard version entails beyond the version itself: the choice
// for its seals, and the mark on the norms that adopt it (the regulator's to act on),
// which every compliance verdict under such a norm repeats.
#ifndef SELLO_DAEMON_DOMAIN_WITHDRAWAL_RULES_H_
#define SELLO_DAEMON_DOMAIN_WITHDRAWAL_RULES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sello/v1/common.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// The seals choice of a withdrawal: unset means SUSPEND_SEALS (a withdrawn standard's
// seals stop vouching unless the association says otherwise); an unknown value is
// INVALID_ARGUMENT naming `seals`.
absl::StatusOr<v1::SealsChoice> WithdrawalSealsChoice(v1::SealsChoice requested);

// Marks `norm` as adopting the `withdrawn` version (its withdraw time and reason).
// Returns false, leaving it alone, when the norm is not of that version, is REPEALED
// (by `withdrawn`'s withdraw time) or is marked already.
bool MarkNormWithdrawn(v1::Norm& norm, const v1::StandardVersion& withdrawn);

// The notice every verdict under `norm` carries at `at`: that the version it adopts was
// withdrawn (from its withdraw time on; "" before, and for an unmarked norm).
std::string WithdrawnStandardNotice(const v1::Norm& norm, absl::Time at);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_WITHDRAWAL_RULES_H_
