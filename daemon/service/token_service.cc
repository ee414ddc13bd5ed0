#include "daemon/service/token_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

constexpr size_t kMaxLabelLength = 200;

std::string Method(absl::string_view name) {
  return MethodName(v1::TokenService::service_full_name(), name);
}

// Whether some token other than `except_id` is an active ADMIN token.
absl::StatusOr<bool> AnotherActiveAdmin(const storage::Store& store, absl::string_view except_id) {
  bool found = false;
  absl::Status scan = storage::VisitTokens(store, [&](internal::StoredToken&& stored) {
    found = stored.token().role() == v1::ADMIN && !stored.token().revoked() &&
            stored.token().id() != except_id;
    return !found;
  });
  if (!scan.ok()) return scan;
  return found;
}

// Revokes the token `token_id` (never the last active ADMIN token) and records it;
// `revoked` gets the token as revoked.
absl::Status RevokeTokenTx(storage::Transaction& tx, const std::string& token_id,
                           v1::Token& revoked) {
  absl::StatusOr<internal::StoredToken> stored = storage::RequireToken(tx.store(), token_id);
  if (!stored.ok()) return stored.status();
  v1::Token& token = *stored->mutable_token();
  if (token.revoked()) {
    return absl::FailedPreconditionError(absl::StrCat("token ", token.id(), " is already revoked"));
  }
  if (token.role() == v1::ADMIN) {
    absl::StatusOr<bool> another = AnotherActiveAdmin(tx.store(), token.id());
    if (!another.ok()) return another.status();
    if (!*another) {
      return absl::FailedPreconditionError(
          absl::StrCat("token ", token.id(),
                       " is the last active ADMIN token; create another before revoking it"));
    }
  }
  token.set_revoked(true);
  *token.mutable_revoke_time() = domain::ToProto(tx.now());
  token.set_revoked_by(tx.actor().token_id);
  storage::PutToken(tx.writes(), *stored);
  tx.Record("token.revoked", domain::Subject(domain::kTokenRecord, token.id()), token,
            token.organisation_id());
  revoked = token;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> IssueToken(storage::Transaction& tx,
                                       const v1::Organisation& organisation, v1::Role role,
                                       absl::string_view label, v1::Token& token) {
  if (!v1::Role_IsValid(role) || role == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError("role: required (ADMIN, CERTIFIER, FIRM or REGULATOR)");
  }
  if (label.size() > kMaxLabelLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("label: longer than ", kMaxLabelLength, " characters"));
  }
  const v1::Role expected = domain::RoleForKind(organisation.kind());
  if (role != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("role: organisation '", organisation.id(), "' is a ",
                     v1::Organisation::Kind_Name(organisation.kind()), "; its tokens have role ",
                     v1::Role_Name(expected), ", not ", v1::Role_Name(role)));
  }
  const std::string secret = domain::NewTokenSecret();
  internal::StoredToken stored;
  stored.set_secret_sha256(domain::Sha256(secret));
  v1::Token* record = stored.mutable_token();
  record->set_id(domain::NewId("tok"));
  record->set_organisation_id(organisation.id());
  record->set_role(role);
  record->set_label(std::string(label));
  *record->mutable_create_time() = domain::ToProto(tx.now());
  record->set_created_by(tx.actor().token_id);
  storage::PutToken(tx.writes(), stored);
  // The event digests the public record: the secret's hash never leaves the store.
  tx.Record("token.created", domain::Subject(domain::kTokenRecord, record->id()), *record,
            organisation.id());
  token = *record;
  return secret;
}

grpc::Status TokenService::CreateToken(grpc::ServerContext* context,
                                       const v1::CreateTokenRequest* request,
                                       v1::CreateTokenResponse* response) {
  return Serve(
      registry_, context, Method("CreateToken"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          if (request->organisation_id().empty()) {
            return absl::InvalidArgumentError("organisation_id: required");
          }
          absl::StatusOr<std::optional<v1::Organisation>> organisation =
              storage::FindOrganisation(tx.store(), request->organisation_id());
          if (!organisation.ok()) return organisation.status();
          if (!organisation->has_value()) {
            return absl::NotFoundError(absl::StrCat("organisation_id: organisation '",
                                                    request->organisation_id(), "' not found"));
          }
          absl::StatusOr<std::string> secret = IssueToken(
              tx, **organisation, request->role(), request->label(), *response->mutable_token());
          if (!secret.ok()) return secret.status();
          response->set_secret(*secret);
          return absl::OkStatus();
        });
      });
}

grpc::Status TokenService::ListTokens(grpc::ServerContext* context,
                                      const v1::ListTokensRequest* request,
                                      v1::ListTokensResponse* response) {
  return Serve(registry_, context, Method("ListTokens"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<std::string> next = storage::ListTokensPage(
                     *registry_.store, request->organisation_id(), request->page_token(),
                     *page_size, [&](internal::StoredToken&& stored) -> absl::StatusOr<bool> {
                       *response->add_tokens() = std::move(*stored.mutable_token());
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status TokenService::RevokeToken(grpc::ServerContext* context,
                                       const v1::RevokeTokenRequest* request, v1::Token* response) {
  return Serve(registry_, context, Method("RevokeToken"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->token_id().empty()) {
                   return absl::InvalidArgumentError("token_id: required");
                 }
                 return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) {
                   return RevokeTokenTx(tx, request->token_id(), *response);
                 });
               });
}

grpc::Status TokenService::WhoAmI(grpc::ServerContext* context, const v1::WhoAmIRequest* request,
                                  v1::WhoAmIResponse* response) {
  return Serve(registry_, context, Method("WhoAmI"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<internal::StoredToken> stored =
                     storage::RequireToken(store, caller->token_id);
                 if (!stored.ok()) return stored.status();
                 absl::StatusOr<v1::Organisation> organisation =
                     storage::RequireOrganisation(store, caller->organisation_id);
                 if (!organisation.ok()) return organisation.status();
                 *response->mutable_token() = stored->token();
                 *response->mutable_organisation() = *std::move(organisation);
                 return absl::OkStatus();
               });
}

}  // namespace sello::service
