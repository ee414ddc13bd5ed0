// End-to-end, issue 16 §8: nothing leaks or hides through the cracks.
// - Unknown protobuf fields are discarded before anything is stored (a lot with 1,000
//   hidden bytes); undefined enum values (ListAppeals {status: 77}), dates out of bounds (a
//   harvest in year 1) and names with Unicode format characters (a right-to-left override
//   that shows "Salmones ocubla" as "Salmones calbuco") are refused, naming the field.
// - GetRecord serves seal_change/* records, to whoever may read their event, so that a
//   status change can be re-hashed against the log.
// - A revoked token's open watch ends with UNAUTHENTICATED, promptly, even when idle; watches
//   are capped per token and, without one, per address and together, with room kept for
//   token holders.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/domain/time_convert.h"
#include "sello/v1/appeal.grpc.pb.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/organisation.grpc.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A length-delimited field `number` holding `bytes`, in protobuf's wire format.
std::string LengthDelimited(int number, const std::string& bytes) {
  std::string wire;
  for (uint64_t v = (static_cast<uint64_t>(number) << 3) | 2;; v >>= 7) {
    wire.push_back(static_cast<char>(v < 0x80 ? v : (v & 0x7f) | 0x80));
    if (v < 0x80) break;
  }
  for (uint64_t v = bytes.size();; v >>= 7) {
    wire.push_back(static_cast<char>(v < 0x80 ? v : (v & 0x7f) | 0x80));
    if (v < 0x80) break;
  }
  return wire + bytes;
}

class HygieneTest : public CertificationTest {
 protected:
  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel(daemon_.address(), grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  // GetRecord(subject) as `token`.
  grpc::Status GetRecord(const std::string& token, const std::string& subject,
                         v1::GetRecordResponse* response) {
    auto stub = v1::LogService::NewStub(Channel());
    v1::GetRecordRequest request;
    request.set_subject(subject);
    return stub->GetRecord(Context(token).get(), request, response);
  }

  // A regulator's token (its organisation created first).
  std::string Regulator() {
    EXPECT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                           "Servicio", "--id", "servicio")));
    return IssueToken("servicio", "regulator");
  }
};

TEST_F(HygieneTest, UnknownFieldsAreNeverStoredInARecord) {
  // The issue's lot: 1,000 hidden bytes in a field the schema does not have, past every
  // length limit, inside a lot that is otherwise valid.
  v1::Lot lot;
  lot.set_site_id("calbuco");
  lot.set_product_form("fresh whole");
  *lot.mutable_harvest_date() = domain::ToProto(absl::Now() - absl::Hours(48));
  lot.set_box_count(10);
  const std::string hidden(1000, 'h');
  v1::CreateLotRequest request;
  ASSERT_TRUE(request.ParseFromString(
      LengthDelimited(1, lot.SerializeAsString() + LengthDelimited(99, hidden)) +
      LengthDelimited(77, "and more")));
  ASSERT_GT(request.ByteSizeLong(), 1000u);

  auto stub = v1::InspectionService::NewStub(Channel());
  v1::Lot created;
  const grpc::Status status = stub->CreateLot(Context(firm_).get(), request, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // What the registry stored and logged: the lot, and nothing else.
  v1::GetRecordResponse record;
  ASSERT_TRUE(GetRecord(admin_, absl::StrCat("lot/", created.id()), &record).ok());
  EXPECT_THAT(record.record().value(), Not(HasSubstr("hhhhhhhhhh")));
  EXPECT_LT(record.record().value().size(), 200u);
  v1::Lot stored;
  ASSERT_TRUE(stored.ParseFromString(record.record().value()));
  EXPECT_TRUE(stored.GetReflection()->GetUnknownFields(stored).empty());
  EXPECT_EQ(stored.box_count(), 10u);
  // And the record still hashes to its event's digest.
  EXPECT_EQ(Sha256(record.record().value(), daemon_), record.event().event().record_sha256());
}

TEST_F(HygieneTest, UndefinedEnumValuesAreRefusedNamingTheField) {
  auto appeals = v1::AppealService::NewStub(Channel());
  v1::ListAppealsRequest list;
  list.set_status(static_cast<v1::Appeal::Status>(77));
  v1::ListAppealsResponse listed;
  grpc::Status status = appeals->ListAppeals(Context(firm_).get(), list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("status: 77 is not a value of"));

  // In a write: nothing is stored.
  const int before = CountInspections(admin_);
  v1::SubmitInspectionRequest submit;
  submit.mutable_inspection()->set_site_id("calbuco");
  submit.mutable_inspection()->set_claimed_grade(static_cast<v1::Grade>(9));
  v1::Inspection answered;
  auto inspections = v1::InspectionService::NewStub(Channel());
  status = inspections->SubmitInspection(Context(certifier_).get(), submit, &answered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("inspection.claimed_grade: 9"));
  EXPECT_EQ(CountInspections(admin_), before);
}

TEST_F(HygieneTest, DatesOutsideSaneBoundsAreRefused) {
  // A harvest in year 1, by the API and by the CLI.
  v1::CreateLotRequest request;
  request.mutable_lot()->set_site_id("calbuco");
  request.mutable_lot()->set_product_form("fresh whole");
  request.mutable_lot()->set_box_count(10);
  request.mutable_lot()->mutable_harvest_date()->set_seconds(-62135596800);  // 0001-01-01
  auto stub = v1::InspectionService::NewStub(Channel());
  v1::Lot created;
  const grpc::Status status = stub->CreateLot(Context(firm_).get(), request, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("lot.harvest_date"));
  EXPECT_THAT(status.error_message(), HasSubstr("1970-01-01"));
  const ProcessResult cli =
      daemon_.RunCliAs(firm_, "lot", "create", "--site", "calbuco", "--product-form", "fresh",
                       "--harvest-date", "1950-06-01", "--boxes", "10");
  EXPECT_EQ(cli.exit_code, kExitRefused) << cli;
  EXPECT_THAT(cli.err, HasSubstr("harvest_date: 1950-06-01 is before 1970-01-01"));
  // An inspection dated 1969 is refused the same way.
  InspectionFile file;
  const std::string path =
      daemon_.WriteFile("old-inspection.json", ToJson(file, absl::FromUnixSeconds(-86400 * 30)));
  const ProcessResult old = daemon_.RunCliAs(certifier_, "inspect", "submit", path);
  EXPECT_EQ(old.exit_code, kExitRefused) << old;
  EXPECT_THAT(old.err, HasSubstr("inspection.inspection_date: 1969-12-02 is before 1970-01-01"));
}

TEST_F(HygieneTest, NamesThatDisplayAsSomethingElseAreRefused) {
  // The issue's: U+202E makes "Salmones ocubla" display as "Salmones calbuco".
  const std::string spoof = "Salmones \u202Eocubla";
  ProcessResult created =
      daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", spoof, "--id", "spoof");
  EXPECT_EQ(created.exit_code, kExitRefused) << created;
  EXPECT_THAT(created.err, HasSubstr("name: contains U+202E (RIGHT-TO-LEFT OVERRIDE)"));
  EXPECT_EQ(daemon_.RunCli("org", "show", "spoof").exit_code, kExitNotFound);
  // A site's name, a lot's product form, an inspector: every name printed on a seal or page.
  created = daemon_.RunCliAs(admin_, "site", "create", "--firm", "salmones-sur", "--type", "plant",
                             "--name", "Planta\u200BCalbuco", "--region", "Los Lagos",
                             "--registration-code", "PL-9", "--id", "zw");
  EXPECT_EQ(created.exit_code, kExitRefused) << created;
  EXPECT_THAT(created.err, HasSubstr("U+200B (ZERO WIDTH SPACE)"));
  created = daemon_.RunCliAs(firm_, "lot", "create", "--site", "calbuco", "--product-form",
                             "fresh\u2066whole", "--harvest-date",
                             Day(absl::Now() - absl::Hours(48)), "--boxes", "10");
  EXPECT_EQ(created.exit_code, kExitRefused) << created;
  EXPECT_THAT(created.err, HasSubstr("product_form"));
  std::string json = ToJson(InspectionFile(), absl::Now());
  json.replace(json.find("M. Oyarzun"), 10, "M. Oyarz\xE2\x80\x8Fun");  // U+200F
  const ProcessResult submitted = daemon_.RunCliAs(certifier_, "inspect", "submit",
                                                   daemon_.WriteFile("rlm-inspection.json", json));
  EXPECT_EQ(submitted.exit_code, kExitRefused) << submitted;
  EXPECT_THAT(submitted.err, HasSubstr("inspection.inspector: contains U+200F"));
  // A control character in a one-line name, too; a note may span lines.
  created = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Two\nLines",
                             "--id", "two-lines");
  EXPECT_EQ(created.exit_code, kExitRefused) << created;
  EXPECT_THAT(created.err, HasSubstr("control character U+000A"));
  // Accents and other scripts are names like any other.
  EXPECT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                         "Pesquera Aysén 鮭", "--id", "aysen")));
}

TEST_F(HygieneTest, GetRecordServesSealChangesToThoseWhoMayReadTheirEvent) {
  const std::string lot = CreateLot(firm_, "calbuco", 5);
  Submitted(certifier_, InspectionFile().OfLot(lot));
  const std::vector<std::string> codes = Issued(certifier_, lot, 2);
  ASSERT_EQ(codes.size(), 2u);
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(certifier_, "seal", "suspend", codes[0], "--reason",
                                         "under investigation")));
  std::string subject;
  for (const v1::Event& event : Events(1, 1, "seals.suspended")) {
    if (!event.subjects().empty()) subject = event.subjects(0);
  }
  ASSERT_THAT(subject, HasSubstr("seal_change/"));

  // The firm whose seals they are, the certifier and ADMIN read it and re-hash it.
  for (const std::string& token : {firm_, certifier_, admin_}) {
    v1::GetRecordResponse record;
    const grpc::Status status = GetRecord(token, subject, &record);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(record.record().type_url(), "type.googleapis.com/sello.v1.SealStatusChange");
    v1::SealStatusChange change;
    ASSERT_TRUE(change.ParseFromString(record.record().value()));
    EXPECT_EQ(change.status(), v1::Seal::SUSPENDED);
    EXPECT_EQ(change.reason(), "under investigation");
    ASSERT_TRUE(record.event().has_event());
    EXPECT_EQ(Sha256(record.record().value(), daemon_), record.event().event().record_sha256());
  }
  // Nobody else.
  v1::GetRecordResponse record;
  EXPECT_EQ(GetRecord(other_firm_, subject, &record).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetRecord("", subject, &record).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetRecord(admin_, "seal_change/chg-none", &record).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(HygieneTest, ARevokedTokensWatchEndsPromptlyEvenWhenIdle) {
  const std::string secret = IssueToken("salmones-sur", "firm");
  const ProcessResult whoami = daemon_.RunCliAs(secret, "-o", "json", "token", "whoami");
  ASSERT_EQ(whoami.exit_code, 0) << whoami;
  const std::string token_id = ParseJson<v1::WhoAmIResponse>(whoami.out).token().id();
  // A watch of the firm's own site from the head: idle, nothing for it to deliver.
  auto stub = v1::LogService::NewStub(Channel());
  auto context = Context(secret);
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  v1::WatchEventsRequest request;
  request.set_from_seq(1);
  request.add_kinds("organisation.");
  auto watch = stub->WatchEvents(context.get(), request);
  v1::WatchEventsResponse item;
  ASSERT_TRUE(watch->Read(&item)) << "the watch was not admitted";  // it is open
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "token", "revoke", token_id)));
  const absl::Time revoked = absl::Now();
  while (watch->Read(&item)) {
  }
  const grpc::Status status = watch->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("revoked"));
  // Promptly: not at the next heartbeat (15 s) or the client's deadline.
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(5));
}

// One watch: admitted (it delivers the first event) or refused with a status.
struct OpenWatch {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader;
  grpc::Status refused;
  bool admitted = false;
};

class WatchCapTest : public HygieneTest {
 protected:
  OpenWatch Open(const std::string& token) {
    OpenWatch watch;
    watch.context = Context(token);
    v1::WatchEventsRequest request;
    request.set_from_seq(1);
    watch.reader = stub_->WatchEvents(watch.context.get(), request);
    v1::WatchEventsResponse item;
    watch.admitted = watch.reader->Read(&item);
    if (!watch.admitted) watch.refused = watch.reader->Finish();
    return watch;
  }

  void CloseAll(std::vector<OpenWatch>& watches) {
    for (OpenWatch& watch : watches) {
      if (!watch.admitted) continue;
      watch.context->TryCancel();
      (void)watch.reader->Finish();
    }
    watches.clear();
  }

  std::unique_ptr<v1::LogService::Stub> stub_;
};

TEST_F(WatchCapTest, AnonymousWatchesNeverLockTokenHoldersOut) {
  const std::string regulator = Regulator();
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--max-watches", "6", "--max-anonymous-watches", "3",
                           "--max-watches-per-address", "2", "--max-watches-per-principal", "2"});
  ASSERT_TRUE(daemon_.Start());
  stub_ = v1::LogService::NewStub(Channel());
  std::vector<OpenWatch> open;
  // Without a token: two from this address, the third refused naming its flag.
  for (int i = 0; i < 2; ++i) {
    open.push_back(Open(""));
    EXPECT_TRUE(open.back().admitted) << open.back().refused.error_message();
  }
  OpenWatch refused = Open("");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.refused.error_message(), HasSubstr("--max-watches-per-address"));
  // One token holds two at most; another token still gets in.
  for (int i = 0; i < 2; ++i) {
    open.push_back(Open(regulator));
    EXPECT_TRUE(open.back().admitted) << open.back().refused.error_message();
  }
  refused = Open(regulator);
  EXPECT_EQ(refused.refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.refused.error_message(), HasSubstr("--max-watches-per-principal"));
  open.push_back(Open(admin_));
  EXPECT_TRUE(open.back().admitted) << open.back().refused.error_message();
  CloseAll(open);

  // The issue's lock-out: anonymous watches up to their share, and the regulator still
  // watches in the room kept for token holders.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args(
      {"--max-watches", "4", "--max-anonymous-watches", "2", "--max-watches-per-address", "8"});
  ASSERT_TRUE(daemon_.Start());
  stub_ = v1::LogService::NewStub(Channel());
  for (int i = 0; i < 2; ++i) {
    open.push_back(Open(""));
    EXPECT_TRUE(open.back().admitted) << open.back().refused.error_message();
  }
  refused = Open("");
  EXPECT_EQ(refused.refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.refused.error_message(), HasSubstr("--max-anonymous-watches"));
  for (const std::string& token : {regulator, admin_}) {
    open.push_back(Open(token));
    EXPECT_TRUE(open.back().admitted) << open.back().refused.error_message();
  }
  // All four taken: now even a token holder waits.
  refused = Open(firm_);
  EXPECT_EQ(refused.refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.refused.error_message(), HasSubstr("--max-watches"));
  CloseAll(open);
  // And a refused start: the anonymous share must leave room.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--max-watches", "4", "--max-anonymous-watches", "4"});
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("--max-anonymous-watches (4) must be below --max-watches"));
}

}  // namespace
}  // namespace sello::e2e
