// sello site create|show|list|certified.
#include <CLI/CLI.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/cli.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {

namespace {

int ShowSite(const Cli& cli, const v1::Site& site) {
  cli.printer().Print(site, [&] {
    PrintFields({{"id", site.id()},
                 {"firm", site.firm_id()},
                 {"type", site.type()},
                 {"name", site.name()},
                 {"region", site.region()},
                 {"registration", site.registration_code()},
                 {"created", ShowTime(site.create_time())}});
  });
  return kExitOk;
}

struct SiteCreateOptions {
  std::string id, firm, type, name, region, registration;
};

int SiteCreate(client::Connection& connection, const Cli& cli, const SiteCreateOptions& options) {
  v1::CreateSiteRequest request;
  request.set_site_id(options.id);
  v1::Site* site = request.mutable_site();
  site->set_firm_id(options.firm);
  site->set_type(options.type);
  site->set_name(options.name);
  site->set_region(options.region);
  site->set_registration_code(options.registration);
  v1::Site response;
  grpc::Status status =
      connection.organisations().CreateSite(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("site create", status);
  return ShowSite(cli, response);
}

void AddSiteCreate(CLI::App* site, Cli& cli) {
  auto options = std::make_shared<SiteCreateOptions>();
  CLI::App* create = site->add_subcommand("create", "register a firm's site (ADMIN)");
  create->add_option("--firm", options->firm, "the firm's organisation id")->required();
  create
      ->add_option("--type", options->type,
                   "site type, e.g. farming_centre, hatchery, processing_plant")
      ->required();
  create->add_option("--name", options->name, "name")->required();
  create->add_option("--region", options->region, "region, e.g. Los Lagos")->required();
  create->add_option("--registration-code", options->registration, "official registration code")
      ->required();
  create->add_option("--id", options->id, "the id to give it (default: chosen by the server)");
  OnRun(create, cli, options, SiteCreate);
}

struct SiteShowOptions {
  std::string id;
};

int SiteShow(client::Connection& connection, const Cli& cli, const SiteShowOptions& options) {
  v1::GetSiteRequest request;
  request.set_site_id(options.id);
  v1::Site response;
  grpc::Status status =
      connection.organisations().GetSite(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("site show", status);
  return ShowSite(cli, response);
}

void AddSiteShow(CLI::App* site, Cli& cli) {
  auto options = std::make_shared<SiteShowOptions>();
  CLI::App* show = site->add_subcommand("show", "show one site");
  show->add_option("id", options->id, "site id")->required();
  OnRun(show, cli, options, SiteShow);
}

struct SiteListOptions {
  std::string firm;
};

int SiteList(client::Connection& connection, const Cli& cli, const SiteListOptions& options) {
  v1::ListSitesRequest request;
  request.set_firm_id(options.firm);
  v1::ListSitesResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.organisations().ListSites(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("site list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "firm", "type", "name", "region", "registration"});
    for (const auto& site : all.sites()) {
      table.AddRow({site.id(), site.firm_id(), site.type(), site.name(), site.region(),
                    site.registration_code()});
    }
    table.Print();
  });
  return kExitOk;
}

void AddSiteList(CLI::App* site, Cli& cli) {
  auto options = std::make_shared<SiteListOptions>();
  CLI::App* list = site->add_subcommand("list", "list sites (a FIRM sees its own)");
  list->add_option("--firm", options->firm, "only this firm's sites");
  OnRun(list, cli, options, SiteList);
}

struct SiteCertifiedOptions {
  std::string standard, region, type;
  v1::Grade grade = v1::GRADE_UNSPECIFIED;
};

int SiteCertified(client::Connection& connection, const Cli& cli,
                  const SiteCertifiedOptions& options) {
  v1::ListCertifiedSitesRequest request;
  request.set_standard_id(options.standard);
  request.set_min_grade(options.grade);
  request.set_region(options.region);
  request.set_site_type(options.type);
  v1::ListCertifiedSitesResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.inspections().ListCertifiedSites(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("site certified", status);
  cli.printer().Print(all, [&] {
    Table table(
        {"site", "name", "type", "region", "firm", "standard", "grade", "inspected", "certifier"});
    for (const v1::CertifiedSite& s : all.sites()) {
      for (const v1::SiteCertification& c : s.certifications()) {
        table.AddRow({s.site_id(), s.site_name(), s.site_type(), s.region(), s.firm_name(),
                      absl::StrCat(c.standard_id(), "@", c.standard_version()),
                      v1::Grade_Name(c.grade()), Day(c.inspection_date()), c.certifier_id()});
      }
    }
    table.Print();
  });
  return kExitOk;
}

void AddSiteCertified(CLI::App* site, Cli& cli) {
  auto options = std::make_shared<SiteCertifiedOptions>();
  // Not "site register": that reads as registering a site (which `site create` does).
  CLI::App* certified = site->add_subcommand(
      "certified",
      "the public register of certified sites (no token needed): each site's current "
      "certification per standard, as `inspect status` computes it; only what passed, "
      "never a failure");
  certified->add_option("--standard", options->standard, "only this standard, e.g. CSCS");
  certified->add_option("--grade", options->grade, "at least this grade")
      ->transform(CLI::CheckedTransformer(GradeNames(), CLI::ignore_case));
  certified->add_option("--region", options->region, "only this region, e.g. \"Los Lagos\"");
  certified->add_option("--type", options->type,
                        "only this site type, e.g. processing_plant, farming_centre");
  OnRun(certified, cli, options, SiteCertified);
}

}  // namespace

void AddSiteCommands(CLI::App& app, Cli& cli) {
  CLI::App* site = app.add_subcommand("site", "sites of firms: farming centres, plants, ...");
  site->require_subcommand(1);
  AddSiteCreate(site, cli);
  AddSiteShow(site, cli);
  AddSiteList(site, cli);
  AddSiteCertified(site, cli);
}

}  // namespace sello::cli
