// sello witness evidence: what a witness (sello-witness) keeps of logs that showed it two
// histories. Public data, fetched over HTTP(S) from the witness, not from the registry.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "client/cli/cli.h"
#include "client/witness_client.h"

namespace sello::cli {

namespace {

// The evidence for people: each conflicting pair of checkpoints in full.
void ShowEvidence(const tools::WitnessEvidenceList& list, const std::string& url) {
  std::cout << "witness  " << list.witness_key() << "\n";
  if (list.evidence().empty()) {
    std::cout << "no evidence: no log has shown this witness two histories\n";
    return;
  }
  int number = 0;
  for (const tools::WitnessEvidence& e : list.evidence()) {
    std::cout << "\n#" << ++number << "  " << e.origin() << "  " << e.kind() << "  received "
              << e.received_time() << "\n"
              << "reason: " << e.reason() << "\n"
              << "--- the checkpoint it had cosigned ---\n"
              << e.cosigned_note() << "--- the conflicting checkpoint (old size " << e.old_size()
              << ", " << e.proof_size() << " proof hashes) ---\n"
              << e.conflicting_note();
  }
  std::cerr << "sello: witness " << url << " holds " << list.evidence_size()
            << " conflicting checkpoint(s): each pair is signed by the log's key\n";
}

}  // namespace

void AddWitnessCommands(CLI::App& app, Cli& cli) {
  CLI::App* witness =
      app.add_subcommand("witness", "ask a witness (sello-witness) what it has seen");
  witness->require_subcommand(1);
  struct Options {
    std::string url, ca;
  };
  auto options = std::make_shared<Options>();
  CLI::App* evidence = witness->add_subcommand(
      "evidence",
      "list the conflicting checkpoints a witness keeps (each pair signed by the log: proof "
      "that it showed two histories); exit 0 when there are none, 7 when there are");
  evidence
      ->add_option("--witness", options->url,
                   "the witness's URL, e.g. https://witness.example/sello (its submission "
                   "prefix)")
      ->required()
      ->envname("SELLO_WITNESS");
  evidence->add_option("--witness-ca", options->ca,
                       "trust this CA (PEM) for the witness's https:// certificate");
  evidence->callback([&cli, options] {
    cli.run = [&cli, options] {
      client::HttpClientOptions http;
      http.ca_file = options->ca;
      http.timeout = absl::Seconds(cli.global.timeout_seconds);
      absl::StatusOr<tools::WitnessEvidenceList> list =
          client::FetchWitnessEvidence(http, options->url);
      if (!list.ok()) return Fail("witness evidence", list.status());
      const int code = list->evidence().empty() ? kExitOk : kExitMisbehaviour;
      cli.printer().Print(*list, [&] { ShowEvidence(*list, options->url); });
      return code;
    };
  });
}

}  // namespace sello::cli
