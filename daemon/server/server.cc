#include "daemon/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/server/json_logger.h"
#include "daemon/server/request_meter.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/admin_service.h"
#include "daemon/service/appeal_service.h"
#include "daemon/service/inspection_service.h"
#include "daemon/service/log_service.h"
#include "daemon/service/norm_service.h"
#include "daemon/service/organisation_service.h"
#include "daemon/service/seal_service.h"
#include "daemon/service/standard_service.h"
#include "daemon/service/stats_service.h"
#include "daemon/service/token_service.h"

namespace sello::service {
namespace {

// How often the write health looks at the store (the store itself retries writing as
// soon as there is room: see storage::Store::Writable).
constexpr absl::Duration kWriteHealthPoll = absl::Milliseconds(500);

void ReportWrites(grpc::HealthCheckServiceInterface* health, const absl::Status& writable) {
  health->SetServingStatus(kWriteHealthService, writable.ok());
  if (writable.ok()) {
    LogInfo("store_writable", {{"health_service", kWriteHealthService}});
  } else {
    LogError("store_read_only",
             {{"health_service", kWriteHealthService}, {"message", writable.ToString()}});
  }
}

// TLS (mutual when there is a client CA) or plaintext.
std::shared_ptr<grpc::ServerCredentials> Credentials(const ServerOptions& options) {
  if (options.tls_cert_pem.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions tls(
      options.client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                    : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = options.client_ca_pem;
  tls.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
  return grpc::SslServerCredentials(tls);
}

}  // namespace

void Server::MakeServices(const Registry& registry, storage::TransparencyLog* log,
                          const std::string& data_dir) {
  organisations_ = std::make_unique<OrganisationService>(registry);
  tokens_ = std::make_unique<TokenService>(registry);
  standards_ = std::make_unique<StandardService>(registry);
  log_ = std::make_unique<LogService>(registry, log);
  accreditations_ = std::make_unique<AccreditationService>(registry);
  inspections_ = std::make_unique<InspectionService>(registry);
  seals_ = std::make_unique<SealService>(registry, log);
  norms_ = std::make_unique<NormService>(registry);
  appeals_ = std::make_unique<AppealService>(registry);
  stats_ = std::make_unique<StatsService>(registry);
  admin_ = std::make_unique<AdminService>(registry, data_dir);
}

void Server::RegisterServices(grpc::ServerBuilder& builder) {
  builder.RegisterService(organisations_.get());
  builder.RegisterService(tokens_.get());
  builder.RegisterService(standards_.get());
  builder.RegisterService(log_.get());
  builder.RegisterService(accreditations_.get());
  builder.RegisterService(inspections_.get());
  builder.RegisterService(seals_.get());
  builder.RegisterService(norms_.get());
  builder.RegisterService(appeals_.get());
  builder.RegisterService(stats_.get());
  builder.RegisterService(admin_.get());
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      Registry registry,
                                                      storage::TransparencyLog* log) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  server->MakeServices(registry, log, options.data_dir);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, Credentials(options), &port);
  ApplyServerOptions(options, builder);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> meters;
  meters.push_back(NewRequestMeterFactory());
  builder.experimental().SetInterceptorCreators(std::move(meters));
  server->RegisterServices(builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address,
                                               " (address in use or not valid?)"));
  }
  const absl::string_view host =
      absl::string_view(options.listen_address).substr(0, options.listen_address.rfind(':'));
  server->address_ = absl::StrCat(host, ":", port);
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  const storage::Store* store = registry.store;
  absl::Status writable = store->Writable();
  health->SetServingStatus(kWriteHealthService, writable.ok());
  if (!writable.ok()) ReportWrites(health, writable);
  server->write_watcher_ =
      std::thread([raw = server.get(), store, writable] { raw->WatchWrites(store, writable); });
  return server;
}

void Server::WatchWrites(const storage::Store* store, absl::Status writable) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  absl::MutexLock lock(&watch_mu_);
  while (!watch_mu_.AwaitWithTimeout(absl::Condition(&watch_stopping_), kWriteHealthPoll)) {
    watch_mu_.Unlock();
    const absl::Status now = store->Writable();
    if (now.ok() != writable.ok()) ReportWrites(health, now);
    writable = now;
    watch_mu_.Lock();
  }
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  grpc::ChannelArguments arguments;
  // The answers are the services' own: no client-side cap on their size.
  arguments.SetMaxReceiveMessageSize(-1);
  return server_->InProcessChannel(arguments);
}

Server::~Server() {
  if (server_ != nullptr) Shutdown(absl::ZeroDuration());
}

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  {
    absl::MutexLock lock(&watch_mu_);
    watch_stopping_ = true;
  }
  if (write_watcher_.joinable()) write_watcher_.join();
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
}

}  // namespace sello::service
