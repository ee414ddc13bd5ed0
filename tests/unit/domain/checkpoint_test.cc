#include "daemon/tlog/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "daemon/domain/crypto.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

// Known answers from golang.org/x/mod/sumdb/note (github.com/golang/mod, sumdb/note/note.go
// package documentation and sumdb/note/note_test.go, TestSign, TestOpen, TestNewVerifier): an
// Ed25519 key pair named "PeterNeumann", its signer key
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" (base64 of 0x01
// || the 32-byte seed), and a second signer "EnochRoot".
constexpr absl::string_view kPeterPrivateKeyBase64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr absl::string_view kPeterVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr absl::string_view kEnochVerifierKey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr absl::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr absl::string_view kPeterSignature =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr absl::string_view kEnochSignature =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

constexpr absl::string_view kOrigin = "sello.example/registry";

void ExpectError(const absl::Status& status, absl::StatusCode code, absl::string_view message) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(message))) << status;
}

std::string PeterSeed() {
  std::string decoded;
  EXPECT_TRUE(absl::Base64Unescape(kPeterPrivateKeyBase64, &decoded));
  EXPECT_EQ(decoded.size(), 33u);
  EXPECT_EQ(decoded[0], '\x01');
  return decoded.substr(1);
}

NoteVerifier MustVerifier(absl::string_view verifier_key) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(verifier_key);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return *std::move(verifier);
}

NoteSigner MustSigner(absl::string_view name) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Generate(name);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

Checkpoint SampleCheckpoint() {
  return Checkpoint{std::string(kOrigin), 20852163, Sha256("root"),
                    absl::FromUnixSeconds(1764144000)};
}

// ---- Checkpoint body (C2SP tlog-checkpoint) ----

TEST(CheckpointBodyTest, HasTheFourLinesOfTheFormat) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.root_hash =
      absl::HexStringToBytes("0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
  EXPECT_EQ(CheckpointBody(checkpoint),
            "sello.example/registry\n"
            "20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
            "time 1764144000\n");
}

TEST(CheckpointBodyTest, RoundTripsThroughTheParser) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{20852163}, ~uint64_t{0}}) {
    for (int64_t seconds : {int64_t{0}, int64_t{1764144000}, int64_t{4102444800}}) {
      Checkpoint checkpoint = SampleCheckpoint();
      checkpoint.size = size;
      checkpoint.time = absl::FromUnixSeconds(seconds);
      ASSERT_TRUE(ValidateCheckpoint(checkpoint).ok());
      absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(CheckpointBody(checkpoint));
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      EXPECT_EQ(parsed->origin, checkpoint.origin);
      EXPECT_EQ(parsed->size, size);
      EXPECT_EQ(parsed->root_hash, checkpoint.root_hash);
      EXPECT_EQ(parsed->time, checkpoint.time);
    }
  }
}

TEST(CheckpointBodyTest, TimeExtensionLineCarriesUnixSeconds) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.time = absl::FromCivil(absl::CivilSecond(2025, 11, 26, 8, 0, 0), absl::UTCTimeZone());
  const std::string body = CheckpointBody(checkpoint);
  EXPECT_THAT(body, HasSubstr("\ntime 1764144000\n"));
  absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", parsed->time, absl::UTCTimeZone()),
            "2025-11-26T08:00:00Z");
}

TEST(CheckpointBodyTest, ParserRejectsEachMalformedLineByName) {
  const std::string hash = absl::Base64Escape(Sha256("root"));
  const std::string ok_tail = absl::StrCat(hash, "\ntime 1764144000\n");
  const struct {
    std::string body;
    std::string message;
  } cases[] = {
      {"", "line 1 (origin): missing"},
      {"\n5\n" + ok_tail, "line 1 (origin): empty"},
      {"o\n", "line 2 (size): missing"},
      {"o\n5\n", "line 3 (root hash): missing"},
      {"o\n5\n" + hash + "\n", "line 4 (time): missing"},
      {"o\n5\n" + hash + "\ntime 1", "line 4 (time): does not end with a newline"},
      {"o\n5\n" + ok_tail + "extra\n", "line 5: unexpected extension line \"extra\""},
      {"o\n5\n" + ok_tail + "extra", "line 5: does not end with a newline"},
      {"o\n5", "line 2 (size): does not end with a newline"},
      {"o\n05\n", "line 2 (size): \"05\""},
      {"o\n\n" + ok_tail, "line 2 (size): \"\""},
      {"o\n05\n" + ok_tail, "line 2 (size): \"05\""},
      {"o\n+5\n" + ok_tail, "line 2 (size): \"+5\""},
      {"o\n-5\n" + ok_tail, "line 2 (size): \"-5\""},
      {"o\n 5\n" + ok_tail, "line 2 (size): \" 5\""},
      {"o\n5x\n" + ok_tail, "line 2 (size): \"5x\""},
      {"o\n18446744073709551616\n" + ok_tail, "line 2 (size): \"18446744073709551616\""},
      {"o\n5\nnot base64!\ntime 1\n", "line 3 (root hash): \"not base64!\" is not canonical"},
      {"o\n5\n" + hash.substr(0, hash.size() - 1) + "\ntime 1\n", "line 3 (root hash)"},
      {"o\n5\n" + absl::Base64Escape(std::string(31, 'x')) + "\ntime 1\n",
       "line 3 (root hash): 31 bytes, want 32"},
      {"o\n5\n" + absl::Base64Escape(std::string(33, 'x')) + "\ntime 1\n",
       "line 3 (root hash): 33 bytes, want 32"},
      {"o\n5\n" + hash + "\nTime 1\n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime\n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime \n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime 01\n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime -1\n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime 1.5\n", "line 4 (time)"},
      {"o\n5\n" + hash + "\ntime 9223372036854775808\n", "line 4 (time)"},
      {"o\r\n5\n" + ok_tail, "line 1: control character 0x0d"},
      {"o\n5\n" + hash + "\ntime 1\r\n", "line 4: control character 0x0d"},
      {std::string("o\0\n5\n", 5) + ok_tail, "line 1: control character 0x00"},
      {"o\xff\n5\n" + ok_tail, "line 1: invalid UTF-8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::CHexEscape(c.body));
    absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(c.body);
    ExpectError(parsed.status(), absl::StatusCode::kInvalidArgument, c.message);
  }
}

TEST(CheckpointBodyTest, ParserAcceptsTheLargestValues) {
  const std::string body = absl::StrCat("o\n18446744073709551615\n", absl::Base64Escape(Sha256("")),
                                        "\ntime 9223372036854775807\n");
  absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size, ~uint64_t{0});
  EXPECT_EQ(absl::ToUnixSeconds(parsed->time), std::numeric_limits<int64_t>::max());
}

TEST(CheckpointBodyTest, ValidateRefusesWhatCannotBeWritten) {
  const struct {
    void (*mutate)(Checkpoint&);
    std::string message;
  } cases[] = {
      {[](Checkpoint& c) { c.origin.clear(); }, "checkpoint.origin: empty"},
      {[](Checkpoint& c) { c.origin = "a\nb"; }, "checkpoint.origin: contains a newline"},
      {[](Checkpoint& c) { c.origin = "a\rb"; }, "checkpoint.origin line 1: control character"},
      {[](Checkpoint& c) { c.root_hash = "short"; }, "checkpoint.root_hash: 5 bytes, want 32"},
      {[](Checkpoint& c) { c.time = absl::InfiniteFuture(); }, "checkpoint.time: infinite"},
      {[](Checkpoint& c) { c.time = absl::FromUnixSeconds(-1); }, "checkpoint.time: before 1970"},
      {[](Checkpoint& c) { c.time += absl::Milliseconds(1); }, "checkpoint.time: not a whole"},
  };
  for (const auto& c : cases) {
    Checkpoint checkpoint = SampleCheckpoint();
    c.mutate(checkpoint);
    ExpectError(ValidateCheckpoint(checkpoint), absl::StatusCode::kInvalidArgument, c.message);
  }
  EXPECT_TRUE(ValidateCheckpoint(SampleCheckpoint()).ok());
}

// ---- Known answers ----

TEST(NoteKnownAnswerTest, GoSumdbNoteSignerProducesThePublishedNote) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromPrivateKey("PeterNeumann", PeterSeed());
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->VerifierKey(), kPeterVerifierKey);
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer->raw_private_key(), PeterSeed());
  absl::StatusOr<std::string> note = signer->Sign(kGoText);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(*note, absl::StrCat(kGoText, "\n", kPeterSignature));
}

TEST(NoteKnownAnswerTest, GoSumdbNotesVerify) {
  const NoteVerifier peter = MustVerifier(kPeterVerifierKey);
  const NoteVerifier enoch = MustVerifier(kEnochVerifierKey);
  EXPECT_EQ(peter.name(), "PeterNeumann");
  EXPECT_EQ(peter.key_id(), 0xc74f20a3u);
  EXPECT_EQ(peter.VerifierKey(), kPeterVerifierKey);

  const std::string both = absl::StrCat(kGoText, "\n", kPeterSignature, kEnochSignature);
  absl::StatusOr<std::string> text = peter.Verify(both);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kGoText);
  text = enoch.Verify(both);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kGoText);

  // Only the other signer: ours is missing.
  ExpectError(peter.Verify(absl::StrCat(kGoText, "\n", kEnochSignature)).status(),
              absl::StatusCode::kFailedPrecondition, "no signature by PeterNeumann+c74f20a3");
  // Repeated valid signatures are fine.
  EXPECT_TRUE(peter.Verify(absl::StrCat(kGoText, "\n", kPeterSignature, kPeterSignature)).ok());
}

TEST(NoteKnownAnswerTest, GoSumdbVerifierKeyManglingsAreRefused) {
  // As golang.org/x/mod/sumdb/note TestNewVerifier: every proper substring and every
  // single-byte change of a verifier key is refused.
  const std::string key(kPeterVerifierKey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_FALSE(NoteVerifier::FromVerifierKey(key.substr(i, j - i)).ok())
          << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(NoteVerifier::FromVerifierKey(mangled).ok()) << mangled;
  }
  // Wrong key length and unknown algorithm, each with a matching key id.
  ExpectError(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                  .status(),
              absl::StatusCode::kInvalidArgument, "verifier key: ");
  ExpectError(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                  .status(),
              absl::StatusCode::kInvalidArgument, "signature type 0x65");
  ExpectError(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                  .status(),
              absl::StatusCode::kInvalidArgument, "key id c74f20a4 does not match");
  // Upper-case hex names the same key.
  absl::StatusOr<NoteVerifier> upper = NoteVerifier::FromVerifierKey(
      "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(upper.ok()) << upper.status();
  EXPECT_EQ(upper->VerifierKey(), kPeterVerifierKey);
}

// RFC 8032 §7.1, TEST 1 and TEST 2 (their messages are not note texts, so the bare
// signature is checked).
TEST(NoteKnownAnswerTest, Rfc8032Section71Vectors) {
  const struct {
    const char* secret_key;
    const char* public_key;
    std::string message;
    const char* signature;
  } vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
       "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "\x72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
       "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.secret_key);
    absl::StatusOr<NoteSigner> signer =
        NoteSigner::FromPrivateKey("rfc8032", absl::HexStringToBytes(v.secret_key));
    ASSERT_TRUE(signer.ok()) << signer.status();
    EXPECT_EQ(HexEncode(signer->raw_public_key()), v.public_key);
    absl::StatusOr<std::string> signature = signer->SignBytes(v.message);
    ASSERT_TRUE(signature.ok()) << signature.status();
    EXPECT_EQ(HexEncode(*signature), v.signature);

    const NoteVerifier verifier = MustVerifier(signer->VerifierKey());
    EXPECT_EQ(HexEncode(verifier.raw_public_key()), v.public_key);
    const std::string expected = absl::HexStringToBytes(v.signature);
    EXPECT_TRUE(verifier.VerifyBytes(v.message, expected));
    EXPECT_FALSE(verifier.VerifyBytes(v.message + "x", expected));
    std::string flipped = expected;
    flipped[10] ^= 0x01;
    EXPECT_FALSE(verifier.VerifyBytes(v.message, flipped));
    EXPECT_FALSE(verifier.VerifyBytes(v.message, expected.substr(1)));
  }
}

// ---- Signing and verifying ----

TEST(NoteSignerTest, GeneratedKeysAreDistinctAndReloadable) {
  const NoteSigner a = MustSigner(kOrigin);
  const NoteSigner b = MustSigner(kOrigin);
  EXPECT_NE(a.raw_private_key(), b.raw_private_key());
  EXPECT_NE(a.VerifierKey(), b.VerifierKey());
  EXPECT_EQ(a.raw_private_key().size(), 32u);
  EXPECT_EQ(a.raw_public_key().size(), 32u);
  absl::StatusOr<NoteSigner> reloaded = NoteSigner::FromPrivateKey(kOrigin, a.raw_private_key());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->VerifierKey(), a.VerifierKey());
  EXPECT_EQ(*reloaded->Sign("x\n"), *a.Sign("x\n"));  // Ed25519 is deterministic
}

TEST(NoteSignerTest, VerifierKeyHasTheDocumentedShape) {
  const NoteSigner signer = MustSigner(kOrigin);
  const std::string key = signer.VerifierKey();
  const std::string want_id =
      HexEncode(Sha256(absl::StrCat(kOrigin, "\n\x01", signer.raw_public_key())).substr(0, 4));
  EXPECT_EQ(key, absl::StrCat(kOrigin, "+", want_id, "+",
                              absl::Base64Escape(absl::StrCat("\x01", signer.raw_public_key()))));
}

TEST(NoteSignerTest, RefusesInvalidNamesAndKeys) {
  // The last name holds U+2003 (em space), spelled as octal escapes.
  for (absl::string_view name :
       {"", "a b", "a+b", "a\tb", "a\nb", "a\x01", "a\xff", "a\342\200\203b"}) {
    ExpectError(NoteSigner::Generate(name).status(), absl::StatusCode::kInvalidArgument,
                "key name");
    ExpectError(NoteSigner::FromPrivateKey(name, std::string(32, 'k')).status(),
                absl::StatusCode::kInvalidArgument, "key name");
  }
  ExpectError(NoteSigner::FromPrivateKey(kOrigin, std::string(31, 'k')).status(),
              absl::StatusCode::kInvalidArgument, "private key: 31 bytes, want 32");
  ExpectError(NoteSigner::FromPrivateKey(kOrigin, std::string(64, 'k')).status(),
              absl::StatusCode::kInvalidArgument, "private key: 64 bytes, want 32");
  EXPECT_TRUE(NoteSigner::Generate("caf\xC3\xA9.example/log").ok());  // UTF-8 is fine
}

TEST(NoteSignerTest, RefusesBodiesThatAreNotNoteText) {
  const NoteSigner signer = MustSigner(kOrigin);
  for (absl::string_view body : {"", "no newline", "cr\r\n", "tab\there\n", "bad\xff\n"}) {
    EXPECT_EQ(signer.Sign(body).status().code(), absl::StatusCode::kInvalidArgument)
        << absl::CHexEscape(body);
  }
  EXPECT_TRUE(signer.Sign("\n").ok());
  EXPECT_TRUE(signer.Sign("a\n\nb\n").ok());
}

TEST(NoteSignerTest, SignersMoveAndVerifiersCopy) {
  NoteSigner first = MustSigner(kOrigin);
  const std::string verifier_key = first.VerifierKey();
  NoteSigner moved = std::move(first);
  NoteSigner assigned = MustSigner("other.example/log");
  assigned = std::move(moved);
  absl::StatusOr<std::string> note = assigned.Sign("hello\n");
  ASSERT_TRUE(note.ok()) << note.status();

  const NoteVerifier verifier = MustVerifier(verifier_key);
  const NoteVerifier copy = verifier;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(*copy.Verify(*note), "hello\n");
  EXPECT_EQ(*verifier.Verify(*note), "hello\n");
}

TEST(NoteVerifierTest, RoundTripsBodiesWithBlankLines) {
  const NoteSigner signer = MustSigner(kOrigin);
  const NoteVerifier verifier = MustVerifier(signer.VerifierKey());
  for (absl::string_view body :
       {"\n", "one\n", "a\n\nb\n", "trailing blank\n\n", "caf\xC3\xA9\n"}) {
    absl::StatusOr<std::string> note = signer.Sign(body);
    ASSERT_TRUE(note.ok()) << note.status();
    absl::StatusOr<std::string> opened = verifier.Verify(*note);
    ASSERT_TRUE(opened.ok()) << opened.status() << absl::CHexEscape(*note);
    EXPECT_EQ(*opened, body);
  }
}

class SignedCheckpointTest : public ::testing::Test {
 protected:
  SignedCheckpointTest()
      : signer_(MustSigner(kOrigin)), verifier_(MustVerifier(signer_.VerifierKey())) {
    absl::StatusOr<std::string> note = SignCheckpoint(signer_, SampleCheckpoint());
    EXPECT_TRUE(note.ok()) << note.status();
    note_ = *note;
    body_ = CheckpointBody(SampleCheckpoint());
    signature_line_ = note_.substr(body_.size() + 1);
  }

  // The base64 of the signature line (key id || signature).
  std::string SignatureBase64() const {
    const size_t space = signature_line_.rfind(' ');
    return signature_line_.substr(space + 1, signature_line_.size() - space - 2);
  }
  std::string SignatureLine(absl::string_view name, absl::string_view raw) const {
    return absl::StrCat("\xE2\x80\x94 ", name, " ", absl::Base64Escape(raw), "\n");
  }
  std::string RawSignature() const {
    std::string raw;
    EXPECT_TRUE(absl::Base64Unescape(SignatureBase64(), &raw));
    return raw;
  }

  NoteSigner signer_;
  NoteVerifier verifier_;
  std::string note_;
  std::string body_;
  std::string signature_line_;
};

TEST_F(SignedCheckpointTest, HasTheDocumentedLayout) {
  EXPECT_EQ(note_, absl::StrCat(body_, "\n", signature_line_));
  EXPECT_TRUE(absl::StartsWith(signature_line_, "\xE2\x80\x94 sello.example/registry "));
  const std::string raw = RawSignature();
  ASSERT_EQ(raw.size(), 68u);
  EXPECT_EQ(HexEncode(raw.substr(0, 4)), absl::StrFormat("%08x", signer_.key_id()));
  EXPECT_TRUE(verifier_.VerifyBytes(body_, raw.substr(4)));
}

TEST_F(SignedCheckpointTest, OpensToTheSameCheckpoint) {
  absl::StatusOr<Checkpoint> opened = OpenCheckpoint(verifier_, note_, kOrigin);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const Checkpoint want = SampleCheckpoint();
  EXPECT_EQ(opened->origin, want.origin);
  EXPECT_EQ(opened->size, want.size);
  EXPECT_EQ(opened->root_hash, want.root_hash);
  EXPECT_EQ(opened->time, want.time);
}

TEST_F(SignedCheckpointTest, OpenChecksTheOriginAndTheBody) {
  ExpectError(OpenCheckpoint(verifier_, note_, "other.example/log").status(),
              absl::StatusCode::kFailedPrecondition,
              "checkpoint origin \"sello.example/registry\", want \"other.example/log\"");
  // Validly signed, but not a checkpoint.
  absl::StatusOr<std::string> note = signer_.Sign("hello\n");
  ASSERT_TRUE(note.ok());
  ExpectError(OpenCheckpoint(verifier_, *note, kOrigin).status(),
              absl::StatusCode::kInvalidArgument, "checkpoint line 2 (size): missing");
}

TEST_F(SignedCheckpointTest, SignRefusesAForeignOriginOrAnInvalidCheckpoint) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.origin = "other.example/log";
  ExpectError(SignCheckpoint(signer_, checkpoint).status(), absl::StatusCode::kInvalidArgument,
              "is not the signer's key name");
  checkpoint = SampleCheckpoint();
  checkpoint.root_hash.pop_back();
  ExpectError(SignCheckpoint(signer_, checkpoint).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint.root_hash");
}

TEST_F(SignedCheckpointTest, TamperedBodyDoesNotVerify) {
  const std::string tampered = absl::StrReplaceAll(note_, {{"\n20852163\n", "\n20852164\n"}});
  ASSERT_NE(tampered, note_);
  ExpectError(verifier_.Verify(tampered).status(), absl::StatusCode::kFailedPrecondition,
              "signature by sello.example/registry+");
  ExpectError(OpenCheckpoint(verifier_, tampered, kOrigin).status(),
              absl::StatusCode::kFailedPrecondition, "does not verify");
}

TEST_F(SignedCheckpointTest, EverySingleByteChangeIsRefused) {
  for (size_t i = 0; i < note_.size(); ++i) {
    for (int delta : {1, 0x80}) {
      std::string mangled = note_;
      mangled[i] = static_cast<char>(mangled[i] + delta);
      EXPECT_FALSE(OpenCheckpoint(verifier_, mangled, kOrigin).ok())
          << "byte " << i << ": " << absl::CHexEscape(mangled);
    }
  }
}

TEST_F(SignedCheckpointTest, TamperedSignatureDoesNotVerify) {
  for (size_t byte : {size_t{4}, size_t{40}, size_t{67}}) {
    std::string raw = RawSignature();
    raw[byte] ^= 0x01;
    ExpectError(verifier_.Verify(body_ + "\n" + SignatureLine(kOrigin, raw)).status(),
                absl::StatusCode::kFailedPrecondition, "does not verify");
  }
  // Truncated or extended signatures under our key id are bad signatures too.
  ExpectError(verifier_.Verify(body_ + "\n" + SignatureLine(kOrigin, RawSignature().substr(0, 67)))
                  .status(),
              absl::StatusCode::kFailedPrecondition, "does not verify");
  ExpectError(
      verifier_.Verify(body_ + "\n" + SignatureLine(kOrigin, RawSignature() + "x")).status(),
      absl::StatusCode::kFailedPrecondition, "does not verify");
}

TEST_F(SignedCheckpointTest, OurBadSignatureNextToAGoodOneIsRefused) {
  std::string raw = RawSignature();
  raw[20] ^= 0x01;
  ExpectError(verifier_.Verify(note_ + SignatureLine(kOrigin, raw)).status(),
              absl::StatusCode::kFailedPrecondition, "does not verify");
}

TEST_F(SignedCheckpointTest, WrongKeyNameOrIdIsNoSignatureOfOurs) {
  // Same key id, another name: another key, ignored.
  ExpectError(
      verifier_.Verify(body_ + "\n" + SignatureLine("other.example", RawSignature())).status(),
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("no signature by sello.example/registry+",
                   absl::StrFormat("%08x", signer_.key_id())));
  // Same name, another key id: another key, ignored.
  std::string raw = RawSignature();
  raw[0] ^= 0x01;
  ExpectError(verifier_.Verify(body_ + "\n" + SignatureLine(kOrigin, raw)).status(),
              absl::StatusCode::kFailedPrecondition, "no signature by");
  // A different key under the same name signs; the pinned key did not.
  const NoteSigner impostor = MustSigner(kOrigin);
  absl::StatusOr<std::string> forged = SignCheckpoint(impostor, SampleCheckpoint());
  ASSERT_TRUE(forged.ok());
  ExpectError(OpenCheckpoint(verifier_, *forged, kOrigin).status(),
              absl::StatusCode::kFailedPrecondition, "no signature by");
}

TEST_F(SignedCheckpointTest, UnknownSignersAreIgnored) {
  const NoteSigner witness = MustSigner("witness.example/w1");
  absl::StatusOr<std::string> cosigned = witness.Sign(body_);
  ASSERT_TRUE(cosigned.ok());
  const std::string witness_line = cosigned->substr(body_.size() + 1);
  // Ours after an unknown one, and before it.
  for (const std::string& note : {absl::StrCat(body_, "\n", witness_line, signature_line_),
                                  absl::StrCat(body_, "\n", signature_line_, witness_line)}) {
    absl::StatusOr<Checkpoint> opened = OpenCheckpoint(verifier_, note, kOrigin);
    EXPECT_TRUE(opened.ok()) << opened.status();
  }
  // An unknown signer's garbage signature is not checked.
  const std::string garbage = SignatureLine("witness.example/w2", std::string(68, 'g'));
  EXPECT_TRUE(verifier_.Verify(note_ + garbage).ok());
}

TEST_F(SignedCheckpointTest, ANextKeyCoSignsAndEitherKeyVerifies) {
  // Key rotation: the same origin, a new key; verifiers pinning either key accept.
  const NoteSigner next = MustSigner(kOrigin);
  ASSERT_NE(next.key_id(), signer_.key_id());
  absl::StatusOr<std::string> cosigned = next.CoSign(note_);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  EXPECT_TRUE(absl::StartsWith(*cosigned, note_));
  absl::StatusOr<std::string> alone = next.Sign(body_);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(*cosigned, note_ + alone->substr(body_.size() + 1));
  absl::StatusOr<NoteVerifier> next_verifier = NoteVerifier::FromVerifierKey(next.VerifierKey());
  ASSERT_TRUE(next_verifier.ok());
  for (const NoteVerifier* verifier : {&verifier_, &*next_verifier}) {
    absl::StatusOr<Checkpoint> opened = OpenCheckpoint(*verifier, *cosigned, kOrigin);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(opened->size, SampleCheckpoint().size);
  }
  // The old note alone is still the old key's only.
  EXPECT_FALSE(next_verifier->Verify(note_).ok());
}

TEST_F(SignedCheckpointTest, CoSignRefusesASecondLineByTheSameKeyAndNonNotes) {
  ExpectError(signer_.CoSign(note_).status(), absl::StatusCode::kInvalidArgument,
              absl::StrFormat("note: already signed by %s+%08x", kOrigin, signer_.key_id()));
  const NoteSigner next = MustSigner(kOrigin);
  absl::StatusOr<std::string> once = next.CoSign(note_);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(next.CoSign(*once).status().code(), absl::StatusCode::kInvalidArgument);
  ExpectError(next.CoSign(body_).status(), absl::StatusCode::kInvalidArgument,
              "note: not a signed note");
}

TEST_F(SignedCheckpointTest, MissingSignatureLineIsRefused) {
  ExpectError(verifier_.Verify(body_).status(), absl::StatusCode::kInvalidArgument,
              "no blank line");
  ExpectError(verifier_.Verify(body_ + "\n").status(), absl::StatusCode::kInvalidArgument,
              "no signature lines");
}

TEST_F(SignedCheckpointTest, MalformedNotesAreRefused) {
  const std::string sig = signature_line_;
  const std::string body_no_blank = body_ + sig;
  const struct {
    std::string note;
    absl::StatusCode code;
    std::string message;
  } cases[] = {
      {body_no_blank, absl::StatusCode::kInvalidArgument, "no blank line"},
      {note_.substr(0, note_.size() - 1), absl::StatusCode::kInvalidArgument,
       "does not end with a newline"},
      {absl::StrCat(body_, "\n", "- ", kOrigin, " ", SignatureBase64(), "\n"),
       absl::StatusCode::kInvalidArgument, "signature line 1: does not start with an em dash"},
      {absl::StrCat(body_, "\n", sig, "Unexpected line.\n"), absl::StatusCode::kInvalidArgument,
       "signature line 2: does not start"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94 ", kOrigin, "\n"),
       absl::StatusCode::kInvalidArgument, "no signature after the key name"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94 ", kOrigin, " \n"),
       absl::StatusCode::kInvalidArgument, "not canonical base64"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94 ", kOrigin, " not*base64\n"),
       absl::StatusCode::kInvalidArgument, "signature line 1: signature is not canonical base64"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94 ", kOrigin, " ",
                    SignatureBase64().substr(0, SignatureBase64().size() - 1), "\n"),
       absl::StatusCode::kInvalidArgument, "not canonical base64"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94 ", kOrigin, "  ", SignatureBase64(), "\n"),
       absl::StatusCode::kInvalidArgument, "not canonical base64"},
      {absl::StrCat(body_, "\n", "\xE2\x80\x94  ", SignatureBase64(), "\n"),
       absl::StatusCode::kInvalidArgument, "invalid key name"},
      {absl::StrCat(body_, "\n", SignatureLine(kOrigin, "abcd")),
       absl::StatusCode::kInvalidArgument, "signature shorter than a key id"},
      {absl::StrReplaceAll(note_, {{"\n", "\r\n"}}), absl::StatusCode::kInvalidArgument,
       "note line 1: control character 0x0d"},
      {absl::StrCat(body_, "\n", sig.substr(0, sig.size() - 1), "\r\n"),
       absl::StatusCode::kInvalidArgument, "note line 6: control character 0x0d"},
      {absl::StrCat("\x01", note_), absl::StatusCode::kInvalidArgument,
       "note line 1: control character 0x01"},
      {absl::StrCat(std::string(1, '\0'), note_), absl::StatusCode::kInvalidArgument,
       "control character 0x00"},
      {absl::StrCat("\xff", note_), absl::StatusCode::kInvalidArgument,
       "note line 1: invalid UTF-8 at byte 0"},
      {absl::StrCat("\xED\xA0\x80", note_), absl::StatusCode::kInvalidArgument,
       "invalid UTF-8"},  // an encoded surrogate
      {absl::StrCat("\xC0\xAF", note_), absl::StatusCode::kInvalidArgument,
       "invalid UTF-8"},  // overlong '/'
      {absl::StrCat(body_, "\n", sig.substr(0, 2), "\n"), absl::StatusCode::kInvalidArgument,
       "invalid UTF-8"},  // a cut em dash
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::CHexEscape(c.note));
    ExpectError(verifier_.Verify(c.note).status(), c.code, c.message);
  }
}

TEST_F(SignedCheckpointTest, TooManySignatureLinesAreRefused) {
  std::string many = body_ + "\n";
  for (int i = 0; i < kMaxNoteSignatures; ++i) many += signature_line_;
  EXPECT_TRUE(verifier_.Verify(many).ok());
  many += signature_line_;
  ExpectError(verifier_.Verify(many).status(), absl::StatusCode::kResourceExhausted,
              "more than 100 signature lines");
}

TEST(NoteVerifierTest, RefusesMalformedVerifierKeys) {
  const NoteSigner signer = MustSigner(kOrigin);
  const std::string good = signer.VerifierKey();
  const std::string id = absl::StrFormat("%08x", signer.key_id());
  const std::string key = absl::Base64Escape(absl::StrCat("\x01", signer.raw_public_key()));
  const struct {
    std::string verifier_key;
    std::string message;
  } cases[] = {
      {"", "want <name>+<key id>+<base64 key>"},
      {std::string(kOrigin), "want <name>+<key id>+<base64 key>"},
      {absl::StrCat(kOrigin, "+", id), "want <name>+<key id>+<base64 key>"},
      {absl::StrCat("+", id, "+", key), "key name \"\""},
      {absl::StrCat("a b+", id, "+", key), "key name \"a b\""},
      {absl::StrCat(kOrigin, "+", id.substr(1), "+", key), "is not 8 hex digits"},
      {absl::StrCat(kOrigin, "+0x", id.substr(2), "+", key), "is not 8 hex digits"},
      {absl::StrCat(kOrigin, "+", id, "+", key, "\n"), "not canonical base64"},
      {absl::StrCat(kOrigin, "+", id, "+"), "not canonical base64"},
      {absl::StrCat(kOrigin, "+", id, "+", key.substr(0, key.size() - 1)), "not canonical base64"},
      {absl::StrCat(kOrigin, "+", id, "+",
                    absl::Base64Escape(absl::StrCat("\x01", signer.raw_public_key(), "x"))),
       "public key is 33 bytes, want 32"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.verifier_key);
    ExpectError(NoteVerifier::FromVerifierKey(c.verifier_key).status(),
                absl::StatusCode::kInvalidArgument, c.message);
  }
  EXPECT_TRUE(NoteVerifier::FromVerifierKey(good).ok());
}

}  // namespace
}  // namespace sello::domain
