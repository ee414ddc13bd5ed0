// Fuzz target: the seal-code parser (daemon/domain/seal_code.h), on what a person or a
// forger might type. Besides not crashing, the properties the header promises must hold.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/seal_code.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::domain {
namespace {

// standard_rules.h: 2-16 characters of [A-Z0-9-], starting with a letter.
bool IsValidStandardId(absl::string_view id) {
  if (id.size() < 2 || id.size() > 16 || id[0] < 'A' || id[0] > 'Z') return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void CheckTyped(absl::string_view typed) {
  const absl::StatusOr<std::string> code = NormaliseSealCode(typed);
  HasValidCheckCharacter(typed);
  SealCodeKey(typed);
  const char check = CheckCharacter(typed);
  // Appending the check character makes a valid code, unless it is '*' (not a code
  // character) or a look-alike (I, L, O read as 1, 1, 0: seal_code.h).
  if (check != '\0' && check != '*' && check != 'I' && check != 'L' && check != 'O') {
    const std::string with_check = std::string(typed) + check;
    SELLO_FUZZ_CHECK(HasValidCheckCharacter(with_check) == !SealCodeKey(typed).empty(), with_check);
  }
  if (!code.ok()) return;
  // An accepted code is in display form, which reads back as itself, with the same
  // identity and a valid check character.
  SELLO_FUZZ_CHECK(code->size() <= kMaxSealCodeLength, *code);
  const absl::StatusOr<std::string> again = NormaliseSealCode(*code);
  SELLO_FUZZ_CHECK(again.ok() && *again == *code, *code);
  SELLO_FUZZ_CHECK(SealCodeKey(*code) == SealCodeKey(typed), *code);
  SELLO_FUZZ_CHECK(HasValidCheckCharacter(*code), *code);
}

}  // namespace
}  // namespace sello::domain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view typed(reinterpret_cast<const char*>(data), size);
  sello::domain::CheckTyped(typed);
  // A new code for a valid standard id reads back unchanged (seal_code.h).
  if (sello::domain::IsValidStandardId(typed)) {
    const std::string issued = sello::domain::NewSealCode(typed);
    const absl::StatusOr<std::string> read = sello::domain::NormaliseSealCode(issued);
    SELLO_FUZZ_CHECK(read.ok() && *read == issued, issued);
  }
  return 0;
}
