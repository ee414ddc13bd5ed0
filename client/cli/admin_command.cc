// sello admin backup DIR.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "client/cli/cli.h"

namespace sello::cli {

void AddAdminCommands(CLI::App& app, Cli& cli) {
  CLI::App* admin = app.add_subcommand("admin", "operating the registry (ADMIN)");
  admin->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  CLI::App* backup = admin->add_subcommand(
      "backup",
      "an online, consistent, checksum-verified backup of the store into DIR on the daemon's "
      "machine, with the log's key pair (and, with witnesses, the newest cosigned checkpoint); "
      "restore with sellod --restore-from DIR --data-dir NEW");
  backup->add_option("dir", *dir, "absolute path on the daemon's machine, outside its data dir")
      ->required();
  OnRun(backup, cli, [&cli, dir](client::Connection& connection) {
    v1::CreateBackupRequest request;
    request.set_dir(*dir);
    v1::CreateBackupResponse response;
    grpc::Status status =
        connection.admin().CreateBackup(connection.NewContext().get(), request, &response);
    if (!status.ok()) return Fail("admin backup", status);
    cli.printer().Print(response, [&] {
      PrintFields(
          {{"dir", response.dir()},
           {"backup", absl::StrCat(response.backup_id())},
           {"size", absl::StrCat(response.bytes(), " bytes in ", response.files(), " files")},
           {"log key", response.key_included()
                           ? "included (log.key is secret: keep the backup like the key)"
                           : "not found in the data dir"}});
    });
    return kExitOk;
  });
}

}  // namespace sello::cli
