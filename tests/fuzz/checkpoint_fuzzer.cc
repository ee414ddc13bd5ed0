// Fuzz target: checkpoint verification (daemon/tlog/checkpoint.h), as auditors and
// `sellod` at start read signed notes and verifier keys from elsewhere. The input is a
// verifier key line, then a signed note. The note is checked with that key (when it
// parses), with the target's own fixed key (fuzz_keys.h; the seeds are signed with it),
// and read as a bare body. What parses strictly is canonical: it writes back the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/tlog/checkpoint.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_keys.h"

namespace sello::fuzz {
namespace {

struct Keys {
  domain::NoteSigner signer = FuzzLogSigner();
  domain::NoteVerifier verifier = *domain::NoteVerifier::FromVerifierKey(signer.VerifierKey());
};

void CheckNote(const domain::NoteVerifier& verifier, absl::string_view note) {
  const absl::StatusOr<std::string> body = verifier.Verify(note);
  const absl::StatusOr<domain::Checkpoint> opened =
      domain::OpenCheckpoint(verifier, note, verifier.name());
  if (!body.ok()) {
    SELLO_FUZZ_CHECK(!opened.ok(), "opened a note that does not verify");
    return;
  }
  SELLO_FUZZ_CHECK(absl::string_view(note).substr(0, body->size()) == *body, *body);
}

void CheckBody(const Keys& keys, absl::string_view body) {
  const absl::StatusOr<domain::Checkpoint> checkpoint = domain::ParseCheckpointBody(body);
  if (!checkpoint.ok()) return;
  if (!domain::ValidateCheckpoint(*checkpoint).ok()) return;
  SELLO_FUZZ_CHECK(domain::CheckpointBody(*checkpoint) == body, std::string(body));
  // Signed by our key under our origin, it opens to the same checkpoint.
  if (checkpoint->origin != keys.signer.name()) return;
  const absl::StatusOr<std::string> note = domain::SignCheckpoint(keys.signer, *checkpoint);
  SELLO_FUZZ_CHECK(note.ok(), note.status().ToString());
  const absl::StatusOr<domain::Checkpoint> opened =
      domain::OpenCheckpoint(keys.verifier, *note, keys.signer.name());
  SELLO_FUZZ_CHECK(opened.ok(), opened.status().ToString());
  SELLO_FUZZ_CHECK(opened->size == checkpoint->size && opened->root_hash == checkpoint->root_hash &&
                       opened->time == checkpoint->time,
                   *note);
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sello;
  static const auto* keys = new fuzz::Keys();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view key_line = input.substr(0, newline);
  const absl::string_view note =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);

  const absl::StatusOr<domain::NoteVerifier> verifier =
      domain::NoteVerifier::FromVerifierKey(key_line);
  if (verifier.ok()) {
    // The canonical form of a key parses to the same key.
    const absl::StatusOr<domain::NoteVerifier> again =
        domain::NoteVerifier::FromVerifierKey(verifier->VerifierKey());
    SELLO_FUZZ_CHECK(again.ok() && again->raw_public_key() == verifier->raw_public_key() &&
                         again->name() == verifier->name() && again->key_id() == verifier->key_id(),
                     std::string(key_line));
    fuzz::CheckNote(*verifier, note);
  }
  fuzz::CheckNote(keys->verifier, note);
  // The body alone, and the note's body as the verifier would cut it.
  fuzz::CheckBody(*keys, note);
  if (const size_t blank = note.find("\n\n"); blank != absl::string_view::npos) {
    fuzz::CheckBody(*keys, note.substr(0, blank + 1));
  }
  return 0;
}
