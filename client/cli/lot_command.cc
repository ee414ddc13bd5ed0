// sello lot create|show|list, and the stage table of lots and inspections.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {

namespace {

// "PASS GRADE_I", "FAIL", "not inspected".
std::string StageResult(const v1::StageCertification& stage) {
  if (stage.outcome() == v1::Inspection::PASS) {
    return absl::StrCat("PASS ", v1::Grade_Name(stage.grade()));
  }
  if (stage.outcome() == v1::Inspection::FAIL) return "FAIL";
  return "not inspected";
}

}  // namespace

// Each stage: whether a seal requires it (lots), its result and the inspection deciding it.
void PrintStages(const google::protobuf::RepeatedPtrField<v1::StageCertification>& stages,
                 bool lot) {
  std::vector<std::string> header = {"stage",   "result",    "inspection",
                                     "version", "inspected", "certifier"};
  if (lot) header.insert(header.begin() + 1, "sealed");
  Table table(header);
  for (const v1::StageCertification& stage : stages) {
    std::vector<std::string> row = {
        stage.stage_id(),
        StageResult(stage),
        stage.inspection_id(),
        stage.standard_version() > 0 ? absl::StrCat("@", stage.standard_version()) : "",
        Day(stage.inspection_date()),
        stage.certifier_id()};
    if (lot) row.insert(row.begin() + 1, stage.required() ? "required" : "");
    table.AddRow(row);
  }
  table.Print();
}

namespace {

int ShowLot(const Cli& cli, const v1::Lot& lot) {
  cli.printer().Print(lot, [&] {
    PrintFields({{"id", lot.id()},
                 {"firm", lot.firm_id()},
                 {"site", lot.site_id()},
                 {"product", lot.product_form()},
                 {"harvested", Day(lot.harvest_date())},
                 {"boxes", absl::StrCat(lot.box_count())},
                 {"seals issued", absl::StrCat(lot.seals_issued())},
                 {"registered by", lot.created_by()}});
    // Only GetLot computes certifications; a lot just created has none yet.
    for (const v1::Certification& c : lot.certifications()) {
      std::string status = v1::Certification::Status_Name(c.status());
      if (c.status() == v1::Certification::CERTIFIED) {
        absl::StrAppend(&status, " ", v1::Grade_Name(c.grade()));
      }
      std::cout << "\ncertification " << c.standard_id() << "@" << c.standard_version() << ": "
                << status << "\n  " << c.detail() << "\n";
      PrintStages(c.stages(), /*lot=*/true);
    }
  });
  return kExitOk;
}

struct LotCreateOptions {
  std::string site, product, harvested;
  uint32_t boxes = 0;
};

int LotCreate(client::Connection& connection, const Cli& cli, const LotCreateOptions& options) {
  v1::CreateLotRequest request;
  request.mutable_lot()->set_site_id(options.site);
  request.mutable_lot()->set_product_form(options.product);
  request.mutable_lot()->set_box_count(options.boxes);
  int exit_code = kExitOk;
  if (!ParseDateFlag("--harvest-date", options.harvested,
                     request.mutable_lot()->mutable_harvest_date(), &exit_code)) {
    return exit_code;
  }
  v1::Lot response;
  grpc::Status status =
      connection.inspections().CreateLot(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("lot create", status);
  return ShowLot(cli, response);
}

void AddLotCreate(CLI::App* lot, Cli& cli) {
  auto options = std::make_shared<LotCreateOptions>();
  CLI::App* create =
      lot->add_subcommand("create", "register a lot (its FIRM, or a CERTIFIER inspecting it)");
  create->add_option("--site", options->site, "the site it comes from")->required();
  create->add_option("--product-form", options->product, "e.g. 'fresh whole', 'frozen fillet'")
      ->required();
  create->add_option("--harvest-date", options->harvested, "YYYY-MM-DD")->required();
  create->add_option("--boxes", options->boxes, "number of boxes")->required();
  OnRun(create, cli, options, LotCreate);
}

struct LotShowOptions {
  std::string id;
};

int LotShow(client::Connection& connection, const Cli& cli, const LotShowOptions& options) {
  v1::GetLotRequest request;
  request.set_lot_id(options.id);
  v1::Lot response;
  grpc::Status status =
      connection.inspections().GetLot(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("lot show", status);
  return ShowLot(cli, response);
}

void AddLotShow(CLI::App* lot, Cli& cli) {
  auto options = std::make_shared<LotShowOptions>();
  CLI::App* show = lot->add_subcommand(
      "show",
      "show a lot and its certification per standard, computed now from all its current "
      "inspections: per stage the newest one covering it decides; the lot is FAILED when "
      "any stage fails, UNCERTIFIED while a stage its seals require is not covered, else "
      "CERTIFIED at its worst stage's grade");
  show->add_option("id", options->id, "lot id")->required();
  OnRun(show, cli, options, LotShow);
}

struct LotListOptions {
  std::string site, firm;
};

int LotList(client::Connection& connection, const Cli& cli, const LotListOptions& options) {
  v1::ListLotsRequest request;
  request.set_site_id(options.site);
  request.set_firm_id(options.firm);
  v1::ListLotsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.inspections().ListLots(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("lot list", status);
  cli.printer().Print(all, [&] {
    Table table({"id", "firm", "site", "product", "harvested", "boxes", "sealed"});
    for (const auto& l : all.lots()) {
      table.AddRow({l.id(), l.firm_id(), l.site_id(), l.product_form(), Day(l.harvest_date()),
                    absl::StrCat(l.box_count()), absl::StrCat(l.seals_issued())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddLotList(CLI::App* lot, Cli& cli) {
  auto options = std::make_shared<LotListOptions>();
  CLI::App* list = lot->add_subcommand("list", "list lots (a FIRM sees its own)");
  list->add_option("--site", options->site, "only this site's");
  list->add_option("--firm", options->firm, "only this firm's");
  OnRun(list, cli, options, LotList);
}

}  // namespace

void AddLotCommands(CLI::App& app, Cli& cli) {
  CLI::App* lot = app.add_subcommand("lot", "production lots");
  lot->require_subcommand(1);
  AddLotCreate(lot, cli);
  AddLotShow(lot, cli);
  AddLotList(lot, cli);
}

}  // namespace sello::cli
