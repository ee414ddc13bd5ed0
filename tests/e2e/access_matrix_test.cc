// End-to-end, exhaustively: who may call what and read whose records, against a live
// daemon.
//
// 1. Every RPC the daemon serves in a sello.* package — listed by the daemon's own server
//    reflection, plus every sello service compiled into this binary, never a list kept
//    here — called by every kind of caller: no token, a revoked token, each role, and a
//    second firm's token. Each gets exactly the code the single access table
//    (daemon/domain/access_policy.cc) gives; an admitted call with an empty request gets
//    exactly the answer kEmptyRequestAnswers lists (mostly INVALID_ARGUMENT naming the
//    missing field). A refused call appends no event. An RPC without a rule in the table,
//    or without an empty-request answer here, fails the test.
// 2. Firm B, with a valid FIRM token, asks for firm A's site, lot, inspection, appeal,
//    seals, records and benchmark by id and through every listing; another certifier
//    asks for the first certifier's inspection, seals and records. Each refusal has its
//    exact code (as the services and the domain rules decide it), an admitted listing
//    shows none of firm A's records (while firm A's own call shows them), statistics
//    withhold every cell about fewer than five firms, and nothing changes: no event, the
//    seals, the lot and the appeals as they were.
// 3. Firm B and the public read the log: ListEvents, GetInclusionProof (by seq and by
//    record) and WatchEvents (all of it, and narrowed to firm A) show firm A's site,
//    lot, inspection, seal and appeal events only as leaf hashes, whose proofs still
//    verify, never their contents; GetRecord without a token is UNAUTHENTICATED.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/merkle.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/unknown_field_set.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/stats.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using grpc::StatusCode;
using ::testing::IsSupersetOf;

// One kind of caller: its token ("" for none) and the role the table judges.
struct Caller {
  std::string name;
  std::string token;
  bool revoked = false;
  v1::Role role = v1::ROLE_UNSPECIFIED;  // ROLE_UNSPECIFIED with no token: anonymous
};

// What an admitted call with an empty request gets: the code and a part of the message
// (the field it names). `role` narrows the row to one role; ROLE_UNSPECIFIED rows hold
// for every admitted caller without a narrower row.
struct EmptyRequestAnswer {
  absl::string_view method;
  v1::Role role;
  StatusCode code;
  absl::string_view says;
};

constexpr v1::Role kAnyRole = v1::ROLE_UNSPECIFIED;

// Every RPC's answer to an empty request, by whoever the table admits. A new RPC needs
// a row here as well as a rule in the table. A missing id is INVALID_ARGUMENT naming the
// field, never NOT_FOUND for an id "" (SubmitInspection and AdoptNorm look the
// referenced records up first and answer NOT_FOUND: the two rows below that fail).
const EmptyRequestAnswer kEmptyRequestAnswers[] = {
    {"/sello.v1.OrganisationService/CreateOrganisation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "name: required"},
    {"/sello.v1.OrganisationService/GetOrganisation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "organisation_id: required"},
    {"/sello.v1.OrganisationService/ListOrganisations", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.OrganisationService/SetMembership", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "organisation_id: required"},
    {"/sello.v1.OrganisationService/CreateSite", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "site.firm_id: required"},
    {"/sello.v1.OrganisationService/GetSite", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "site_id: required"},
    {"/sello.v1.OrganisationService/ListSites", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.TokenService/CreateToken", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "organisation_id: required"},
    {"/sello.v1.TokenService/ListTokens", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.TokenService/RevokeToken", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "token_id: required"},
    {"/sello.v1.TokenService/WhoAmI", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.StandardService/PushStandardVersion", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StandardService/PublishStandardVersion", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StandardService/WithdrawStandardVersion", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StandardService/GetStandardVersion", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StandardService/ListStandards", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.StandardService/ListStandardVersions", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.AccreditationService/CreateAccreditation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "accreditation.certifier_id: required"},
    {"/sello.v1.AccreditationService/SuspendAccreditation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "accreditation_id: required"},
    {"/sello.v1.AccreditationService/ReinstateAccreditation", kAnyRole,
     StatusCode::INVALID_ARGUMENT, "accreditation_id: required"},
    {"/sello.v1.AccreditationService/WithdrawAccreditation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "accreditation_id: required"},
    {"/sello.v1.AccreditationService/GetAccreditation", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "accreditation_id: required"},
    {"/sello.v1.AccreditationService/ListAccreditations", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.InspectionService/CreateLot", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "lot.site_id: required"},
    {"/sello.v1.InspectionService/GetLot", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "lot_id: required"},
    {"/sello.v1.InspectionService/ListLots", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.InspectionService/SubmitInspection", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "inspection.site_id"},
    {"/sello.v1.InspectionService/CorrectInspection", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "inspection_id: required"},
    {"/sello.v1.InspectionService/GetInspection", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "inspection_id: required"},
    {"/sello.v1.InspectionService/ListInspections", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.InspectionService/GetCertificationStatus", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "site_id: required"},
    {"/sello.v1.InspectionService/ListCertifiedSites", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.SealService/IssueSeals", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "lot_id: required"},
    {"/sello.v1.SealService/VerifySeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "codes: at least one"},
    {"/sello.v1.SealService/SuspendSeals", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "codes or lot_id: exactly one is required"},
    {"/sello.v1.SealService/RevokeSeals", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "codes or lot_id: exactly one is required"},
    {"/sello.v1.SealService/ReinstateSeals", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "codes or lot_id: exactly one is required"},
    {"/sello.v1.SealService/ListSeals", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "lot_id or issuance_id: exactly one is required"},
    {"/sello.v1.SealService/ListIssuances", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "lot_id: required"},
    {"/sello.v1.NormService/AdoptNorm", kAnyRole, StatusCode::INVALID_ARGUMENT, "norm.standard_id"},
    {"/sello.v1.NormService/RepealNorm", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "norm_id: required"},
    {"/sello.v1.NormService/GetNorm", kAnyRole, StatusCode::INVALID_ARGUMENT, "norm_id: required"},
    {"/sello.v1.NormService/ListNorms", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.NormService/CheckCompliance", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "site_id: required"},
    {"/sello.v1.NormService/ComplianceReport", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "norm_id: required"},
    {"/sello.v1.AppealService/FileAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "inspection_id: required"},
    {"/sello.v1.AppealService/AssignAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "certifier_id: required"},
    {"/sello.v1.AppealService/ResolveAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "appeal_id: required"},
    {"/sello.v1.AppealService/GetAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "appeal_id: required"},
    {"/sello.v1.AppealService/ListAppeals", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.AppealService/DismissAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "appeal_id: required"},
    {"/sello.v1.AppealService/WithdrawAppeal", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "appeal_id: required"},
    {"/sello.v1.StatsService/CertifierStats", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StatsService/CriterionStats", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    // A FIRM's benchmark is its own: the firm is known, the standard is not.
    {"/sello.v1.StatsService/FirmBenchmark", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "firm_id: required"},
    {"/sello.v1.StatsService/FirmBenchmark", v1::FIRM, StatusCode::INVALID_ARGUMENT,
     "standard_id: required"},
    {"/sello.v1.StatsService/ComplianceOverview", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "norm_id: required"},
    {"/sello.v1.StatsService/VerifyAggregates", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.AdminService/CreateBackup", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "dir: an absolute path"},
    {"/sello.v1.LogService/GetCheckpoint", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.LogService/GetInclusionProof", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "seq or subject: one is required"},
    {"/sello.v1.LogService/GetConsistencyProof", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "old_size: must be between 1 and new_size"},
    {"/sello.v1.LogService/ListEvents", kAnyRole, StatusCode::OK, ""},
    {"/sello.v1.LogService/GetRecord", kAnyRole, StatusCode::INVALID_ARGUMENT,
     "subject: '' is not KIND/ID"},
    // Admitted, it streams (the public events at least) until the caller's deadline.
    {"/sello.v1.LogService/WatchEvents", kAnyRole, StatusCode::DEADLINE_EXCEEDED, ""},
};

// An RPC the daemon serves.
struct ServedMethod {
  std::string name;  // "/sello.v1.LogService/ListEvents"
  bool server_streaming = false;
};

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// The RPCs of every sello.* service `address` serves, from the daemon's own server
// reflection (grpc.reflection.v1alpha: a list_services request, then one
// file_containing_symbol request per service, on one stream). Debian ships no stubs for
// the reflection protocol, so its few messages are written and read field by field.
std::vector<ServedMethod> ServedMethods(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  bool all_ok = true;
  auto step = [&](auto start) {
    void* tag = nullptr;
    bool ok = false;
    start();
    all_ok = queue.Next(&tag, &ok) && ok && all_ok;
  };
  // Sends ServerReflectionRequest with field `field` (4: file_containing_symbol, 7:
  // list_services) set to `value`; returns the serialized ServerReflectionResponse.
  auto ask = [&](int field, const std::string& value) {
    google::protobuf::UnknownFieldSet request;
    request.AddLengthDelimited(field, value);
    std::string bytes;
    request.SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request_buffer(&slice, 1);
    grpc::ByteBuffer response_buffer;
    step([&] { call->Write(request_buffer, reinterpret_cast<void*>(2)); });
    step([&] { call->Read(&response_buffer, reinterpret_cast<void*>(3)); });
    return ToString(response_buffer);
  };
  // The length-delimited values of field `number` in the message `bytes`.
  auto values = [](const std::string& bytes, int number) {
    google::protobuf::UnknownFieldSet fields;
    EXPECT_TRUE(fields.ParseFromString(bytes));
    std::vector<std::string> found;
    for (int i = 0; i < fields.field_count(); ++i) {
      const google::protobuf::UnknownField& field = fields.field(i);
      if (field.number() == number &&
          field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
        found.push_back(field.length_delimited());
      }
    }
    return found;
  };

  step([&] { call->StartCall(reinterpret_cast<void*>(1)); });
  // ListServiceResponse (field 6) { repeated ServiceResponse service = 1 { name = 1 } }.
  std::vector<std::string> services;
  for (const std::string& list : values(ask(7, "*"), 6)) {
    for (const std::string& service : values(list, 1)) {
      for (const std::string& name : values(service, 1)) {
        if (absl::StartsWith(name, "sello.")) services.push_back(name);
      }
    }
  }
  // FileDescriptorResponse (field 4) { repeated bytes file_descriptor_proto = 1 }: the
  // file and everything it imports.
  google::protobuf::SimpleDescriptorDatabase files;
  std::set<std::string> added;
  for (const std::string& service : services) {
    for (const std::string& response : values(ask(4, service), 4)) {
      for (const std::string& bytes : values(response, 1)) {
        google::protobuf::FileDescriptorProto file;
        EXPECT_TRUE(file.ParseFromString(bytes));
        if (added.insert(file.name()).second) {
          EXPECT_TRUE(files.Add(file)) << file.name();
        }
      }
    }
  }
  grpc::Status status;
  step([&] { call->WritesDone(reinterpret_cast<void*>(4)); });
  step([&] { call->Finish(&status, reinterpret_cast<void*>(5)); });
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  EXPECT_TRUE(all_ok);
  EXPECT_TRUE(status.ok()) << status.error_message();

  google::protobuf::DescriptorPool pool(&files);
  std::vector<ServedMethod> methods;
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    EXPECT_NE(service, nullptr) << "reflection lists " << name << " but serves no descriptor";
    if (service == nullptr) continue;
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor* method = service->method(m);
      methods.push_back({absl::StrCat("/", service->full_name(), "/", method->name()),
                         method->server_streaming()});
    }
  }
  return methods;
}

// Every sello.* service compiled into this binary (every generated file the linker kept).
std::set<std::string> LinkedServices() {
  std::vector<std::string> names;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&names);
  std::set<std::string> services;
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, "sello/")) continue;
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) services.insert(file->service(s)->full_name());
  }
  return services;
}

// A call's answer: its status and the serialized response.
struct Answer {
  grpc::Status status;
  std::string response;
};

// Firm A's records (salmones-sur, plant calbuco), made through the real CLI.
struct FirmRecords {
  std::string lot;
  std::string inspection;
  std::string issuance;
  std::vector<std::string> codes;  // codes[0] is SUSPENDED, the others VALID
  std::string appeal;
  // Every one of the above, and the site: none may appear in an answer to firm B.
  std::vector<std::string> secrets;
};

// One call of a per-record probe: who asks what, and exactly what it must get. When
// `owner_sees` is set, the records' owner (`owner`) makes the same call and its answer
// holds that: the refusal or the empty listing is about who asks, not what exists.
struct Probe {
  std::string what;
  std::string method;
  std::string token;
  std::string request;  // serialized
  StatusCode expected;
  std::string owner;
  std::string owner_sees;
};

Probe MakeProbe(std::string what, std::string method, const std::string& token,
                const google::protobuf::Message& request, StatusCode expected,
                const std::string& owner = "", std::string owner_sees = "") {
  return Probe{std::move(what), std::move(method),    token, request.SerializeAsString(), expected,
               owner,           std::move(owner_sees)};
}

class AccessMatrixTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                           "Servicio", "--id", "servicio")));
    const std::string revoked = IssueToken("fjord-foods", "firm");
    const ProcessResult whoami = daemon_.RunCliAs(revoked, "-o", "json", "token", "whoami");
    ASSERT_EQ(whoami.exit_code, 0) << whoami;
    const std::string revoked_id = ParseJson<v1::WhoAmIResponse>(whoami.out).token().id();
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "token", "revoke", revoked_id)));
    regulator_ = IssueToken("servicio", "regulator");
    callers_ = {{"no token", "", false, v1::ROLE_UNSPECIFIED},
                {"revoked token", revoked, true, v1::FIRM},
                {"ADMIN", admin_, false, v1::ADMIN},
                {"CERTIFIER", certifier_, false, v1::CERTIFIER},
                {"FIRM", firm_, false, v1::FIRM},
                {"another firm's FIRM", other_firm_, false, v1::FIRM},
                {"REGULATOR", regulator_, false, v1::REGULATOR}};
    channel_ = grpc::CreateChannel(daemon_.address(), grpc::InsecureChannelCredentials());
  }

  // Calls `method` with the serialized `request` as `token` ("" for none). A server
  // stream is read as far as its first message (or its end), for at most `timeout`.
  Answer Call(const std::string& method, const std::string& token, const std::string& request,
              absl::Duration timeout = absl::Seconds(10)) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    grpc::Slice slice(request);
    grpc::ByteBuffer request_buffer(&slice, 1);
    grpc::ByteBuffer response_buffer;
    Answer answer;
    absl::Notification done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                   [&](grpc::Status status) {
                     answer.status = std::move(status);
                     done.Notify();
                   });
    done.WaitForNotification();
    answer.response = ToString(response_buffer);
    return answer;
  }

  // What the table says for `caller` on `method`.
  static StatusCode Expected(const std::string& method, const Caller& caller) {
    if (caller.revoked) return StatusCode::UNAUTHENTICATED;
    const domain::Principal principal{"tok", "org", caller.role};
    const absl::Status status =
        domain::Authorize(method, caller.token.empty() ? nullptr : &principal);
    return static_cast<StatusCode>(status.code());
  }

  // The empty-request row for `method` called by `role` (nullptr when there is none).
  static const EmptyRequestAnswer* EmptyAnswer(const std::string& method, v1::Role role) {
    const EmptyRequestAnswer* general = nullptr;
    for (const EmptyRequestAnswer& row : kEmptyRequestAnswers) {
      if (row.method != method) continue;
      if (row.role == role) return &row;
      if (row.role == kAnyRole) general = &row;
    }
    return general;
  }

  // Every event of the log as `token` ("" for none) reads it.
  std::vector<v1::LoggedEvent> Events(const std::string& token) {
    auto log = v1::LogService::NewStub(channel_);
    std::vector<v1::LoggedEvent> events;
    v1::ListEventsRequest request;
    request.set_from_seq(1);
    request.set_page_size(1000);
    while (true) {
      grpc::ClientContext context;
      if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
      v1::ListEventsResponse page;
      const grpc::Status status = log->ListEvents(&context, request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& event : page.events()) events.push_back(event);
      if (!status.ok() || page.next_seq() == 0) break;
      request.set_from_seq(page.next_seq());
    }
    return events;
  }

  uint64_t LastSeq() {
    const std::vector<v1::LoggedEvent> events = Events(admin_);
    return events.empty() ? 0 : events.back().seq();
  }

  // Firm A's lot with a PREMIUM inspection by Austral, three seals (one suspended) and
  // an appeal; firm B's own lot at its own plant (so that its listings are not empty).
  FirmRecords MakeFirmRecords() {
    FirmRecords records;
    records.lot = CreateLot(firm_, "calbuco", 10);
    records.inspection = Submitted(certifier_, InspectionFile().OfLot(records.lot)).id();
    records.codes = Issued(certifier_, records.lot, 3);
    EXPECT_EQ(records.codes.size(), 3u);
    if (records.codes.size() != 3u) return records;
    records.issuance = SealOf(records.codes[0]).issuance_id();
    EXPECT_TRUE(Succeeded(daemon_.RunCliAs(certifier_, "seal", "suspend", records.codes[0],
                                           "--reason", "importer complaint")));
    const ProcessResult appealed =
        daemon_.RunCliAs(firm_, "-o", "json", "appeal", "file", records.inspection, "--grounds",
                         "H1 was timed on the previous day's batch");
    EXPECT_EQ(appealed.exit_code, 0) << appealed;
    records.appeal = ParseJson<v1::Appeal>(appealed.out).id();
    EXPECT_FALSE(CreateLot(other_firm_, "hornopiren", 5).empty());
    records.secrets = {records.lot,    records.inspection, records.issuance,
                       records.appeal, "calbuco",          "Planta Calbuco"};
    records.secrets.insert(records.secrets.end(), records.codes.begin(), records.codes.end());
    for (const std::string& secret : records.secrets) EXPECT_FALSE(secret.empty());
    return records;
  }

  // The first of `secrets` that `bytes` holds ("" when none).
  static std::string Leaked(const std::string& bytes, const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
      if (absl::StrContains(bytes, secret)) return secret;
    }
    return "";
  }

  std::string regulator_;  // servicio
  std::vector<Caller> callers_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AccessMatrixTest, EveryRpcByEveryCallerGetsWhatTheTableSays) {
  const std::vector<ServedMethod> methods = ServedMethods(daemon_.address());
  ASSERT_GE(methods.size(), 50u);
  std::set<std::string> served_services;
  std::set<std::string> served;
  for (const ServedMethod& method : methods) {
    served.insert(method.name);
    served_services.insert(method.name.substr(1, method.name.rfind('/') - 1));
  }
  // A service compiled in but not served would escape the matrix: there is none.
  const std::set<std::string> linked = LinkedServices();
  ASSERT_GE(linked.size(), 10u);
  for (const std::string& service : linked) {
    EXPECT_TRUE(served_services.count(service)) << service << " is defined but not served";
  }
  // Every served RPC has a rule, and every rule names a served RPC.
  std::set<std::string> ruled;
  for (const domain::MethodAccess& rule : domain::AccessTable()) {
    ruled.insert(std::string(rule.method));
    EXPECT_TRUE(served.count(std::string(rule.method))) << "a rule for no RPC: " << rule.method;
  }
  for (const std::string& name : served) {
    EXPECT_TRUE(ruled.count(name)) << "no rule in the access table: " << name;
  }

  // First every call the table refuses: exactly the refusal, and not one event.
  const uint64_t before = LastSeq();
  int denied = 0;
  for (const ServedMethod& method : methods) {
    for (const Caller& caller : callers_) {
      const StatusCode expected = Expected(method.name, caller);
      if (expected == StatusCode::OK) continue;
      const Answer answer = Call(method.name, caller.token, "");
      EXPECT_EQ(answer.status.error_code(), expected)
          << method.name << " as " << caller.name << ": " << answer.status.error_message();
      EXPECT_EQ(answer.response, "") << method.name << " as " << caller.name;
      ++denied;
    }
  }
  EXPECT_GT(denied, 150);
  EXPECT_EQ(LastSeq(), before) << "a refused call appended an event";

  // Then every call it admits, with an empty request: exactly the answer listed.
  int admitted = 0;
  for (const ServedMethod& method : methods) {
    for (const Caller& caller : callers_) {
      if (Expected(method.name, caller) != StatusCode::OK) continue;
      ++admitted;
      // A watch that is admitted streams until its deadline: a short one.
      const Answer answer =
          Call(method.name, caller.token, "",
               method.server_streaming ? absl::Milliseconds(300) : absl::Seconds(10));
      const EmptyRequestAnswer* row = EmptyAnswer(method.name, caller.role);
      if (row == nullptr) {
        ADD_FAILURE() << "no empty-request answer listed for " << method.name << " as "
                      << caller.name << "; it answered " << answer.status.error_code() << " "
                      << answer.status.error_message();
        continue;
      }
      EXPECT_EQ(answer.status.error_code(), row->code)
          << method.name << " as " << caller.name << ": " << answer.status.error_message();
      EXPECT_TRUE(absl::StrContains(answer.status.error_message(), row->says))
          << method.name << " as " << caller.name << ": \"" << answer.status.error_message()
          << "\" does not say \"" << row->says << "\"";
    }
  }
  EXPECT_GT(admitted, 150);
  EXPECT_EQ(LastSeq(), before) << "an empty request appended an event";
}

TEST_F(AccessMatrixTest, AnotherFirmOrCertifierGetsNoneOfTheirRecords) {
  const FirmRecords a = MakeFirmRecords();
  ASSERT_FALSE(HasFailure());
  const std::string b = other_firm_;  // fjord-foods: a live FIRM token, not firm A's
  const std::string lot_subject = absl::StrCat("lot/", a.lot);
  const std::string inspection_subject = absl::StrCat("inspection/", a.inspection);
  const std::string issuance_subject = absl::StrCat("seal_issuance/", a.issuance);

  v1::GetSiteRequest get_site;
  get_site.set_site_id("calbuco");
  v1::ListSitesRequest sites_of_a;
  sites_of_a.set_firm_id("salmones-sur");
  v1::GetLotRequest get_lot;
  get_lot.set_lot_id(a.lot);
  v1::ListLotsRequest lots_of_a, lots_at_calbuco;
  lots_of_a.set_firm_id("salmones-sur");
  lots_at_calbuco.set_site_id("calbuco");
  v1::CreateLotRequest lot_at_calbuco;
  lot_at_calbuco.mutable_lot()->set_site_id("calbuco");
  lot_at_calbuco.mutable_lot()->set_product_form("fresh whole");
  *lot_at_calbuco.mutable_lot()->mutable_harvest_date() =
      domain::ToProto(absl::Now() - absl::Hours(48));
  lot_at_calbuco.mutable_lot()->set_box_count(5);
  v1::GetInspectionRequest get_inspection;
  get_inspection.set_inspection_id(a.inspection);
  v1::ListInspectionsRequest inspections_of_a, inspections_at_calbuco, inspections_of_lot,
      inspections_by_austral;
  inspections_of_a.set_firm_id("salmones-sur");
  inspections_at_calbuco.set_site_id("calbuco");
  inspections_of_lot.set_lot_id(a.lot);
  inspections_by_austral.set_certifier_id("cert-austral");
  v1::FileAppealRequest appeal_against_a;
  appeal_against_a.set_inspection_id(a.inspection);
  appeal_against_a.set_grounds("not ours, but worth a try");
  v1::GetAppealRequest get_appeal;
  get_appeal.set_appeal_id(a.appeal);
  v1::ListAppealsRequest appeals_of_a, appeals_of_inspection;
  appeals_of_a.set_firm_id("salmones-sur");
  appeals_of_inspection.set_inspection_id(a.inspection);
  v1::IssueSealsRequest issue_on_lot, issue_under_inspection;
  issue_on_lot.set_lot_id(a.lot);
  issue_on_lot.set_count(1);
  issue_under_inspection = issue_on_lot;
  issue_under_inspection.set_inspection_id(a.inspection);
  v1::ChangeSealsRequest valid_seal, suspended_seal, whole_lot;
  valid_seal.add_codes(a.codes[1]);
  valid_seal.set_reason("competitor says so");
  suspended_seal.add_codes(a.codes[0]);
  suspended_seal.set_reason("competitor says so");
  whole_lot.set_lot_id(a.lot);
  whole_lot.set_reason("competitor says so");
  v1::ListSealsRequest seals_of_lot, seals_of_issuance;
  seals_of_lot.set_lot_id(a.lot);
  seals_of_issuance.set_issuance_id(a.issuance);
  v1::ListIssuancesRequest issuances_of_lot;
  issuances_of_lot.set_lot_id(a.lot);
  v1::WithdrawAppealRequest withdraw_appeal;
  withdraw_appeal.set_appeal_id(a.appeal);
  withdraw_appeal.set_reason("not ours, but worth a try");
  v1::FirmBenchmarkRequest benchmark_of_a;
  benchmark_of_a.set_firm_id("salmones-sur");
  benchmark_of_a.set_standard_id("CSCS");
  benchmark_of_a.set_standard_version(1);
  auto record = [](const std::string& subject) {
    v1::GetRecordRequest request;
    request.set_subject(subject);
    return request;
  };
  const v1::ListSitesRequest all_sites;
  const v1::ListLotsRequest all_lots;
  const v1::ListInspectionsRequest all_inspections;
  const v1::ListAppealsRequest all_appeals;

  constexpr char kOrg[] = "/sello.v1.OrganisationService/";
  constexpr char kInspections[] = "/sello.v1.InspectionService/";
  constexpr char kAppeals[] = "/sello.v1.AppealService/";
  constexpr char kSeals[] = "/sello.v1.SealService/";
  constexpr char kStats[] = "/sello.v1.StatsService/";
  constexpr char kLog[] = "/sello.v1.LogService/";
  const StatusCode kDenied = StatusCode::PERMISSION_DENIED;
  const StatusCode kOk = StatusCode::OK;
  const std::string& austral = certifier_;
  const std::vector<Probe> probes = {
      // Firm B asks for firm A's records by id, and lists them every way there is.
      MakeProbe("B gets A's site", absl::StrCat(kOrg, "GetSite"), b, get_site, kDenied, firm_,
                "Planta Calbuco"),
      MakeProbe("B lists A's sites", absl::StrCat(kOrg, "ListSites"), b, sites_of_a, kDenied, firm_,
                "calbuco"),
      MakeProbe("B lists sites", absl::StrCat(kOrg, "ListSites"), b, all_sites, kOk, firm_,
                "calbuco"),
      MakeProbe("B gets A's lot", absl::StrCat(kInspections, "GetLot"), b, get_lot, kDenied, firm_,
                a.lot),
      MakeProbe("B lists A's lots", absl::StrCat(kInspections, "ListLots"), b, lots_of_a, kDenied,
                firm_, a.lot),
      MakeProbe("B lists the lots at A's site", absl::StrCat(kInspections, "ListLots"), b,
                lots_at_calbuco, kOk, firm_, a.lot),
      MakeProbe("B lists lots", absl::StrCat(kInspections, "ListLots"), b, all_lots, kOk, firm_,
                a.lot),
      MakeProbe("B registers a lot at A's site", absl::StrCat(kInspections, "CreateLot"), b,
                lot_at_calbuco, kDenied),
      MakeProbe("B gets A's inspection", absl::StrCat(kInspections, "GetInspection"), b,
                get_inspection, kDenied, firm_, a.inspection),
      MakeProbe("B lists A's inspections", absl::StrCat(kInspections, "ListInspections"), b,
                inspections_of_a, kOk, firm_, a.inspection),
      MakeProbe("B lists the inspections at A's site",
                absl::StrCat(kInspections, "ListInspections"), b, inspections_at_calbuco, kOk,
                firm_, a.inspection),
      MakeProbe("B lists the inspections of A's lot", absl::StrCat(kInspections, "ListInspections"),
                b, inspections_of_lot, kOk, firm_, a.inspection),
      MakeProbe("B lists Austral's inspections", absl::StrCat(kInspections, "ListInspections"), b,
                inspections_by_austral, kOk, firm_, a.inspection),
      MakeProbe("B lists inspections", absl::StrCat(kInspections, "ListInspections"), b,
                all_inspections, kOk, firm_, a.inspection),
      // PlanAppeal's rule: a firm appeals only its own inspections.
      MakeProbe("B appeals A's inspection", absl::StrCat(kAppeals, "FileAppeal"), b,
                appeal_against_a, StatusCode::PERMISSION_DENIED),
      MakeProbe("B gets A's appeal", absl::StrCat(kAppeals, "GetAppeal"), b, get_appeal, kDenied,
                firm_, a.appeal),
      MakeProbe("B lists A's appeals", absl::StrCat(kAppeals, "ListAppeals"), b, appeals_of_a,
                kDenied, firm_, a.appeal),
      MakeProbe("B lists the appeals of A's inspection", absl::StrCat(kAppeals, "ListAppeals"), b,
                appeals_of_inspection, kOk, firm_, a.appeal),
      MakeProbe("B lists appeals", absl::StrCat(kAppeals, "ListAppeals"), b, all_appeals, kOk,
                firm_, a.appeal),
      MakeProbe("B issues seals on A's lot", absl::StrCat(kSeals, "IssueSeals"), b, issue_on_lot,
                kDenied),
      MakeProbe("B suspends A's seal", absl::StrCat(kSeals, "SuspendSeals"), b, valid_seal,
                kDenied),
      MakeProbe("B revokes A's lot's seals", absl::StrCat(kSeals, "RevokeSeals"), b, whole_lot,
                kDenied),
      MakeProbe("B reinstates A's suspended seal", absl::StrCat(kSeals, "ReinstateSeals"), b,
                suspended_seal, kDenied),
      MakeProbe("B lists A's lot's seals", absl::StrCat(kSeals, "ListSeals"), b, seals_of_lot,
                kDenied, firm_, a.codes[1]),
      MakeProbe("B lists A's issuance's seals", absl::StrCat(kSeals, "ListSeals"), b,
                seals_of_issuance, kDenied, firm_, a.codes[2]),
      MakeProbe("B lists A's lot's issuances", absl::StrCat(kSeals, "ListIssuances"), b,
                issuances_of_lot, kDenied, firm_, a.issuance),
      MakeProbe("B withdraws A's appeal", absl::StrCat(kAppeals, "WithdrawAppeal"), b,
                withdraw_appeal, kDenied),
      MakeProbe("B reads A's benchmark", absl::StrCat(kStats, "FirmBenchmark"), b, benchmark_of_a,
                kDenied),
      MakeProbe("B reads A's site record", absl::StrCat(kLog, "GetRecord"), b,
                record("site/calbuco"), kDenied, firm_, "Planta Calbuco"),
      MakeProbe("B reads A's lot record", absl::StrCat(kLog, "GetRecord"), b, record(lot_subject),
                kDenied, firm_, a.lot),
      MakeProbe("B reads A's inspection record", absl::StrCat(kLog, "GetRecord"), b,
                record(inspection_subject), kDenied, firm_, a.inspection),
      MakeProbe("B reads A's issuance record", absl::StrCat(kLog, "GetRecord"), b,
                record(issuance_subject), kDenied, austral, a.issuance),
      MakeProbe("B reads A's appeal record", absl::StrCat(kLog, "GetRecord"), b,
                record(absl::StrCat("appeal/", a.appeal)), kDenied, firm_, a.appeal),
      // Norte, another certifier, on Austral's inspection and seals.
      MakeProbe("Norte gets Austral's inspection", absl::StrCat(kInspections, "GetInspection"),
                rival_, get_inspection, kDenied, austral, a.inspection),
      MakeProbe("Norte lists Austral's inspections", absl::StrCat(kInspections, "ListInspections"),
                rival_, inspections_by_austral, kOk, austral, a.inspection),
      MakeProbe("Norte lists the inspections of A's lot",
                absl::StrCat(kInspections, "ListInspections"), rival_, inspections_of_lot, kOk,
                austral, a.inspection),
      MakeProbe("Norte issues seals under Austral's inspection", absl::StrCat(kSeals, "IssueSeals"),
                rival_, issue_under_inspection, kDenied),
      MakeProbe("Norte issues seals on a lot it never inspected",
                absl::StrCat(kSeals, "IssueSeals"), rival_, issue_on_lot,
                StatusCode::FAILED_PRECONDITION),
      MakeProbe("Norte suspends Austral's seal", absl::StrCat(kSeals, "SuspendSeals"), rival_,
                valid_seal, kDenied),
      MakeProbe("Norte revokes the lot's seals", absl::StrCat(kSeals, "RevokeSeals"), rival_,
                whole_lot, kDenied),
      MakeProbe("Norte reinstates Austral's suspended seal", absl::StrCat(kSeals, "ReinstateSeals"),
                rival_, suspended_seal, kDenied),
      MakeProbe("Norte lists the seals of A's lot", absl::StrCat(kSeals, "ListSeals"), rival_,
                seals_of_lot, kDenied, austral, a.codes[1]),
      MakeProbe("Norte lists Austral's issuance", absl::StrCat(kSeals, "ListSeals"), rival_,
                seals_of_issuance, kDenied, austral, a.codes[2]),
      MakeProbe("Norte lists the issuances of A's lot", absl::StrCat(kSeals, "ListIssuances"),
                rival_, issuances_of_lot, kDenied, austral, a.issuance),
      MakeProbe("Norte gets an appeal it is no party to", absl::StrCat(kAppeals, "GetAppeal"),
                rival_, get_appeal, kDenied, austral, a.appeal),
      MakeProbe("Norte reads the record of an appeal it is no party to",
                absl::StrCat(kLog, "GetRecord"), rival_, record(absl::StrCat("appeal/", a.appeal)),
                kDenied, austral, a.appeal),
      MakeProbe("Norte reads Austral's issuance record", absl::StrCat(kLog, "GetRecord"), rival_,
                record(issuance_subject), kDenied, austral, a.issuance),
      MakeProbe("Norte reads Austral's inspection record", absl::StrCat(kLog, "GetRecord"), rival_,
                record(inspection_subject), kDenied, austral, a.inspection),
  };

  const uint64_t before = LastSeq();
  for (const Probe& probe : probes) {
    const Answer answer = Call(probe.method, probe.token, probe.request);
    EXPECT_EQ(answer.status.error_code(), probe.expected)
        << probe.what << ": " << answer.status.error_message();
    EXPECT_EQ(Leaked(answer.response, a.secrets), "") << probe.what << " showed it";
    // Nor does a refusal name anything of A's the caller did not send itself (a seal code
    // of the lot, the site), or an appeal's state.
    std::vector<std::string> unsent = {"FILED", "ASSIGNED", "UPHELD", "OVERTURNED"};
    for (const std::string& secret : a.secrets) {
      if (!absl::StrContains(probe.request, secret)) unsent.push_back(secret);
    }
    EXPECT_EQ(Leaked(answer.status.error_message(), unsent), "")
        << probe.what << " said it: " << answer.status.error_message();
    if (!probe.owner_sees.empty()) {
      const Answer owners = Call(probe.method, probe.owner, probe.request);
      EXPECT_TRUE(owners.status.ok())
          << probe.what << ", by the owner: " << owners.status.error_message();
      EXPECT_TRUE(absl::StrContains(owners.response, probe.owner_sees))
          << probe.what << ": the owner does not see " << probe.owner_sees;
    }
  }
  // Nothing changed: no event, the seals, the lot and its appeals as they were.
  EXPECT_EQ(LastSeq(), before) << "a refused call appended an event";
  EXPECT_EQ(Statuses(a.codes),
            (std::vector<Seal::Status>{Seal::SUSPENDED, Seal::VALID, Seal::VALID}));
  EXPECT_EQ(ShowLot(a.lot).seals_issued(), 3u);
  const Answer lots =
      Call(absl::StrCat(kInspections, "ListLots"), admin_, lots_at_calbuco.SerializeAsString());
  v1::ListLotsResponse lots_listed;
  ASSERT_TRUE(lots_listed.ParseFromString(lots.response)) << lots.status.error_message();
  EXPECT_EQ(lots_listed.lots_size(), 1);
  const Answer appeals = Call(absl::StrCat(kAppeals, "ListAppeals"), admin_,
                              appeals_of_inspection.SerializeAsString());
  v1::ListAppealsResponse appeals_listed;
  ASSERT_TRUE(appeals_listed.ParseFromString(appeals.response)) << appeals.status.error_message();
  EXPECT_EQ(appeals_listed.appeals_size(), 1);

  // Statistics: firm A's figures reach firm B only in published cells (closed months,
  // five firms or more): none while the month of A's inspection runs.
  v1::CriterionStatsRequest criteria;
  criteria.set_standard_id("CSCS");
  criteria.set_standard_version(1);
  v1::CriterionStatsResponse as_admin, as_b;
  ASSERT_TRUE(as_admin.ParseFromString(
      Call(absl::StrCat(kStats, "CriterionStats"), admin_, criteria.SerializeAsString()).response));
  ASSERT_TRUE(as_b.ParseFromString(
      Call(absl::StrCat(kStats, "CriterionStats"), b, criteria.SerializeAsString()).response));
  int counted = 0;
  for (const v1::CriterionRow& row : as_admin.rows()) counted += row.evaluated() > 0 ? 1 : 0;
  EXPECT_GT(counted, 0) << "firm A's inspection is in no cell: the check below proves nothing";
  for (const v1::CriterionRow& row : as_b.rows()) {
    if (row.firms() >= 5) continue;
    EXPECT_EQ(row.evaluated(), 0) << row.criterion_id() << " " << row.month();
    EXPECT_FALSE(row.has_values()) << row.criterion_id() << " " << row.month();
  }
  v1::FirmBenchmarkRequest own_benchmark;
  own_benchmark.set_standard_id("CSCS");
  own_benchmark.set_standard_version(1);
  v1::FirmBenchmarkResponse benchmark;
  ASSERT_TRUE(benchmark.ParseFromString(
      Call(absl::StrCat(kStats, "FirmBenchmark"), b, own_benchmark.SerializeAsString()).response));
  EXPECT_EQ(benchmark.firm_id(), "fjord-foods");
  ASSERT_GT(benchmark.rows_size(), 0);
  for (const v1::BenchmarkRow& row : benchmark.rows()) {
    EXPECT_TRUE(row.suppressed()) << row.criterion_id();
    EXPECT_EQ(row.cluster_p50(), 0) << row.criterion_id();
    EXPECT_EQ(row.cluster_fail_rate(), 0) << row.criterion_id();
  }
}

TEST_F(AccessMatrixTest, TheLogShowsOthersOnlyTheLeafHashesOfAFirmsRecords) {
  const FirmRecords a = MakeFirmRecords();
  ASSERT_FALSE(HasFailure());
  // The last event: a public one about firm A, where every watch below stops.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "join", "salmones-sur")));
  const std::vector<v1::LoggedEvent> all = Events(admin_);
  ASSERT_FALSE(all.empty());
  const uint64_t last = all.back().seq();
  ASSERT_EQ(all.back().event().kind(), "organisation.membership_changed");

  // Firm A's events other than about the organisation itself: never public.
  std::map<uint64_t, std::string> private_a;  // seq -> leaf hash
  std::set<std::string> kinds;
  for (const v1::LoggedEvent& event : all) {
    if (event.event().organisation_id() != "salmones-sur" ||
        absl::StartsWith(event.event().kind(), "organisation.")) {
      continue;
    }
    private_a[event.seq()] = event.leaf_hash();
    kinds.insert(event.event().kind());
  }
  EXPECT_THAT(kinds,
              IsSupersetOf({"site.created", "lot.created", "inspection.submitted", "seals.issued",
                            "lot.sealed", "seals.suspended", "appeal.filed"}));

  // A checkpoint that covers every event (signed within a second of the last write).
  auto log = v1::LogService::NewStub(channel_);
  v1::Checkpoint checkpoint;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  do {
    grpc::ClientContext context;
    v1::GetCheckpointResponse response;
    ASSERT_TRUE(log->GetCheckpoint(&context, v1::GetCheckpointRequest(), &response).ok());
    checkpoint = response.checkpoint();
  } while (checkpoint.size() < last && absl::Now() < deadline);
  ASSERT_GE(checkpoint.size(), last);

  // Firm A itself reads all of them.
  for (const v1::LoggedEvent& event : Events(firm_)) {
    if (private_a.count(event.seq())) {
      EXPECT_TRUE(event.has_event()) << event.seq();
    }
  }
  for (const auto& [reader, token] :
       {std::pair<std::string, std::string>{"firm B", other_firm_}, {"the public", ""}}) {
    SCOPED_TRACE(reader);
    // ListEvents: every event listed, firm A's as their leaf hashes alone.
    const std::vector<v1::LoggedEvent> listed = Events(token);
    EXPECT_EQ(listed.size(), all.size());
    for (const v1::LoggedEvent& event : listed) {
      EXPECT_EQ(Leaked(event.SerializeAsString(), a.secrets), "") << "event " << event.seq();
      auto hidden = private_a.find(event.seq());
      if (hidden == private_a.end()) continue;
      EXPECT_FALSE(event.has_event()) << event.seq();
      EXPECT_EQ(event.leaf_data(), "") << event.seq();
      EXPECT_EQ(event.leaf_hash(), hidden->second) << event.seq();
    }
    // GetInclusionProof by seq: the leaf hash, and a proof that holds, but no content.
    for (const auto& [seq, leaf_hash] : private_a) {
      v1::GetInclusionProofRequest request;
      request.set_seq(seq);
      request.set_tree_size(checkpoint.size());
      const Answer answer =
          Call("/sello.v1.LogService/GetInclusionProof", token, request.SerializeAsString());
      ASSERT_TRUE(answer.status.ok()) << seq << ": " << answer.status.error_message();
      EXPECT_EQ(Leaked(answer.response, a.secrets), "") << "proof of " << seq;
      v1::GetInclusionProofResponse proof;
      ASSERT_TRUE(proof.ParseFromString(answer.response));
      EXPECT_FALSE(proof.event().has_event()) << seq;
      EXPECT_EQ(proof.event().leaf_data(), "") << seq;
      EXPECT_EQ(proof.event().leaf_hash(), leaf_hash) << seq;
      const std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
      EXPECT_TRUE(domain::merkle::VerifyInclusion(leaf_hash, seq - 1, checkpoint.size(), hashes,
                                                  checkpoint.root_hash())
                      .ok())
          << seq;
    }
    // GetInclusionProof by subject: the same, found by the record's name.
    for (const std::string& subject :
         {std::string("site/calbuco"), absl::StrCat("lot/", a.lot),
          absl::StrCat("inspection/", a.inspection), absl::StrCat("seal_issuance/", a.issuance),
          absl::StrCat("appeal/", a.appeal)}) {
      v1::GetInclusionProofRequest request;
      request.set_subject(subject);
      request.set_tree_size(checkpoint.size());
      const Answer answer =
          Call("/sello.v1.LogService/GetInclusionProof", token, request.SerializeAsString());
      ASSERT_TRUE(answer.status.ok()) << subject << ": " << answer.status.error_message();
      EXPECT_EQ(Leaked(answer.response, a.secrets), "") << "proof of " << subject;
      v1::GetInclusionProofResponse proof;
      ASSERT_TRUE(proof.ParseFromString(answer.response));
      EXPECT_TRUE(private_a.count(proof.event().seq())) << subject;
      EXPECT_FALSE(proof.event().has_event()) << subject;
    }
    // WatchEvents, from the start and narrowed to firm A: never one of firm A's events.
    for (const std::string& organisation : {std::string(), std::string("salmones-sur")}) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
      v1::WatchEventsRequest request;
      request.set_from_seq(1);
      request.set_organisation_id(organisation);
      auto watch = log->WatchEvents(&context, request);
      v1::WatchEventsResponse item;
      uint64_t seen = 0;
      int delivered = 0;
      while (seen < last && watch->Read(&item)) {
        if (!item.has_event()) continue;
        seen = item.event().seq();
        ++delivered;
        EXPECT_FALSE(private_a.count(seen)) << "watch (" << organisation << ") showed " << seen;
        EXPECT_EQ(Leaked(item.SerializeAsString(), a.secrets), "") << "watch event " << seen;
      }
      EXPECT_EQ(seen, last) << "watch (" << organisation << ") ended early";
      EXPECT_GT(delivered, 0);
      context.TryCancel();
      watch->Finish();
    }
  }
  // The same watch by firm A delivers them all: the one above could see them.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", "Bearer " + firm_);
  v1::WatchEventsRequest request;
  request.set_from_seq(1);
  request.set_organisation_id("salmones-sur");
  auto watch = log->WatchEvents(&context, request);
  v1::WatchEventsResponse item;
  std::set<uint64_t> seen;
  while (seen.count(last) == 0 && watch->Read(&item)) {
    if (item.has_event()) seen.insert(item.event().seq());
  }
  context.TryCancel();
  watch->Finish();
  for (const auto& [seq, leaf_hash] : private_a) {
    EXPECT_TRUE(seen.count(seq)) << seq;
  }

  // GetRecord without a token: a token is needed for any of them.
  for (const std::string& subject :
       {std::string("site/calbuco"), absl::StrCat("lot/", a.lot),
        absl::StrCat("inspection/", a.inspection), absl::StrCat("seal_issuance/", a.issuance),
        absl::StrCat("appeal/", a.appeal)}) {
    v1::GetRecordRequest get;
    get.set_subject(subject);
    const Answer answer = Call("/sello.v1.LogService/GetRecord", "", get.SerializeAsString());
    EXPECT_EQ(answer.status.error_code(), StatusCode::UNAUTHENTICATED) << subject;
    EXPECT_EQ(answer.response, "") << subject;
  }
}

}  // namespace
}  // namespace sello::e2e
