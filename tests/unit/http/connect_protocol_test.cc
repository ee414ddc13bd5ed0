#include "daemon/http/connect_protocol.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "sello/v1/seal.pb.h"

namespace sello::http {
namespace {

using ::testing::HasSubstr;

TEST(ConnectProtocolTest, CodesMapToTheStatusesTheProtocolAssigns) {
  // connectrpc.com/docs/protocol, "Error Codes".
  struct Case {
    absl::StatusCode code;
    const char* name;
    int status;
  };
  for (const Case& c : {Case{absl::StatusCode::kCancelled, "canceled", 499},
                        Case{absl::StatusCode::kUnknown, "unknown", 500},
                        Case{absl::StatusCode::kInvalidArgument, "invalid_argument", 400},
                        Case{absl::StatusCode::kDeadlineExceeded, "deadline_exceeded", 504},
                        Case{absl::StatusCode::kNotFound, "not_found", 404},
                        Case{absl::StatusCode::kAlreadyExists, "already_exists", 409},
                        Case{absl::StatusCode::kPermissionDenied, "permission_denied", 403},
                        Case{absl::StatusCode::kResourceExhausted, "resource_exhausted", 429},
                        Case{absl::StatusCode::kFailedPrecondition, "failed_precondition", 400},
                        Case{absl::StatusCode::kAborted, "aborted", 409},
                        Case{absl::StatusCode::kOutOfRange, "out_of_range", 400},
                        Case{absl::StatusCode::kUnimplemented, "unimplemented", 501},
                        Case{absl::StatusCode::kInternal, "internal", 500},
                        Case{absl::StatusCode::kUnavailable, "unavailable", 503},
                        Case{absl::StatusCode::kDataLoss, "data_loss", 500},
                        Case{absl::StatusCode::kUnauthenticated, "unauthenticated", 401}}) {
    EXPECT_EQ(ConnectCodeName(c.code), c.name);
    EXPECT_EQ(HttpStatusOf(c.code), c.status) << c.name;
  }
}

TEST(ConnectProtocolTest, ErrorBodiesAreSafeJson) {
  EXPECT_EQ(ConnectErrorBody(absl::StatusCode::kNotFound, ""), R"({"code":"not_found"})");
  EXPECT_EQ(ConnectErrorBody(absl::StatusCode::kInvalidArgument, "codes[0]: \"x\"\n"),
            R"({"code":"invalid_argument","message":"codes[0]: \"x\"\n"})");
  // Markup is escaped; bytes that are not UTF-8 become U+FFFD; UTF-8 stays.
  EXPECT_EQ(JsonString("<script>&"), R"("\u003cscript\u003e\u0026")");
  EXPECT_EQ(JsonString("a\xff"
                       "b\x01"),
            R"("a\ufffdb\u0001")");
  EXPECT_EQ(JsonString("Quell\xc3\xb3n"), "\"Quell\xc3\xb3n\"");
}

TEST(ConnectProtocolTest, ContentTypesAndEncodings) {
  EXPECT_EQ(UnaryCodecOf("application/json"), Codec::kJson);
  EXPECT_EQ(UnaryCodecOf("Application/JSON; charset=utf-8"), Codec::kJson);
  EXPECT_EQ(UnaryCodecOf("application/proto"), Codec::kProto);
  EXPECT_EQ(UnaryCodecOf("application/json; charset=latin1"), std::nullopt);
  EXPECT_EQ(UnaryCodecOf("text/plain"), std::nullopt);
  EXPECT_EQ(UnaryCodecOf("application/connect+json"), std::nullopt);
  EXPECT_EQ(CodecNamed("json"), Codec::kJson);
  EXPECT_EQ(CodecNamed("xml"), std::nullopt);
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, gzip;q=0.8"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_TRUE(IsSupportedCompression("gzip"));
  EXPECT_FALSE(IsSupportedCompression("br"));
  EXPECT_EQ(*ParseConnectTimeout("2500"), absl::Milliseconds(2500));
  for (const char* bad : {"", "0", "-1", "1.5", "12345678901", "soon"}) {
    EXPECT_FALSE(ParseConnectTimeout(bad).ok()) << bad;
  }
}

TEST(ConnectProtocolTest, GzipRoundTripsAndBombsAreStopped) {
  const std::string text(100'000, 'a');
  const std::string packed = Gzip(text);
  EXPECT_LT(packed.size(), 1'000u);
  EXPECT_EQ(*Gunzip(packed, 100'000), text);
  EXPECT_EQ(Gunzip(packed, 99'999).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Gunzip("not gzip", 100).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Gunzip(packed.substr(0, packed.size() / 2), 100'000).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConnectProtocolTest, MessagesConvertByTheirDescriptors) {
  const MessageCodec codec;
  const auto& type = *v1::VerifySealRequest::descriptor();
  absl::StatusOr<std::string> binary =
      codec.ToBinary(type, Codec::kJson, R"({"codes": ["CSCS-1", "CSCS-2"]})");
  ASSERT_TRUE(binary.ok()) << binary.status();
  v1::VerifySealRequest request;
  ASSERT_TRUE(request.ParseFromString(*binary));
  EXPECT_EQ(request.codes_size(), 2);
  EXPECT_EQ(*codec.FromBinary(type, Codec::kJson, *binary), R"({"codes":["CSCS-1","CSCS-2"]})");
  // Errors name the field.
  for (const char* json : {R"({"codes": 5})", R"({"cods": []})", R"({"codes": [1, 2]})"}) {
    absl::StatusOr<std::string> refused = codec.ToBinary(type, Codec::kJson, json);
    ASSERT_FALSE(refused.ok()) << json;
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("cod")) << json;
  }
  EXPECT_FALSE(codec.ToBinary(type, Codec::kJson, "{\"codes\": [").ok());
  EXPECT_FALSE(codec.ToBinary(type, Codec::kJson, "{\"codes\": [\"\xe9\"]}").ok());
  // Binary: checked, passed on as it is.
  EXPECT_EQ(*codec.ToBinary(type, Codec::kProto, *binary), *binary);
  EXPECT_FALSE(codec.ToBinary(type, Codec::kProto, "\xff\xff\xff").ok());
}

}  // namespace
}  // namespace sello::http
