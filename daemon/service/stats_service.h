// gRPC StatsService: certifier, criterion, firm-benchmark and compliance statistics,
// from the aggregates kept with the inspections.
#ifndef SELLO_DAEMON_SERVICE_STATS_SERVICE_H_
#define SELLO_DAEMON_SERVICE_STATS_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/stats.grpc.pb.h"

namespace sello::service {

class StatsService final : public v1::StatsService::Service {
 public:
  explicit StatsService(Registry registry) : registry_(registry) {}

  grpc::Status CertifierStats(grpc::ServerContext* context,
                              const v1::CertifierStatsRequest* request,
                              v1::CertifierStatsResponse* response) override;
  grpc::Status CriterionStats(grpc::ServerContext* context,
                              const v1::CriterionStatsRequest* request,
                              v1::CriterionStatsResponse* response) override;
  grpc::Status FirmBenchmark(grpc::ServerContext* context, const v1::FirmBenchmarkRequest* request,
                             v1::FirmBenchmarkResponse* response) override;
  grpc::Status ComplianceOverview(grpc::ServerContext* context,
                                  const v1::ComplianceOverviewRequest* request,
                                  v1::ComplianceOverviewResponse* response) override;
  grpc::Status VerifyAggregates(grpc::ServerContext* context,
                                const v1::VerifyAggregatesRequest* request,
                                v1::VerifyAggregatesResponse* response) override;

 private:
  Registry registry_;
};

// Builds the statistics aggregates from every inspection when the store has none yet
// (a data dir from before they existed), in one write; a no-op afterwards.
absl::Status EnsureAggregates(storage::Store& store);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_STATS_SERVICE_H_
