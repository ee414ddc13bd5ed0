// sello seal issue|verify|show|suspend|revoke|reinstate.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/auditor.h"
#include "client/cli/cli.h"
#include "client/standard_file.h"
#include "daemon/domain/time_convert.h"

namespace sello::cli {
namespace {

const std::map<std::string, v1::Grade>& GradeNames() {
  static const auto* names = new std::map<std::string, v1::Grade>{
      {"premium", v1::PREMIUM}, {"grade_i", v1::GRADE_I}, {"industrial", v1::INDUSTRIAL}};
  return *names;
}

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

}  // namespace

void AddSealCommands(CLI::App& app, Cli& cli) {
  CLI::App* seal = app.add_subcommand("seal", "quality seals: one per box");
  seal->require_subcommand(1);
  {
    struct Options {
      std::string lot, expires, request_id, inspection;
      uint32_t count = 0;
      v1::Grade grade = v1::GRADE_UNSPECIFIED;
    };
    auto options = std::make_shared<Options>();
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
    OnRun(issue, cli, [&cli, options](client::Connection& connection) {
      v1::IssueSealsRequest request;
      request.set_lot_id(options->lot);
      request.set_count(options->count);
      request.set_grade(options->grade);
      request.set_request_id(options->request_id);
      request.set_inspection_id(options->inspection);
      if (!options->expires.empty()) {
        absl::StatusOr<absl::Time> expires = domain::ParseDateTime(options->expires);
        if (!expires.ok()) return Fail("--expires", expires.status());
        *request.mutable_expire_time() = domain::ToProto(*expires);
      }
      v1::IssueSealsResponse response;
      grpc::Status status =
          connection.seals().IssueSeals(connection.NewContext().get(), request, &response);
      if (!status.ok()) return Fail("seal issue", status);
      if (cli.format() == Format::kJson) {
        PrintJson(response);
        return kExitOk;
      }
      for (const std::string& code : response.codes()) std::cout << code << "\n";
      std::cerr << "issued " << response.codes_size() << " "
                << v1::Grade_Name(response.issuance().grade()) << " seals for lot "
                << response.issuance().lot_id() << " (issuance " << response.issuance().id()
                << ", resting on inspections "
                << absl::StrJoin(response.issuance().rests_on(), ", ") << ")\n";
      return kExitOk;
    });
  }
  {
    struct Options {
      std::vector<std::string> codes;
      bool proof = false;
      std::string log_key, log_key_file;
    };
    auto options = std::make_shared<Options>();
    CLI::App* verify = seal->add_subcommand(
        "verify",
        "verify seal codes (arguments, or one per line on stdin); exit 0 when all "
        "are VALID, 3 when any is unknown or malformed, 5 when any is not valid");
    verify->add_option("codes", options->codes, "seal codes");
    verify->add_flag("--proof", options->proof,
                     "ask for the proof tying each seal to a signed checkpoint and check it "
                     "against the pinned key (--log-key or --log-key-file)");
    verify->add_option("--log-key", options->log_key, "the log's pinned verifier key")
        ->envname("SELLO_LOG_KEY");
    verify
        ->add_option("--log-key-file", options->log_key_file,
                     "read the pinned verifier key from this file")
        ->envname("SELLO_LOG_KEY_FILE");
    OnRun(verify, cli, [&cli, options](client::Connection& connection) {
      std::vector<std::string> codes = options->codes;
      if (codes.empty()) {
        std::string line;
        while (std::getline(std::cin, line)) {
          absl::string_view code = absl::StripAsciiWhitespace(line);
          if (!code.empty()) codes.emplace_back(code);
        }
      }
      if (codes.empty()) return Fail(kExitUsage, "seal verify: no codes given");
      std::optional<domain::NoteVerifier> verifier;
      if (options->proof) {
        std::string key = options->log_key;
        if (key.empty() && !options->log_key_file.empty()) {
          absl::StatusOr<std::string> text = client::ReadFile(options->log_key_file);
          if (!text.ok()) return Fail("seal verify", text.status());
          key = std::string(absl::StripAsciiWhitespace(*text));
        }
        if (key.empty()) {
          return Fail(kExitUsage,
                      "seal verify --proof: pin the log's key with --log-key or "
                      "--log-key-file");
        }
        absl::StatusOr<domain::NoteVerifier> parsed = domain::NoteVerifier::FromVerifierKey(key);
        if (!parsed.ok())
          return Fail(kExitUsage, absl::StrCat("--log-key: ", parsed.status().message()));
        verifier = *std::move(parsed);
      }
      v1::VerifySealResponse all;
      for (size_t start = 0; start < codes.size(); start += 1000) {
        v1::VerifySealRequest request;
        for (size_t i = start; i < std::min(codes.size(), start + 1000); ++i) {
          request.add_codes(codes[i]);
        }
        request.set_include_proof(options->proof);
        v1::VerifySealResponse response;
        grpc::Status status =
            connection.seals().VerifySeal(connection.NewContext().get(), request, &response);
        if (!status.ok()) return Fail("seal verify", status);
        all.MergeFrom(response);
      }
      std::vector<std::string> proven(all.verdicts_size());
      if (verifier.has_value()) {
        for (int i = 0; i < all.verdicts_size(); ++i) {
          if (all.verdicts(i).problem() != v1::SealVerdict::PROBLEM_UNSPECIFIED) continue;
          absl::Status status = client::VerifySealProof(all.verdicts(i), *verifier);
          if (absl::IsDataLoss(status)) return Fail("seal verify", status);
          proven[i] = status.ok() ? "proven" : "not yet";
        }
      }
      if (cli.format() == Format::kJson) {
        PrintJson(all);
        return VerdictExitCode(all);
      }
      Table table({"code", "status", "grade", "firm", "site", "standard", "lot", "issued",
                   "expires", verifier.has_value() ? "proof" : ""});
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
      return VerdictExitCode(all);
    });
  }
  {
    auto code = std::make_shared<std::string>();
    CLI::App* show = seal->add_subcommand("show", "show one seal in full");
    show->add_option("code", *code, "seal code")->required();
    OnRun(show, cli, [&cli, code](client::Connection& connection) {
      v1::VerifySealRequest request;
      request.add_codes(*code);
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
      if (cli.format() == Format::kJson) {
        PrintJson(s);
        return kExitOk;
      }
      PrintFields({{"code", s.code()},
                   {"status", v1::Seal::Status_Name(s.status())},
                   {"reason", s.status_reason()},
                   {"grade", v1::Grade_Name(s.grade())},
                   {"firm", absl::StrCat(s.firm_name(), " (", s.firm_id(), ")")},
                   {"site", absl::StrCat(s.site_name(), " (", s.site_id(), ")")},
                   {"standard", absl::StrCat(s.standard_id(), "@", s.standard_version())},
                   {"lot", s.lot_id()},
                   {"inspection", s.inspection_id()},
                   {"certifier", s.certifier_id()},
                   {"issued", ShowTime(s.issue_time())},
                   {"expires", ShowTime(s.expire_time())}});
      return kExitOk;
    });
  }
  for (const auto& [name, help] : {std::pair{"suspend", "suspend seals under investigation"},
                                   std::pair{"revoke", "revoke seals for good"},
                                   std::pair{"reinstate", "reinstate suspended seals"}}) {
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
}

}  // namespace sello::cli
