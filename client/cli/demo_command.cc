// sello demo load: loads the demo data set through the public API (idempotent: what
// exists already is left as it is).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/util/json_util.h"
#include "sello/tools/demo_manifest.pb.h"

namespace sello::cli {
namespace {

struct DemoOptions {
  std::string manifest = "deploy/demo/demo.json";
  std::string tokens_dir;
  std::string codes_file;
};

// Creates a demo organisation and sets its membership from and until the manifest's dates.
int CreateOrganisation(client::Connection& connection, const tools::DemoOrganisation& demo) {
  const v1::Organisation& wanted = demo.organisation();
  v1::CreateOrganisationRequest create;
  create.set_organisation_id(wanted.id());
  *create.mutable_organisation() = wanted;
  v1::Organisation existing;
  grpc::Status status = connection.organisations().CreateOrganisation(connection.NewContext().get(),
                                                                      create, &existing);
  if (!status.ok()) return Fail(absl::StrCat("demo: organisation ", wanted.id()), status);
  for (const auto& [date, member] :
       {std::pair{demo.member_since(), true}, std::pair{demo.member_until(), false}}) {
    if (date.empty()) continue;
    absl::StatusOr<absl::Time> time = domain::ParseDateTime(date);
    if (!time.ok()) return Fail(absl::StrCat("demo: organisation ", wanted.id()), time.status());
    v1::SetMembershipRequest membership;
    membership.set_organisation_id(wanted.id());
    membership.set_member(member);
    *membership.mutable_effective_time() = domain::ToProto(*time);
    status = connection.organisations().SetMembership(connection.NewContext().get(), membership,
                                                      &existing);
    if (!status.ok()) return Fail(absl::StrCat("demo: membership of ", wanted.id()), status);
  }
  return kExitOk;
}

// Creates the demo organisation unless it exists already.
int EnsureOrganisation(client::Connection& connection, const tools::DemoOrganisation& demo) {
  const v1::Organisation& wanted = demo.organisation();
  v1::GetOrganisationRequest get;
  get.set_organisation_id(wanted.id());
  v1::Organisation existing;
  grpc::Status status =
      connection.organisations().GetOrganisation(connection.NewContext().get(), get, &existing);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return CreateOrganisation(connection, demo);
  }
  if (!status.ok()) return Fail(absl::StrCat("demo: organisation ", wanted.id()), status);
  return kExitOk;
}

// Creates the organisation's demo sites that do not exist yet.
int EnsureSites(client::Connection& connection, const tools::DemoOrganisation& demo) {
  for (const v1::Site& site : demo.sites()) {
    v1::GetSiteRequest get_site;
    get_site.set_site_id(site.id());
    v1::Site response;
    grpc::Status status =
        connection.organisations().GetSite(connection.NewContext().get(), get_site, &response);
    if (status.ok()) continue;
    if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
      return Fail(absl::StrCat("demo: site ", site.id()), status);
    }
    v1::CreateSiteRequest create;
    create.set_site_id(site.id());
    *create.mutable_site() = site;
    create.mutable_site()->set_firm_id(demo.organisation().id());
    status =
        connection.organisations().CreateSite(connection.NewContext().get(), create, &response);
    if (!status.ok()) return Fail(absl::StrCat("demo: site ", site.id()), status);
  }
  return kExitOk;
}

// Creates a token for the organisation and writes it to tokens_dir/ORG.token (mode 0600),
// unless that file exists already.
int WriteOrganisationToken(client::Connection& connection, const v1::Organisation& wanted,
                           const std::string& tokens_dir) {
  const std::string path = absl::StrCat(tokens_dir, "/", wanted.id(), ".token");
  if (std::filesystem::exists(path)) return kExitOk;
  v1::CreateTokenRequest request;
  request.set_organisation_id(wanted.id());
  request.set_role(domain::RoleForKind(wanted.kind()));
  request.set_label("demo");
  v1::CreateTokenResponse response;
  grpc::Status status =
      connection.tokens().CreateToken(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail(absl::StrCat("demo: token for ", wanted.id()), status);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string line = response.secret() + "\n";
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    if (fd >= 0) ::close(fd);
    return Fail(kExitError, absl::StrCat("demo: cannot write ", path));
  }
  ::close(fd);
  return kExitOk;
}

// Loads one organisation with its membership, sites and token.
int LoadOrganisation(client::Connection& connection, const tools::DemoOrganisation& demo,
                     const std::string& tokens_dir) {
  if (int code = EnsureOrganisation(connection, demo); code != kExitOk) return code;
  if (int code = EnsureSites(connection, demo); code != kExitOk) return code;
  if (demo.token() && !tokens_dir.empty()) {
    return WriteOrganisationToken(connection, demo.organisation(), tokens_dir);
  }
  return kExitOk;
}

// Pushes (and publishes) one standard file unless that version is already past DRAFT.
int LoadStandard(client::Connection& connection, const tools::DemoStandard& demo,
                 const std::filesystem::path& base) {
  const std::string file = (base / demo.file()).string();
  absl::StatusOr<v1::StandardVersion> content = client::LoadStandardFile(file);
  if (!content.ok()) return Fail("demo", content.status());
  v1::GetStandardVersionRequest get;
  get.set_standard_id(content->standard_id());
  get.set_version(content->version());
  v1::StandardVersion existing;
  grpc::Status status =
      connection.standards().GetStandardVersion(connection.NewContext().get(), get, &existing);
  if (status.ok() && existing.status() != v1::StandardVersion::DRAFT) {
    std::cerr << "demo: " << demo.file() << " already "
              << v1::StandardVersion::Status_Name(existing.status()) << "\n";
    return kExitOk;
  }
  v1::PushStandardVersionRequest push;
  *push.mutable_version() = *content;
  push.set_source_name(file);
  status =
      connection.standards().PushStandardVersion(connection.NewContext().get(), push, &existing);
  if (!status.ok()) return Fail("demo: standard push", status);
  if (!demo.publish()) {
    std::cerr << "demo: " << demo.file() << " pushed as a draft\n";
    return kExitOk;
  }
  v1::PublishStandardVersionRequest publish;
  publish.set_standard_id(content->standard_id());
  publish.set_version(content->version());
  if (!demo.cessation().empty()) {
    absl::StatusOr<absl::Time> cessation = domain::ParseDateTime(demo.cessation());
    if (!cessation.ok()) return Fail("demo: cessation", cessation.status());
    *publish.mutable_previous_cessation_time() = domain::ToProto(*cessation);
  }
  v1::PublishStandardVersionResponse published;
  status = connection.standards().PublishStandardVersion(connection.NewContext().get(), publish,
                                                         &published);
  if (!status.ok()) return Fail("demo: standard publish", status);
  std::cerr << "demo: " << demo.file() << " pushed and published\n";
  return kExitOk;
}

// Accredits a demo certifier unless it already holds an accreditation.
int LoadAccreditation(client::Connection& connection, const tools::DemoAccreditation& demo) {
  v1::ListAccreditationsRequest list;
  list.set_certifier_id(demo.certifier_id());
  v1::ListAccreditationsResponse existing;
  grpc::Status status = connection.accreditations().ListAccreditations(
      connection.NewContext().get(), list, &existing);
  if (!status.ok()) return Fail("demo: accreditations", status);
  if (existing.accreditations_size() > 0) return kExitOk;
  v1::CreateAccreditationRequest request;
  v1::Accreditation* accreditation = request.mutable_accreditation();
  accreditation->set_certifier_id(demo.certifier_id());
  for (const std::string& text : demo.scope()) {
    std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
    v1::AccreditationScope* scope = accreditation->add_scope();
    scope->set_standard_id(parts[0]);
    if (parts.size() == 2) {
      for (absl::string_view stage : absl::StrSplit(parts[1], ',', absl::SkipEmpty())) {
        scope->add_stage_ids(std::string(stage));
      }
    }
  }
  for (const auto& [text, field] :
       {std::pair{demo.valid_from(), accreditation->mutable_valid_from()},
        std::pair{demo.valid_until(), accreditation->mutable_valid_until()}}) {
    absl::StatusOr<absl::Time> time = domain::ParseDateTime(text);
    if (!time.ok()) return Fail("demo: accreditation dates", time.status());
    *field = domain::ToProto(*time);
  }
  v1::Accreditation created;
  status = connection.accreditations().CreateAccreditation(connection.NewContext().get(), request,
                                                           &created);
  if (!status.ok()) return Fail(absl::StrCat("demo: accredit ", demo.certifier_id()), status);
  return kExitOk;
}

// The request ids of a certifier's inspections already in the registry.
absl::StatusOr<std::set<std::string>> DoneRequests(client::Connection& certifier) {
  v1::ListInspectionsResponse all;
  grpc::Status status = FetchAllPages(
      certifier, v1::ListInspectionsRequest(),
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return certifier.inspections().ListInspections(context, r, page);
      },
      &all);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  std::set<std::string> done;
  for (const auto& inspection : all.inspections()) done.insert(inspection.request_id());
  return done;
}

// Registers the lot, submits the inspection as its certifier and seals the lot.
int LoadInspection(client::Connection& certifier, const tools::DemoInspection& demo,
                   std::ofstream* codes_out) {
  v1::CreateLotRequest lot_request;
  *lot_request.mutable_lot() = demo.lot();
  *lot_request.mutable_lot()->mutable_harvest_date() =
      domain::ToProto(absl::Now() - absl::Hours(24) * demo.harvest_days_ago());
  v1::Lot lot;
  grpc::Status status =
      certifier.inspections().CreateLot(certifier.NewContext().get(), lot_request, &lot);
  if (!status.ok()) return Fail("demo: lot", status);
  v1::SubmitInspectionRequest submit;
  *submit.mutable_inspection() = demo.inspection();
  submit.mutable_inspection()->set_lot_id(lot.id());
  *submit.mutable_inspection()->mutable_inspection_date() = domain::ToProto(absl::Now());
  v1::Inspection inspection;
  status =
      certifier.inspections().SubmitInspection(certifier.NewContext().get(), submit, &inspection);
  if (!status.ok()) {
    return Fail(absl::StrCat("demo: inspection ", demo.inspection().request_id()), status);
  }
  if (inspection.outcome() != v1::Inspection::PASS || demo.seals() == 0) return kExitOk;
  v1::IssueSealsRequest issue;
  issue.set_lot_id(lot.id());
  issue.set_count(demo.seals());
  issue.set_request_id(demo.inspection().request_id() + "-seals");
  v1::IssueSealsResponse issued;
  status = certifier.seals().IssueSeals(certifier.NewContext().get(), issue, &issued);
  if (!status.ok()) return Fail("demo: seals", status);
  if (codes_out != nullptr) {
    for (const std::string& code : issued.codes()) *codes_out << code << "\n";
  }
  return kExitOk;
}

// Submits a certifier's routine audits that are not in the registry yet (`done`: the
// request ids it has used); returns how many were new, or -exit code.
int LoadAudits(client::Connection& certifier, const tools::DemoAudits& demo,
               const std::set<std::string>& done, int* loaded) {
  if (demo.site_ids().empty()) {
    return Fail(kExitInvalid, absl::StrCat("demo: audits by ", demo.certifier_id(), ": no sites"));
  }
  int n = 0;
  for (const auto& variant : demo.variants()) {
    for (uint32_t i = 0; i < variant.count(); ++i, ++n) {
      v1::SubmitInspectionRequest submit;
      v1::Inspection* inspection = submit.mutable_inspection();
      *inspection = variant.inspection();
      inspection->set_request_id(absl::StrCat(demo.request_prefix(), "-", n));
      if (done.count(inspection->request_id())) continue;
      inspection->set_site_id(demo.site_ids(n % demo.site_ids_size()));
      *inspection->mutable_inspection_date() = domain::ToProto(absl::Now());
      v1::Inspection submitted;
      grpc::Status status = certifier.inspections().SubmitInspection(certifier.NewContext().get(),
                                                                     submit, &submitted);
      if (!status.ok()) {
        return Fail(absl::StrCat("demo: audit ", inspection->request_id()), status);
      }
      ++*loaded;
    }
  }
  return kExitOk;
}

// Adopts a demo norm as its regulator, effective today, unless the regulator already
// has a norm of that title.
int LoadNorm(client::Connection& regulator, const tools::DemoNorm& demo) {
  v1::ListNormsResponse all;
  grpc::Status status = FetchAllPages(
      regulator, v1::ListNormsRequest(),
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return regulator.norms().ListNorms(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("demo: norms", status);
  for (const v1::Norm& norm : all.norms()) {
    if (norm.regulator_id() == demo.regulator_id() && norm.title() == demo.norm().title()) {
      return kExitOk;
    }
  }
  v1::AdoptNormRequest request;
  *request.mutable_norm() = demo.norm();
  *request.mutable_norm()->mutable_effective_from() = domain::ToProto(absl::Now());
  v1::Norm adopted;
  status = regulator.norms().AdoptNorm(regulator.NewContext().get(), request, &adopted);
  if (!status.ok()) return Fail("demo: norm adopt", status);
  return kExitOk;
}

// Connections acting as demo organisations, with the tokens `demo load` wrote.
class Actors {
 public:
  Actors(const client::Connection& admin, std::string tokens_dir)
      : admin_(admin), tokens_dir_(std::move(tokens_dir)) {}

  // The connection acting as `organisation_id`; nullptr (message printed, *exit_code
  // set) when its token cannot be read.
  client::Connection* As(const std::string& organisation_id, int* exit_code) {
    auto found = connections_.find(organisation_id);
    if (found != connections_.end()) return found->second.get();
    if (tokens_dir_.empty()) {
      *exit_code = Fail(kExitUsage,
                        "demo load: --tokens-dir is needed to act as the demo "
                        "certifiers, firms and regulators");
      return nullptr;
    }
    absl::StatusOr<std::string> token =
        client::ReadFile(absl::StrCat(tokens_dir_, "/", organisation_id, ".token"));
    if (!token.ok()) {
      *exit_code = Fail("demo load", token.status());
      return nullptr;
    }
    client::ConnectionOptions options = admin_.options();
    options.token = std::string(absl::StripAsciiWhitespace(*token));
    auto& connection = connections_[organisation_id];
    connection = std::make_unique<client::Connection>(options);
    return connection.get();
  }

 private:
  const client::Connection& admin_;
  std::string tokens_dir_;
  std::map<std::string, std::unique_ptr<client::Connection>> connections_;
};

// The manifest's inspection of request id `request_id` (the last one); nullptr if none.
const tools::DemoInspection* FindDemoInspection(const tools::DemoManifest& manifest,
                                                const std::string& request_id) {
  const tools::DemoInspection* found = nullptr;
  for (const auto& inspection : manifest.inspections()) {
    if (inspection.inspection().request_id() == request_id) found = &inspection;
  }
  return found;
}

// The registry's inspection of the appeal's request id, as its certifier lists it.
int FetchAppealedInspection(client::Connection& certifier, const tools::DemoAppeal& demo,
                            v1::Inspection* original) {
  v1::ListInspectionsResponse inspections;
  grpc::Status status = FetchAllPages(
      certifier, v1::ListInspectionsRequest(),
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return certifier.inspections().ListInspections(context, r, page);
      },
      &inspections);
  if (!status.ok()) return Fail("demo: appeal", status);
  const v1::Inspection* found = nullptr;
  for (const auto& inspection : inspections.inspections()) {
    if (inspection.request_id() == demo.inspection_request_id()) found = &inspection;
  }
  if (found == nullptr) {
    return Fail(kExitNotFound, absl::StrCat("demo: appeal: inspection ",
                                            demo.inspection_request_id(), " not loaded"));
  }
  *original = *found;
  return kExitOk;
}

// Sets *appealed when the inspection has an appeal already.
int CheckAppealed(client::Connection& admin, const std::string& inspection_id, bool* appealed) {
  v1::ListAppealsRequest earlier_request;
  earlier_request.set_inspection_id(inspection_id);
  v1::ListAppealsResponse earlier;
  grpc::Status status =
      admin.appeals().ListAppeals(admin.NewContext().get(), earlier_request, &earlier);
  if (!status.ok()) return Fail("demo: appeals", status);
  *appealed = earlier.appeals_size() > 0;
  return kExitOk;
}

// The firm files the appeal, ADMIN assigns it, the assignee resolves it by re-inspecting.
int FileAssignResolve(client::Connection& admin, client::Connection& firm,
                      client::Connection& assignee, const v1::Inspection& original,
                      const tools::DemoAppeal& demo) {
  v1::FileAppealRequest file;
  file.set_inspection_id(original.id());
  file.set_grounds(demo.grounds());
  v1::Appeal appeal;
  grpc::Status status = firm.appeals().FileAppeal(firm.NewContext().get(), file, &appeal);
  if (!status.ok()) return Fail("demo: appeal file", status);
  v1::AssignAppealRequest assign;
  assign.set_appeal_id(appeal.id());
  assign.set_certifier_id(demo.assigned_certifier_id());
  status = admin.appeals().AssignAppeal(admin.NewContext().get(), assign, &appeal);
  if (!status.ok()) return Fail("demo: appeal assign", status);
  v1::ResolveAppealRequest resolve;
  resolve.set_appeal_id(appeal.id());
  v1::Inspection* reinspection = resolve.mutable_reinspection();
  *reinspection = demo.reinspection();
  reinspection->set_site_id(original.site_id());
  reinspection->set_lot_id(original.lot_id());
  reinspection->set_standard_id(original.standard_id());
  reinspection->set_standard_version(original.standard_version());
  *reinspection->mutable_stages() = original.stages();
  *reinspection->mutable_inspection_date() = domain::ToProto(absl::Now());
  status = assignee.appeals().ResolveAppeal(assignee.NewContext().get(), resolve, &appeal);
  if (!status.ok()) return Fail("demo: appeal resolve", status);
  return kExitOk;
}

// Takes a demo inspection through appeal: the firm files, ADMIN assigns, the assigned
// certifier re-inspects. Skipped when the inspection was appealed already.
int LoadAppeal(client::Connection& admin, Actors& actors, const tools::DemoManifest& manifest,
               const tools::DemoAppeal& demo) {
  const tools::DemoInspection* appealed =
      FindDemoInspection(manifest, demo.inspection_request_id());
  if (appealed == nullptr) {
    return Fail(kExitInvalid,
                absl::StrCat("demo: appeal of unknown inspection ", demo.inspection_request_id()));
  }
  int exit_code = kExitOk;
  client::Connection* certifier = actors.As(appealed->certifier_id(), &exit_code);
  if (certifier == nullptr) return exit_code;
  v1::Inspection original;
  if (int code = FetchAppealedInspection(*certifier, demo, &original); code != kExitOk) {
    return code;
  }
  bool appealed_already = false;
  if (int code = CheckAppealed(admin, original.id(), &appealed_already); code != kExitOk) {
    return code;
  }
  if (appealed_already) return kExitOk;

  client::Connection* firm = actors.As(original.firm_id(), &exit_code);
  client::Connection* assignee = actors.As(demo.assigned_certifier_id(), &exit_code);
  if (firm == nullptr || assignee == nullptr) return exit_code;
  return FileAssignResolve(admin, *firm, *assignee, original, demo);
}

// Reads and parses the demo manifest.
int ReadManifest(const std::string& path, tools::DemoManifest* manifest) {
  absl::StatusOr<std::string> text = client::ReadFile(path);
  if (!text.ok()) return Fail("demo load", text.status());
  const auto parsed = google::protobuf::util::JsonStringToMessage(*text, manifest);
  if (!parsed.ok()) {
    return Fail(kExitInvalid, absl::StrCat(path, ": not a demo manifest: ", parsed.ToString()));
  }
  return kExitOk;
}

// Creates the tokens directory, if one is given.
int CreateTokensDir(const std::string& tokens_dir) {
  if (!tokens_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(tokens_dir, error);
    if (error) return Fail(kExitError, absl::StrCat("cannot create ", tokens_dir));
  }
  return kExitOk;
}

// Loads every organisation, counting them on a terminal, and says how many are present.
int LoadOrganisations(client::Connection& connection, const tools::DemoManifest& manifest,
                      const std::string& tokens_dir) {
  int count = 0;
  const bool interactive = ::isatty(STDERR_FILENO) == 1;
  for (const auto& organisation : manifest.organisations()) {
    if (int code = LoadOrganisation(connection, organisation, tokens_dir); code != 0) {
      return code;
    }
    ++count;
    if (interactive) {
      std::cerr << "\rdemo: organisations " << count << "/" << manifest.organisations_size()
                << std::flush;
    }
  }
  std::cerr << (interactive ? "\n" : "") << "demo: " << count << " organisations present\n";
  return kExitOk;
}

// Loads the standard files (beside the manifest) and then the accreditations.
int LoadStandardsAndAccreditations(client::Connection& connection,
                                   const tools::DemoManifest& manifest,
                                   const std::string& manifest_path) {
  const std::filesystem::path base = std::filesystem::path(manifest_path).parent_path();
  for (const auto& standard : manifest.standards()) {
    if (int code = LoadStandard(connection, standard, base); code != 0) return code;
  }
  for (const auto& accreditation : manifest.accreditations()) {
    if (int code = LoadAccreditation(connection, accreditation); code != 0) return code;
  }
  return kExitOk;
}

// Opens the codes file for appending, if one is given.
int OpenCodesFile(const std::string& codes_file, std::unique_ptr<std::ofstream>* codes_out) {
  if (!codes_file.empty()) {
    *codes_out = std::make_unique<std::ofstream>(codes_file, std::ios::app);
    if (!**codes_out) return Fail(kExitError, absl::StrCat("cannot write ", codes_file));
  }
  return kExitOk;
}

// The demo certifiers as actors, each with the request ids it had used when first asked
// for (read once, so that what this run loads does not change it).
class Certifiers {
 public:
  explicit Certifiers(Actors& actors) : actors_(actors) {}

  // The connection acting as certifier `id` and the request ids it has used (nullptr,
  // with *exit_code set, when either cannot be had).
  std::pair<client::Connection*, const std::set<std::string>*> As(const std::string& id,
                                                                  int* exit_code) {
    client::Connection* certifier = actors_.As(id, exit_code);
    if (certifier == nullptr) return {nullptr, nullptr};
    if (!done_.count(id)) {
      absl::StatusOr<std::set<std::string>> requests = DoneRequests(*certifier);
      if (!requests.ok()) {
        *exit_code = Fail("demo load", requests.status());
        return {nullptr, nullptr};
      }
      done_[id] = *std::move(requests);
    }
    return {certifier, &done_[id]};
  }

 private:
  Actors& actors_;
  std::map<std::string, std::set<std::string>> done_;
};

// Loads the inspections and then the audit series not in the registry yet, each as its
// certifier; counts the new inspections in *loaded.
int LoadCertifierWork(Actors& actors, const tools::DemoManifest& manifest, std::ofstream* codes_out,
                      int* loaded) {
  Certifiers certifiers(actors);
  int exit_code = kExitOk;
  for (const auto& inspection : manifest.inspections()) {
    const auto [certifier, requests] = certifiers.As(inspection.certifier_id(), &exit_code);
    if (certifier == nullptr) return exit_code;
    if (requests->count(inspection.inspection().request_id())) continue;
    if (int code = LoadInspection(*certifier, inspection, codes_out); code != 0) return code;
    ++*loaded;
  }
  for (const auto& audits : manifest.audits()) {
    const auto [certifier, requests] = certifiers.As(audits.certifier_id(), &exit_code);
    if (certifier == nullptr) return exit_code;
    if (int code = LoadAudits(*certifier, audits, *requests, loaded); code != 0) return code;
  }
  return kExitOk;
}

// Loads the appeals and then the norms, each norm as its regulator.
int LoadAppealsAndNorms(client::Connection& connection, Actors& actors,
                        const tools::DemoManifest& manifest) {
  for (const auto& appeal : manifest.appeals()) {
    if (int code = LoadAppeal(connection, actors, manifest, appeal); code != 0) return code;
  }
  int exit_code = kExitOk;
  for (const auto& norm : manifest.norms()) {
    client::Connection* regulator = actors.As(norm.regulator_id(), &exit_code);
    if (regulator == nullptr) return exit_code;
    if (int code = LoadNorm(*regulator, norm); code != 0) return code;
  }
  return kExitOk;
}

// The closing line on stdout: what the manifest holds and how many inspections were new.
void PrintDemoSummary(const tools::DemoManifest& manifest, int loaded) {
  std::cout << "demo data loaded: " << manifest.organisations_size() << " organisations, "
            << manifest.standards_size() << " standard files, " << manifest.accreditations_size()
            << " accreditations, " << manifest.inspections_size() << " inspections and "
            << manifest.audits_size() << " audit series (" << loaded << " new inspections), "
            << manifest.appeals_size() << " appeals, " << manifest.norms_size() << " norms\n";
}

// demo load: every kind of demo data in turn, each left as it is when it exists already.
int LoadDemo(client::Connection& connection, const Cli&, const DemoOptions& options) {
  tools::DemoManifest manifest;
  if (int code = ReadManifest(options.manifest, &manifest); code != kExitOk) return code;
  if (int code = CreateTokensDir(options.tokens_dir); code != kExitOk) return code;
  if (int code = LoadOrganisations(connection, manifest, options.tokens_dir); code != kExitOk) {
    return code;
  }
  if (int code = LoadStandardsAndAccreditations(connection, manifest, options.manifest);
      code != kExitOk) {
    return code;
  }
  Actors actors(connection, options.tokens_dir);
  std::unique_ptr<std::ofstream> codes_out;
  if (int code = OpenCodesFile(options.codes_file, &codes_out); code != kExitOk) return code;
  int loaded = 0;
  if (int code = LoadCertifierWork(actors, manifest, codes_out.get(), &loaded); code != kExitOk) {
    return code;
  }
  if (int code = LoadAppealsAndNorms(connection, actors, manifest); code != kExitOk) return code;
  PrintDemoSummary(manifest, loaded);
  return kExitOk;
}

}  // namespace

void AddDemoCommands(CLI::App& app, Cli& cli) {
  CLI::App* demo = app.add_subcommand("demo", "the demo data set");
  demo->require_subcommand(1);
  auto options = std::make_shared<DemoOptions>();
  CLI::App* load = demo->add_subcommand(
      "load", "load the demo organisations, sites, tokens and standards (ADMIN; idempotent)");
  load->add_option("--manifest", options->manifest, "the demo manifest")->capture_default_str();
  load->add_option("--codes-file", options->codes_file,
                   "append the codes of the seals issued to this file");
  load->add_option("--tokens-dir", options->tokens_dir,
                   "write a token per demo organisation here (ORG.token, mode 0600)");
  OnRun(load, cli, options, LoadDemo);
}

}  // namespace sello::cli
