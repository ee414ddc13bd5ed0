#include "client/connection.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace sello::client {

Connection::Connection(const ConnectionOptions& options) : options_(options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (options_.tls) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = options_.ca_pem;
    tls.pem_cert_chain = options_.cert_pem;
    tls.pem_private_key = options_.key_pem;
    credentials = grpc::SslCredentials(tls);
  }
  grpc::ChannelArguments arguments;
  if (options_.tls && !options_.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options_.tls_server_name);
  }
  channel_ = grpc::CreateCustomChannel(options_.server, credentials, arguments);
  organisations_ = v1::OrganisationService::NewStub(channel_);
  tokens_ = v1::TokenService::NewStub(channel_);
  standards_ = v1::StandardService::NewStub(channel_);
  log_ = v1::LogService::NewStub(channel_);
  accreditations_ = v1::AccreditationService::NewStub(channel_);
  inspections_ = v1::InspectionService::NewStub(channel_);
  seals_ = v1::SealService::NewStub(channel_);
  norms_ = v1::NormService::NewStub(channel_);
  appeals_ = v1::AppealService::NewStub(channel_);
  stats_ = v1::StatsService::NewStub(channel_);
  admin_ = v1::AdminService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.timeout));
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  return context;
}

std::unique_ptr<grpc::ClientContext> Connection::NewStreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  return context;
}

namespace {

// "127.0.0.1:7443" or "sello.write at 127.0.0.1:7443".
std::string Described(const std::string& server, const std::string& service) {
  return service.empty() ? server : absl::StrCat(service, " at ", server);
}

}  // namespace

grpc::Status Connection::CheckServing(const std::string& service) const {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  std::unique_ptr<grpc::ClientContext> context = NewContext();
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(context.get(), request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat(options_.server, " knows no health service \"", service,
                                     "\" (sellod's are \"\" and \"sello.write\")"));
  }
  if (!status.ok()) return status;
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat(Described(options_.server, service), " is up but not serving (",
                     grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()),
                     ")"));
  }
  return grpc::Status::OK;
}

grpc::Status Connection::WaitUntilServing(absl::Duration wait, const std::string& service) const {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  const auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(wait);
  grpc::Status last = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "not yet asked");
  // Each attempt waits for the channel to become ready (no sleeping): a daemon that is
  // still starting is retried until the deadline.
  while (std::chrono::system_clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    context.set_wait_for_ready(true);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    last = stub->Check(&context, request, &response);
    // A service the server does not know will not appear by waiting.
    if (last.error_code() == grpc::StatusCode::NOT_FOUND) return CheckServing(service);
    if (last.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return grpc::Status::OK;
    }
    if (last.ok()) {
      // Up but not serving: watch until it changes rather than poll.
      grpc::ClientContext watch_context;
      watch_context.set_deadline(deadline);
      auto reader = stub->Watch(&watch_context, request);
      while (reader->Read(&response)) {
        if (response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
          watch_context.TryCancel();
          reader->Finish();
          return grpc::Status::OK;
        }
      }
      last = reader->Finish();
    }
  }
  return grpc::Status(
      grpc::StatusCode::UNAVAILABLE,
      absl::StrCat(Described(options_.server, service), " is not serving: ", last.error_message()));
}

}  // namespace sello::client
