#include "daemon/server/auth.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/crypto.h"
#include "sello/internal/records.pb.h"
#include "storage/records.h"

namespace sello::service {
namespace {

constexpr absl::string_view kBearer = "Bearer ";
// Far longer than any real token; refuses junk before hashing it.
constexpr size_t kMaxSecretLength = 256;

}  // namespace

absl::StatusOr<domain::Principal> Authenticator::Resolve(absl::string_view secret) const {
  if (secret.empty() || secret.size() > kMaxSecretLength) {
    return absl::UnauthenticatedError("malformed bearer token");
  }
  const std::string digest = domain::Sha256(secret);
  absl::StatusOr<std::optional<std::string>> token_id =
      store_.Get(storage::Table::kTokensByHash, digest);
  if (!token_id.ok()) return token_id.status();
  if (!token_id->has_value()) return absl::UnauthenticatedError("unknown token");
  absl::StatusOr<std::optional<internal::StoredToken>> stored =
      storage::LoadRecord<internal::StoredToken>(store_, storage::Table::kTokens, **token_id);
  if (!stored.ok()) return stored.status();
  // The index and the record agree unless the store is damaged; compare the hashes in
  // constant time all the same.
  if (!stored->has_value() || !domain::ConstantTimeEqual((*stored)->secret_sha256(), digest)) {
    return absl::UnauthenticatedError("unknown token");
  }
  const v1::Token& token = (*stored)->token();
  if (token.revoked()) {
    return absl::UnauthenticatedError(absl::StrCat("token ", token.id(), " has been revoked"));
  }
  return domain::Principal{token.id(), token.organisation_id(), token.role()};
}

absl::Status Authenticator::CheckStillValid(const domain::Principal& principal) const {
  if (principal.token_id.empty()) return absl::OkStatus();  // the daemon itself
  absl::StatusOr<std::optional<internal::StoredToken>> stored =
      storage::LoadRecord<internal::StoredToken>(store_, storage::Table::kTokens,
                                                 principal.token_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::UnauthenticatedError("unknown token");
  if ((*stored)->token().revoked()) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", principal.token_id, " has been revoked"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<domain::Principal>> Authenticator::Identify(
    const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  const auto header = metadata.find("authorization");
  if (header == metadata.end()) return std::optional<domain::Principal>();
  const absl::string_view value(header->second.data(), header->second.size());
  if (!absl::StartsWith(value, kBearer)) {
    return absl::UnauthenticatedError("authorization metadata must be 'Bearer <token>'");
  }
  absl::StatusOr<domain::Principal> principal = Resolve(value.substr(kBearer.size()));
  if (!principal.ok()) return principal.status();
  return std::optional<domain::Principal>(*std::move(principal));
}

absl::StatusOr<std::optional<domain::Principal>> Authenticator::Admit(
    const grpc::ServerContextBase& context, absl::string_view method) const {
  absl::StatusOr<std::optional<domain::Principal>> principal = Identify(context);
  if (!principal.ok()) return principal.status();
  const domain::Principal* who = principal->has_value() ? &**principal : nullptr;
  if (absl::Status status = domain::Authorize(method, who); !status.ok()) return status;
  return principal;
}

}  // namespace sello::service
