// C2SP tlog-cosignature/v1 and the signed-note parsing under it.
#include "daemon/tlog/cosignature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "daemon/tlog/signed_note.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kDash = "\xE2\x80\x94 ";

// The checkpoint of the tlog-cosignature and tlog-witness examples.
constexpr absl::string_view kSofaCheckpoint =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

// Known answers made with tests/interop/sello_interop.go (`cosign`), written from the
// specification with Go's crypto/ed25519: seed 00 01 .. 1f, name witness.example.com/w1,
// the spec's example timestamp 1679315147, over kSofaCheckpoint.
constexpr absl::string_view kW1Seed =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr absl::string_view kW1VerifierKey =
    "witness.example.com/w1+a0059f11+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
constexpr absl::string_view kW1Cosignature =
    "\xE2\x80\x94 witness.example.com/w1 "
    "oAWfEQAAAABkGFDLBuRDazBLVac2NE+Y+IjbjQOcXLfF9CSDZVUIoS83rE1nFZsVE8YiWV6Ngr7lV8H6bdoBQGP/"
    "l73euDMQ9k+bBQ==\n";
// The same tool over a Sello checkpoint (with its "time" extension line).
constexpr absl::string_view kSelloCheckpoint =
    "sello.registry/log\n68\n7W4BBraRVWgWFGHsqGOMPbMz65adaUqvMOUN6bWNt0E=\ntime 1795666301\n";
constexpr absl::string_view kRegulatorSeed =
    "9a6c50431f1e74895501fa9efb877e70657f19878ebbab14730755b94d9bd397";
constexpr absl::string_view kRegulatorVerifierKey =
    "regulator.example/witness+6aa917ce+BG2cIBOsHNlNpTeeSWkCK78cb8MH5OYIHMnMBQ3vY/Cv";
constexpr absl::string_view kRegulatorCosignature =
    "\xE2\x80\x94 regulator.example/witness "
    "aqkXzgAAAABrB7F+Ymnvueb/"
    "zlrhO7LS3EnZOzl67OMSNHwnE4ZeCYUC3ws7KkYXbLxwFeBemdFpUbh4tW7o8QHyBWO1QBjO"
    "vJjkAg==\n";

CosignatureSigner MustSigner(absl::string_view name, absl::string_view seed_hex) {
  absl::StatusOr<CosignatureSigner> signer =
      CosignatureSigner::FromPrivateKey(name, absl::HexStringToBytes(seed_hex));
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

CosignatureVerifier MustVerifier(absl::string_view key) {
  absl::StatusOr<CosignatureVerifier> verifier = CosignatureVerifier::FromVerifierKey(key);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return *std::move(verifier);
}

NoteSignature MustLine(absl::string_view line) {
  absl::StatusOr<NoteSignature> parsed = ParseSignatureLine(line);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *std::move(parsed);
}

// tlog-cosignature, "Ed25519 signed message": the spec's example, byte for byte.
TEST(CosignatureTest, SignedMessageIsTheSpecsExample) {
  EXPECT_EQ(CosignedMessage(kSofaCheckpoint, 1679315147),
            "cosignature/v1\n"
            "time 1679315147\n"
            "example.com/behind-the-sofa\n"
            "20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
}

// The spec's example line frames a key id, a big-endian timestamp (the message example's
// 1679315147) and 64 signature bytes. (Its key is not published, so only the framing is
// checkable.)
TEST(CosignatureTest, TheSpecsExampleLineHasTheTimestampOfItsMessageExample) {
  const NoteSignature line = MustLine(
      "\xE2\x80\x94 witness.example.com/w1 "
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
      "mbIUBkBIfZ+qnA==");
  EXPECT_EQ(line.name, "witness.example.com/w1");
  EXPECT_EQ(line.key_id, 0x8d66cf3fu);
  ASSERT_EQ(line.signature.size(), kCosignatureSize);
  uint64_t timestamp = 0;
  for (int i = 0; i < 8; ++i) timestamp = timestamp << 8 | static_cast<uint8_t>(line.signature[i]);
  EXPECT_EQ(timestamp, 1679315147u);
}

TEST(CosignatureTest, KnownAnswersFromAnIndependentImplementation) {
  const CosignatureSigner w1 = MustSigner("witness.example.com/w1", kW1Seed);
  EXPECT_EQ(w1.VerifierKey(), kW1VerifierKey);
  EXPECT_EQ(w1.key_id(), 0xa0059f11u);
  absl::StatusOr<std::string> line = w1.Cosign(kSofaCheckpoint, absl::FromUnixSeconds(1679315147));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, kW1Cosignature);

  const CosignatureSigner regulator = MustSigner("regulator.example/witness", kRegulatorSeed);
  EXPECT_EQ(regulator.VerifierKey(), kRegulatorVerifierKey);
  line = regulator.Cosign(kSelloCheckpoint, absl::FromUnixSeconds(1795666302));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, kRegulatorCosignature);
}

TEST(CosignatureTest, VerifiesTheKnownAnswersAndNothingElse) {
  const CosignatureVerifier w1 = MustVerifier(kW1VerifierKey);
  const NoteSignature line = MustLine(kW1Cosignature);
  ASSERT_TRUE(w1.Matches(line));
  absl::StatusOr<absl::Time> time = w1.Verify(kSofaCheckpoint, line.signature);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, absl::FromUnixSeconds(1679315147));

  // Another text, another timestamp, a flipped bit, a truncated signature.
  EXPECT_EQ(w1.Verify(kSelloCheckpoint, line.signature).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::string later = line.signature;
  later[7] ^= 1;
  EXPECT_FALSE(w1.Verify(kSofaCheckpoint, later).ok());
  std::string flipped = line.signature;
  flipped[40] ^= 0x10;
  EXPECT_FALSE(w1.Verify(kSofaCheckpoint, flipped).ok());
  EXPECT_THAT(std::string(w1.Verify(kSofaCheckpoint, line.signature.substr(1)).status().message()),
              HasSubstr("71 bytes after the key id, want 72"));
  // A timestamp beyond 2^63 - 1 is refused even before the signature is checked.
  std::string huge = line.signature;
  huge[0] = '\x80';
  EXPECT_THAT(std::string(w1.Verify(kSofaCheckpoint, huge).status().message()), HasSubstr("2^63"));
  // The regulator's key does not claim w1's line.
  EXPECT_FALSE(MustVerifier(kRegulatorVerifierKey).Matches(line));
}

TEST(CosignatureTest, KeyIdUsesTypeFourNotTheLogsTypeOne) {
  const CosignatureSigner w1 = MustSigner("witness.example.com/w1", kW1Seed);
  EXPECT_EQ(w1.key_id(), NoteKeyId("witness.example.com/w1", 0x04, w1.raw_public_key()));
  EXPECT_NE(w1.key_id(), NoteKeyId("witness.example.com/w1", 0x01, w1.raw_public_key()));
}

TEST(CosignatureTest, VerifierKeysOfOtherTypesAreRefusedByName) {
  struct Case {
    std::string key;
    std::string message;
  };
  const CosignatureSigner w1 = MustSigner("w1", kW1Seed);
  const VerifierKeyParts as_log{"w1", NoteKeyId("w1", 0x01, w1.raw_public_key()), 0x01,
                                w1.raw_public_key()};
  const VerifierKeyParts as_mldsa{"w1", NoteKeyId("w1", 0x06, "k"), 0x06, "k"};
  const std::string good = w1.VerifierKey();
  const Case cases[] = {
      {FormatVerifierKey(as_log), "0x01 is a log's key"},
      {FormatVerifierKey(as_mldsa), "ML-DSA-44"},
      {absl::StrReplaceAll(good, {{"w1+", "w2+"}}), "does not match name and key"},
      {"w1+1234", "want <name>+<key id>+<base64 key>"},
      {"w 1+00000000+BAAA", "key name"},
      {"w1+0000000g+BAAA", "not 8 hex digits"},
      {"w1+00000000+BA!A", "not canonical base64"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CosignatureVerifier> verifier = CosignatureVerifier::FromVerifierKey(c.key);
    EXPECT_EQ(verifier.status().code(), absl::StatusCode::kInvalidArgument) << c.key;
    EXPECT_THAT(std::string(verifier.status().message()), HasSubstr(c.message)) << c.key;
  }
  EXPECT_EQ(MustVerifier(good).VerifierKey(), good);
}

TEST(CosignatureTest, CosignsOnlyCheckpoints) {
  const CosignatureSigner w1 = MustSigner("w1", kW1Seed);
  for (absl::string_view text : {absl::string_view("not a checkpoint\n"),
                                 absl::string_view("origin\n12\n"), absl::string_view("")}) {
    EXPECT_EQ(w1.Cosign(text, absl::FromUnixSeconds(1)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
  EXPECT_FALSE(w1.Cosign(kSofaCheckpoint, absl::UnixEpoch() - absl::Seconds(1)).ok());
  // A round trip at the current time, fraction dropped.
  const absl::Time now = absl::FromUnixMillis(1795666301250);
  absl::StatusOr<std::string> line = w1.Cosign(kSelloCheckpoint, now);
  ASSERT_TRUE(line.ok());
  absl::StatusOr<absl::Time> time =
      MustVerifier(w1.VerifierKey()).Verify(kSelloCheckpoint, MustLine(*line).signature);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, absl::FromUnixSeconds(1795666301));
}

TEST(CosignatureTest, MergeAppendsNewLinesAndReplacesAKeysOlderOne) {
  const std::string note =
      absl::StrCat(kSofaCheckpoint, "\n", kDash, "example.com/behind-the-sofa AAAAAAE=\n");
  absl::StatusOr<std::string> merged = MergeSignatureLines(note, kW1Cosignature);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(*merged, absl::StrCat(note, kW1Cosignature));

  // A newer cosignature by the same key takes the old one's place.
  const CosignatureSigner w1 = MustSigner("witness.example.com/w1", kW1Seed);
  const std::string newer = *w1.Cosign(kSofaCheckpoint, absl::FromUnixSeconds(1679315200));
  absl::StatusOr<std::string> again = MergeSignatureLines(*merged, newer);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, absl::StrCat(note, newer));

  // Malformed input changes nothing.
  EXPECT_EQ(MergeSignatureLines(note, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeSignatureLines(note, "- w1 AAAAAAE=\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeSignatureLines(note, absl::StrCat(kDash, "w1 AAAAAAE=")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeSignatureLines(kSofaCheckpoint, kW1Cosignature).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string many;
  for (int i = 0; i < kMaxNoteSignatures; ++i) {
    absl::StrAppend(&many, kDash, "w", i, " AAAAAAE=\n");
  }
  EXPECT_EQ(MergeSignatureLines(note, many).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(SignedNoteTest, ParsesTextAndEverySignatureLine) {
  const std::string note =
      absl::StrCat(kSofaCheckpoint, "\n", kW1Cosignature, kDash, "someone.else AAAAAAE=\n");
  absl::StatusOr<SignedNote> parsed = ParseSignedNote(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, kSofaCheckpoint);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[1].name, "someone.else");
  EXPECT_EQ(parsed->signatures[1].key_id, 0u);
  EXPECT_EQ(parsed->signatures[1].signature, "\x01");
  EXPECT_EQ(FormatSignedNote(*parsed), note);
}

TEST(SignedNoteTest, MalformedNotesNameTheProblem) {
  struct Case {
    std::string note;
    absl::StatusCode code;
    std::string message;
  };
  const std::string text(kSofaCheckpoint);
  const Case cases[] = {
      {text, absl::StatusCode::kInvalidArgument, "no blank line"},
      {text + "\n", absl::StatusCode::kInvalidArgument, "no signature lines"},
      {text + "\n" + std::string(kDash) + "w1 AAAAAAE=", absl::StatusCode::kInvalidArgument,
       "does not end with a newline"},
      {text + "\n- w1 AAAAAAE=\n", absl::StatusCode::kInvalidArgument, "em dash"},
      {text + "\n" + std::string(kDash) + "w1\n", absl::StatusCode::kInvalidArgument,
       "no signature after the key name"},
      {text + "\n" + std::string(kDash) + "w1+x AAAAAAE=\n", absl::StatusCode::kInvalidArgument,
       "invalid key name"},
      {text + "\n" + std::string(kDash) + "w1 AAAAAAE\n", absl::StatusCode::kInvalidArgument,
       "not canonical base64"},
      {text + "\n" + std::string(kDash) + "w1 AAAA\n", absl::StatusCode::kInvalidArgument,
       "shorter than a key id"},
      {"a\tb\n\n" + std::string(kDash) + "w1 AAAAAAE=\n", absl::StatusCode::kInvalidArgument,
       "control character 0x09"},
      {"a\xff\n\n" + std::string(kDash) + "w1 AAAAAAE=\n", absl::StatusCode::kInvalidArgument,
       "invalid UTF-8"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SignedNote> parsed = ParseSignedNote(c.note);
    EXPECT_EQ(parsed.status().code(), c.code) << absl::CHexEscape(c.note);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.message))
        << absl::CHexEscape(c.note);
  }
}

TEST(CheckpointTextTest, ParsesAnyLogsCheckpointWithItsExtensions) {
  absl::StatusOr<CheckpointText> sofa = ParseCheckpointText(kSofaCheckpoint);
  ASSERT_TRUE(sofa.ok()) << sofa.status();
  EXPECT_EQ(sofa->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(sofa->size, 20852163u);
  EXPECT_EQ(absl::Base64Escape(sofa->root_hash), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(sofa->extensions.empty());
  absl::StatusOr<CheckpointText> sello = ParseCheckpointText(kSelloCheckpoint);
  ASSERT_TRUE(sello.ok()) << sello.status();
  EXPECT_EQ(sello->extensions, std::vector<std::string>{"time 1795666301"});

  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "end with a newline"},
           {"\n1\n" + root + "\n", "line 1 (origin): empty"},
           {"o\n", "line 2 (size): missing"},
           {"o\n01\n" + root + "\n", "line 2 (size)"},
           {"o\n-1\n" + root + "\n", "line 2 (size)"},
           {"o\n18446744073709551616\n" + root + "\n", "line 2 (size)"},
           {"o\n1\n", "line 3 (root hash): missing"},
           {"o\n1\nAAAA\n", "line 3 (root hash)"},
           {"o\n1\n" + root + "\n\n", "line 4 (extension): empty"},
           {"o\n1\n" + root, "end with a newline"},
       }) {
    absl::StatusOr<CheckpointText> parsed = ParseCheckpointText(text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(message)) << text;
  }
}

}  // namespace
}  // namespace sello::domain
