// Fuzz target: the C2SP formats a witness and its clients read from strangers (a
// witness's request bodies come from anyone on the network): the tlog-witness
// add-checkpoint request, signed notes and signature lines, tlog-policy files and their
// quorum evaluation, tlog-proof files, and tlog-tiles paths (sellod's /tile/ routes, read
// with the tlog-proof inputs). The first byte picks the parser; what parses strictly is
// canonical and writes back the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/witness_policy.h"
#include "daemon/domain/witness_protocol.h"
#include "daemon/tlog/cosignature.h"
#include "daemon/tlog/signed_note.h"
#include "daemon/tlog/tile_path.h"
#include "daemon/tlog/tlog_proof.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::fuzz {
namespace {

constexpr absl::string_view kNote =
    "example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "\xE2\x80\x94 example.com/log AAAAAAE=\n";

void Request(absl::string_view input) {
  const absl::StatusOr<domain::AddCheckpointRequest> request =
      domain::ParseAddCheckpointRequest(input);
  if (!request.ok()) return;
  SELLO_FUZZ_CHECK(domain::FormatAddCheckpointRequest(*request) == input, std::string(input));
  SELLO_FUZZ_CHECK(request->proof.size() <= 63, std::string(input));
  // The decision never fails on what parses (any held tree, any claimed size).
  const domain::WitnessedTree held{request->old_size, std::string(32, 'h')};
  (void)domain::JudgeAddCheckpoint(held, *request, request->old_size + 1, std::string(32, 'n'));
}

void Note(absl::string_view input) {
  const absl::StatusOr<domain::SignedNote> note = domain::ParseSignedNote(input);
  if (note.ok()) {
    SELLO_FUZZ_CHECK(domain::FormatSignedNote(*note) == input, std::string(input));
    (void)domain::ParseCheckpointText(note->text);
  }
  const absl::StatusOr<std::string> merged = domain::MergeSignatureLines(kNote, input);
  if (merged.ok()) SELLO_FUZZ_CHECK(domain::ParseSignedNote(*merged).ok(), *merged);
}

void Policy(absl::string_view input) {
  const absl::StatusOr<domain::WitnessPolicy> policy = domain::WitnessPolicy::Parse(input);
  if (!policy.ok()) return;
  const absl::StatusOr<domain::QuorumResult> result = policy->Evaluate(kNote);
  SELLO_FUZZ_CHECK(result.ok(), result.status().ToString());
  SELLO_FUZZ_CHECK(result->cosigned.empty(), "a cosignature out of nowhere");
  SELLO_FUZZ_CHECK(result->met == (policy->quorum() == "none"), std::string(input));
}

void Proof(absl::string_view input) {
  const absl::StatusOr<domain::TlogProof> proof = domain::ParseTlogProof(input);
  if (!proof.ok()) return;
  SELLO_FUZZ_CHECK(domain::FormatTlogProof(*proof) == input, std::string(input));
}

void TilePath(absl::string_view input) {
  const absl::StatusOr<domain::TilePath> tile = domain::ParseTilePath(input);
  if (!tile.ok()) return;
  SELLO_FUZZ_CHECK(domain::FormatTilePath(*tile) == "tile/" + std::string(input),
                   std::string(input));
  SELLO_FUZZ_CHECK(tile->width >= 1 && tile->width <= domain::kTileWidth, std::string(input));
  (void)domain::TreeHoldsTile(*tile, ~uint64_t{0});
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      sello::fuzz::Request(input);
      break;
    case 1:
      sello::fuzz::Note(input);
      break;
    case 2:
      sello::fuzz::Policy(input);
      break;
    default:
      sello::fuzz::Proof(input);
      sello::fuzz::TilePath(input);
      break;
  }
  return 0;
}
