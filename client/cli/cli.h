// The `sello` command line (client/cli/): global options, and the hook each command file
// uses to add its subcommands. One file per command group (`sello <group> <verb>`:
// org_command.cc, seal_command.cc, ...); in each, one function per verb over an options
// struct (`SealList(connection, cli, const SealListOptions&)`) and a few lines that
// register its flags (`AddSealList`). Results go through cli.printer() (printer.h), never
// a branch on the output format.
#ifndef SELLO_CLIENT_CLI_CLI_H_
#define SELLO_CLIENT_CLI_CLI_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "client/cli/output.h"
#include "client/cli/printer.h"
#include "client/connection.h"

namespace CLI {
class App;
}

namespace sello::cli {

struct GlobalOptions {
  std::string server = "127.0.0.1:7443";
  std::string token;
  std::string token_file;
  std::string output = "table";
  double timeout_seconds = 30;
  std::string ca_file, cert_file, key_file;
  std::string tls_server_name;
};

// What the parsed command line asks for: the global options and the chosen command.
class Cli {
 public:
  GlobalOptions global;

  // Set by the chosen subcommand's parse callback; returns the exit code.
  std::function<int()> run;

  // The printer -o/--output chose; set once the command line is parsed.
  std::unique_ptr<Printer> output_printer;
  const Printer& printer() const { return *output_printer; }

  // A connection with the global options (token from --token, SELLO_TOKEN or
  // --token-file). Fails (with the message printed) when the token file is unreadable.
  std::unique_ptr<client::Connection> Connect(int* exit_code) const;
};

// The help of --state on every command that checks a proof against the checkpoint the
// client trusts (client::TrustedState).
extern const char kStateHelp[];

// Each file adds one command group.
void AddOrgCommands(CLI::App& app, Cli& cli);
void AddSiteCommands(CLI::App& app, Cli& cli);
void AddTokenCommands(CLI::App& app, Cli& cli);
void AddStandardCommands(CLI::App& app, Cli& cli);
void AddHealthCommand(CLI::App& app, Cli& cli);
void AddDemoCommands(CLI::App& app, Cli& cli);
void AddAuditCommands(CLI::App& app, Cli& cli);
void AddWatchCommand(CLI::App& app, Cli& cli);
void AddAccreditCommands(CLI::App& app, Cli& cli);
void AddLotCommands(CLI::App& app, Cli& cli);
void AddInspectCommands(CLI::App& app, Cli& cli);
void AddSealCommands(CLI::App& app, Cli& cli);
// sello seal labels (label_command.cc), under `seal`.
void AddSealLabelsCommand(CLI::App& seal, Cli& cli);
void AddNormCommands(CLI::App& app, Cli& cli);
void AddComplyCommands(CLI::App& app, Cli& cli);
void AddAppealCommands(CLI::App& app, Cli& cli);
void AddStatsCommands(CLI::App& app, Cli& cli);
void AddAdminCommands(CLI::App& app, Cli& cli);
void AddWitnessCommands(CLI::App& app, Cli& cli);

// The grades as the command line names them: premium, grade_i, industrial (any case, with
// CLI::CheckedTransformer).
const std::map<std::string, v1::Grade>& GradeNames();

// Each stage of a lot's or an inspection's certification: whether a seal requires it
// (lots), its result and the inspection deciding it (lot_command.cc).
void PrintStages(const google::protobuf::RepeatedPtrField<v1::StageCertification>& stages,
                 bool lot);

// Fetches every page of a listing into `all` (repeated fields appended page after
// page). `call(context, request, page)` makes one call.
template <typename Request, typename Response, typename Call>
grpc::Status FetchAllPages(client::Connection& connection, Request request, Call call,
                           Response* all) {
  do {
    Response page;
    grpc::Status status = call(connection.NewContext().get(), request, &page);
    if (!status.ok()) return status;
    all->MergeFrom(page);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  all->clear_next_page_token();
  return grpc::Status::OK;
}

// Sets cli.run to `body` when `command` is chosen. `body` gets a live connection.
void OnRun(CLI::App* command, Cli& cli, std::function<int(client::Connection&)> body);

// One verb: a function of the connection, the parsed command line (its printer) and the
// verb's own options, filled in by CLI11 before it runs.
template <typename Options>
using Verb = int (*)(client::Connection&, const Cli&, const Options&);

// Sets cli.run to `verb(connection, cli, *options)` when `command` is chosen.
template <typename Options>
void OnRun(CLI::App* command, Cli& cli, std::shared_ptr<Options> options, Verb<Options> verb) {
  OnRun(command, cli, [&cli, options = std::move(options), verb](client::Connection& connection) {
    return verb(connection, cli, *options);
  });
}

// Sets cli.run to `verb(connection, cli)` when `command`, a verb without options, is chosen.
void OnRun(CLI::App* command, Cli& cli, int (*verb)(client::Connection&, const Cli&));

}  // namespace sello::cli

#endif  // SELLO_CLIENT_CLI_CLI_H_
