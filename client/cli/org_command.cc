// sello org create|show|list|join|leave.
#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {

namespace {

std::string KindName(v1::Organisation::Kind kind) {
  return absl::AsciiStrToLower(v1::Organisation::Kind_Name(kind));
}

std::string MembershipText(const v1::Organisation& organisation) {
  if (organisation.kind() != v1::Organisation::FIRM) return "";
  std::vector<std::string> periods;
  for (const auto& period : organisation.membership()) {
    periods.push_back(absl::StrCat(domain::FormatTime(period.since()).substr(0, 10), "..",
                                   domain::FormatTime(period.until()).substr(0, 10)));
  }
  return absl::StrCat(organisation.member() ? "member" : "non-member", periods.empty() ? "" : " (",
                      absl::StrJoin(periods, ", "), periods.empty() ? "" : ")");
}

int ShowOrganisation(const Cli& cli, const v1::Organisation& organisation) {
  cli.printer().Print(organisation, [&] {
    PrintFields({{"id", organisation.id()},
                 {"kind", KindName(organisation.kind())},
                 {"name", organisation.name()},
                 {"country", organisation.country()},
                 {"membership", MembershipText(organisation)},
                 {"created", ShowTime(organisation.create_time())}});
  });
  return kExitOk;
}

}  // namespace

namespace {

const std::map<std::string, v1::Organisation::Kind>& KindNames() {
  static const auto* names = new std::map<std::string, v1::Organisation::Kind>{
      {"association", v1::Organisation::ASSOCIATION},
      {"certifier", v1::Organisation::CERTIFIER},
      {"firm", v1::Organisation::FIRM},
      {"regulator", v1::Organisation::REGULATOR}};
  return *names;
}

void AddMembershipCommand(CLI::App& org, Cli& cli, bool member) {
  struct Options {
    std::string id;
    std::string date;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command =
      member ? org.add_subcommand("join", "make a firm a member of the association")
             : org.add_subcommand("leave", "end a firm's membership of the association");
  command->add_option("id", options->id, "firm id")->required();
  command->add_option(member ? "--since" : "--until", options->date,
                      "date (YYYY-MM-DD or RFC 3339); default now");
  OnRun(command, cli, [&cli, options, member](client::Connection& connection) {
    v1::SetMembershipRequest request;
    request.set_organisation_id(options->id);
    request.set_member(member);
    if (!options->date.empty()) {
      absl::StatusOr<absl::Time> date = domain::ParseDateTime(options->date);
      if (!date.ok()) return Fail(member ? "--since" : "--until", date.status());
      *request.mutable_effective_time() = domain::ToProto(*date);
    }
    v1::Organisation response;
    grpc::Status status =
        connection.organisations().SetMembership(connection.NewContext().get(), request, &response);
    if (!status.ok()) return Fail(member ? "org join" : "org leave", status);
    return ShowOrganisation(cli, response);
  });
}

struct OrgCreateOptions {
  v1::CreateOrganisationRequest request;
  v1::Organisation::Kind kind = v1::Organisation::KIND_UNSPECIFIED;
  std::string name, country = "CL", id;
  bool member = false;
};

int OrgCreate(client::Connection& connection, const Cli& cli, const OrgCreateOptions& options) {
  v1::CreateOrganisationRequest request;
  request.set_organisation_id(options.id);
  request.mutable_organisation()->set_kind(options.kind);
  request.mutable_organisation()->set_name(options.name);
  request.mutable_organisation()->set_country(options.country);
  request.mutable_organisation()->set_member(options.member);
  v1::Organisation response;
  grpc::Status status = connection.organisations().CreateOrganisation(connection.NewContext().get(),
                                                                      request, &response);
  if (!status.ok()) return Fail("org create", status);
  return ShowOrganisation(cli, response);
}

void AddOrgCreate(CLI::App* org, Cli& cli) {
  auto options = std::make_shared<OrgCreateOptions>();
  CLI::App* create = org->add_subcommand("create", "register an organisation (ADMIN)");
  create->add_option("--kind", options->kind, "association, certifier, firm or regulator")
      ->required()
      ->transform(CLI::CheckedTransformer(KindNames(), CLI::ignore_case));
  create->add_option("--name", options->name, "name")->required();
  create->add_option("--country", options->country, "ISO 3166-1 alpha-2 code")
      ->capture_default_str();
  create->add_option("--id", options->id, "the id to give it (default: chosen by the server)");
  create->add_flag("--member", options->member, "firms: a member of the association from now");
  OnRun(create, cli, options, OrgCreate);
}

struct OrgShowOptions {
  std::string id;
};

int OrgShow(client::Connection& connection, const Cli& cli, const OrgShowOptions& options) {
  v1::GetOrganisationRequest request;
  request.set_organisation_id(options.id);
  v1::Organisation response;
  grpc::Status status =
      connection.organisations().GetOrganisation(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("org show", status);
  return ShowOrganisation(cli, response);
}

void AddOrgShow(CLI::App* org, Cli& cli) {
  auto options = std::make_shared<OrgShowOptions>();
  CLI::App* show = org->add_subcommand("show", "show one organisation");
  show->add_option("id", options->id, "organisation id")->required();
  OnRun(show, cli, options, OrgShow);
}

struct OrgListOptions {
  v1::Organisation::Kind kind = v1::Organisation::KIND_UNSPECIFIED;
};

int OrgList(client::Connection& connection, const Cli& cli, const OrgListOptions& options) {
  v1::ListOrganisationsRequest request;
  request.set_kind(options.kind);
  v1::ListOrganisationsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.organisations().ListOrganisations(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("org list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "kind", "name", "country", "membership"});
    for (const auto& organisation : all.organisations()) {
      table.AddRow({organisation.id(), KindName(organisation.kind()), organisation.name(),
                    organisation.country(),
                    organisation.kind() == v1::Organisation::FIRM
                        ? (organisation.member() ? "member" : "non-member")
                        : ""});
    }
    table.Print();
  });
  return kExitOk;
}

void AddOrgList(CLI::App* org, Cli& cli) {
  auto options = std::make_shared<OrgListOptions>();
  CLI::App* list = org->add_subcommand("list", "list organisations");
  list->add_option("--kind", options->kind, "only this kind")
      ->transform(CLI::CheckedTransformer(KindNames(), CLI::ignore_case));
  OnRun(list, cli, options, OrgList);
}

}  // namespace

void AddOrgCommands(CLI::App& app, Cli& cli) {
  CLI::App* org = app.add_subcommand("org",
                                     "organisations: association, certifiers, firms, "
                                     "regulators");
  org->require_subcommand(1);

  AddOrgCreate(org, cli);
  AddOrgShow(org, cli);
  AddOrgList(org, cli);
  AddMembershipCommand(*org, cli, true);
  AddMembershipCommand(*org, cli, false);
}

}  // namespace sello::cli
