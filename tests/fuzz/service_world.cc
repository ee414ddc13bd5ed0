#include "tests/fuzz/service_world.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_callback.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daemon/domain/access_policy.h"
#include "daemon/server/auth.h"
#include "daemon/server/bootstrap.h"
#include "daemon/server/call.h"
#include "daemon/server/metrics.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/appeal_service.h"
#include "daemon/service/inspection_service.h"
#include "daemon/service/log_service.h"
#include "daemon/service/norm_service.h"
#include "daemon/service/organisation_service.h"
#include "daemon/service/seal_service.h"
#include "daemon/service/standard_service.h"
#include "daemon/service/stats_service.h"
#include "daemon/service/token_service.h"
#include "daemon/tlog/log_key.h"
#include "daemon/tlog/transparency_log.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "storage/ledger.h"
#include "storage/rocks_store.h"

namespace sello::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;

[[noreturn]] void Die(absl::string_view what, absl::string_view why) {
  std::fprintf(stderr, "service fuzz world: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

// The services the target calls, as the daemon registers them (server.cc). The
// AdminService is left out: CreateBackup writes wherever the request says on this
// machine, and the backup end-to-end test covers it.
constexpr const char* kServices[] = {
    "sello.v1.OrganisationService", "sello.v1.TokenService",         "sello.v1.StandardService",
    "sello.v1.LogService",          "sello.v1.AccreditationService", "sello.v1.InspectionService",
    "sello.v1.SealService",         "sello.v1.NormService",          "sello.v1.AppealService",
    "sello.v1.StatsService",
};

constexpr int kMaxDepth = 8;

// The fixture's standard, written as an author would (tests/testdata/tst_v1.json).
constexpr char kStandard[] = R"pb(
  version {
    standard_id: "TST"
    version: 1
    title: "Fuzz test standard for fresh salmon"
    seal_validity_days: 365
    stages {
      id: "harvest"
      name: "Harvest"
      criteria {
        id: "H1"
        name: "Hours from harvest to processing"
        kind: NUMERIC
        unit: "h"
        grades {
          premium { max: 24 }
          grade_i { max: 36 }
          industrial { max: 48 }
        }
      }
      criteria { id: "B1" name: "No notifiable disease outbreak" kind: BOOLEAN critical: true }
      criteria { id: "L1" name: "Label and box integrity" kind: BOOLEAN caps_at: GRADE_I }
    }
  }
  source_name: "fuzz.textproto"
)pb";

// A PREMIUM inspection of the fixture's lot.
constexpr char kInspection[] = R"pb(
  site_id: "fz-site"
  lot_id: "$LOT"
  standard_id: "TST"
  standard_version: 1
  stages: "harvest"
  inspection_date { seconds: 2000000000 }
  inspector: "M. Fuzz"
  results { criterion_id: "H1" measured: 20 }
  results { criterion_id: "B1" passed: true }
  results { criterion_id: "L1" passed: true }
)pb";

}  // namespace

const std::vector<const MethodDescriptor*>& FuzzedMethods() {
  static const auto* methods = [] {
    auto* list = new std::vector<const MethodDescriptor*>();
    for (const char* name : kServices) {
      const google::protobuf::ServiceDescriptor* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      if (service == nullptr) Die(name, "service not linked in");
      for (int i = 0; i < service->method_count(); ++i) list->push_back(service->method(i));
    }
    return list;
  }();
  return *methods;
}

std::string FullMethodName(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

const MethodDescriptor* FindFuzzedMethod(absl::string_view full_name) {
  for (const MethodDescriptor* method : FuzzedMethods()) {
    if (FullMethodName(*method) == full_name) return method;
  }
  return nullptr;
}

std::unique_ptr<Message> NewRequest(const MethodDescriptor& method) {
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method.input_type());
  return std::unique_ptr<Message>(prototype->New());
}

const std::vector<std::string>& PlaceholderNames() {
  static const auto* names = new std::vector<std::string>{
      "$ADMIN_SECRET", "$CERTIFIER_SECRET", "$FIRM_SECRET", "$REGULATOR_SECRET",
      "$SPARE_TOKEN",  "$ACCREDITATION",    "$LOT",         "$INSPECTION",
      "$SEAL",         "$SEAL_2",           "$NORM",        "$APPEAL",
  };
  return *names;
}

const std::vector<FixtureStep>& FixtureSteps() {
  using C = Caller;
  static const auto* steps = new std::vector<FixtureStep>{
      {C::kAdmin, "/sello.v1.OrganisationService/CreateOrganisation",
       R"pb(organisation_id: "fz-cert"
            organisation { kind: CERTIFIER name: "Certificadora Fuzz" country: "CL" })pb"},
      {C::kAdmin, "/sello.v1.OrganisationService/CreateOrganisation",
       R"pb(organisation_id: "fz-cert2"
            organisation { kind: CERTIFIER name: "Segunda Fuzz" country: "CL" })pb"},
      {C::kAdmin, "/sello.v1.OrganisationService/CreateOrganisation",
       R"pb(organisation_id: "fz-firm"
            organisation { kind: FIRM name: "Salmones Fuzz" country: "CL" })pb"},
      {C::kAdmin, "/sello.v1.OrganisationService/CreateOrganisation",
       R"pb(organisation_id: "fz-reg"
            organisation { kind: REGULATOR name: "Regulador Fuzz" country: "CL" })pb"},
      {C::kAdmin, "/sello.v1.TokenService/CreateToken", R"pb(organisation_id: "fz-cert"
                                                             role: CERTIFIER
                                                             label: "fuzz")pb",
       "$CERTIFIER_SECRET", "secret"},
      {C::kAdmin, "/sello.v1.TokenService/CreateToken",
       R"pb(organisation_id: "fz-firm" role: FIRM label: "fuzz")pb", "$FIRM_SECRET", "secret"},
      {C::kAdmin, "/sello.v1.TokenService/CreateToken", R"pb(organisation_id: "fz-reg"
                                                             role: REGULATOR
                                                             label: "fuzz")pb",
       "$REGULATOR_SECRET", "secret"},
      {C::kAdmin, "/sello.v1.TokenService/CreateToken",
       R"pb(organisation_id: "fz-firm" role: FIRM label: "spare")pb", "$SPARE_TOKEN", "token.id"},
      {C::kAdmin, "/sello.v1.OrganisationService/SetMembership",
       R"pb(organisation_id: "fz-firm"
            member: true
            effective_time { seconds: 1999000000 })pb"},
      {C::kAdmin, "/sello.v1.OrganisationService/CreateSite",
       R"pb(site_id: "fz-site"
            site {
              firm_id: "fz-firm"
              type: "processing_plant"
              name: "Planta Fuzz"
              region: "Los Lagos"
              registration_code: "RPP-0001"
            })pb"},
      {C::kAdmin, "/sello.v1.StandardService/PushStandardVersion", kStandard},
      {C::kAdmin, "/sello.v1.StandardService/PublishStandardVersion", R"pb(standard_id: "TST"
                                                                           version: 1)pb"},
      {C::kAdmin, "/sello.v1.AccreditationService/CreateAccreditation",
       R"pb(accreditation {
              certifier_id: "fz-cert"
              scope { standard_id: "TST" }
              valid_from { seconds: 1990000000 }
              valid_until { seconds: 2030000000 }
            })pb",
       "$ACCREDITATION", "id"},
      {C::kAdmin, "/sello.v1.AccreditationService/CreateAccreditation",
       R"pb(accreditation {
              certifier_id: "fz-cert2"
              scope { standard_id: "TST" stage_ids: "harvest" }
              valid_from { seconds: 1990000000 }
              valid_until { seconds: 2030000000 }
            })pb"},
      {C::kCertifier, "/sello.v1.InspectionService/CreateLot",
       R"pb(lot {
              site_id: "fz-site"
              product_form: "fresh whole"
              harvest_date { seconds: 1999913600 }
              box_count: 1000
            })pb",
       "$LOT", "id"},
      {C::kCertifier, "/sello.v1.InspectionService/SubmitInspection",
       "inspection { request_id: \"fz-1\" " + std::string(kInspection) + " }", "$INSPECTION", "id"},
      {C::kCertifier, "/sello.v1.SealService/IssueSeals",
       R"pb(lot_id: "$LOT" count: 2 request_id: "fz-seals")pb", "$SEAL", "codes"},
      {C::kCertifier, "/sello.v1.SealService/IssueSeals",
       R"pb(lot_id: "$LOT" count: 1 request_id: "fz-seals-2")pb", "$SEAL_2", "codes"},
      {C::kRegulator, "/sello.v1.NormService/AdoptNorm",
       R"pb(norm {
              title: "Norma Fuzz"
              standard_id: "TST"
              standard_version: 1
              scope { site_types: "processing_plant" }
              effective_from { seconds: 1999000000 }
              validity_days: 365
            })pb",
       "$NORM", "id"},
      {C::kFirm, "/sello.v1.AppealService/FileAppeal",
       R"pb(inspection_id: "$INSPECTION" grounds: "The label check was misread")pb", "$APPEAL",
       "id"},
  };
  return *steps;
}

const std::vector<FixtureStep>& SeedRequests() {
  using C = Caller;
  static const auto* seeds = new std::vector<FixtureStep>{
      {C::kAnonymous, "/sello.v1.OrganisationService/GetOrganisation",
       R"pb(organisation_id: "fz-firm")pb"},
      {C::kAnonymous, "/sello.v1.OrganisationService/ListOrganisations", R"pb(kind: FIRM
                                                                              page_size: 2)pb"},
      {C::kFirm, "/sello.v1.OrganisationService/GetSite", R"pb(site_id: "fz-site")pb"},
      {C::kCertifier, "/sello.v1.OrganisationService/ListSites", R"pb(firm_id: "fz-firm"
                                                                      page_size: 1)pb"},
      {C::kFirm, "/sello.v1.TokenService/WhoAmI", ""},
      {C::kAdmin, "/sello.v1.TokenService/ListTokens", R"pb(organisation_id: "fz-firm")pb"},
      {C::kAdmin, "/sello.v1.TokenService/RevokeToken", R"pb(token_id: "$SPARE_TOKEN")pb"},
      {C::kAnonymous, "/sello.v1.StandardService/GetStandardVersion", R"pb(standard_id: "TST"
                                                                           version: 1)pb"},
      {C::kAnonymous, "/sello.v1.StandardService/ListStandards", R"pb(page_size: 10)pb"},
      {C::kAdmin, "/sello.v1.StandardService/ListStandardVersions", R"pb(standard_id: "TST")pb"},
      {C::kAdmin, "/sello.v1.StandardService/WithdrawStandardVersion", R"pb(standard_id: "TST"
                                                                            version: 1
                                                                            reason: "fuzz")pb"},
      {C::kAdmin, "/sello.v1.StandardService/PublishStandardVersion",
       R"pb(standard_id: "TST"
            version: 2
            previous_cessation_time { seconds: 2001000000 })pb"},
      {C::kAnonymous, "/sello.v1.AccreditationService/GetAccreditation",
       R"pb(accreditation_id: "$ACCREDITATION")pb"},
      {C::kAnonymous, "/sello.v1.AccreditationService/ListAccreditations",
       R"pb(certifier_id: "fz-cert")pb"},
      {C::kAdmin, "/sello.v1.AccreditationService/SuspendAccreditation",
       R"pb(accreditation_id: "$ACCREDITATION" reason: "audit" seals: SUSPEND_SEALS)pb"},
      {C::kAdmin, "/sello.v1.AccreditationService/ReinstateAccreditation",
       R"pb(accreditation_id: "$ACCREDITATION" reason: "audit passed")pb"},
      {C::kAdmin, "/sello.v1.AccreditationService/WithdrawAccreditation",
       R"pb(accreditation_id: "$ACCREDITATION" reason: "closed" seals: KEEP_SEALS)pb"},
      {C::kFirm, "/sello.v1.InspectionService/GetLot", R"pb(lot_id: "$LOT")pb"},
      {C::kRegulator, "/sello.v1.InspectionService/ListLots", R"pb(site_id: "fz-site")pb"},
      {C::kFirm, "/sello.v1.InspectionService/GetInspection",
       R"pb(inspection_id: "$INSPECTION")pb"},
      {C::kAdmin, "/sello.v1.InspectionService/ListInspections",
       R"pb(site_id: "fz-site"
            standard_id: "TST"
            from_time { seconds: 1990000000 }
            to_time { seconds: 2000000000 }
            page_size: 5)pb"},
      {C::kAnonymous, "/sello.v1.InspectionService/GetCertificationStatus",
       R"pb(site_id: "fz-site")pb"},
      {C::kCertifier, "/sello.v1.InspectionService/CorrectInspection",
       "inspection_id: \"$INSPECTION\" reason: \"H1 was misread\" inspection { " +
           std::string(kInspection) + " }"},
      {C::kAnonymous, "/sello.v1.SealService/VerifySeal", R"pb(codes: "$SEAL"
                                                               codes: "tst-0000-0000-0000-0"
                                                               include_proof: true)pb"},
      {C::kCertifier, "/sello.v1.SealService/SuspendSeals",
       R"pb(codes: "$SEAL_2" reason: "recall")pb"},
      {C::kCertifier, "/sello.v1.SealService/ReinstateSeals", R"pb(codes: "$SEAL_2"
                                                                   reason: "recall ended")pb"},
      {C::kAdmin, "/sello.v1.SealService/RevokeSeals", R"pb(lot_id: "$LOT" reason: "fraud")pb"},
      {C::kFirm, "/sello.v1.SealService/ListSeals", R"pb(lot_id: "$LOT" page_size: 1)pb"},
      {C::kCertifier, "/sello.v1.SealService/ListIssuances", R"pb(lot_id: "$LOT")pb"},
      {C::kAnonymous, "/sello.v1.InspectionService/ListCertifiedSites",
       R"pb(standard_id: "TST"
            min_grade: GRADE_I
            region: "los lagos"
            site_type: "processing_plant"
            page_size: 1)pb"},
      {C::kAnonymous, "/sello.v1.NormService/GetNorm", R"pb(norm_id: "$NORM")pb"},
      {C::kAnonymous, "/sello.v1.NormService/ListNorms", ""},
      {C::kAnonymous, "/sello.v1.NormService/CheckCompliance",
       R"pb(site_id: "fz-site"
            as_of { seconds: 2000000000 })pb"},
      {C::kRegulator, "/sello.v1.NormService/ComplianceReport",
       R"pb(norm_id: "$NORM" page_size: 10)pb"},
      {C::kRegulator, "/sello.v1.NormService/RepealNorm",
       R"pb(norm_id: "$NORM" reason: "replaced")pb"},
      {C::kAdmin, "/sello.v1.AppealService/AssignAppeal", R"pb(appeal_id: "$APPEAL"
                                                               certifier_id: "fz-cert2"
                                                               note: "independent")pb"},
      {C::kCertifier, "/sello.v1.AppealService/ResolveAppeal",
       "appeal_id: \"$APPEAL\" reinspection { " + std::string(kInspection) + " }"},
      {C::kFirm, "/sello.v1.AppealService/GetAppeal", R"pb(appeal_id: "$APPEAL")pb"},
      {C::kAdmin, "/sello.v1.AppealService/ListAppeals", R"pb(firm_id: "fz-firm" status: FILED)pb"},
      {C::kRegulator, "/sello.v1.AppealService/ListAppeals", R"pb(overdue: true)pb"},
      {C::kAdmin, "/sello.v1.AppealService/DismissAppeal", R"pb(appeal_id: "$APPEAL"
                                                                reason: "out of time")pb"},
      {C::kFirm, "/sello.v1.AppealService/WithdrawAppeal", R"pb(appeal_id: "$APPEAL"
                                                                reason: "settled")pb"},
      {C::kAdmin, "/sello.v1.StatsService/CertifierStats", R"pb(standard_id: "TST"
                                                                from_month: "2033-01"
                                                                to_month: "2033-12")pb"},
      {C::kRegulator, "/sello.v1.StatsService/CriterionStats", R"pb(standard_id: "TST"
                                                                    standard_version: 1)pb"},
      {C::kFirm, "/sello.v1.StatsService/FirmBenchmark",
       R"pb(standard_id: "TST" standard_version: 1)pb"},
      {C::kRegulator, "/sello.v1.StatsService/ComplianceOverview", R"pb(norm_id: "$NORM"
                                                                        from_month: "2033-01"
                                                                        to_month: "2033-06")pb"},
      {C::kAdmin, "/sello.v1.StatsService/VerifyAggregates", ""},
      {C::kAnonymous, "/sello.v1.LogService/GetCheckpoint", ""},
      {C::kAnonymous, "/sello.v1.LogService/GetInclusionProof", R"pb(seq: 3)pb"},
      {C::kFirm, "/sello.v1.LogService/GetInclusionProof",
       R"pb(subject: "organisation/fz-firm")pb"},
      {C::kAnonymous, "/sello.v1.LogService/GetConsistencyProof", R"pb(old_size: 2 new_size: 5)pb"},
      {C::kRegulator, "/sello.v1.LogService/ListEvents", R"pb(from_seq: 1 page_size: 50)pb"},
      {C::kAnonymous, "/sello.v1.LogService/GetRecord", R"pb(subject: "standard_version/TST@1")pb"},
      {C::kAdmin, "/sello.v1.LogService/WatchEvents", R"pb(from_seq: 1
                                                           kinds: "standard_version."
                                                           organisation_id: "fz-firm")pb"},
  };
  return *seeds;
}

std::string EncodeInput(const MethodDescriptor& method, Caller caller, const Message& request) {
  const std::vector<const MethodDescriptor*>& methods = FuzzedMethods();
  size_t index = 0;
  while (index < methods.size() && methods[index] != &method) ++index;
  if (index == methods.size()) Die(method.full_name(), "not a fuzzed method");
  std::string input;
  input.push_back(static_cast<char>(index));
  input.push_back(static_cast<char>(caller));
  input += request.SerializeAsString();
  return input;
}

std::unique_ptr<Message> ParseRequestText(const MethodDescriptor& method, absl::string_view text) {
  std::unique_ptr<Message> request = NewRequest(method);
  if (!google::protobuf::TextFormat::ParseFromString(std::string(text), request.get())) {
    Die(method.full_name(), absl::StrCat("fixture request does not parse: ", text));
  }
  return request;
}

// Everything the daemon wires together (daemon/main.cc), in the order it tears down.
struct ServiceWorld::Parts {
  storage::SystemClock clock;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<storage::Ledger> ledger;
  std::unique_ptr<storage::TransparencyLog> log;
  std::unique_ptr<service::Authenticator> auth;
  std::unique_ptr<service::Metrics> metrics;
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<grpc::Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
};

ServiceWorld::ServiceWorld(const std::string& dir) : parts_(std::make_unique<Parts>()) {
  Parts& p = *parts_;
  storage::RocksStoreOptions store_options;
  store_options.path = dir + "/db";
  store_options.block_cache_bytes = 8 << 20;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::OpenRocksStore(store_options);
  if (!store.ok()) Die("store", store.status().ToString());
  p.store = *std::move(store);
  absl::StatusOr<std::unique_ptr<storage::Ledger>> ledger =
      storage::Ledger::Open(p.store.get(), &p.clock);
  if (!ledger.ok()) Die("ledger", ledger.status().ToString());
  p.ledger = *std::move(ledger);
  service::BootstrapOptions bootstrap;
  bootstrap.data_dir = dir;
  absl::StatusOr<bool> bootstrapped = service::BootstrapIfNeeded(*p.store, *p.ledger, bootstrap);
  if (!bootstrapped.ok()) Die("bootstrap", bootstrapped.status().ToString());
  if (absl::Status status = service::EnsureAggregates(*p.store); !status.ok()) {
    Die("aggregates", status.ToString());
  }
  bool created = false;
  absl::StatusOr<domain::NoteSigner> signer =
      service::LoadOrCreateLogKey(dir + "/log.key", "sello.fuzz/log", &created);
  if (!signer.ok()) Die("log key", signer.status().ToString());
  storage::TransparencyLogOptions log_options;
  log_options.checkpoint_file = dir + "/checkpoint.note";
  absl::StatusOr<std::unique_ptr<storage::TransparencyLog>> log = storage::TransparencyLog::Open(
      p.store.get(), p.ledger.get(), *std::move(signer), &p.clock, log_options);
  if (!log.ok()) Die("log", log.status().ToString());
  p.log = *std::move(log);
  p.log->Start();

  p.auth = std::make_unique<service::Authenticator>(*p.store);
  std::vector<std::string> names;
  for (const auto& rule : domain::AccessTable()) names.emplace_back(rule.method);
  p.metrics = std::make_unique<service::Metrics>(names);
  service::Registry registry{};
  registry.store = p.store.get();
  registry.ledger = p.ledger.get();
  registry.auth = p.auth.get();
  registry.metrics = p.metrics.get();
  p.services.push_back(std::make_unique<service::OrganisationService>(registry));
  p.services.push_back(std::make_unique<service::TokenService>(registry));
  p.services.push_back(std::make_unique<service::StandardService>(registry));
  p.services.push_back(std::make_unique<service::LogService>(registry, p.log.get()));
  p.services.push_back(std::make_unique<service::AccreditationService>(registry));
  p.services.push_back(std::make_unique<service::InspectionService>(registry));
  p.services.push_back(std::make_unique<service::SealService>(registry, p.log.get()));
  p.services.push_back(std::make_unique<service::NormService>(registry));
  p.services.push_back(std::make_unique<service::AppealService>(registry));
  p.services.push_back(std::make_unique<service::StatsService>(registry));

  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(1 << 20);  // the daemon's default --max-message-kb
  // Enough idle pollers that calls do not start and stop threads one by one: thread churn
  // only slows the target down (and races LeakSanitizer's checks between inputs).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 32);
  for (const auto& service : p.services) builder.RegisterService(service.get());
  p.server = builder.BuildAndStart();
  if (p.server == nullptr) Die("server", "did not start");
  p.channel = p.server->InProcessChannel(grpc::ChannelArguments());
  p.stub = std::make_unique<grpc::GenericStub>(p.channel);

  std::ifstream admin_token(dir + "/admin.token");
  std::string secret;
  std::getline(admin_token, secret);
  if (secret.empty()) Die("bootstrap", "no admin.token");
  placeholders_["$ADMIN_SECRET"] = secret;
  RunFixture();
}

ServiceWorld::~ServiceWorld() {
  Parts& p = *parts_;
  p.ledger->Close();  // ends watches and the signer's waits, as sellod does
  p.stub.reset();
  p.channel.reset();
  p.server->Shutdown(std::chrono::system_clock::now());
  p.server->Wait();
  p.server.reset();
  p.services.clear();
  p.log->Stop();
  p.log.reset();
  p.ledger.reset();
  p.store.reset();
}

void ServiceWorld::RunFixture() {
  for (const FixtureStep& step : FixtureSteps()) {
    const MethodDescriptor* method = FindFuzzedMethod(step.method);
    if (method == nullptr) Die(step.method, "unknown method");
    std::unique_ptr<Message> request = ParseRequestText(*method, step.request);
    Substitute(*request);
    std::string response_bytes;
    const grpc::Status status =
        Call(*method, step.caller, request->SerializeAsString(), &response_bytes);
    if (!status.ok()) Die(step.method, status.error_message());
    if (step.capture == nullptr) continue;
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type());
    std::unique_ptr<Message> response(prototype->New());
    if (!response->ParseFromString(response_bytes)) Die(step.method, "unreadable response");
    // Follow the path; a repeated field gives its first element.
    const Message* at = response.get();
    std::string value;
    for (absl::string_view name : absl::StrSplit(step.field, '.')) {
      const FieldDescriptor* field = at->GetDescriptor()->FindFieldByName(std::string(name));
      if (field == nullptr) Die(step.method, absl::StrCat("no field ", name));
      const Reflection* reflection = at->GetReflection();
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        at = &reflection->GetMessage(*at, field);
      } else if (field->is_repeated()) {
        if (reflection->FieldSize(*at, field) == 0) Die(step.method, "nothing to capture");
        value = reflection->GetRepeatedString(*at, field, 0);
      } else {
        value = reflection->GetString(*at, field);
      }
    }
    if (value.empty()) Die(step.method, absl::StrCat("empty ", step.field));
    placeholders_[step.capture] = value;
  }
}

bool ServiceWorld::Substitute(Message& message) const {
  // Walks set fields only, to a bounded depth (messages may nest through Any or
  // recursive types).
  struct Walker {
    const std::map<std::string, std::string>& placeholders;
    const absl::Time now = absl::Now();
    bool changed = false;

    void Walk(Message& m, int depth) {
      if (depth > kMaxDepth) return;
      const Reflection* reflection = m.GetReflection();
      if (m.GetDescriptor() == google::protobuf::Timestamp::descriptor()) {
        auto& timestamp = static_cast<google::protobuf::Timestamp&>(m);
        const int64_t seconds = timestamp.seconds();
        if (seconds > kTimeMarker - kTimeMarkerRange && seconds < kTimeMarker + kTimeMarkerRange) {
          timestamp.set_seconds(absl::ToUnixSeconds(now) + (seconds - kTimeMarker));
          changed = true;
        }
        return;
      }
      std::vector<const FieldDescriptor*> fields;
      reflection->ListFields(m, &fields);
      for (const FieldDescriptor* field : fields) {
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          if (field->is_repeated()) {
            for (int i = 0; i < reflection->FieldSize(m, field); ++i) {
              const auto found = placeholders.find(reflection->GetRepeatedString(m, field, i));
              if (found == placeholders.end()) continue;
              reflection->SetRepeatedString(&m, field, i, found->second);
              changed = true;
            }
          } else {
            const auto found = placeholders.find(reflection->GetString(m, field));
            if (found == placeholders.end()) continue;
            reflection->SetString(&m, field, found->second);
            changed = true;
          }
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          if (field->is_repeated()) {
            for (int i = 0; i < reflection->FieldSize(m, field); ++i) {
              Walk(*reflection->MutableRepeatedMessage(&m, field, i), depth + 1);
            }
          } else {
            Walk(*reflection->MutableMessage(&m, field), depth + 1);
          }
        }
      }
    }
  };
  Walker walker{placeholders_};
  walker.Walk(message, 0);
  return walker.changed;
}

uint64_t ServiceWorld::events() const { return parts_->ledger->last_seq(); }

void ServiceWorld::Authorize(grpc::ClientContext& context, Caller caller) const {
  static constexpr const char* kSecrets[] = {"$ADMIN_SECRET", "$CERTIFIER_SECRET", "$FIRM_SECRET",
                                             "$REGULATOR_SECRET"};
  switch (caller) {
    case Caller::kAnonymous:
      return;
    case Caller::kUnknownToken:
      context.AddMetadata("authorization", "Bearer sello_not-a-token");
      return;
    default: {
      const auto found = placeholders_.find(kSecrets[static_cast<int>(caller)]);
      // Before the fixture made a role's token, that role calls as an unknown token.
      context.AddMetadata(
          "authorization",
          absl::StrCat("Bearer ", found == placeholders_.end() ? "sello_none" : found->second));
    }
  }
}

grpc::Status ServiceWorld::Call(const MethodDescriptor& method, Caller caller,
                                absl::string_view request, std::string* response) {
  std::string bytes(request);
  // A request that parses is sent with its placeholders replaced; one that does not is
  // sent as it is, for the server's parser.
  std::unique_ptr<Message> message = NewRequest(method);
  if (message->ParseFromString(bytes) && Substitute(*message)) {
    bytes = message->SerializeAsString();
  }
  std::string ignored;
  std::string* out = response != nullptr ? response : &ignored;
  const std::string name = FullMethodName(method);
  return method.server_streaming() ? CallStreaming(name, caller, bytes, out)
                                   : CallUnary(name, caller, bytes, out);
}

namespace {

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// Reads a server stream until it ends, kMaxMessages arrive or the deadline passes (a
// watch that has caught up waits for new events: the deadline ends it).
class StreamReader : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  static constexpr int kMaxMessages = 64;

  StreamReader(grpc::ClientContext* context, const std::string& request)
      : context_(context), request_(ToByteBuffer(request)) {}

  void Start() {
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&message_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (received_++ == 0) first_ = FromByteBuffer(message_);
    if (received_ >= kMaxMessages) {
      context_->TryCancel();
      return;
    }
    StartRead(&message_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_one();
  }
  grpc::Status Wait(std::string* first) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return done_; });
    }
    *first = first_;
    // Cancelled by us after enough messages, or ended by the deadline: the stream worked.
    if (received_ > 0) return grpc::Status::OK;
    return status_;
  }

 private:
  grpc::ClientContext* const context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer message_;
  int received_ = 0;
  std::string first_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace

grpc::Status ServiceWorld::CallUnary(const std::string& name, Caller caller,
                                     const std::string& request, std::string* response) {
  grpc::ClientContext context;
  Authorize(context, caller);
  // No deadline: a handler that takes too long is a finding (libFuzzer's -timeout).
  const grpc::ByteBuffer request_buffer = ToByteBuffer(request);
  grpc::ByteBuffer response_buffer;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  parts_->stub->UnaryCall(&context, name, grpc::StubOptions(), &request_buffer, &response_buffer,
                          [&](grpc::Status finished) {
                            std::lock_guard<std::mutex> lock(mu);
                            status = std::move(finished);
                            done = true;
                            cv.notify_one();
                          });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  if (status.ok()) *response = FromByteBuffer(response_buffer);
  return status;
}

grpc::Status ServiceWorld::CallStreaming(const std::string& name, Caller caller,
                                         const std::string& request, std::string* response) {
  grpc::ClientContext context;
  Authorize(context, caller);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  StreamReader reader(&context, request);
  parts_->stub->PrepareBidiStreamingCall(&context, name, grpc::StubOptions(), &reader);
  reader.Start();
  return reader.Wait(response);
}

}  // namespace sello::fuzz
