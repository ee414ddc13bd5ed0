#include "tests/bench/load/certification_setup.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/domain/time_convert.h"

namespace sello::load {

v1::Inspection PassingInspection(const v1::StandardVersion& version, const std::string& site_id) {
  v1::Inspection inspection;
  inspection.set_site_id(site_id);
  inspection.set_standard_id(version.standard_id());
  inspection.set_standard_version(version.version());
  inspection.set_inspector("sello-load");
  *inspection.mutable_inspection_date() = domain::ToProto(absl::Now());
  for (const v1::Stage& stage : version.stages()) {
    inspection.add_stages(stage.id());
    for (const v1::Criterion& criterion : stage.criteria()) {
      v1::CriterionResult* result = inspection.add_results();
      result->set_criterion_id(criterion.id());
      if (criterion.kind() == v1::Criterion::NUMERIC) {
        const v1::GradeRange& premium = criterion.grades().premium();
        result->set_measured(premium.has_min() ? premium.min()
                                               : (premium.has_max() ? premium.max() : 0));
      } else {
        result->set_passed(true);
      }
    }
  }
  return inspection;
}

v1::CreateLotRequest NewLotRequest(const std::string& site_id, uint32_t boxes) {
  v1::CreateLotRequest request;
  v1::Lot* lot = request.mutable_lot();
  lot->set_site_id(site_id);
  lot->set_product_form("fresh whole");
  *lot->mutable_harvest_date() = domain::ToProto(absl::Now() - absl::Hours(24));
  lot->set_box_count(boxes);
  return request;
}

absl::Status ToAbsl(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

absl::StatusOr<std::string> CreateInspectedLot(v1::InspectionService::Stub& inspections,
                                               const CallSettings& settings,
                                               const v1::Inspection& inspection, uint32_t boxes,
                                               const std::string& request_id) {
  v1::Lot lot;
  {
    grpc::ClientContext context;
    settings.Apply(context);
    const grpc::Status status =
        inspections.CreateLot(&context, NewLotRequest(inspection.site_id(), boxes), &lot);
    if (!status.ok()) return ToAbsl(status, "CreateLot");
  }
  v1::SubmitInspectionRequest submit;
  *submit.mutable_inspection() = inspection;
  submit.mutable_inspection()->set_lot_id(lot.id());
  submit.mutable_inspection()->set_request_id(request_id);
  *submit.mutable_inspection()->mutable_inspection_date() = domain::ToProto(absl::Now());
  grpc::ClientContext context;
  settings.Apply(context);
  v1::Inspection submitted;
  const grpc::Status status = inspections.SubmitInspection(&context, submit, &submitted);
  if (!status.ok()) return ToAbsl(status, "SubmitInspection");
  if (submitted.outcome() != v1::Inspection::PASS) {
    return absl::FailedPreconditionError(
        absl::StrCat("inspection ", submitted.id(), " of lot ", lot.id(), " did not pass"));
  }
  return lot.id();
}

}  // namespace sello::load
