// sello standard push|publish|withdraw|show|list|versions|diff|lint.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/standard_diff.h"
#include "daemon/domain/standard_rules.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/struct.pb.h"

namespace sello::cli {
namespace {

struct VersionRef {
  std::string standard_id;
  uint32_t version = 0;  // 0: the published one
};

// "CSCS" or "CSCS@2".
absl::StatusOr<VersionRef> ParseRef(absl::string_view text, bool version_required) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('@', 1));
  VersionRef ref{parts[0], 0};
  if (ref.standard_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "': no standard id"));
  }
  if (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &ref.version) || ref.version == 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': the version after '@' must be a number >= 1"));
  }
  if (version_required && ref.version == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': say which version, e.g. ", ref.standard_id, "@1"));
  }
  return ref;
}

std::string StatusName(v1::StandardVersion::Status status) {
  return v1::StandardVersion::Status_Name(status);
}

std::string Number(double value) { return absl::StrFormat("%g", value); }

std::string RangeText(const v1::GradeRange& range) {
  if (range.has_min() && range.has_max()) {
    return absl::StrCat(Number(range.min()), "..", Number(range.max()));
  }
  if (range.has_max()) return absl::StrCat("<=", Number(range.max()));
  if (range.has_min()) return absl::StrCat(">=", Number(range.min()));
  return "-";
}

std::string RuleText(const v1::Criterion& criterion) {
  std::vector<std::string> parts;
  if (criterion.kind() == v1::Criterion::NUMERIC) {
    parts.push_back(absl::StrCat("P ", RangeText(criterion.grades().premium()), " | I ",
                                 RangeText(criterion.grades().grade_i()), " | Ind ",
                                 RangeText(criterion.grades().industrial()), " ",
                                 criterion.unit()));
  } else {
    parts.push_back("pass/fail");
  }
  if (criterion.critical()) parts.push_back("critical");
  if (criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
    parts.push_back(absl::StrCat("fail caps at ", v1::Grade_Name(criterion.caps_at())));
  }
  return absl::StrJoin(parts, ", ");
}

// "12 seals suspended" / "seals kept valid", for a WITHDRAWN version.
std::string WithdrawnSealsText(const v1::StandardVersion& version) {
  switch (version.withdraw_seals()) {
    case v1::SUSPEND_SEALS:
      return absl::StrCat(version.seals_suspended(), " seals suspended");
    case v1::KEEP_SEALS:
      return "seals kept valid";
    default:
      return "";
  }
}

void PrintVersion(const v1::StandardVersion& version) {
  PrintFields(
      {{"standard", version.standard_id()},
       {"version", absl::StrCat(version.version())},
       {"status", StatusName(version.status())},
       {"title", version.title()},
       {"description", version.description()},
       {"seal validity", version.seal_validity_days() > 0
                             ? absl::StrCat(version.seal_validity_days(), " days")
                             : "no expiry"},
       {"sealed stages", version.sealed_stages().empty()
                             ? "every stage"
                             : absl::StrJoin(version.sealed_stages(), ", ")},
       {"published", ShowTime(version.publish_time())},
       {"superseded by", version.superseded_by() > 0
                             ? absl::StrCat(version.standard_id(), "@", version.superseded_by())
                             : ""},
       {"cessation", ShowTime(version.cessation_time())},
       {"withdrawn", ShowTime(version.withdraw_time())},
       {"reason", version.withdraw_reason()},
       {"seals", WithdrawnSealsText(version)},
       {"norms marked", absl::StrJoin(version.marked_norm_ids(), ", ")}});
  for (const auto& stage : version.stages()) {
    std::cout << "\nstage " << stage.id() << ": " << stage.name() << "\n";
    Table table({"criterion", "name", "kind", "rule"});
    for (const auto& criterion : stage.criteria()) {
      table.AddRow({criterion.id(), criterion.name(),
                    criterion.kind() == v1::Criterion::NUMERIC ? "numeric" : "boolean",
                    RuleText(criterion)});
    }
    table.Print();
  }
}

// A version from a file path (when it exists) or from the server (ID or ID@N).
absl::StatusOr<v1::StandardVersion> Resolve(client::Connection* connection,
                                            const std::string& spec) {
  if (std::filesystem::exists(spec)) return client::LoadStandardFile(spec);
  absl::StatusOr<VersionRef> ref = ParseRef(spec, false);
  if (!ref.ok()) return ref.status();
  v1::GetStandardVersionRequest request;
  request.set_standard_id(ref->standard_id);
  request.set_version(ref->version);
  v1::StandardVersion response;
  grpc::Status status = connection->standards().GetStandardVersion(connection->NewContext().get(),
                                                                   request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return response;
}

std::string Label(const v1::StandardVersion& version, const std::string& spec) {
  if (std::filesystem::exists(spec)) return spec;
  return absl::StrCat(version.standard_id(), "@", version.version());
}

constexpr absl::string_view kChangeKinds[] = {"added", "removed", "changed"};

// The diff as JSON: {from, to, header, stages, criteria: [{criterion, stage, change, details}]}.
google::protobuf::Struct DiffJson(const std::string& from_label, const std::string& to_label,
                                  const domain::StandardDiff& diff) {
  google::protobuf::Struct out;
  auto& fields = *out.mutable_fields();
  fields["from"].set_string_value(from_label);
  fields["to"].set_string_value(to_label);
  for (const auto& line : diff.header) {
    fields["header"].mutable_list_value()->add_values()->set_string_value(line);
  }
  fields["header"].mutable_list_value();
  fields["stages"].mutable_list_value();
  for (const auto& line : diff.stages) {
    fields["stages"].mutable_list_value()->add_values()->set_string_value(line);
  }
  auto* criteria = fields["criteria"].mutable_list_value();
  for (const auto& change : diff.criteria) {
    auto& item = *criteria->add_values()->mutable_struct_value()->mutable_fields();
    item["criterion"].set_string_value(change.criterion_id);
    item["stage"].set_string_value(change.stage_id);
    item["change"].set_string_value(std::string(kChangeKinds[static_cast<int>(change.kind)]));
    auto* details = item["details"].mutable_list_value();
    for (const auto& detail : change.details) details->add_values()->set_string_value(detail);
  }
  return out;
}

// The diff for people: "--- from", "+++ to", then a line per change.
void ShowDiff(const std::string& from_label, const std::string& to_label,
              const domain::StandardDiff& diff) {
  std::cout << "--- " << from_label << "\n+++ " << to_label << "\n";
  if (diff.empty()) {
    std::cout << "no differences\n";
    return;
  }
  for (const auto& line : diff.header) std::cout << "  " << line << "\n";
  for (const auto& line : diff.stages) std::cout << "  " << line << "\n";
  for (const auto& change : diff.criteria) {
    static constexpr absl::string_view kMarks[] = {"+", "-", "~"};
    std::cout << kMarks[static_cast<int>(change.kind)] << " " << change.criterion_id << " ("
              << change.stage_id << ") " << kChangeKinds[static_cast<int>(change.kind)] << "\n";
    for (const auto& detail : change.details) std::cout << "    " << detail << "\n";
  }
}

int PrintDiff(const Cli& cli, const std::string& from_label, const std::string& to_label,
              const domain::StandardDiff& diff) {
  cli.printer().Print(DiffJson(from_label, to_label, diff),
                      [&] { ShowDiff(from_label, to_label, diff); });
  return kExitOk;
}

struct StandardPushOptions {
  std::vector<std::string> files;
  bool validate_only = false;
};

int StandardPush(client::Connection& connection, const Cli& cli,
                 const StandardPushOptions& options) {
  int worst = kExitOk;
  for (const std::string& file : options.files) {
    absl::StatusOr<v1::StandardVersion> content = client::LoadStandardFile(file);
    if (!content.ok()) {
      worst = std::max(worst, Fail("standard push", content.status()));
      continue;
    }
    v1::PushStandardVersionRequest request;
    *request.mutable_version() = *std::move(content);
    request.set_source_name(file);
    request.set_validate_only(options.validate_only);
    v1::StandardVersion response;
    grpc::Status status = connection.standards().PushStandardVersion(connection.NewContext().get(),
                                                                     request, &response);
    if (!status.ok()) {
      worst = std::max(worst, Fail("standard push", status));
      continue;
    }
    cli.printer().Print(response, [&] {
      std::cout << file << ": " << (options.validate_only ? "valid as " : "pushed ")
                << response.standard_id() << "@" << response.version() << " ("
                << StatusName(response.status()) << ")\n";
    });
  }
  return worst;
}

void AddStandardPush(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardPushOptions>();
  CLI::App* push = standard->add_subcommand(
      "push",
      "push standard files as DRAFT versions (ADMIN); each file as a whole or not at all. "
      "A file's sealedStages names the stages a seal requires (default: every stage)");
  push->add_option("files", options->files, "standard files (.json, or .textproto)")->required();
  push->add_flag("--validate-only", options->validate_only,
                 "have the server check the files without storing them");
  OnRun(push, cli, options, StandardPush);
}

struct StandardPublishOptions {
  std::string ref, cessation;
};

int StandardPublish(client::Connection& connection, const Cli& cli,
                    const StandardPublishOptions& options) {
  absl::StatusOr<VersionRef> ref = ParseRef(options.ref, true);
  if (!ref.ok()) return Fail("standard publish", ref.status());
  v1::PublishStandardVersionRequest request;
  request.set_standard_id(ref->standard_id);
  request.set_version(ref->version);
  if (!options.cessation.empty()) {
    absl::StatusOr<absl::Time> cessation = domain::ParseDateTime(options.cessation);
    if (!cessation.ok()) return Fail("--cessation", cessation.status());
    *request.mutable_previous_cessation_time() = domain::ToProto(*cessation);
  }
  v1::PublishStandardVersionResponse response;
  grpc::Status status = connection.standards().PublishStandardVersion(connection.NewContext().get(),
                                                                      request, &response);
  if (!status.ok()) return Fail("standard publish", status);
  cli.printer().Print(response, [&] {
    std::cout << "published " << options.ref << "\n";
    if (response.has_superseded()) {
      std::cout << "superseded " << response.superseded().standard_id() << "@"
                << response.superseded().version() << ", acceptable until "
                << ShowTime(response.superseded().cessation_time()) << "\n";
    }
  });
  return kExitOk;
}

void AddStandardPublish(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardPublishOptions>();
  CLI::App* publish = standard->add_subcommand(
      "publish", "publish a DRAFT version (ADMIN); the version it replaces is superseded");
  publish->add_option("version", options->ref, "ID@N, e.g. CSCS@2")->required();
  publish->add_option("--cessation", options->cessation,
                      "when the superseded version stops being acceptable (YYYY-MM-DD); "
                      "default 180 days from now");
  OnRun(publish, cli, options, StandardPublish);
}

struct StandardWithdrawOptions {
  std::string ref, reason, seals = "suspend";
};

int StandardWithdraw(client::Connection& connection, const Cli& cli,
                     const StandardWithdrawOptions& options) {
  absl::StatusOr<VersionRef> ref = ParseRef(options.ref, true);
  if (!ref.ok()) return Fail("standard withdraw", ref.status());
  v1::WithdrawStandardVersionRequest request;
  request.set_standard_id(ref->standard_id);
  request.set_version(ref->version);
  request.set_reason(options.reason);
  request.set_seals(options.seals == "keep" ? v1::KEEP_SEALS : v1::SUSPEND_SEALS);
  v1::StandardVersion response;
  grpc::Status status = connection.standards().WithdrawStandardVersion(
      connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("standard withdraw", status);
  cli.printer().Print(response, [&] {
    std::cout << "withdrew " << options.ref << ": " << WithdrawnSealsText(response);
    if (!response.marked_norm_ids().empty()) {
      std::cout << "; norms marked: " << absl::StrJoin(response.marked_norm_ids(), ", ");
    }
    std::cout << "\n";
  });
  return kExitOk;
}

void AddStandardWithdraw(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardWithdrawOptions>();
  CLI::App* withdraw = standard->add_subcommand(
      "withdraw",
      "withdraw a version (ADMIN): in the same write its VALID seals are suspended (unless "
      "--seals keep) and the norms adopting it are marked for their regulators; one public "
      "event, standard_version.withdrawn, names what it did");
  withdraw->add_option("version", options->ref, "ID@N")->required();
  withdraw->add_option("--reason", options->reason, "why it is withdrawn")->required();
  withdraw
      ->add_option("--seals", options->seals,
                   "the version's current seals: suspend (each firm sees its seals' change) "
                   "or keep them valid")
      ->check(CLI::IsMember({"keep", "suspend"}))
      ->capture_default_str();
  OnRun(withdraw, cli, options, StandardWithdraw);
}

struct StandardShowOptions {
  std::string spec;
};

int StandardShow(client::Connection& connection, const Cli& cli,
                 const StandardShowOptions& options) {
  absl::StatusOr<v1::StandardVersion> version = Resolve(&connection, options.spec);
  if (!version.ok()) return Fail("standard show", version.status());
  cli.printer().Print(*version, [&] { PrintVersion(*version); });
  return kExitOk;
}

void AddStandardShow(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardShowOptions>();
  CLI::App* show = standard->add_subcommand("show", "show a version with its criteria");
  show->add_option("version", options->spec, "ID (the published version), ID@N, or a file")
      ->required();
  OnRun(show, cli, options, StandardShow);
}

int StandardList(client::Connection& connection, const Cli& cli) {
  v1::ListStandardsResponse all;
  grpc::Status status = FetchAllPages(
      connection, v1::ListStandardsRequest(),
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.standards().ListStandards(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("standard list", status);
  cli.printer().Print(all, [&] {
    Table table({"standard", "title", "published", "latest"});
    for (const auto& s : all.standards()) {
      table.AddRow({s.id(), s.title(),
                    s.published_version() > 0 ? absl::StrCat("@", s.published_version()) : "-",
                    absl::StrCat("@", s.latest_version())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddStandardList(CLI::App* standard, Cli& cli) {
  CLI::App* list = standard->add_subcommand("list", "list standards");
  OnRun(list, cli, StandardList);
}

struct StandardVersionsOptions {
  std::string id;
};

int StandardVersions(client::Connection& connection, const Cli& cli,
                     const StandardVersionsOptions& options) {
  v1::ListStandardVersionsRequest request;
  request.set_standard_id(options.id);
  v1::ListStandardVersionsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.standards().ListStandardVersions(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("standard versions", status);
  cli.printer().Print(all, [&] {
    Table table({"version", "status", "title", "published", "cessation"});
    for (const auto& v : all.versions()) {
      table.AddRow({absl::StrCat(v.standard_id(), "@", v.version()), StatusName(v.status()),
                    v.title(), ShowTime(v.publish_time()), ShowTime(v.cessation_time())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddStandardVersions(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardVersionsOptions>();
  CLI::App* versions = standard->add_subcommand("versions", "list the versions of a standard");
  versions->add_option("standard", options->id, "standard id")->required();
  OnRun(versions, cli, options, StandardVersions);
}

struct StandardDiffOptions {
  std::string from, to;
};

int StandardDiff(client::Connection& connection, const Cli& cli,
                 const StandardDiffOptions& options) {
  absl::StatusOr<v1::StandardVersion> from = Resolve(&connection, options.from);
  if (!from.ok()) return Fail("standard diff", from.status());
  absl::StatusOr<v1::StandardVersion> to = Resolve(&connection, options.to);
  if (!to.ok()) return Fail("standard diff", to.status());
  return PrintDiff(cli, Label(*from, options.from), Label(*to, options.to),
                   domain::DiffStandardVersions(*from, *to));
}

void AddStandardDiff(CLI::App* standard, Cli& cli) {
  auto options = std::make_shared<StandardDiffOptions>();
  CLI::App* diff =
      standard->add_subcommand("diff", "what changed between two versions, criterion by criterion");
  diff->add_option("from", options->from, "ID@N or a file")->required();
  diff->add_option("to", options->to, "ID@N or a file")->required();
  OnRun(diff, cli, options, StandardDiff);
}

}  // namespace

void AddStandardCommands(CLI::App& app, Cli& cli) {
  CLI::App* standard = app.add_subcommand("standard", "standards: codes of product standards");
  standard->require_subcommand(1);
  AddStandardPush(standard, cli);
  AddStandardPublish(standard, cli);
  AddStandardWithdraw(standard, cli);
  AddStandardShow(standard, cli);
  AddStandardList(standard, cli);
  AddStandardVersions(standard, cli);
  AddStandardDiff(standard, cli);
  {
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* lint = standard->add_subcommand(
        "lint", "check standard files offline with the same rules as the server");
    lint->add_option("files", *files, "standard files")->required();
    lint->callback([&cli, files] {
      cli.run = [files] {
        int worst = kExitOk;
        for (const std::string& file : *files) {
          absl::StatusOr<v1::StandardVersion> content = client::LoadStandardFile(file);
          absl::Status status = content.ok() ? domain::ProblemsToStatus(
                                                   file, domain::ValidateStandardVersion(*content))
                                             : content.status();
          if (!status.ok()) {
            worst = std::max(worst, Fail("standard lint", status));
          } else {
            std::cout << file << ": ok\n";
          }
        }
        return worst;
      };
    });
  }
}

}  // namespace sello::cli
