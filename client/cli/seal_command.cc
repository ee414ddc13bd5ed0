// sello seal issue|verify|show|list|issuances|suspend|revoke|reinstate.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/auditor.h"
#include "client/cli/cli.h"
#include "client/seal_tlog_proof.h"
#include "client/standard_file.h"
#include "common/files.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {

const std::map<std::string, v1::Grade>& GradeNames() {
  static const auto* names = new std::map<std::string, v1::Grade>{
      {"premium", v1::PREMIUM}, {"grade_i", v1::GRADE_I}, {"industrial", v1::INDUSTRIAL}};
  return *names;
}

namespace {

// Verification's exit code: 0 when every seal is VALID, 3 when any is unknown or
// malformed, 5 when any is suspended, revoked or expired.
int VerdictExitCode(const v1::VerifySealResponse& response) {
  int code = kExitOk;
  for (const auto& verdict : response.verdicts()) {
    if (verdict.problem() != v1::SealVerdict::PROBLEM_UNSPECIFIED) {
      code = std::max(code, kExitNotFound);
    } else if (verdict.seal().status() != v1::Seal::VALID) {
      code = std::max(code, kExitInvalid);
    }
  }
  return code == kExitInvalid || code == kExitNotFound ? code : kExitOk;
}

// Writes each proven seal's tlog-proof: to stdout, to `out` (one code) or to
// out/CODE.tlog-proof (several). Verdicts without a proof are reported on stderr.
int WriteTlogProofs(const v1::VerifySealResponse& all, const std::vector<std::string>& proven,
                    const std::string& out) {
  const bool directory = all.verdicts_size() > 1;
  if (directory) {
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error) return Fail(kExitError, absl::StrCat("--out: cannot create ", out));
  }
  int written = 0;
  for (int i = 0; i < all.verdicts_size(); ++i) {
    const v1::SealVerdict& verdict = all.verdicts(i);
    if (proven[i] != "proven") {
      std::cerr << "sello: seal verify: " << verdict.code() << ": "
                << (verdict.problem() != v1::SealVerdict::PROBLEM_UNSPECIFIED
                        ? verdict.problem_detail()
                        : "no proof yet (the issuance is newer than the latest checkpoint)")
                << "\n";
      continue;
    }
    absl::StatusOr<std::string> text = client::SealTlogProof(verdict);
    if (!text.ok()) return Fail("seal verify", text.status());
    if (out.empty()) {
      std::cout << *text;
    } else {
      const std::string path =
          directory ? absl::StrCat(out, "/", verdict.seal().code(), ".tlog-proof") : out;
      if (absl::Status status = storage::WriteFileAtomically(path, *text, 0644); !status.ok()) {
        return Fail("seal verify", status);
      }
      std::cerr << "wrote " << path << "\n";
    }
    ++written;
  }
  const int code = VerdictExitCode(all);
  if (code != kExitOk) return code;
  return written == all.verdicts_size() ? kExitOk : kExitUnavailable;
}

// "the association (ADMIN acme), 2026-11-26 10:00:00Z: ACCREDITATION_SUSPENDED".
std::string DecisionText(const v1::Seal& seal) {
  if (!seal.has_status_decision()) return "";
  const v1::SealStatusDecision& d = seal.status_decision();
  // Who acted is shown to the parties only (the registry leaves it out for others).
  return absl::StrCat(
      d.authority() == v1::ISSUER ? "the issuing certifier" : "the association",
      d.actor_organisation_id().empty()
          ? ""
          : absl::StrCat(" (", v1::Role_Name(d.actor_role()), " ", d.actor_organisation_id(), ")"),
      ", ", ShowTime(d.time()), ": ", v1::SealChangeCause_Name(d.cause()));
}

struct SealIssueOptions {
  std::string lot, expires, request_id, inspection;
  uint32_t count = 0;
  v1::Grade grade = v1::GRADE_UNSPECIFIED;
};

int SealIssue(client::Connection& connection, const Cli& cli, const SealIssueOptions& options) {
  v1::IssueSealsRequest request;
  request.set_lot_id(options.lot);
  request.set_count(options.count);
  request.set_grade(options.grade);
  request.set_request_id(options.request_id);
  request.set_inspection_id(options.inspection);
  if (!options.expires.empty()) {
    absl::StatusOr<absl::Time> expires = domain::ParseDateTime(options.expires);
    if (!expires.ok()) return Fail("--expires", expires.status());
    *request.mutable_expire_time() = domain::ToProto(*expires);
  }
  v1::IssueSealsResponse response;
  grpc::Status status =
      connection.seals().IssueSeals(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("seal issue", status);
  cli.printer().Print(response, [&] {
    for (const std::string& code : response.codes()) std::cout << code << "\n";
    std::cerr << "issued " << response.codes_size() << " "
              << v1::Grade_Name(response.issuance().grade()) << " seals for lot "
              << response.issuance().lot_id() << " (issuance " << response.issuance().id()
              << ", resting on inspections " << absl::StrJoin(response.issuance().rests_on(), ", ")
              << ")\n";
  });
  return kExitOk;
}

void AddSealIssue(CLI::App* seal, Cli& cli) {
  auto options = std::make_shared<SealIssueOptions>();
  CLI::App* issue = seal->add_subcommand(
      "issue",
      "issue seals for a certified lot (CERTIFIER): every stage the standard version seals "
      "covered by a current passing inspection of the lot and no stage failing, one of "
      "them yours; codes on stdout");
  issue->add_option("--lot", options->lot, "lot id")->required();
  issue->add_option("--count", options->count, "how many (one per box, at most 10,000 a call)")
      ->required();
  issue
      ->add_option("--grade", options->grade,
                   "grade to print (default and best: the lot's certified grade, the worst "
                   "of its stages')")
      ->transform(CLI::CheckedTransformer(GradeNames(), CLI::ignore_case));
  issue->add_option("--expires", options->expires,
                    "expiry date (default: the standard's seal validity)");
  issue->add_option("--request-id", options->request_id,
                    "idempotency key: a retry returns the same codes");
  issue->add_option("--inspection", options->inspection,
                    "your inspection to name (one the lot's certification rests on; default: "
                    "your newest such)");
  OnRun(issue, cli, options, SealIssue);
}

struct SealVerifyOptions {
  std::vector<std::string> codes;
  bool proof = false;
  std::string log_key, log_key_file, witness_policy, state;
  std::string format = "table";
  std::string out;
};

// The codes given, or else one per line on stdin.
std::vector<std::string> CodesToVerify(const SealVerifyOptions& options) {
  std::vector<std::string> codes = options.codes;
  if (codes.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) {
      absl::string_view code = absl::StripAsciiWhitespace(line);
      if (!code.empty()) codes.emplace_back(code);
    }
  }
  return codes;
}

// With --proof: the pinned log key, and the witness policy if one is named. An exit code
// other than kExitOk (the message printed) when they cannot be read.
int LoadProofKey(const SealVerifyOptions& options, std::optional<domain::NoteVerifier>* verifier,
                 std::optional<domain::WitnessPolicy>* policy) {
  std::string key = options.log_key;
  if (key.empty() && !options.log_key_file.empty()) {
    absl::StatusOr<std::string> text = client::ReadFile(options.log_key_file);
    if (!text.ok()) return Fail("seal verify", text.status());
    key = std::string(absl::StripAsciiWhitespace(*text));
  }
  if (key.empty()) {
    return Fail(kExitUsage,
                "seal verify --proof: pin the log's key with --log-key or "
                "--log-key-file");
  }
  absl::StatusOr<domain::NoteVerifier> parsed = domain::NoteVerifier::FromVerifierKey(key);
  if (!parsed.ok()) return Fail(kExitUsage, absl::StrCat("--log-key: ", parsed.status().message()));
  *verifier = *std::move(parsed);
  if (!options.witness_policy.empty()) {
    absl::StatusOr<domain::WitnessPolicy> loaded =
        client::LoadWitnessPolicy(options.witness_policy, **verifier);
    if (!loaded.ok()) return Fail(kExitUsage, loaded.status().message());
    *policy = *std::move(loaded);
  }
  return kExitOk;
}

// The verdicts on `codes`, a thousand a call, with their proofs if `proof`.
grpc::Status FetchVerdicts(client::Connection& connection, const std::vector<std::string>& codes,
                           bool proof, v1::VerifySealResponse* all) {
  for (size_t start = 0; start < codes.size(); start += 1000) {
    v1::VerifySealRequest request;
    for (size_t i = start; i < std::min(codes.size(), start + 1000); ++i) {
      request.add_codes(codes[i]);
    }
    request.set_include_proof(proof);
    v1::VerifySealResponse response;
    grpc::Status status =
        connection.seals().VerifySeal(connection.NewContext().get(), request, &response);
    if (!status.ok()) return status;
    all->MergeFrom(response);
  }
  return grpc::Status::OK;
}

// One row per code; the proof column (proven, not yet) with --proof.
void ShowVerdicts(const v1::VerifySealResponse& all, const std::vector<std::string>& proven,
                  bool with_proof) {
  Table table({"code", "status", "grade", "firm", "site", "standard", "lot", "issued", "expires",
               with_proof ? "proof" : ""});
  for (int i = 0; i < all.verdicts_size(); ++i) {
    const v1::SealVerdict& verdict = all.verdicts(i);
    if (verdict.problem() != v1::SealVerdict::PROBLEM_UNSPECIFIED) {
      table.AddRow({verdict.code(), v1::SealVerdict::Problem_Name(verdict.problem()),
                    verdict.problem_detail()});
      continue;
    }
    const v1::Seal& s = verdict.seal();
    table.AddRow({s.code(), v1::Seal::Status_Name(s.status()), v1::Grade_Name(s.grade()),
                  s.firm_name(), s.site_name(),
                  absl::StrCat(s.standard_id(), "@", s.standard_version()), s.lot_id(),
                  Day(s.issue_time()), Day(s.expire_time()), proven[i]});
  }
  table.Print();
}

int SealVerify(client::Connection& connection, const Cli& cli, const SealVerifyOptions& options) {
  const std::vector<std::string> codes = CodesToVerify(options);
  if (codes.empty()) return Fail(kExitUsage, "seal verify: no codes given");
  const bool tlog_proof = options.format == "tlog-proof";
  if (tlog_proof && !options.proof) {
    return Fail(kExitUsage, "seal verify --format tlog-proof: needs --proof");
  }
  if (tlog_proof && codes.size() > 1 && options.out.empty()) {
    return Fail(kExitUsage,
                "seal verify --format tlog-proof: several codes need --out DIR (one "
                "CODE.tlog-proof file each)");
  }
  if (!options.witness_policy.empty() && !options.proof) {
    return Fail(kExitUsage, "seal verify --witness-policy: needs --proof");
  }
  std::optional<domain::NoteVerifier> verifier;
  std::optional<domain::WitnessPolicy> policy;
  if (options.proof) {
    if (int code = LoadProofKey(options, &verifier, &policy); code != kExitOk) return code;
  }
  v1::VerifySealResponse all;
  if (grpc::Status status = FetchVerdicts(connection, codes, options.proof, &all); !status.ok()) {
    return Fail("seal verify", status);
  }
  std::vector<std::string> proven(all.verdicts_size());
  if (verifier.has_value()) {
    // Each proof's checkpoint must be one history with the checkpoint this client
    // trusts (checked once per distinct checkpoint), which moves forward only when
    // every proof held.
    absl::StatusOr<std::unique_ptr<client::TrustedState>> state = client::TrustedState::Open(
        options.state.empty() ? client::DefaultAuditStatePath() : options.state);
    if (!state.ok()) return Fail("seal verify", state.status());
    client::Auditor auditor(connection, *verifier);
    std::set<std::string> checked;
    for (int i = 0; i < all.verdicts_size(); ++i) {
      if (all.verdicts(i).problem() != v1::SealVerdict::PROBLEM_UNSPECIFIED) continue;
      client::SignedCheckpoint checkpoint;
      absl::Status status = client::VerifySealProof(
          all.verdicts(i), *verifier, policy.has_value() ? &*policy : nullptr, &checkpoint);
      if (absl::IsDataLoss(status)) return Fail("seal verify", status);
      if (status.ok() && checked.insert(checkpoint.note).second) {
        status = (*state)->Check(auditor, checkpoint);
        if (!status.ok()) return Fail("seal verify", status);
      }
      proven[i] = status.ok() ? "proven" : "not yet";
    }
    if (absl::Status saved = (*state)->Save(*verifier); !saved.ok()) {
      return Fail("seal verify: saving the state", saved);
    }
  }
  if (tlog_proof) return WriteTlogProofs(all, proven, options.out);
  cli.printer().Print(all, [&] { ShowVerdicts(all, proven, verifier.has_value()); });
  return VerdictExitCode(all);
}

void AddSealVerify(CLI::App* seal, Cli& cli) {
  auto options = std::make_shared<SealVerifyOptions>();
  CLI::App* verify = seal->add_subcommand(
      "verify",
      "verify seal codes (arguments, or one per line on stdin); exit 0 when all "
      "are VALID, 3 when any is unknown or malformed, 5 when any is not valid");
  verify->add_option("codes", options->codes, "seal codes");
  verify->add_flag("--proof", options->proof,
                   "ask for the proof tying each seal to a signed checkpoint and check it "
                   "against the pinned key (--log-key or --log-key-file) and against the "
                   "checkpoint this client last trusted (--state): a log that does not "
                   "extend it is refused with exit 7 and both checkpoints printed");
  verify->add_option("--state", options->state, kStateHelp);
  verify->add_option("--log-key", options->log_key, "the log's pinned verifier key")
      ->envname("SELLO_LOG_KEY");
  verify
      ->add_option("--log-key-file", options->log_key_file,
                   "read the pinned verifier key from this file")
      ->envname("SELLO_LOG_KEY_FILE");
  verify
      ->add_option("--witness-policy", options->witness_policy,
                   "with --proof: also require the quorum of witness cosignatures this C2SP "
                   "tlog-policy file sets on the proof's checkpoint (exit 7 without it)")
      ->envname("SELLO_WITNESS_POLICY");
  verify
      ->add_option("--format", options->format,
                   "table (or -o json) shows the verdicts; tlog-proof (with --proof) writes "
                   "each seal's proof as a C2SP tlog-proof, checkable offline with `sello "
                   "audit verify-proof`: to stdout for one code, or into --out")
      ->check(CLI::IsMember({"table", "tlog-proof"}))
      ->capture_default_str();
  verify->add_option("--out", options->out,
                     "with --format tlog-proof: the file to write (one code) or the "
                     "directory to write CODE.tlog-proof files into (several codes)");
  OnRun(verify, cli, options, SealVerify);
}

struct SealShowOptions {
  std::string code;
};

int SealShow(client::Connection& connection, const Cli& cli, const SealShowOptions& options) {
  v1::VerifySealRequest request;
  request.add_codes(options.code);
  v1::VerifySealResponse response;
  grpc::Status status =
      connection.seals().VerifySeal(connection.NewContext().get(), request, &response);
  if (!status.ok()) return Fail("seal show", status);
  const v1::SealVerdict& verdict = response.verdicts(0);
  if (verdict.problem() == v1::SealVerdict::NOT_FOUND) {
    return Fail(kExitNotFound, absl::StrCat("seal show: ", verdict.problem_detail()));
  }
  if (verdict.problem() == v1::SealVerdict::MALFORMED) {
    return Fail(kExitInvalid, absl::StrCat("seal show: ", verdict.problem_detail()));
  }
  const v1::Seal& s = verdict.seal();
  cli.printer().Print(s, [&] {
    PrintFields({{"code", s.code()},
                 {"status", v1::Seal::Status_Name(s.status())},
                 {"reason", s.status_reason()},
                 {"decided by", DecisionText(s)},
                 {"grade", v1::Grade_Name(s.grade())},
                 {"firm", absl::StrCat(s.firm_name(), " (", s.firm_id(), ")")},
                 {"site", absl::StrCat(s.site_name(), " (", s.site_id(), ")")},
                 {"standard", absl::StrCat(s.standard_id(), "@", s.standard_version())},
                 {"lot", s.lot_id()},
                 {"inspection", s.inspection_id()},
                 {"certifier", s.certifier_id()},
                 {"issued", ShowTime(s.issue_time())},
                 {"expires", ShowTime(s.expire_time())}});
  });
  return kExitOk;
}

void AddSealShow(CLI::App* seal, Cli& cli) {
  auto options = std::make_shared<SealShowOptions>();
  CLI::App* show = seal->add_subcommand("show", "show one seal in full");
  show->add_option("code", options->code, "seal code")->required();
  OnRun(show, cli, options, SealShow);
}

struct SealListOptions {
  std::string lot, issuance;
  int page_size = 0;
};

int SealList(client::Connection& connection, const Cli& cli, const SealListOptions& options) {
  if (options.lot.empty() == options.issuance.empty()) {
    return Fail(kExitUsage, "seal list: give --lot or --issuance");
  }
  v1::ListSealsRequest request;
  request.set_lot_id(options.lot);
  request.set_issuance_id(options.issuance);
  request.set_page_size(options.page_size);
  v1::ListSealsResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.seals().ListSeals(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("seal list", status);
  cli.printer().Print(all, [&] {
    Table table({"code", "status", "grade", "lot", "issuance", "issued", "expires", "reason"});
    for (const v1::Seal& s : all.seals()) {
      table.AddRow({s.code(), v1::Seal::Status_Name(s.status()), v1::Grade_Name(s.grade()),
                    s.lot_id(), s.issuance_id(), Day(s.issue_time()), Day(s.expire_time()),
                    s.status_reason()});
    }
    table.Print();
  });
  return kExitOk;
}

void AddSealList(CLI::App* seal, Cli& cli) {
  auto options = std::make_shared<SealListOptions>();
  CLI::App* list = seal->add_subcommand(
      "list",
      "list seals in full: every seal of a lot (issuance by issuance) or of one issuance, "
      "with its status as of now (the lot's FIRM, the CERTIFIER that issued them, ADMIN, "
      "REGULATOR); every page is fetched");
  CLI::Option* lot = list->add_option("--lot", options->lot, "every seal of this lot");
  CLI::Option* issuance =
      list->add_option("--issuance", options->issuance, "every seal of this issuance");
  lot->excludes(issuance);
  list->add_option("--page-size", options->page_size,
                   "seals per call (default 50; the server caps it at its --max-page-size)")
      ->check(CLI::Range(1, 100'000));
  OnRun(list, cli, options, SealList);
}

struct SealIssuancesOptions {
  std::string lot;
};

int SealIssuances(client::Connection& connection, const Cli& cli,
                  const SealIssuancesOptions& options) {
  v1::ListIssuancesRequest request;
  request.set_lot_id(options.lot);
  v1::ListIssuancesResponse all;
  grpc::Status status = FetchAllPages(
      connection, request,
      [&](grpc::ClientContext* context, const auto& r, auto* page) {
        return connection.seals().ListIssuances(context, r, page);
      },
      &all);
  if (!status.ok()) return Fail("seal issuances", status);
  cli.printer().Print(all, [&] {
    Table table({"issuance", "lot", "inspection", "certifier", "seals", "grade", "issued"});
    for (const v1::SealIssuance& i : all.issuances()) {
      table.AddRow({i.id(), i.lot_id(), i.inspection_id(), i.certifier_id(),
                    absl::StrCat(i.count()), v1::Grade_Name(i.grade()), ShowTime(i.issue_time())});
    }
    table.Print();
  });
  return kExitOk;
}

void AddSealIssuances(CLI::App* seal, Cli& cli) {
  auto options = std::make_shared<SealIssuancesOptions>();
  CLI::App* issuances = seal->add_subcommand(
      "issuances",
      "list a lot's seal issuances (what `seal list --issuance` takes): the lot's FIRM, the "
      "CERTIFIER that made them, ADMIN, REGULATOR");
  issuances->add_option("--lot", options->lot, "lot id")->required();
  OnRun(issuances, cli, options, SealIssuances);
}

}  // namespace

void AddSealCommands(CLI::App& app, Cli& cli) {
  CLI::App* seal = app.add_subcommand("seal", "quality seals: one per box");
  seal->require_subcommand(1);
  AddSealIssue(seal, cli);
  AddSealVerify(seal, cli);
  AddSealShow(seal, cli);
  AddSealList(seal, cli);
  AddSealIssuances(seal, cli);
  for (const auto& [name, help] :
       {std::pair{"suspend", "suspend seals under investigation"},
        std::pair{"revoke", "revoke seals for good"},
        std::pair{"reinstate",
                  "reinstate suspended seals; a suspension is lifted only by an authority at "
                  "least as high as the one that made it (the association's: ADMIN's own, an "
                  "overturned appeal's, an accreditation's or a standard's withdrawal), and "
                  "never beyond what the lot's inspections support"}}) {
    struct Options {
      std::vector<std::string> codes;
      std::string lot, reason;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = seal->add_subcommand(
        name, absl::StrCat(help, " (the issuing CERTIFIER or ADMIN): codes, or --lot"));
    command->add_option("codes", options->codes, "seal codes");
    command->add_option("--lot", options->lot, "every seal of this lot");
    command->add_option("--reason", options->reason, "why")->required();
    const std::string verb = name;
    OnRun(command, cli, [options, verb](client::Connection& connection) {
      v1::ChangeSealsRequest request;
      for (const auto& code : options->codes) request.add_codes(code);
      request.set_lot_id(options->lot);
      request.set_reason(options->reason);
      v1::ChangeSealsResponse response;
      auto context = connection.NewContext();
      grpc::Status status =
          verb == "suspend"  ? connection.seals().SuspendSeals(context.get(), request, &response)
          : verb == "revoke" ? connection.seals().RevokeSeals(context.get(), request, &response)
                             : connection.seals().ReinstateSeals(context.get(), request, &response);
      if (!status.ok()) return Fail("seal " + verb, status);
      std::cout << verb << ": " << response.changed() << " seals changed\n";
      return kExitOk;
    });
  }
  AddSealLabelsCommand(*seal, cli);
}

}  // namespace sello::cli
