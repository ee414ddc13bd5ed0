// gRPC TokenService: issuing, listing and revoking bearer tokens.
#ifndef SELLO_DAEMON_SERVICE_TOKEN_SERVICE_H_
#define SELLO_DAEMON_SERVICE_TOKEN_SERVICE_H_

#include "absl/strings/string_view.h"
#include "daemon/server/call.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/token.grpc.pb.h"

namespace sello::service {

class TokenService final : public v1::TokenService::Service {
 public:
  explicit TokenService(Registry registry) : registry_(registry) {}

  grpc::Status CreateToken(grpc::ServerContext* context, const v1::CreateTokenRequest* request,
                           v1::CreateTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const v1::ListTokensRequest* request,
                          v1::ListTokensResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
                           v1::Token* response) override;
  grpc::Status WhoAmI(grpc::ServerContext* context, const v1::WhoAmIRequest* request,
                      v1::WhoAmIResponse* response) override;

 private:
  Registry registry_;
};

// Issues a token for `organisation` with `role` inside `tx` (checks that the role
// matches the organisation's kind). Returns the secret; the stored record is written
// to `token`.
absl::StatusOr<std::string> IssueToken(storage::Transaction& tx,
                                       const v1::Organisation& organisation, v1::Role role,
                                       absl::string_view label, v1::Token& token);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_TOKEN_SERVICE_H_
