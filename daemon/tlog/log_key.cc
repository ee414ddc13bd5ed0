#include "daemon/tlog/log_key.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/files.h"

namespace sello::service {

namespace {

// Keeps the 32-byte Ed25519 seed, base64, readable by the daemon's user only.
absl::Status SaveLogKey(const std::string& path, absl::string_view seed) {
  return storage::WriteFileAtomically(path, absl::StrCat(absl::Base64Escape(seed), "\n"), 0600);
}

}  // namespace

absl::StatusOr<domain::NoteSigner> LoadOrCreateLogKey(const std::string& path,
                                                      const std::string& origin, bool* created,
                                                      bool may_create) {
  absl::StatusOr<std::optional<std::string>> file = storage::ReadFileIfExists(path);
  if (!file.ok()) return file.status();
  if (file->has_value()) {
    *created = false;
    std::string seed;
    if (!absl::Base64Unescape(absl::StripAsciiWhitespace(**file), &seed)) {
      return absl::DataLossError(absl::StrCat(path, ": not a base64 Ed25519 key"));
    }
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::FromPrivateKey(origin, seed);
    if (!signer.ok()) {
      return absl::Status(signer.status().code(),
                          absl::StrCat(path, ": ", signer.status().message()));
    }
    return signer;
  }
  if (!may_create) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is missing"));
  }
  absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::Generate(origin);
  if (!signer.ok()) return signer.status();
  if (absl::Status status = SaveLogKey(path, signer->raw_private_key()); !status.ok()) {
    return status;
  }
  *created = true;
  return signer;
}

namespace {

// Whether `named` (a verifier key, or its 8-hex-digit id) names `verifier_key`.
bool NamesKey(absl::string_view named, absl::string_view verifier_key) {
  named = absl::StripAsciiWhitespace(named);
  if (named == verifier_key) return true;
  absl::StatusOr<domain::NoteVerifier> verifier =
      domain::NoteVerifier::FromVerifierKey(verifier_key);
  return verifier.ok() && named.size() == 8 &&
         absl::AsciiStrToLower(named) ==
             absl::StrCat(absl::Hex(verifier->key_id(), absl::kZeroPad8));
}

std::string KeyIdOf(absl::string_view named) {
  named = absl::StripAsciiWhitespace(named);
  if (named.size() == 8) return absl::AsciiStrToLower(named);
  absl::StatusOr<domain::NoteVerifier> verifier = domain::NoteVerifier::FromVerifierKey(named);
  if (!verifier.ok()) return "";
  return absl::StrCat(absl::Hex(verifier->key_id(), absl::kZeroPad8));
}

}  // namespace

namespace {

// The key files of a rotation in the data dir.
struct RotationFiles {
  explicit RotationFiles(const std::string& dir)
      : data_dir(dir),
        key(dir + "/log.key"),
        next(dir + "/log.next.key"),
        next_pub(dir + "/log.next.pub") {}
  std::string data_dir;
  std::string key;
  std::string next;
  std::string next_pub;
};

// A rotation under way (log.next.key present) co-signs again. A finish that stopped
// after replacing log.key leaves only leftovers: they are removed and `*finished` set.
absl::Status ResumeRotation(const RotationFiles& files, const std::string& origin,
                            storage::TransparencyLog& log, KeyRotationOutcome& outcome,
                            bool* finished) {
  absl::StatusOr<std::optional<std::string>> next_file = storage::ReadFileIfExists(files.next);
  if (!next_file.ok()) return next_file.status();
  if (!next_file->has_value()) return absl::OkStatus();
  bool created = false;
  absl::StatusOr<domain::NoteSigner> next = LoadOrCreateLogKey(files.next, origin, &created);
  if (!next.ok()) return next.status();
  if (next->VerifierKey() == log.VerifierKey()) {
    std::remove(files.next.c_str());
    std::remove(files.next_pub.c_str());
    outcome.step = "finished";
    *finished = true;
    return absl::OkStatus();
  }
  log.CoSignWith(*std::move(next));
  outcome.step = "resumed";
  return absl::OkStatus();
}

// --begin-key-rotation naming a key that is not the current one: a no-op when it was
// retired, INVALID_ARGUMENT otherwise.
absl::Status BeginFromOtherKey(const RotationFiles& files, const std::string& begin_from,
                               const std::string& current, KeyRotationOutcome& outcome) {
  const std::string retired =
      absl::StrCat(files.data_dir, "/log.retired-", KeyIdOf(begin_from), ".pub");
  absl::StatusOr<std::optional<std::string>> retired_file =
      KeyIdOf(begin_from).empty()
          ? absl::StatusOr<std::optional<std::string>>(std::optional<std::string>())
          : storage::ReadFileIfExists(retired);
  if (!retired_file.ok()) return retired_file.status();
  if (retired_file->has_value() &&
      NamesKey(begin_from, absl::StripAsciiWhitespace(**retired_file)) &&
      !KeyIdOf(begin_from).empty()) {
    outcome.no_ops.push_back(
        absl::StrCat("--begin-key-rotation ", begin_from, ": that key was already rotated away ",
                     "(retired, ", retired, "); the log signs with ", current,
                     ". Nothing to do: remove the flag (to rotate again, name this key)"));
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--begin-key-rotation: ", begin_from, " is not this log's key (", current, ", in ",
      files.data_dir, "/log.pub) nor one it retired: name the key to rotate away from"));
}

// A new key, announced in the log (signed by both keys) before it is written as
// log.next.key: a crash in between leaves no key that was never announced.
absl::Status BeginRotation(const RotationFiles& files, const std::string& origin,
                           storage::TransparencyLog& log, KeyRotationOutcome& outcome) {
  absl::StatusOr<domain::NoteSigner> next = domain::NoteSigner::Generate(origin);
  if (!next.ok()) return next.status();
  const std::string seed = next->raw_private_key();
  const std::string next_key = next->VerifierKey();
  if (absl::Status status = log.BeginKeyRotation(*std::move(next)); !status.ok()) {
    return status;
  }
  if (absl::Status status = SaveLogKey(files.next, seed); !status.ok()) return status;
  if (absl::Status status = storage::WriteFileAtomically(files.next_pub, next_key + "\n", 0644);
      !status.ok()) {
    return status;
  }
  outcome.step = "begun";
  return absl::OkStatus();
}

// --begin-key-rotation KEY: begins a rotation away from the current key, or says why not.
absl::Status ApplyBegin(const RotationFiles& files, const std::string& origin,
                        storage::TransparencyLog& log, const std::string& begin_from,
                        KeyRotationOutcome& outcome) {
  const std::string current = log.VerifierKey();
  if (!NamesKey(begin_from, current)) {
    return BeginFromOtherKey(files, begin_from, current, outcome);
  }
  if (!log.NextVerifierKey().empty()) {
    outcome.no_ops.push_back(absl::StrCat("--begin-key-rotation: the rotation from ", current,
                                          " to ", log.NextVerifierKey(),
                                          " is already under way; nothing to do"));
    return absl::OkStatus();
  }
  return BeginRotation(files, origin, log, outcome);
}

// Whether a finish may go ahead: once `request.window` has passed since the begin, or
// sooner when forced (said in `outcome.forced`); a refusal is said in
// `outcome.finish_refused`.
absl::StatusOr<bool> FinishIsDue(const std::string& next_key, storage::TransparencyLog& log,
                                 const KeyRotationRequest& request, KeyRotationOutcome& outcome) {
  absl::StatusOr<absl::Time> began = log.KeyRotationBeganAt();
  if (!began.ok()) return began.status();
  const absl::Duration since = absl::Now() - *began;
  if (since >= request.window) return true;
  const std::string timing = absl::StrCat(
      "the rotation to ", next_key, " began ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *began, absl::UTCTimeZone()), ", ",
      absl::FormatDuration(absl::Trunc(since, absl::Seconds(1))),
      " ago, less than --key-rotation-window (", absl::FormatDuration(request.window), ")");
  if (!request.force) {
    outcome.finish_refused = absl::StrCat(
        "--finish-key-rotation refused: ", timing,
        ", the time auditors get to move their pin. The old key co-signs on; finish at a "
        "start after ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *began + request.window, absl::UTCTimeZone()),
        ", or now with --force-finish-key-rotation if the old key may be compromised");
    return false;
  }
  outcome.forced = absl::StrCat("--force-finish-key-rotation: finishing although ", timing);
  return true;
}

// Ends the rotation: recorded in the log (signed by both keys), the old verifier key kept
// as log.retired-<id>.pub, and log.key and log.pub replaced by the next key's.
absl::Status FinishRotation(const RotationFiles& files, storage::TransparencyLog& log,
                            const std::string& next_key, KeyRotationOutcome& outcome) {
  const std::string retiring = log.VerifierKey();
  absl::StatusOr<domain::NoteVerifier> old = domain::NoteVerifier::FromVerifierKey(retiring);
  if (!old.ok()) return old.status();
  absl::Status finished = log.FinishKeyRotation([&]() -> absl::Status {
    // The old verifier key stays beside the data for checking old checkpoints; then
    // log.key becomes the next key (the step that makes the rotation final on disk).
    if (absl::Status status = storage::WriteFileAtomically(
            absl::StrCat(files.data_dir, "/log.retired-", absl::Hex(old->key_id(), absl::kZeroPad8),
                         ".pub"),
            retiring + "\n", 0644);
        !status.ok()) {
      return status;
    }
    absl::StatusOr<std::optional<std::string>> next_seed = storage::ReadFileIfExists(files.next);
    if (!next_seed.ok()) return next_seed.status();
    if (!next_seed->has_value()) return absl::DataLossError(files.next + " disappeared");
    if (absl::Status status = storage::WriteFileAtomically(files.key, **next_seed, 0600);
        !status.ok()) {
      return status;
    }
    return storage::WriteFileAtomically(files.data_dir + "/log.pub", next_key + "\n", 0644);
  });
  if (!finished.ok()) return finished;
  std::remove(files.next.c_str());
  std::remove(files.next_pub.c_str());
  outcome.step = "finished";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KeyRotationOutcome> ApplyKeyRotation(const std::string& data_dir,
                                                    const std::string& origin,
                                                    storage::TransparencyLog& log,
                                                    const KeyRotationRequest& request) {
  const RotationFiles files(data_dir);
  KeyRotationOutcome outcome;
  bool finished = false;
  if (absl::Status status = ResumeRotation(files, origin, log, outcome, &finished); !status.ok()) {
    return status;
  }
  if (finished) return outcome;
  if (!request.begin_from.empty()) {
    if (absl::Status status = ApplyBegin(files, origin, log, request.begin_from, outcome);
        !status.ok()) {
      return status;
    }
  }
  if (!request.finish) return outcome;
  const std::string next_key = log.NextVerifierKey();
  if (next_key.empty()) {
    outcome.no_ops.push_back(
        "--finish-key-rotation: none under way (already finished, or never begun); nothing to "
        "do: remove the flag");
    return outcome;
  }
  absl::StatusOr<bool> due = FinishIsDue(next_key, log, request, outcome);
  if (!due.ok()) return due.status();
  if (!*due) return outcome;
  if (absl::Status status = FinishRotation(files, log, next_key, outcome); !status.ok()) {
    return status;
  }
  return outcome;
}

namespace {

constexpr char kBackupIdFile[] = "registry.id";

std::string FileText(const std::string& path) {
  absl::StatusOr<std::optional<std::string>> text = storage::ReadFileIfExists(path);
  if (!text.ok() || !text->has_value()) return "";
  return std::string(absl::StripAsciiWhitespace(**text));
}

// The verifier key named in a registry.id file ("key <verifier key>" line).
std::string KeyInIdFile(absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "key ")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

// Whether `key` is the log's in `data_dir`: its key, the next one, or a retired one.
bool IsThisLogsKey(const std::string& data_dir, const std::string& key) {
  if (key.empty()) return false;
  if (key == FileText(data_dir + "/log.pub") || key == FileText(data_dir + "/log.next.pub")) {
    return true;
  }
  const std::string id = KeyIdOf(key);
  return !id.empty() && key == FileText(absl::StrCat(data_dir, "/log.retired-", id, ".pub"));
}

absl::Status Refuse(const std::string& dir, const std::string& theirs, const std::string& ours) {
  return absl::FailedPreconditionError(absl::StrCat(
      "dir: ", dir, " holds the backups of another log (key ", theirs,
      "), not of this registry's (", ours,
      "): a backup folder belongs to one log, and a second one would overwrite its store's "
      "backups and signing key. Choose another folder"));
}

}  // namespace

absl::Status ClaimBackupDir(const std::string& dir, const std::string& data_dir) {
  const std::string ours = FileText(data_dir + "/log.pub");
  if (ours.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(data_dir, "/log.pub is missing"));
  }
  absl::StatusOr<domain::NoteVerifier> verifier = domain::NoteVerifier::FromVerifierKey(ours);
  if (!verifier.ok()) return verifier.status();
  const std::string id_path = absl::StrCat(dir, "/", kBackupIdFile);
  const std::string content = absl::StrCat(
      "# The backups of one Sello log, made by `sello admin backup`: sellod refuses to back\n"
      "# up another log into this folder. Restore with sellod --restore-from ",
      dir, "\norigin ", verifier->name(), "\nkey ", ours, "\n");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  }
  std::string theirs = KeyInIdFile(FileText(id_path));
  if (theirs.empty()) {
    // A folder from before registry.id: its log.pub says whose it is; a folder holding
    // backups of nobody known is not taken over.
    theirs = FileText(dir + "/log.pub");
    if (theirs.empty() && std::filesystem::exists(dir + "/meta", error)) {
      return Refuse(dir, "unknown: backups without a log key", ours);
    }
    if (!theirs.empty() && !IsThisLogsKey(data_dir, theirs)) return Refuse(dir, theirs, ours);
    // Claimed exclusively: of two registries racing for an empty folder, one wins.
    const std::string temp = absl::StrCat(id_path, ".", ::getpid(), ".tmp");
    if (absl::Status status = storage::WriteFileAtomically(temp, content, 0644); !status.ok()) {
      return status;
    }
    const int linked = ::link(temp.c_str(), id_path.c_str());
    const int saved = errno;
    std::remove(temp.c_str());
    if (linked == 0) return absl::OkStatus();
    if (saved != EEXIST) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", id_path, ": ", std::strerror(saved)));
    }
    theirs = KeyInIdFile(FileText(id_path));
  }
  if (!IsThisLogsKey(data_dir, theirs)) return Refuse(dir, theirs, ours);
  if (theirs != ours) {
    // This log's, under the key it had before a rotation: the folder follows the key.
    return storage::WriteFileAtomically(id_path, content, 0644);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> CopyLogKeyFiles(const std::string& from, const std::string& to) {
  std::vector<std::string> names = {"log.key", "log.pub", "log.next.key", "log.next.pub"};
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(from, error)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "log.retired-") && absl::EndsWith(name, ".pub")) {
      names.push_back(std::move(name));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", from, ": ", error.message()));
  bool complete = true;
  for (const std::string& name : names) {
    absl::StatusOr<std::optional<std::string>> content =
        storage::ReadFileIfExists(absl::StrCat(from, "/", name));
    if (!content.ok()) return content.status();
    if (!content->has_value()) {
      if (absl::StartsWith(name, "log.next.")) {
        std::error_code ignored;
        std::filesystem::remove(std::filesystem::path(to) / name, ignored);
      } else {
        complete = false;
      }
      continue;
    }
    const mode_t mode = absl::EndsWith(name, ".key") ? 0600 : 0644;
    if (absl::Status status =
            storage::WriteFileAtomically(absl::StrCat(to, "/", name), **content, mode);
        !status.ok()) {
      return status;
    }
  }
  return complete;
}

absl::Status PutCosignedCheckpoint(const std::string& dir, const std::optional<std::string>& note) {
  const std::string path = absl::StrCat(dir, "/", kCosignedCheckpointFile);
  if (note.has_value()) return storage::WriteFileAtomically(path, *note, 0644);
  std::error_code error;
  std::filesystem::remove(path, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot remove ", path, ": ", error.message()));
  return absl::OkStatus();
}

}  // namespace sello::service
