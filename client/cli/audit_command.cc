// sello audit key|checkpoint|verify|prove|export|verify-proof: the auditor's tools. Everything is
// checked against the log's public key as pinned by the auditor (--log-key or
// --log-key-file), never against what the server says its key is.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/auditor.h"
#include "client/cli/cli.h"
#include "client/seal_tlog_proof.h"
#include "client/standard_file.h"
#include "common/files.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace sello::cli {

// Shared with `sello seal verify --proof` (seal_command.cc).
const char kStateHelp[] =
    "where the last trusted checkpoint is kept, shared by every command that checks a proof "
    "(default $SELLO_AUDIT_STATE, else $XDG_STATE_HOME/sello/audit-state.json, else "
    "~/.local/state/sello/audit-state.json)";

namespace {

struct AuditOptions {
  std::string log_key;
  std::string log_key_file;
  std::string witness_policy;
};

absl::StatusOr<domain::NoteVerifier> PinnedVerifier(const AuditOptions& options) {
  std::string key = options.log_key;
  if (key.empty() && !options.log_key_file.empty()) {
    absl::StatusOr<std::string> text = client::ReadFile(options.log_key_file);
    if (!text.ok()) return text.status();
    key = std::string(absl::StripAsciiWhitespace(*text));
  }
  if (key.empty()) {
    return absl::InvalidArgumentError(
        "--log-key or --log-key-file: pin the log's public key (the operator publishes it; "
        "sellod writes it to DATA_DIR/log.pub; `sello audit key` shows what the server claims)");
  }
  absl::StatusOr<domain::NoteVerifier> verifier = domain::NoteVerifier::FromVerifierKey(key);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--log-key: ", verifier.status().message()));
  }
  return verifier;
}

// The witness policy of --witness-policy, if given (a usage error otherwise).
absl::StatusOr<std::optional<domain::WitnessPolicy>> PolicyFor(
    const AuditOptions& options, const domain::NoteVerifier& verifier) {
  if (options.witness_policy.empty()) return std::optional<domain::WitnessPolicy>();
  absl::StatusOr<domain::WitnessPolicy> policy =
      client::LoadWitnessPolicy(options.witness_policy, verifier);
  if (!policy.ok()) return policy.status();
  return std::optional<domain::WitnessPolicy>(*std::move(policy));
}

const domain::WitnessPolicy* OrNull(const std::optional<domain::WitnessPolicy>& policy) {
  return policy.has_value() ? &*policy : nullptr;
}

// "cosigned by A (2026-...), B; quorum met" for a checkpoint checked under a policy.
std::string WitnessLine(const client::SignedCheckpoint& checkpoint) {
  return checkpoint.quorum.has_value() ? checkpoint.quorum->Describe() : "";
}

std::string Hex(absl::string_view bytes) { return domain::HexEncode(bytes); }

std::string CheckpointLine(const client::SignedCheckpoint& signed_checkpoint) {
  const domain::Checkpoint& c = signed_checkpoint.checkpoint;
  return absl::StrCat(c.origin, "  size ", c.size, "  root ", Hex(c.root_hash), "  time ",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", c.time, absl::UTCTimeZone()));
}

absl::Status SaveJson(const std::string& path, const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot create ", parent.string()));
  return storage::WriteFileAtomically(path, json, 0644);
}

// The newest checkpoint, checked against the checkpoint this client trusts (the state
// file `audit verify` keeps). The caller saves the state once everything it checked held.
struct Trusted {
  std::unique_ptr<client::TrustedState> state;
  client::SignedCheckpoint latest;
};

absl::StatusOr<Trusted> FetchTrusted(client::Auditor& auditor, const std::string& state_option) {
  Trusted out;
  absl::StatusOr<std::unique_ptr<client::TrustedState>> state = client::TrustedState::Open(
      state_option.empty() ? client::DefaultAuditStatePath() : state_option);
  if (!state.ok()) return state.status();
  out.state = *std::move(state);
  absl::StatusOr<client::SignedCheckpoint> latest = auditor.FetchCheckpoint();
  if (!latest.ok()) return latest.status();
  if (absl::Status status = out.state->Check(auditor, *latest); !status.ok()) return status;
  out.latest = *std::move(latest);
  return out;
}

// What the trusted state says about the checkpoint just checked, for a person.
std::string TrustLine(const Trusted& trusted) {
  const client::TrustedState& state = *trusted.state;
  std::string line = state.trusted().has_value()
                         ? absl::StrCat("extends the trusted checkpoint of size ",
                                        state.trusted()->checkpoint.size, " (", state.path(), ")")
                         : absl::StrCat("first use: trusted from now on (", state.path(), ")");
  if (!state.carried().empty()) absl::StrAppend(&line, "; ", state.carried());
  return line;
}

// A seq ("42" or "#42") or a subject ("organisation/x").
void ParseTarget(const std::string& target, uint64_t* seq, std::string* subject) {
  absl::string_view text = target;
  if (!text.empty() && text[0] == '#') text.remove_prefix(1);
  if (!absl::SimpleAtoi(text, seq)) {
    *seq = 0;
    *subject = target;
  }
}

struct VerifyOptions {
  std::string state;
  std::vector<std::string> records;
  int sample = 16;
  std::string offline;
};

int VerifyOffline(const Cli& cli, const domain::NoteVerifier& verifier,
                  const domain::WitnessPolicy* policy, const std::string& file) {
  absl::StatusOr<std::string> text = client::ReadFile(file);
  if (!text.ok()) return Fail("audit verify --offline", text.status());
  tools::AuditBundle bundle;
  const auto parsed = google::protobuf::util::JsonStringToMessage(*text, &bundle);
  if (!parsed.ok()) {
    return Fail(kExitInvalid,
                absl::StrCat(file, ": not an audit bundle: ", std::string(parsed.message())));
  }
  absl::StatusOr<client::BundleReport> report = client::VerifyBundle(bundle, verifier, policy);
  if (!report.ok()) return Fail("audit verify --offline", report.status());
  google::protobuf::Struct out;
  auto& f = *out.mutable_fields();
  f["checkpointSize"].set_number_value(static_cast<double>(report->checkpoint.checkpoint.size));
  f["events"].set_number_value(static_cast<double>(report->events));
  f["redacted"].set_number_value(static_cast<double>(report->redacted));
  f["records"].set_number_value(static_cast<double>(report->records));
  f["ok"].set_bool_value(true);
  cli.printer().Print(out, [&] {
    std::cout << "checkpoint  " << CheckpointLine(report->checkpoint) << "\n";
    if (policy != nullptr) std::cout << "witnesses   " << WitnessLine(report->checkpoint) << "\n";
    std::cout << "inclusion   " << report->events << " events " << bundle.from_seq() << ".."
              << bundle.to_seq() << " proven (" << report->redacted << " redacted to their hash)\n"
              << "records     " << report->records << " re-hashed and matching their events\n"
              << "OK: " << file << " is consistent with the signed checkpoint\n";
  });
  return kExitOk;
}

// The events `audit verify` proves: the records asked for, and a random sample of
// `options.sample` events of the `size` the checkpoint holds.
std::vector<std::pair<uint64_t, std::string>> InclusionTargets(const VerifyOptions& options,
                                                               uint64_t size) {
  std::vector<std::pair<uint64_t, std::string>> targets;
  for (const std::string& record : options.records) {
    uint64_t seq = 0;
    std::string subject;
    ParseTarget(record, &seq, &subject);
    targets.emplace_back(seq, subject);
  }
  if (size > 0 && options.sample > 0) {
    std::mt19937_64 random(std::random_device{}());
    std::uniform_int_distribution<uint64_t> pick(1, size);
    std::set<uint64_t> chosen;
    const uint64_t wanted = std::min<uint64_t>(size, options.sample);
    while (chosen.size() < wanted) chosen.insert(pick(random));
    for (uint64_t seq : chosen) targets.emplace_back(seq, "");
  }
  return targets;
}

// What proving the targets found.
struct InclusionCounts {
  int proven = 0, redacted = 0, rehashed = 0, unreadable = 0;
};

// Proves each target's inclusion in `latest` and re-hashes every readable record the
// proven events name, once each. Non-OK (a failed proof, DATA_LOSS) with the message
// printed and `*exit_code` set.
bool ProveTargets(client::Auditor& auditor, const client::SignedCheckpoint& latest,
                  const std::vector<std::pair<uint64_t, std::string>>& targets,
                  InclusionCounts* counts, int* exit_code) {
  std::set<std::string> checked_subjects;
  for (const auto& [seq, subject] : targets) {
    absl::StatusOr<v1::GetInclusionProofResponse> response =
        auditor.ProveInclusion(seq, subject, latest);
    if (!response.ok()) {
      *exit_code =
          Fail(absl::StrCat("audit verify: ", seq > 0 ? absl::StrCat("event ", seq) : subject),
               response.status());
      return false;
    }
    ++counts->proven;
    if (!response->event().has_event()) {
      ++counts->redacted;
      continue;
    }
    for (const std::string& named : response->event().event().subjects()) {
      if (!checked_subjects.insert(named).second) continue;
      absl::Status status = auditor.CheckRecord(named, latest);
      if (status.ok()) {
        ++counts->rehashed;
      } else if (absl::IsDataLoss(status)) {
        *exit_code = Fail("audit verify", status);
        return false;
      } else {
        ++counts->unreadable;
      }
    }
  }
  return true;
}

int Verify(const Cli& cli, client::Connection& connection, const domain::NoteVerifier& verifier,
           const domain::WitnessPolicy* policy, const VerifyOptions& options) {
  client::Auditor auditor(connection, verifier);
  auditor.set_witness_policy(policy);
  const std::string state_path =
      options.state.empty() ? client::DefaultAuditStatePath() : options.state;
  absl::StatusOr<std::unique_ptr<client::TrustedState>> state =
      client::TrustedState::Open(state_path);
  if (!state.ok()) return Fail("audit verify", state.status());

  absl::StatusOr<client::SignedCheckpoint> latest = auditor.FetchCheckpoint();
  if (!latest.ok()) return Fail("audit verify", latest.status());
  if (absl::Status status = (*state)->Check(auditor, *latest); !status.ok()) {
    return Fail("audit verify", status);
  }
  const std::optional<client::SignedCheckpoint>& trusted = (*state)->trusted();

  // Inclusion of the records asked for and of a random sample, and every readable
  // record re-hashed against its latest event.
  const uint64_t size = latest->checkpoint.size;
  const std::vector<std::pair<uint64_t, std::string>> targets = InclusionTargets(options, size);
  InclusionCounts counts;
  if (int exit_code = kExitOk; !ProveTargets(auditor, *latest, targets, &counts, &exit_code)) {
    return exit_code;
  }
  if (absl::Status saved = (*state)->Save(verifier); !saved.ok()) {
    return Fail("audit verify: saving the state", saved);
  }
  google::protobuf::Struct out;
  auto& f = *out.mutable_fields();
  f["checkpointSize"].set_number_value(static_cast<double>(size));
  f["rootHash"].set_string_value(Hex(latest->checkpoint.root_hash));
  f["trustedSize"].set_number_value(
      trusted.has_value() ? static_cast<double>(trusted->checkpoint.size) : 0);
  f["inclusionProofs"].set_number_value(counts.proven);
  f["redacted"].set_number_value(counts.redacted);
  f["recordsRehashed"].set_number_value(counts.rehashed);
  f["recordsUnreadable"].set_number_value(counts.unreadable);
  if (latest->quorum.has_value()) f["witnesses"].set_string_value(WitnessLine(*latest));
  f["ok"].set_bool_value(true);
  cli.printer().Print(out, [&] {
    std::cout << "checkpoint  " << CheckpointLine(*latest) << "\n";
    if (latest->quorum.has_value()) std::cout << "witnesses   " << WitnessLine(*latest) << "\n";
    if (!(*state)->carried().empty()) std::cout << "key         " << (*state)->carried() << "\n";
    if (trusted.has_value()) {
      std::cout << "consistent  extends the trusted checkpoint of size " << trusted->checkpoint.size
                << "\n";
    } else {
      std::cout << "first run   no trusted checkpoint yet in " << state_path << "\n";
    }
    std::cout << "inclusion   " << counts.proven << " events proven (" << counts.redacted
              << " redacted to their hash)\n"
              << "records     " << counts.rehashed << " re-hashed and matching their events"
              << (counts.unreadable > 0
                      ? absl::StrCat(" (", counts.unreadable, " not readable with this token)")
                      : "")
              << "\nOK: trusting checkpoint " << size << " from now on (" << state_path << ")\n";
  });
  return kExitOk;
}

void AddAuditKey(CLI::App* audit, Cli& cli) {
  CLI::App* key = audit->add_subcommand(
      "key", "show the verifier key the server claims (pin it only after checking it)");
  OnRun(key, cli, [](client::Connection& connection) {
    v1::GetCheckpointResponse response;
    grpc::Status status = connection.log().GetCheckpoint(connection.NewContext().get(),
                                                         v1::GetCheckpointRequest(), &response);
    if (!status.ok()) return Fail("audit key", status);
    std::cout << response.verifier_key() << "\n";
    if (!response.next_verifier_key().empty()) {
      std::cout << response.next_verifier_key() << "\n";
      std::cerr << "sello: a key rotation is under way: the second key co-signs every "
                   "checkpoint and will sign alone once it finishes. Its announcement is "
                   "event log.key_rotation_begun in the log.\n";
    }
    std::cerr << "sello: this is what the server says; compare it with the key the operator "
                 "published before pinning it.\n";
    return kExitOk;
  });
}

void AddAuditCheckpoint(CLI::App* audit, Cli& cli, const std::shared_ptr<AuditOptions>& options) {
  auto state = std::make_shared<std::string>();
  CLI::App* checkpoint = audit->add_subcommand(
      "checkpoint",
      "fetch the newest signed checkpoint, check it against the pinned key and that it "
      "extends the last one trusted (exit 7 with both printed if not), and trust it");
  checkpoint->add_option("--state", *state, kStateHelp);
  OnRun(checkpoint, cli, [&cli, options, state](client::Connection& connection) {
    absl::StatusOr<domain::NoteVerifier> verifier = PinnedVerifier(*options);
    if (!verifier.ok()) return Fail(kExitUsage, verifier.status().message());
    absl::StatusOr<std::optional<domain::WitnessPolicy>> policy = PolicyFor(*options, *verifier);
    if (!policy.ok()) return Fail(kExitUsage, policy.status().message());
    client::Auditor auditor(connection, *verifier);
    auditor.set_witness_policy(OrNull(*policy));
    absl::StatusOr<Trusted> trusted = FetchTrusted(auditor, *state);
    if (!trusted.ok()) return Fail("audit checkpoint", trusted.status());
    if (absl::Status saved = trusted->state->Save(*verifier); !saved.ok()) {
      return Fail("audit checkpoint: saving the state", saved);
    }
    const client::SignedCheckpoint* latest = &trusted->latest;
    v1::Checkpoint out;
    out.set_origin(latest->checkpoint.origin);
    out.set_size(latest->checkpoint.size);
    out.set_root_hash(latest->checkpoint.root_hash);
    *out.mutable_time() = domain::ToProto(latest->checkpoint.time);
    out.set_note(latest->note);
    cli.printer().Print(out, [&] {
      PrintFields({{"origin", latest->checkpoint.origin},
                   {"size", absl::StrCat(latest->checkpoint.size)},
                   {"root", Hex(latest->checkpoint.root_hash)},
                   {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", latest->checkpoint.time,
                                             absl::UTCTimeZone())},
                   {"signature", absl::StrCat("valid (", verifier->VerifierKey(), ")")},
                   {"witnesses", WitnessLine(*latest)},
                   {"trust", TrustLine(*trusted)}});
      std::cout << "\n" << latest->note;
    });
    return kExitOk;
  });
}

void AddAuditVerify(CLI::App* audit, Cli& cli, const std::shared_ptr<AuditOptions>& options) {
  auto verify = std::make_shared<VerifyOptions>();
  CLI::App* command = audit->add_subcommand(
      "verify",
      "check the newest checkpoint extends the last one trusted, prove events and re-hash "
      "records; exit 7 with both checkpoints printed if the log misbehaved");
  command->add_option("--state", verify->state, kStateHelp);
  command->add_option("--record", verify->records,
                      "also prove this record (organisation/ID, site/ID, standard_version/ID@N, "
                      "token/ID) or event (#SEQ); repeatable");
  command->add_option("--sample", verify->sample, "prove this many random events")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--offline", verify->offline,
                      "check a bundle from `sello audit export` without contacting the server");
  command->callback([&cli, options, verify] {
    cli.run = [&cli, options, verify] {
      absl::StatusOr<domain::NoteVerifier> verifier = PinnedVerifier(*options);
      if (!verifier.ok()) return Fail(kExitUsage, verifier.status().message());
      absl::StatusOr<std::optional<domain::WitnessPolicy>> policy = PolicyFor(*options, *verifier);
      if (!policy.ok()) return Fail(kExitUsage, policy.status().message());
      if (!verify->offline.empty()) {
        return VerifyOffline(cli, *verifier, OrNull(*policy), verify->offline);
      }
      int exit_code = kExitOk;
      std::unique_ptr<client::Connection> connection = cli.Connect(&exit_code);
      if (connection == nullptr) return exit_code;
      return Verify(cli, *connection, *verifier, OrNull(*policy), *verify);
    };
  });
}

void AddAuditProve(CLI::App* audit, Cli& cli, const std::shared_ptr<AuditOptions>& options) {
  auto target = std::make_shared<std::string>();
  CLI::App* prove = audit->add_subcommand(
      "prove", "prove a record's latest event (or an event) is in the signed log");
  prove
      ->add_option("record", *target,
                   "organisation/ID, site/ID, standard_version/ID@N, token/ID, or #SEQ")
      ->required();
  auto state = std::make_shared<std::string>();
  prove->add_option("--state", *state, kStateHelp);
  OnRun(prove, cli, [&cli, options, target, state](client::Connection& connection) {
    absl::StatusOr<domain::NoteVerifier> verifier = PinnedVerifier(*options);
    if (!verifier.ok()) return Fail(kExitUsage, verifier.status().message());
    absl::StatusOr<std::optional<domain::WitnessPolicy>> policy = PolicyFor(*options, *verifier);
    if (!policy.ok()) return Fail(kExitUsage, policy.status().message());
    client::Auditor auditor(connection, *verifier);
    auditor.set_witness_policy(OrNull(*policy));
    absl::StatusOr<Trusted> trusted = FetchTrusted(auditor, *state);
    if (!trusted.ok()) return Fail("audit prove", trusted.status());
    const client::SignedCheckpoint* latest = &trusted->latest;
    uint64_t seq = 0;
    std::string subject;
    ParseTarget(*target, &seq, &subject);
    absl::StatusOr<v1::GetInclusionProofResponse> proof =
        auditor.ProveInclusion(seq, subject, *latest);
    if (!proof.ok()) return Fail("audit prove", proof.status());
    if (absl::Status saved = trusted->state->Save(*verifier); !saved.ok()) {
      return Fail("audit prove: saving the state", saved);
    }
    cli.printer().Print(*proof, [&] {
      const v1::Event& event = proof->event().event();
      PrintFields({{"event", absl::StrCat("#", proof->event().seq())},
                   {"kind", event.kind()},
                   {"subject", event.subjects_size() > 0 ? event.subjects(0) : ""},
                   {"time", ShowTime(event.time())},
                   {"actor", event.actor_token_id()},
                   {"record sha256", Hex(event.record_sha256())},
                   {"leaf hash", Hex(client::CheckedLeafHash(proof->event()).value_or(""))},
                   {"tree size", absl::StrCat(proof->tree_size())},
                   {"root", Hex(latest->checkpoint.root_hash)}});
      std::cout << "proof (" << proof->hashes_size() << " hashes, leaf to root):\n";
      for (const std::string& hash : proof->hashes()) std::cout << "  " << Hex(hash) << "\n";
      std::cout << "consistent  " << TrustLine(*trusted) << "\n";
      std::cout << "OK: included in the checkpoint signed by " << verifier->VerifierKey() << "\n";
    });
    return kExitOk;
  });
}

void AddAuditExport(CLI::App* audit, Cli& cli, const std::shared_ptr<AuditOptions>& options) {
  struct ExportOptions {
    uint64_t from = 1, to = 0;
    std::string file;
    std::string state;
  };
  auto exported = std::make_shared<ExportOptions>();
  CLI::App* command = audit->add_subcommand(
      "export", "write events FROM..TO with their proofs and records to FILE for offline review");
  command->add_option("--from", exported->from, "first event")->capture_default_str();
  command->add_option("--to", exported->to, "last event (default: the checkpoint's last)");
  command->add_option("file", exported->file, "output file (JSON)")->required();
  command->add_option("--state", exported->state, kStateHelp);
  OnRun(command, cli, [options, exported](client::Connection& connection) {
    absl::StatusOr<domain::NoteVerifier> verifier = PinnedVerifier(*options);
    if (!verifier.ok()) return Fail(kExitUsage, verifier.status().message());
    absl::StatusOr<std::optional<domain::WitnessPolicy>> policy = PolicyFor(*options, *verifier);
    if (!policy.ok()) return Fail(kExitUsage, policy.status().message());
    client::Auditor auditor(connection, *verifier);
    auditor.set_witness_policy(OrNull(*policy));
    absl::StatusOr<Trusted> trusted = FetchTrusted(auditor, exported->state);
    if (!trusted.ok()) return Fail("audit export", trusted.status());
    const client::SignedCheckpoint* latest = &trusted->latest;
    const uint64_t to = exported->to == 0 ? latest->checkpoint.size : exported->to;
    absl::StatusOr<tools::AuditBundle> bundle = auditor.Export(exported->from, to, *latest);
    if (!bundle.ok()) return Fail("audit export", bundle.status());
    if (absl::Status status = SaveJson(exported->file, *bundle); !status.ok()) {
      return Fail("audit export", status);
    }
    if (absl::Status saved = trusted->state->Save(*verifier); !saved.ok()) {
      return Fail("audit export: saving the state", saved);
    }
    std::cerr << "exported events " << exported->from << ".." << to << " with proofs to "
              << exported->file << "\n";
    return kExitOk;
  });
}

void AddAuditVerifyProof(CLI::App* audit, Cli& cli, const std::shared_ptr<AuditOptions>& options) {
  auto file = std::make_shared<std::string>();
  CLI::App* command = audit->add_subcommand(
      "verify-proof",
      "check a seal's C2SP tlog-proof file (from `sello seal verify --proof --format "
      "tlog-proof`) offline: signature, witness quorum (--witness-policy), inclusion, seal");
  command->add_option("file", *file, "the .tlog-proof file (- for stdin)")->required();
  command->callback([&cli, options, file] {
    cli.run = [&cli, options, file] {
      absl::StatusOr<domain::NoteVerifier> verifier = PinnedVerifier(*options);
      if (!verifier.ok()) return Fail(kExitUsage, verifier.status().message());
      absl::StatusOr<std::optional<domain::WitnessPolicy>> policy = PolicyFor(*options, *verifier);
      if (!policy.ok()) return Fail(kExitUsage, policy.status().message());
      std::string text;
      if (*file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      } else {
        absl::StatusOr<std::string> read = client::ReadFile(*file);
        if (!read.ok()) return Fail("audit verify-proof", read.status());
        text = *std::move(read);
      }
      absl::StatusOr<client::SealProofCheck> checked =
          client::VerifySealTlogProof(text, *verifier, OrNull(*policy));
      if (!checked.ok()) return Fail("audit verify-proof", checked.status());
      const v1::Seal& seal = checked->seal_as_issued;
      cli.printer().Print(seal, [&] {
        PrintFields({{"seal", seal.code()},
                     {"grade", v1::Grade_Name(seal.grade())},
                     {"lot", seal.lot_id()},
                     {"firm", seal.firm_id()},
                     {"certifier", seal.certifier_id()},
                     {"issuance", seal.issuance_id()},
                     {"checkpoint", CheckpointLine(checked->checkpoint)},
                     {"witnesses", WitnessLine(checked->checkpoint)}});
        std::cout << "OK: the seal was issued as shown and its issuance is in the log signed by "
                  << verifier->VerifierKey()
                  << " (the proof shows the seal as issued: ask the registry for its status "
                     "now)\n";
      });
      return kExitOk;
    };
  });
}

}  // namespace

void AddAuditCommands(CLI::App& app, Cli& cli) {
  CLI::App* audit = app.add_subcommand(
      "audit", "check the transparency log: signatures, consistency, inclusion, records");
  audit->require_subcommand(1);
  auto options = std::make_shared<AuditOptions>();
  audit->add_option("--log-key", options->log_key, "the log's pinned verifier key")
      ->envname("SELLO_LOG_KEY");
  audit
      ->add_option("--log-key-file", options->log_key_file,
                   "read the pinned verifier key from this file (e.g. DATA_DIR/log.pub)")
      ->envname("SELLO_LOG_KEY_FILE");
  audit
      ->add_option("--witness-policy", options->witness_policy,
                   "also require the quorum of witness cosignatures this C2SP tlog-policy file "
                   "sets (log/witness/group/quorum lines); a checkpoint without it is refused, "
                   "exit 7, naming the witnesses that cosigned and those missing")
      ->envname("SELLO_WITNESS_POLICY");

  AddAuditKey(audit, cli);
  AddAuditCheckpoint(audit, cli, options);
  AddAuditVerify(audit, cli, options);
  AddAuditProve(audit, cli, options);
  AddAuditExport(audit, cli, options);
  AddAuditVerifyProof(audit, cli, options);
}

}  // namespace sello::cli
