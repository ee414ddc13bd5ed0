// sello norm adopt|repeal|show|list.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/util/json_util.h"

namespace sello::cli {

namespace {

int ShowNorm(const Cli& cli, const v1::Norm& norm) {
  cli.printer().Print(norm, [&] {
    PrintFields({{"id", norm.id()},
                 {"title", norm.title()},
                 {"regulator", norm.regulator_id()},
                 {"standard", absl::StrCat(norm.standard_id(), "@", norm.standard_version())},
                 {"site types", absl::StrJoin(norm.scope().site_types(), ", ")},
                 {"region", norm.scope().region()},
                 {"effective from", Day(norm.effective_from())},
                 {"transition end", Day(norm.transition_end())},
                 {"validity", absl::StrCat(norm.validity_days(), " days")},
                 {"required stages", norm.required_stages().empty()
                                         ? "every stage of the version"
                                         : absl::StrJoin(norm.required_stages(), ", ")},
                 {"status", v1::Norm::Status_Name(norm.status())},
                 {"repealed", ShowTime(norm.repeal_time())},
                 {"reason", norm.repeal_reason()},
                 {"standard withdrawn",
                  norm.has_standard_withdrawn()
                      ? absl::StrCat(absl::StrCat(norm.standard_id(), "@", norm.standard_version()),
                                     " WITHDRAWN on ", ShowTime(norm.standard_withdrawn().time()),
                                     " (", norm.standard_withdrawn().reason(),
                                     "): repeal this norm or adopt another version")
                      : ""}});
  });
  return kExitOk;
}

struct NormAdoptOptions {
  std::string version, title, region, effective, transition;
  std::vector<std::string> site_types, stages;
  uint32_t validity_days = 365;
};

int NormAdopt(client::Connection& connection, const Cli& cli, const NormAdoptOptions& options) {
  v1::AdoptNormRequest request;
  v1::Norm* n = request.mutable_norm();
  std::vector<std::string> ref = absl::StrSplit(options.version, absl::MaxSplits('@', 1));
  uint32_t number = 0;
  if (ref.size() != 2 || !absl::SimpleAtoi(ref[1], &number)) {
    return Fail(kExitUsage, "--standard: give the exact version, e.g. CSCS@2");
  }
  n->set_standard_id(ref[0]);
  n->set_standard_version(number);
  n->set_title(options.title);
  for (const auto& type : options.site_types) n->mutable_scope()->add_site_types(type);
  for (const auto& stage : options.stages) n->add_required_stages(stage);
  n->mutable_scope()->set_region(options.region);
  n->set_validity_days(options.validity_days);
  int exit_code = kExitOk;
  if (!ParseDateFlag("--effective-from", options.effective, n->mutable_effective_from(),
                     &exit_code) ||
      !ParseDateFlag("--transition-end", options.transition, n->mutable_transition_end(),
                     &exit_code)) {
    return exit_code;
  }
  v1::Norm response;
  grpc::Status status =
      connection.norms().AdoptNorm(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("norm adopt", status);
  return ShowNorm(cli, response);
}

void AddNormAdopt(CLI::App* norm, Cli& cli) {
  auto options = std::make_shared<NormAdoptOptions>();
  CLI::App* adopt =
      norm->add_subcommand("adopt", "adopt a PUBLISHED standard version as a norm (REGULATOR)");
  adopt->add_option("--standard", options->version, "the exact version, ID@N")->required();
  adopt->add_option("--title", options->title, "the norm's title")->required();
  adopt
      ->add_option("--site-type", options->site_types,
                   "site types it applies to (repeatable, e.g. processing_plant)")
      ->required();
  adopt->add_option("--region", options->region, "only sites in this region");
  adopt->add_option("--effective-from", options->effective, "YYYY-MM-DD")->required();
  adopt->add_option("--transition-end", options->transition,
                    "until then older versions of the standard are still accepted");
  adopt
      ->add_option("--validity-days", options->validity_days,
                   "how long a passing inspection satisfies it")
      ->capture_default_str();
  adopt
      ->add_option("--stage", options->stages,
                   "a stage a site must pass (repeatable, or comma-separated; default: every "
                   "stage of the version). For each, the site's newest current inspection "
                   "covering it, a plant audit or of one of its lots, decides")
      ->delimiter(',');
  OnRun(adopt, cli, options, NormAdopt);
}

struct NormRepealOptions {
  std::string id, reason;
};

int NormRepeal(client::Connection& connection, const Cli& cli, const NormRepealOptions& options) {
  v1::RepealNormRequest request;
  request.set_norm_id(options.id);
  request.set_reason(options.reason);
  v1::Norm response;
  grpc::Status status =
      connection.norms().RepealNorm(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("norm repeal", status);
  return ShowNorm(cli, response);
}

void AddNormRepeal(CLI::App* norm, Cli& cli) {
  auto options = std::make_shared<NormRepealOptions>();
  CLI::App* repeal = norm->add_subcommand("repeal", "repeal a norm (its REGULATOR)");
  repeal->add_option("id", options->id, "norm id")->required();
  repeal->add_option("--reason", options->reason, "why")->required();
  OnRun(repeal, cli, options, NormRepeal);
}

struct NormShowOptions {
  std::string id;
};

int NormShow(client::Connection& connection, const Cli& cli, const NormShowOptions& options) {
  v1::GetNormRequest request;
  request.set_norm_id(options.id);
  v1::Norm response;
  grpc::Status status =
      connection.norms().GetNorm(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("norm show", status);
  return ShowNorm(cli, response);
}

void AddNormShow(CLI::App* norm, Cli& cli) {
  auto options = std::make_shared<NormShowOptions>();
  CLI::App* show = norm->add_subcommand("show", "show a norm and the version it adopted");
  show->add_option("id", options->id, "norm id")->required();
  OnRun(show, cli, options, NormShow);
}

int NormList(client::Connection& connection, const Cli& cli) {
  v1::ListNormsResponse all;
  grpc::Status status = FetchAllPages(
      connection, v1::ListNormsRequest(),
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.norms().ListNorms(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("norm list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "standard", "title", "site types", "effective", "status"});
    for (const auto& n : all.norms()) {
      table.AddRow({n.id(), absl::StrCat(n.standard_id(), "@", n.standard_version()), n.title(),
                    absl::StrJoin(n.scope().site_types(), ","), Day(n.effective_from()),
                    v1::Norm::Status_Name(n.status())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddNormList(CLI::App* norm, Cli& cli) {
  CLI::App* list = norm->add_subcommand("list", "list norms (public)");
  OnRun(list, cli, NormList);
}

}  // namespace

void AddNormCommands(CLI::App& app, Cli& cli) {
  CLI::App* norm = app.add_subcommand("norm", "mandatory norms adopted by regulators");
  norm->require_subcommand(1);
  AddNormAdopt(norm, cli);
  AddNormRepeal(norm, cli);
  AddNormShow(norm, cli);
  AddNormList(norm, cli);
}

}  // namespace sello::cli
