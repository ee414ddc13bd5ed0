#include "daemon/domain/witness_protocol.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/signed_note.h"

namespace sello::domain {

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  std::string body = absl::StrCat("old ", request.old_size, "\n");
  for (const std::string& hash : request.proof) {
    absl::StrAppend(&body, absl::Base64Escape(hash), "\n");
  }
  absl::StrAppend(&body, "\n", request.checkpoint);
  return body;
}

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpointRequest(absl::string_view body) {
  AddCheckpointRequest request;
  int number = 0;
  const auto bad = [&number](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat("request line %d: %s", number, why));
  };
  // The header: the old size line and the proof lines, up to the first empty line.
  while (true) {
    ++number;
    const size_t end = body.find('\n');
    if (end == absl::string_view::npos) {
      return bad(body.empty() ? "missing (want \"old <size>\", proof lines, an empty line, "
                                "then the checkpoint)"
                              : "does not end with a newline");
    }
    absl::string_view line = body.substr(0, end);
    body.remove_prefix(end + 1);
    if (number == 1) {
      if (!absl::ConsumePrefix(&line, "old ") ||
          !ParseDecimal(line, std::numeric_limits<uint64_t>::max(), &request.old_size)) {
        return bad("want \"old <size>\" (decimal, no leading zeros)");
      }
      continue;
    }
    if (line.empty()) break;
    if (request.proof.size() >= static_cast<size_t>(kMaxConsistencyProofLines)) {
      return bad(
          absl::StrFormat("more than %d consistency proof lines", kMaxConsistencyProofLines));
    }
    std::string hash;
    if (!DecodeCanonicalBase64(line, &hash) || hash.size() != merkle::kHashSize) {
      return bad("a proof line is not the canonical base64 of a 32-byte hash");
    }
    request.proof.push_back(std::move(hash));
  }
  if (request.old_size == 0 && !request.proof.empty()) {
    return absl::InvalidArgumentError("request: a proof from old size 0 must be empty");
  }
  if (body.empty())
    return absl::InvalidArgumentError("request: no checkpoint after the empty line");
  if (body.back() != '\n') {
    return absl::InvalidArgumentError("request: the checkpoint does not end with a newline");
  }
  request.checkpoint = std::string(body);
  return request;
}

std::string FormatTreeSize(uint64_t size) { return absl::StrCat(size, "\n"); }

absl::StatusOr<uint64_t> ParseTreeSize(absl::string_view body) {
  uint64_t size = 0;
  if (!absl::ConsumeSuffix(&body, "\n") ||
      !ParseDecimal(body, std::numeric_limits<uint64_t>::max(), &size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size: ", QuoteForMessage(body), " is not a decimal size and a newline"));
  }
  return size;
}

AddCheckpointVerdict JudgeAddCheckpoint(const std::optional<WitnessedTree>& held,
                                        const AddCheckpointRequest& request, uint64_t new_size,
                                        absl::string_view new_root) {
  using Outcome = AddCheckpointOutcome;
  if (request.old_size > new_size) {
    return {Outcome::kBadRequest,
            absl::StrFormat("old size %d is beyond the checkpoint's size %d", request.old_size,
                            new_size),
            false};
  }
  const uint64_t held_size = held.has_value() ? held->size : 0;
  if (request.old_size != held_size) {
    return {Outcome::kSizeConflict,
            absl::StrFormat("old size %d is not the size last cosigned, %d", request.old_size,
                            held_size),
            false};
  }
  if (!held.has_value() || held_size == 0) return {Outcome::kCosign, "first checkpoint", false};
  if (new_size == held_size) {
    if (new_root != held->root_hash) {
      return {Outcome::kRootConflict,
              absl::StrFormat("the checkpoint of size %d has another root hash than the one "
                              "cosigned at that size: the log has forked",
                              new_size),
              true};
    }
    if (!request.proof.empty()) {
      return {Outcome::kInconsistent, "a proof between equal sizes must be empty", false};
    }
    return {Outcome::kCosign, "same tree", false};
  }
  if (absl::Status status =
          merkle::VerifyConsistency(held_size, new_size, held->root_hash, new_root, request.proof);
      !status.ok()) {
    return {Outcome::kInconsistent,
            absl::StrFormat("the consistency proof from size %d to %d does not verify: %s",
                            held_size, new_size, status.message()),
            true};
  }
  return {Outcome::kCosign, "consistent", false};
}

}  // namespace sello::domain
