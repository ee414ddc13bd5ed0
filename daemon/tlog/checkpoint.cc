#include "daemon/tlog/checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace sello::domain {
namespace {

constexpr absl::string_view kTimePrefix = "time ";

std::string Quote(absl::string_view text) { return QuoteForMessage(text); }

}  // namespace

absl::Status ValidateCheckpoint(const Checkpoint& checkpoint) {
  if (checkpoint.origin.empty()) {
    return absl::InvalidArgumentError("checkpoint.origin: empty");
  }
  if (absl::StrContains(checkpoint.origin, '\n')) {
    return absl::InvalidArgumentError("checkpoint.origin: contains a newline");
  }
  if (absl::Status status = CheckNoteCharacters(checkpoint.origin, "checkpoint.origin");
      !status.ok()) {
    return status;
  }
  if (checkpoint.root_hash.size() != kRootHashSize) {
    return absl::InvalidArgumentError(absl::StrFormat("checkpoint.root_hash: %d bytes, want %d",
                                                      checkpoint.root_hash.size(), kRootHashSize));
  }
  if (checkpoint.time == absl::InfiniteFuture() || checkpoint.time == absl::InfinitePast()) {
    return absl::InvalidArgumentError("checkpoint.time: infinite");
  }
  if (checkpoint.time < absl::UnixEpoch()) {
    return absl::InvalidArgumentError("checkpoint.time: before 1970-01-01T00:00:00Z");
  }
  if (absl::FromUnixSeconds(absl::ToUnixSeconds(checkpoint.time)) != checkpoint.time) {
    return absl::InvalidArgumentError("checkpoint.time: not a whole number of seconds");
  }
  return absl::OkStatus();
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  return absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                      absl::Base64Escape(checkpoint.root_hash), "\n", kTimePrefix,
                      absl::ToUnixSeconds(checkpoint.time), "\n");
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(absl::string_view body) {
  if (absl::Status status = CheckNoteCharacters(body, "checkpoint"); !status.ok()) {
    return status;
  }
  static constexpr const char* kLineNames[] = {"origin", "size", "root hash", "time"};
  if (body.empty()) return absl::InvalidArgumentError("checkpoint line 1 (origin): missing");
  if (body.back() != '\n') {
    const size_t line = static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line %d%s: does not end with a newline", line,
                        line <= 4 ? absl::StrCat(" (", kLineNames[line - 1], ")") : std::string()));
  }
  const std::vector<absl::string_view> lines =
      absl::StrSplit(body.substr(0, body.size() - 1), '\n');
  // Lines are checked in order, so the first problem is the one reported.
  const auto missing = [](size_t index) {
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line %d (%s): missing", index + 1, kLineNames[index]));
  };

  Checkpoint checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint line 1 (origin): empty");
  checkpoint.origin = std::string(lines[0]);

  if (lines.size() < 2) return missing(1);
  if (!ParseDecimal(lines[1], std::numeric_limits<uint64_t>::max(), &checkpoint.size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint line 2 (size): ", Quote(lines[1]),
                     " is not a decimal number without sign or leading zeros below 2^64"));
  }

  if (lines.size() < 3) return missing(2);
  if (!DecodeCanonicalBase64(lines[2], &checkpoint.root_hash)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line 3 (root hash): ", Quote(lines[2]), " is not canonical base64"));
  }
  if (checkpoint.root_hash.size() != kRootHashSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint line 3 (root hash): %d bytes, want %d",
                        checkpoint.root_hash.size(), kRootHashSize));
  }

  if (lines.size() < 4) return missing(3);
  uint64_t seconds = 0;
  absl::string_view time = lines[3];
  if (!absl::ConsumePrefix(&time, kTimePrefix) ||
      !ParseDecimal(time, std::numeric_limits<int64_t>::max(), &seconds)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line 4 (time): want \"time <Unix seconds>\" (decimal, no leading zeros)"));
  }
  checkpoint.time = absl::FromUnixSeconds(static_cast<int64_t>(seconds));

  if (lines.size() > 4) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint line 5: unexpected extension line ",
                                                   Quote(lines[4]),
                                                   " (only the time line is defined)"));
  }
  return checkpoint;
}

absl::StatusOr<CheckpointText> ParseCheckpointText(absl::string_view text) {
  // C2SP tlog-checkpoint, "Note text".
  if (absl::Status status = CheckNoteCharacters(text, "checkpoint"); !status.ok()) return status;
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint: must be non-empty and end with a newline");
  }
  const std::vector<absl::string_view> lines =
      absl::StrSplit(text.substr(0, text.size() - 1), '\n');
  CheckpointText checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint line 1 (origin): empty");
  checkpoint.origin = std::string(lines[0]);
  if (lines.size() < 2) return absl::InvalidArgumentError("checkpoint line 2 (size): missing");
  if (!ParseDecimal(lines[1], std::numeric_limits<uint64_t>::max(), &checkpoint.size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint line 2 (size): ", QuoteForMessage(lines[1]),
                     " is not a decimal number without sign or leading zeros below 2^64"));
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError("checkpoint line 3 (root hash): missing");
  }
  if (!DecodeCanonicalBase64(lines[2], &checkpoint.root_hash) ||
      checkpoint.root_hash.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint line 3 (root hash): ", QuoteForMessage(lines[2]),
                     " is not the canonical base64 of 32 bytes"));
  }
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("checkpoint line %d (extension): empty", i + 1));
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

absl::StatusOr<std::string> SignCheckpoint(const NoteSigner& signer, const Checkpoint& checkpoint) {
  if (absl::Status status = ValidateCheckpoint(checkpoint); !status.ok()) return status;
  if (checkpoint.origin != signer.name()) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint.origin: ", Quote(checkpoint.origin),
                                                   " is not the signer's key name ",
                                                   Quote(signer.name())));
  }
  return signer.Sign(CheckpointBody(checkpoint));
}

absl::StatusOr<Checkpoint> OpenCheckpoint(const NoteVerifier& verifier, absl::string_view note,
                                          absl::string_view expected_origin) {
  absl::StatusOr<std::string> body = verifier.Verify(note);
  if (!body.ok()) return body.status();
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpointBody(*body);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != expected_origin) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint origin ", Quote(checkpoint->origin), ", want ", Quote(expected_origin)));
  }
  return checkpoint;
}

}  // namespace sello::domain
