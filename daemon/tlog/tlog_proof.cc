#include "daemon/tlog/tlog_proof.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "daemon/tlog/merkle.h"
#include "daemon/tlog/signed_note.h"

namespace sello::domain {

std::string FormatTlogProof(const TlogProof& proof) {
  std::string text = absl::StrCat(kTlogProofHeader, "\n");
  if (proof.extra.has_value())
    absl::StrAppend(&text, "extra ", absl::Base64Escape(*proof.extra), "\n");
  absl::StrAppend(&text, "index ", proof.index, "\n");
  for (const std::string& hash : proof.hashes)
    absl::StrAppend(&text, absl::Base64Escape(hash), "\n");
  absl::StrAppend(&text, "\n", proof.checkpoint);
  return text;
}

absl::StatusOr<TlogProof> ParseTlogProof(absl::string_view text) {
  TlogProof proof;
  int number = 0;
  const auto bad = [&number](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat("tlog-proof line %d: %s", number, why));
  };
  // The next line, without its newline; false at the end of the text.
  const auto next = [&](absl::string_view* line) -> absl::Status {
    ++number;
    const size_t end = text.find('\n');
    if (end == absl::string_view::npos) {
      return bad(text.empty() ? "missing" : "does not end with a newline");
    }
    *line = text.substr(0, end);
    text.remove_prefix(end + 1);
    return absl::OkStatus();
  };
  absl::string_view line;
  if (absl::Status status = next(&line); !status.ok()) return status;
  if (line != kTlogProofHeader) return bad(absl::StrCat("want \"", kTlogProofHeader, "\""));
  if (absl::Status status = next(&line); !status.ok()) return status;
  if (absl::ConsumePrefix(&line, "extra ")) {
    std::string extra;
    if (!DecodeCanonicalBase64(line, &extra)) return bad("extra data is not canonical base64");
    proof.extra = std::move(extra);
    if (absl::Status status = next(&line); !status.ok()) return status;
  }
  if (!absl::ConsumePrefix(&line, "index ") ||
      !ParseDecimal(line, std::numeric_limits<uint64_t>::max(), &proof.index)) {
    return bad("want \"index <decimal>\" (no leading zeros)");
  }
  while (true) {
    if (absl::Status status = next(&line); !status.ok()) return status;
    if (line.empty()) break;
    if (proof.hashes.size() >= kMaxInclusionPathLength) {
      return bad(absl::StrFormat("more than %d inclusion proof hashes", kMaxInclusionPathLength));
    }
    std::string hash;
    if (!DecodeCanonicalBase64(line, &hash) || hash.size() != merkle::kHashSize) {
      return bad("not the canonical base64 of a 32-byte hash");
    }
    proof.hashes.push_back(std::move(hash));
  }
  if (text.empty()) return bad("no checkpoint after the empty line");
  if (text.back() != '\n') return bad("the checkpoint does not end with a newline");
  proof.checkpoint = std::string(text);
  return proof;
}

}  // namespace sello::domain
