// End-to-end, exhaustively: every RPC of every Sello service (from the compiled service
// descriptors) called by every kind of caller — no token, a revoked token, and a token
// of each role — against a live daemon, expecting exactly what the single access table
// (daemon/domain/access_policy.cc) says: UNAUTHENTICATED, PERMISSION_DENIED, or
// admitted. A denied call appends no event. An RPC without a rule fails here too.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "daemon/domain/access_policy.h"
#include "google/protobuf/descriptor.h"
#include "sello/v1/admin.pb.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/stats.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

// One kind of caller: its token ("" for none) and the principal the table judges.
struct Caller {
  std::string name;
  std::string token;
  bool revoked = false;
  v1::Role role = v1::ROLE_UNSPECIFIED;  // ROLE_UNSPECIFIED with no token: anonymous
};

class AccessMatrixTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SessionTest::SetUp());
    for (const auto& [kind, id] : {std::pair{"certifier", "cert"},
                                   {"firm", "firm-a"},
                                   {"firm", "firm-b"},
                                   {"regulator", "reg"}}) {
      const ProcessResult created =
          daemon_.RunCliAs(admin_, "org", "create", "--kind", kind, "--name", id, "--id", id);
      ASSERT_EQ(created.exit_code, 0) << created;
    }
    const std::string revoked = IssueToken("firm-b", "firm");
    const ProcessResult whoami = daemon_.RunCliAs(revoked, "-o", "json", "token", "whoami");
    ASSERT_EQ(whoami.exit_code, 0) << whoami;
    const std::string revoked_id = ParseJson<v1::WhoAmIResponse>(whoami.out).token().id();
    ASSERT_EQ(daemon_.RunCliAs(admin_, "token", "revoke", revoked_id).exit_code, 0);
    callers_ = {{"no token", "", false, v1::ROLE_UNSPECIFIED},
                {"revoked token", revoked, true, v1::FIRM},
                {"ADMIN", admin_, false, v1::ADMIN},
                {"CERTIFIER", IssueToken("cert", "certifier"), false, v1::CERTIFIER},
                {"FIRM", IssueToken("firm-a", "firm"), false, v1::FIRM},
                {"REGULATOR", IssueToken("reg", "regulator"), false, v1::REGULATOR}};
    channel_ = grpc::CreateChannel(daemon_.address(), grpc::InsecureChannelCredentials());
  }

  // Every RPC of the sello.v1 services, from the descriptors.
  static std::vector<const google::protobuf::MethodDescriptor*> ApiMethods() {
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    const google::protobuf::DescriptorPool* pool =
        google::protobuf::DescriptorPool::generated_pool();
    // Referencing a message of a file links it in, so that the pool knows its services
    // (the others are linked through the harness and the stubs used here).
    (void)v1::Appeal::descriptor();
    (void)v1::GradeCounts::descriptor();
    (void)v1::CreateBackupRequest::descriptor();
    for (const char* service :
         {"sello.v1.OrganisationService", "sello.v1.TokenService", "sello.v1.StandardService",
          "sello.v1.LogService", "sello.v1.AccreditationService", "sello.v1.InspectionService",
          "sello.v1.SealService", "sello.v1.NormService", "sello.v1.AppealService",
          "sello.v1.StatsService", "sello.v1.AdminService"}) {
      const google::protobuf::ServiceDescriptor* descriptor = pool->FindServiceByName(service);
      EXPECT_NE(descriptor, nullptr) << service;
      if (descriptor == nullptr) continue;
      for (int m = 0; m < descriptor->method_count(); ++m) methods.push_back(descriptor->method(m));
    }
    return methods;
  }

  // Calls `method` with an empty request as `caller`; returns the status code.
  grpc::StatusCode Call(const google::protobuf::MethodDescriptor& method, const Caller& caller) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    // A watch admitted streams until its deadline: short for those.
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(method.server_streaming() ? 500 : 10000));
    if (!caller.token.empty()) context.AddMetadata("authorization", "Bearer " + caller.token);
    grpc::Slice nothing("");
    grpc::ByteBuffer request(&nothing, 1);  // zero bytes: the default request
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, absl::StrCat("/", method.service()->full_name(), "/", method.name()),
                   grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return status.error_code();
  }

  // What the table says for `caller` on `method`.
  static grpc::StatusCode Expected(const std::string& method, const Caller& caller) {
    if (caller.revoked) return grpc::StatusCode::UNAUTHENTICATED;
    const domain::Principal principal{"tok", "org", caller.role};
    const absl::Status status =
        domain::Authorize(method, caller.token.empty() ? nullptr : &principal);
    return static_cast<grpc::StatusCode>(status.code());
  }

  uint64_t LastSeq() {
    auto log = v1::LogService::NewStub(channel_);
    uint64_t last = 0;
    v1::ListEventsRequest request;
    request.set_from_seq(1);
    request.set_page_size(1000);
    while (true) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + admin_);
      v1::ListEventsResponse page;
      const grpc::Status status = log->ListEvents(&context, request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& event : page.events()) last = std::max(last, event.seq());
      if (!status.ok() || page.next_seq() == 0) break;
      request.set_from_seq(page.next_seq());
    }
    return last;
  }

  std::vector<Caller> callers_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AccessMatrixTest, EveryRpcByEveryCallerGetsWhatTheTableSays) {
  const auto methods = ApiMethods();
  ASSERT_GE(methods.size(), 50u);
  // The services listed above hold every rule's method (a new service is not missed).
  ASSERT_EQ(methods.size(), domain::AccessTable().size());
  std::map<std::string, bool> ruled;
  for (const domain::MethodAccess& rule : domain::AccessTable()) ruled[std::string(rule.method)];
  // First every call the table refuses: exactly the refusal, and not one event.
  const uint64_t before = LastSeq();
  int denied = 0;
  for (const auto* method : methods) {
    const std::string name = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    EXPECT_TRUE(ruled.count(name)) << "no rule in the access table: " << name;
    for (const Caller& caller : callers_) {
      const grpc::StatusCode expected = Expected(name, caller);
      if (expected == grpc::StatusCode::OK) continue;
      EXPECT_EQ(Call(*method, caller), expected) << name << " as " << caller.name;
      ++denied;
    }
  }
  EXPECT_GT(denied, 100);
  EXPECT_EQ(LastSeq(), before) << "a refused call appended an event";
  // Then every call it admits: never refused for who the caller is (the empty request
  // may well be refused for what it says).
  for (const auto* method : methods) {
    const std::string name = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    for (const Caller& caller : callers_) {
      if (Expected(name, caller) != grpc::StatusCode::OK) continue;
      const grpc::StatusCode code = Call(*method, caller);
      EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED) << name << " as " << caller.name;
      EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED) << name << " as " << caller.name;
      EXPECT_NE(code, grpc::StatusCode::UNIMPLEMENTED) << name << " as " << caller.name;
    }
  }
}

}  // namespace
}  // namespace sello::e2e
