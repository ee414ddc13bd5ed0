#include "daemon/domain/access_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sello::domain {
namespace {

using v1::ADMIN;
using v1::CERTIFIER;
using v1::FIRM;
using v1::REGULATOR;

constexpr bool kPublic = true;
constexpr bool kTokenRequired = false;

}  // namespace

// Every RPC of the API and who may call it. Reads that the public may make are also
// open to every role; a test checks that every method of every service is listed.
const std::vector<MethodAccess>& AccessTable() {
  static const auto* table = new std::vector<MethodAccess>{
      // Organisations are public; sites are read by the parties that work with them.
      {"/sello.v1.OrganisationService/CreateOrganisation", kTokenRequired, {ADMIN}},
      {"/sello.v1.OrganisationService/GetOrganisation",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.OrganisationService/ListOrganisations",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.OrganisationService/SetMembership", kTokenRequired, {ADMIN}},
      {"/sello.v1.OrganisationService/CreateSite", kTokenRequired, {ADMIN}},
      {"/sello.v1.OrganisationService/GetSite",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.OrganisationService/ListSites",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Credentials are issued by the association only.
      {"/sello.v1.TokenService/CreateToken", kTokenRequired, {ADMIN}},
      {"/sello.v1.TokenService/ListTokens", kTokenRequired, {ADMIN}},
      {"/sello.v1.TokenService/RevokeToken", kTokenRequired, {ADMIN}},
      {"/sello.v1.TokenService/WhoAmI", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Standards are written by the association and read by everyone.
      {"/sello.v1.StandardService/PushStandardVersion", kTokenRequired, {ADMIN}},
      {"/sello.v1.StandardService/PublishStandardVersion", kTokenRequired, {ADMIN}},
      {"/sello.v1.StandardService/WithdrawStandardVersion", kTokenRequired, {ADMIN}},
      {"/sello.v1.StandardService/GetStandardVersion",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.StandardService/ListStandards", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.StandardService/ListStandardVersions",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // The register of accredited certifiers is public; the association keeps it.
      {"/sello.v1.AccreditationService/CreateAccreditation", kTokenRequired, {ADMIN}},
      {"/sello.v1.AccreditationService/SuspendAccreditation", kTokenRequired, {ADMIN}},
      {"/sello.v1.AccreditationService/ReinstateAccreditation", kTokenRequired, {ADMIN}},
      {"/sello.v1.AccreditationService/WithdrawAccreditation", kTokenRequired, {ADMIN}},
      {"/sello.v1.AccreditationService/GetAccreditation",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.AccreditationService/ListAccreditations",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Lots are registered by their firm or a certifier; inspections are submitted by
      // certifiers and read as each role allows (the public sees none of the detail).
      {"/sello.v1.InspectionService/CreateLot", kTokenRequired, {CERTIFIER, FIRM}},
      {"/sello.v1.InspectionService/GetLot", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.InspectionService/ListLots", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.InspectionService/SubmitInspection", kTokenRequired, {CERTIFIER}},
      {"/sello.v1.InspectionService/CorrectInspection", kTokenRequired, {CERTIFIER}},
      {"/sello.v1.InspectionService/GetInspection",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.InspectionService/ListInspections",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.InspectionService/GetCertificationStatus",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // The register of certified sites is public: what passed, never a failure.
      {"/sello.v1.InspectionService/ListCertifiedSites",
       kPublic,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Seals are issued and changed by certifiers (and the association); anyone verifies.
      {"/sello.v1.SealService/IssueSeals", kTokenRequired, {CERTIFIER}},
      {"/sello.v1.SealService/VerifySeal", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.SealService/SuspendSeals", kTokenRequired, {ADMIN, CERTIFIER}},
      {"/sello.v1.SealService/RevokeSeals", kTokenRequired, {ADMIN, CERTIFIER}},
      {"/sello.v1.SealService/ReinstateSeals", kTokenRequired, {ADMIN, CERTIFIER}},
      // A lot's seals in full: its firm, the issuing certifier, ADMIN and REGULATOR
      // (domain::CanReadIssuedSeals narrows each call to the caller's own).
      {"/sello.v1.SealService/ListSeals", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.SealService/ListIssuances", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Norms are public and adopted by regulators; anyone may ask about compliance.
      {"/sello.v1.NormService/AdoptNorm", kTokenRequired, {REGULATOR}},
      {"/sello.v1.NormService/RepealNorm", kTokenRequired, {REGULATOR}},
      {"/sello.v1.NormService/GetNorm", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.NormService/ListNorms", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.NormService/CheckCompliance", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.NormService/ComplianceReport", kTokenRequired, {ADMIN, REGULATOR}},
      // Appeals: a firm files, the association assigns, the assigned certifier resolves;
      // each reader sees only the appeals it is party to (CanReadAppeal).
      {"/sello.v1.AppealService/FileAppeal", kTokenRequired, {FIRM}},
      {"/sello.v1.AppealService/AssignAppeal", kTokenRequired, {ADMIN}},
      {"/sello.v1.AppealService/ResolveAppeal", kTokenRequired, {CERTIFIER}},
      {"/sello.v1.AppealService/GetAppeal", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.AppealService/ListAppeals", kTokenRequired, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      // Appeals end: ADMIN dismisses one before assignment, the firm withdraws its own.
      {"/sello.v1.AppealService/DismissAppeal", kTokenRequired, {ADMIN}},
      {"/sello.v1.AppealService/WithdrawAppeal", kTokenRequired, {FIRM}},
      // Statistics: everyone watches the certifiers and the cluster. FIRM and CERTIFIER
      // callers see published figures only (closed months, fixed windows, cells of at
      // least 5 firms including what differences would expose: domain/statistics.h); a
      // firm's benchmark is its own (or any, for ADMIN and REGULATOR).
      {"/sello.v1.StatsService/CertifierStats",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.StatsService/CriterionStats",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.StatsService/FirmBenchmark", kTokenRequired, {ADMIN, FIRM, REGULATOR}},
      {"/sello.v1.StatsService/ComplianceOverview",
       kTokenRequired,
       {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.StatsService/VerifyAggregates", kTokenRequired, {ADMIN}},
      // Operating the registry.
      {"/sello.v1.AdminService/CreateBackup", kTokenRequired, {ADMIN}},
      // The transparency log is for everyone; contents are shown as the role allows.
      {"/sello.v1.LogService/GetCheckpoint", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.LogService/GetInclusionProof", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.LogService/GetConsistencyProof", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.LogService/ListEvents", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.LogService/GetRecord", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
      {"/sello.v1.LogService/WatchEvents", kPublic, {ADMIN, CERTIFIER, FIRM, REGULATOR}},
  };
  return *table;
}

absl::Status Authorize(absl::string_view method, const Principal* principal) {
  const auto& table = AccessTable();
  const auto rule = std::find_if(table.begin(), table.end(),
                                 [&](const MethodAccess& m) { return m.method == method; });
  if (rule == table.end()) {
    return absl::PermissionDeniedError(absl::StrCat(method, ": no access rule; denied"));
  }
  if (principal == nullptr) {
    if (rule->is_public) return absl::OkStatus();
    return absl::UnauthenticatedError(
        absl::StrCat(method, " needs a token (authorization: Bearer ...)"));
  }
  if (std::find(rule->roles.begin(), rule->roles.end(), principal->role) != rule->roles.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role ", v1::Role_Name(principal->role), " may not call ", method));
}

}  // namespace sello::domain
