#include "daemon/domain/access_policy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/admin.pb.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "sello/v1/stats.pb.h"
#include "sello/v1/token.pb.h"

namespace sello::domain {
namespace {

// Every RPC of every sello.v1 service, from the compiled protos themselves.
std::set<std::string> ApiMethods() {
  std::set<std::string> methods;
  for (const google::protobuf::FileDescriptor* file :
       {v1::Organisation::descriptor()->file(), v1::Token::descriptor()->file(),
        v1::StandardVersion::descriptor()->file(), v1::Checkpoint::descriptor()->file(),
        v1::Accreditation::descriptor()->file(), v1::Inspection::descriptor()->file(),
        v1::Seal::descriptor()->file(), v1::Norm::descriptor()->file(),
        v1::Appeal::descriptor()->file(), v1::GradeCounts::descriptor()->file(),
        v1::CreateBackupRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        methods.insert(absl::StrCat("/", service->full_name(), "/", service->method(m)->name()));
      }
    }
  }
  return methods;
}

TEST(AccessTableTest, CoversExactlyTheApi) {
  std::set<std::string> listed;
  for (const MethodAccess& rule : AccessTable()) {
    EXPECT_TRUE(listed.insert(std::string(rule.method)).second) << "listed twice: " << rule.method;
  }
  const std::set<std::string> api = ApiMethods();
  ASSERT_GE(api.size(), 23u);
  for (const std::string& method : api) EXPECT_TRUE(listed.count(method)) << "no rule: " << method;
  for (const std::string& method : listed) EXPECT_TRUE(api.count(method)) << "no RPC: " << method;
}

TEST(AccessTableTest, PublicMethodsAreOpenToEveryRole) {
  for (const MethodAccess& rule : AccessTable()) {
    if (!rule.is_public) continue;
    for (v1::Role role : {v1::ADMIN, v1::CERTIFIER, v1::FIRM, v1::REGULATOR}) {
      Principal principal{"tok-x", "org-x", role};
      EXPECT_TRUE(Authorize(rule.method, &principal).ok()) << rule.method << " " << role;
    }
  }
}

struct Case {
  const char* method;
  v1::Role role;  // ROLE_UNSPECIFIED: no token
  absl::StatusCode expected;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.method << " as " << v1::Role_Name(c.role);
}

class AuthorizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(AuthorizeTest, Decides) {
  const Case& c = GetParam();
  Principal principal{"tok-1", "org-1", c.role};
  const absl::Status status =
      Authorize(c.method, c.role == v1::ROLE_UNSPECIFIED ? nullptr : &principal);
  EXPECT_EQ(status.code(), c.expected) << status;
  if (!status.ok()) {
    EXPECT_NE(status.message().find(c.method), absl::string_view::npos) << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, AuthorizeTest,
    ::testing::Values(
        Case{"/sello.v1.StandardService/GetStandardVersion", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kOk},
        Case{"/sello.v1.StandardService/PublishStandardVersion", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kUnauthenticated},
        Case{"/sello.v1.StandardService/PublishStandardVersion", v1::FIRM,
             absl::StatusCode::kPermissionDenied},
        Case{"/sello.v1.StandardService/PublishStandardVersion", v1::REGULATOR,
             absl::StatusCode::kPermissionDenied},
        Case{"/sello.v1.StandardService/PublishStandardVersion", v1::ADMIN, absl::StatusCode::kOk},
        Case{"/sello.v1.TokenService/CreateToken", v1::CERTIFIER,
             absl::StatusCode::kPermissionDenied},
        Case{"/sello.v1.TokenService/WhoAmI", v1::FIRM, absl::StatusCode::kOk},
        Case{"/sello.v1.TokenService/WhoAmI", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kUnauthenticated},
        Case{"/sello.v1.OrganisationService/GetSite", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kUnauthenticated},
        Case{"/sello.v1.OrganisationService/GetSite", v1::FIRM, absl::StatusCode::kOk},
        Case{"/sello.v1.OrganisationService/ListOrganisations", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kOk},
        // Deny by default: a method without a rule is refused even to ADMIN.
        Case{"/sello.v1.OrganisationService/DeleteEverything", v1::ADMIN,
             absl::StatusCode::kPermissionDenied},
        Case{"/sello.v1.OrganisationService/DeleteEverything", v1::ROLE_UNSPECIFIED,
             absl::StatusCode::kPermissionDenied}));

}  // namespace
}  // namespace sello::domain
