// The registry objects the load scenarios need, made through the public API: a passing
// inspection for any standard version, and lots with an inspection so seals can be issued.
#ifndef SELLO_TESTS_BENCH_LOAD_CERTIFICATION_SETUP_H_
#define SELLO_TESTS_BENCH_LOAD_CERTIFICATION_SETUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/standard.pb.h"
#include "tests/bench/load/runner.h"

namespace sello::load {

// A plant audit of `site_id` against `version` covering every stage, with a result for
// every criterion that earns PREMIUM (booleans pass, values inside the premium range),
// dated now. No lot and no request id.
v1::Inspection PassingInspection(const v1::StandardVersion& version, const std::string& site_id);

// A CreateLotRequest for `boxes` boxes at `site_id`, harvested yesterday.
v1::CreateLotRequest NewLotRequest(const std::string& site_id, uint32_t boxes);

// Registers a lot at the template's site and submits `inspection` (the template with the
// lot, `request_id` and today's date) for it as the caller, a certifier: after this the
// certifier may issue seals for the lot. Returns the lot id; a failed call's status,
// naming the step.
absl::StatusOr<std::string> CreateInspectedLot(v1::InspectionService::Stub& inspections,
                                               const CallSettings& settings,
                                               const v1::Inspection& inspection, uint32_t boxes,
                                               const std::string& request_id);

// A grpc::Status as an absl::Status, prefixed by `what`.
absl::Status ToAbsl(const grpc::Status& status, absl::string_view what);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_CERTIFICATION_SETUP_H_
