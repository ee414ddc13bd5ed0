// End-to-end: an auditor's session against the transparency log, with nothing but
// `sello` and the log's public key pinned from DATA_DIR/log.pub. The auditor verifies a
// sample of real records, proves and exports them; then an operator tampers with the
// RocksDB data of a stopped daemon (sello_tamper, tamper_tool.cc) and the auditor
// catches it; finally a watcher follows the events across a daemon killed mid-stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/tlog/checkpoint.h"
#include "sello/tools/audit.pb.h"
#include "sello/v1/event.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/organisation.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kV1[] = TESTDATA_DIR "/tst_v1.json";
// The verifier key of another sellod's log, under the same origin name: what a server
// impersonating the registry would sign with.
constexpr char kForeignKey[] = TESTDATA_DIR "/foreign_log.pub";
// The CLI's exit codes (client/cli/output.h).
constexpr int kExitUsage = 2;
constexpr int kExitNotFound = 3;
constexpr int kExitMisbehaviour = 7;
// How long anything the daemon promises "at once" may take on a loaded machine.
constexpr absl::Duration kPatience = absl::Seconds(5);

int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The events `sello -o json watch` printed, one JSON object per line.
std::vector<v1::Event> ParseEventLines(const std::string& out) {
  std::vector<v1::Event> events;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipWhitespace())) {
    events.push_back(ParseJson<v1::Event>(std::string(line)));
  }
  return events;
}

std::vector<uint64_t> Seqs(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> seqs;
  seqs.reserve(events.size());
  for (const v1::Event& event : events) seqs.push_back(event.seq());
  return seqs;
}

std::vector<std::string> Subjects(const std::vector<v1::Event>& events) {
  std::vector<std::string> subjects;
  subjects.reserve(events.size());
  for (const v1::Event& event : events) {
    subjects.push_back(event.subjects_size() > 0 ? event.subjects(0) : "");
  }
  return subjects;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t count) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = first; seq < first + count; ++seq) seqs.push_back(seq);
  return seqs;
}

// A session with the bootstrap ADMIN token and the log's key pinned the way an auditor
// pins it: copied once from the operator's DATA_DIR/log.pub to a file of the auditor's.
class TransparencyTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    if (HasFatalFailure()) return;
    pinned_key_ = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub"));
    ASSERT_FALSE(pinned_key_.empty()) << "no " << daemon_.data_dir() << "/log.pub";
    pinned_file_ = daemon_.WriteFile("pinned-log.pub", pinned_key_ + "\n");
    state_ = daemon_.root_dir() + "/audit-state.json";
  }

  // `sello [--token TOKEN] audit --log-key-file PINNED args...` (no token when empty).
  ProcessResult Audit(const std::vector<std::string>& args, const std::string& token) const {
    return AuditWith({}, args, token);
  }
  // The same with `-o json`.
  ProcessResult AuditJson(const std::vector<std::string>& args, const std::string& token) const {
    return AuditWith({"-o", "json"}, args, token);
  }
  ProcessResult AuditWith(const std::vector<std::string>& global,
                          const std::vector<std::string>& args, const std::string& token) const {
    std::vector<std::string> argv = global;
    if (!token.empty()) argv.insert(argv.end(), {"--token", token});
    argv.insert(argv.end(), {"audit", "--log-key-file", pinned_file_});
    argv.insert(argv.end(), args.begin(), args.end());
    return daemon_.RunCliArgs(argv);
  }

  ::testing::AssertionResult CreateFirm(const std::string& id) {
    const ProcessResult created = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm",
                                                   "--name", "Firm " + id, "--id", id);
    if (created.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "org create " << id << ": " << created;
  }

  ::testing::AssertionResult CreateSite(const std::string& firm, const std::string& id) {
    const ProcessResult created = daemon_.RunCliAs(
        admin_, "site", "create", "--firm", firm, "--type", "farming_centre", "--name",
        "Centro " + id, "--region", "Los Lagos", "--registration-code", "RC-" + id, "--id", id);
    if (created.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "site create " << id << ": " << created;
  }

  // The sequence number of organisation `id`'s creation, as `sello watch` reports it.
  uint64_t SeqOfOrganisation(const std::string& id) const {
    const ProcessResult watched =
        daemon_.RunCliAs(admin_, "-o", "json", "watch", "--org", id, "--kind",
                         "organisation.created", "--count", "1", "--no-retry");
    EXPECT_EQ(watched.exit_code, 0) << watched;
    const std::vector<v1::Event> events = ParseEventLines(watched.out);
    EXPECT_EQ(events.size(), 1u) << watched;
    return events.empty() ? 0 : events[0].seq();
  }

  // The newest signed checkpoint, checked by `sello audit checkpoint` against the pin.
  v1::Checkpoint LatestCheckpoint() const { return LatestCheckpointWith(pinned_file_); }
  // The same against the key in `key_file`. A probe, not an auditor: it trusts nothing
  // from one call to the next (a state of its own, removed after each call), so that it
  // still shows the checkpoints of the forks these tests make on purpose.
  v1::Checkpoint LatestCheckpointWith(const std::string& key_file) const {
    const std::string probe_state = daemon_.root_dir() + "/probe-state.json";
    const ProcessResult shown = daemon_.RunCliArgs(
        {"-o", "json", "audit", "--log-key-file", key_file, "checkpoint", "--state", probe_state});
    std::error_code ignored;
    std::filesystem::remove(probe_state, ignored);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<v1::Checkpoint>(shown.out);
  }

  // Polls `sello audit checkpoint -o json` until a signed checkpoint covers event `seq`;
  // a poll that starts before `deadline` counts. Nullopt when none did.
  std::optional<v1::Checkpoint> CheckpointCovering(uint64_t seq, absl::Time deadline) const {
    do {
      v1::Checkpoint checkpoint = LatestCheckpoint();
      if (checkpoint.size() >= seq) return checkpoint;
    } while (absl::Now() < deadline);
    return std::nullopt;
  }

  // Creates firm `id` and checks the log's promise: a signed checkpoint covers the
  // acknowledged write within one second. Returns the event's seq.
  uint64_t CreateFirmCoveredWithinOneSecond(const std::string& id) {
    EXPECT_TRUE(CreateFirm(id));
    const absl::Time acknowledged = absl::Now();
    const uint64_t seq = SeqOfOrganisation(id);
    EXPECT_TRUE(CheckpointCovering(seq, acknowledged + absl::Seconds(1)).has_value())
        << "no signed checkpoint covers event " << seq << " (organisation/" << id
        << ") one second after it was acknowledged; latest: " << LatestCheckpoint().size();
    return seq;
  }

  std::string db_path() const { return daemon_.data_dir() + "/db"; }

  std::string pinned_key_;
  std::string pinned_file_;
  std::string state_;
};

// ---------------------------------------------------------------------------------------
// 1. A sample of real records, verified end to end through the CLI.

TEST_F(TransparencyTest, AuditorVerifiesRealRecordsProvesAndExportsThem) {
  // The registry at work: organisations, sites, a token and a published standard.
  CreateFirmCoveredWithinOneSecond("salmones-sur");
  CreateFirmCoveredWithinOneSecond("fjord-foods");
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "org", "create", "--kind", "certifier", "--name",
                          "Certificadora Austral", "--id", "cert-austral")
                .exit_code,
            0);
  ASSERT_TRUE(CreateSite("salmones-sur", "calbuco"));
  ASSERT_TRUE(CreateSite("salmones-sur", "chonchi"));
  ASSERT_TRUE(CreateSite("fjord-foods", "hornopiren"));
  ASSERT_FALSE(IssueToken("salmones-sur", "firm").empty());
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "push", kV1).exit_code, 0);
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "publish", "TST@1").exit_code, 0);
  const uint64_t head = CreateFirmCoveredWithinOneSecond("acuicola-maullin");

  // What the server claims is the key the operator published.
  const ProcessResult claimed = daemon_.RunCli("audit", "key");
  ASSERT_EQ(claimed.exit_code, 0) << claimed;
  EXPECT_EQ(Trimmed(claimed.out), pinned_key_);

  // The checkpoint, checked against the pinned key.
  const ProcessResult checkpoint = Audit({"checkpoint"}, "");
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint;
  EXPECT_THAT(checkpoint.out, HasSubstr(absl::StrCat("size:       ", head, "\n")));
  EXPECT_THAT(checkpoint.out, HasSubstr(absl::StrCat("valid (", pinned_key_, ")")));
  const v1::Checkpoint first = LatestCheckpoint();
  EXPECT_EQ(first.size(), head);
  EXPECT_EQ(first.origin(), "sello.registry/log");
  EXPECT_EQ(first.root_hash().size(), 32u);
  EXPECT_THAT(checkpoint.out, HasSubstr(first.note())) << "the table shows the signed note";

  // First run: nothing trusted yet; records asked for and a sample are proven and the
  // records re-hashed against their logged digests.
  const ProcessResult verified =
      Audit({"verify", "--state", state_, "--sample", "20", "--record", "organisation/salmones-sur",
             "--record", "standard_version/TST@1"},
            admin_);
  ASSERT_EQ(verified.exit_code, 0) << verified;
  EXPECT_THAT(verified.out, HasSubstr("first run   no trusted checkpoint yet in " + state_));
  EXPECT_THAT(verified.out, HasSubstr(absl::StrCat("inclusion   ", 2 + std::min<uint64_t>(head, 20),
                                                   " events proven (0 redacted to their hash)")));
  EXPECT_THAT(verified.out, HasSubstr(absl::StrCat("OK: trusting checkpoint ", head)));
  EXPECT_EQ(ParseJson<tools::AuditState>(ReadWholeFile(state_)).checkpoint_note(), first.note());

  // A record nobody logged cannot be proven (not found), and that is not evidence.
  const ProcessResult unknown = Audit(
      {"verify", "--state", state_, "--sample", "0", "--record", "organisation/nobody"}, admin_);
  EXPECT_EQ(unknown.exit_code, kExitNotFound) << unknown;

  // More writes; the second run, anonymous this time, checks the new checkpoint extends
  // the one it trusted.
  ASSERT_TRUE(CreateSite("fjord-foods", "puelo"));
  const uint64_t late = CreateFirmCoveredWithinOneSecond("late-firm");
  const ProcessResult again = Audit(
      {"verify", "--state", state_, "--sample", "20", "--record", "organisation/late-firm"}, "");
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out,
              HasSubstr(absl::StrCat("consistent  extends the trusted checkpoint of size ", head)));
  EXPECT_THAT(again.out, HasSubstr(absl::StrCat("OK: trusting checkpoint ", late)));
  const v1::Checkpoint second = LatestCheckpoint();
  EXPECT_EQ(second.size(), late);
  EXPECT_EQ(ParseJson<tools::AuditState>(ReadWholeFile(state_)).checkpoint_note(), second.note());

  // One record's proof, by subject and by sequence number: the same event.
  const ProcessResult by_subject = Audit({"prove", "organisation/late-firm"}, "");
  ASSERT_EQ(by_subject.exit_code, 0) << by_subject;
  EXPECT_THAT(by_subject.out, HasSubstr(absl::StrCat("event:          #", late, "\n")));
  EXPECT_THAT(by_subject.out, HasSubstr("kind:           organisation.created\n"));
  EXPECT_THAT(by_subject.out, HasSubstr("subject:        organisation/late-firm\n"));
  EXPECT_THAT(by_subject.out, HasSubstr(absl::StrCat("tree size:      ", late, "\n")));
  EXPECT_THAT(by_subject.out, HasSubstr("OK: included in the checkpoint signed by " + pinned_key_));
  const ProcessResult by_seq = Audit({"prove", absl::StrCat("#", late)}, "");
  ASSERT_EQ(by_seq.exit_code, 0) << by_seq;
  // The same output, but for what the client trusted before (the first prove moved it).
  const auto without_trust_line = [](const std::string& out) {
    std::vector<std::string> lines = absl::StrSplit(out, '\n');
    lines.erase(std::remove_if(
                    lines.begin(), lines.end(),
                    [](const std::string& line) { return absl::StartsWith(line, "consistent  "); }),
                lines.end());
    return absl::StrJoin(lines, "\n");
  };
  EXPECT_EQ(without_trust_line(by_seq.out), without_trust_line(by_subject.out));
  EXPECT_THAT(by_seq.out, HasSubstr(absl::StrCat("consistent  extends the trusted checkpoint "
                                                 "of size ",
                                                 late)));
  const ProcessResult proof_json = AuditJson({"prove", "#2"}, admin_);
  ASSERT_EQ(proof_json.exit_code, 0) << proof_json;
  const auto proof = ParseJson<v1::GetInclusionProofResponse>(proof_json.out);
  EXPECT_EQ(proof.event().seq(), 2u);
  EXPECT_EQ(proof.leaf_index(), 1u);
  EXPECT_EQ(proof.tree_size(), late);
  EXPECT_FALSE(proof.hashes().empty());
  EXPECT_EQ(proof.checkpoint().note(), second.note());
  EXPECT_EQ(Audit({"prove", "organisation/nobody"}, "").exit_code, kExitNotFound);

  // Everything exported with its proofs and checked offline (no --server at all).
  const std::string bundle = daemon_.root_dir() + "/bundle.json";
  const ProcessResult exported = Audit({"export", bundle}, admin_);
  ASSERT_EQ(exported.exit_code, 0) << exported;
  EXPECT_THAT(exported.err,
              HasSubstr(absl::StrCat("exported events 1..", late, " with proofs to ", bundle)));
  const ProcessResult offline =
      RunSello("audit", "--log-key-file", pinned_file_, "verify", "--offline", bundle);
  ASSERT_EQ(offline.exit_code, 0) << offline;
  EXPECT_THAT(offline.out, HasSubstr(absl::StrCat("inclusion   ", late, " events 1..", late,
                                                  " proven (0 redacted to their hash)")));
  EXPECT_THAT(offline.out,
              HasSubstr("OK: " + bundle + " is consistent with the signed checkpoint"));

  // One byte of one record changed in the bundle (recordData is base64 in the JSON).
  std::string json = ReadWholeFile(bundle);
  const size_t subject = json.find("\"organisation/salmones-sur\"");
  ASSERT_NE(subject, std::string::npos) << json;
  const std::string field = "\"recordData\": \"";
  const size_t start = json.find(field, subject);
  ASSERT_NE(start, std::string::npos);
  const size_t begin = start + field.size();
  const size_t end = json.find('"', begin);
  std::string record;
  ASSERT_TRUE(absl::Base64Unescape(json.substr(begin, end - begin), &record));
  const size_t name = record.find("Firm salmones-sur");
  ASSERT_NE(name, std::string::npos) << "the organisation's name is in its record";
  record[name] = 'f';
  json.replace(begin, end - begin, absl::Base64Escape(record));
  const std::string forged = daemon_.WriteFile("forged-bundle.json", json);
  const ProcessResult caught =
      RunSello("audit", "--log-key-file", pinned_file_, "verify", "--offline", forged);
  EXPECT_EQ(caught.exit_code, kExitMisbehaviour) << caught;
  EXPECT_THAT(caught.err,
              HasSubstr("record organisation/salmones-sur does not match its logged digest"));

  // A key other than the registry's: nothing it is shown verifies.
  const ProcessResult foreign =
      daemon_.RunCli("audit", "--log-key-file", kForeignKey, "checkpoint");
  EXPECT_EQ(foreign.exit_code, kExitMisbehaviour) << foreign;
  EXPECT_THAT(foreign.err, HasSubstr("checkpoint does not verify with the pinned key " +
                                     Trimmed(ReadWholeFile(kForeignKey))));
  const ProcessResult foreign_bundle =
      RunSello("audit", "--log-key-file", kForeignKey, "verify", "--offline", bundle);
  EXPECT_EQ(foreign_bundle.exit_code, kExitMisbehaviour) << foreign_bundle;
  const ProcessResult foreign_verify =
      daemon_.RunCli("audit", "--log-key-file", kForeignKey, "verify", "--state",
                     daemon_.root_dir() + "/foreign-state.json");
  EXPECT_EQ(foreign_verify.exit_code, kExitMisbehaviour) << foreign_verify;
  // A malformed key is a usage error, not evidence; so is no key at all.
  std::string bad_key = pinned_key_;
  bad_key.back() = bad_key.back() == 'A' ? 'B' : 'A';
  for (const std::string& key : {bad_key, std::string("not-a-key")}) {
    const ProcessResult malformed = daemon_.RunCli("audit", "--log-key", key, "checkpoint");
    EXPECT_EQ(malformed.exit_code, kExitUsage) << malformed;
    EXPECT_THAT(malformed.err, HasSubstr("--log-key: ")) << malformed;
  }
  EXPECT_EQ(daemon_.RunCli("audit", "checkpoint").exit_code, kExitUsage);
}

// ---------------------------------------------------------------------------------------
// 2. Tampering with the RocksDB data of a stopped daemon.

ProcessResult Tamper(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {SELLO_TAMPER_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

TEST_F(TransparencyTest, RecordChangedBehindTheLogIsNamed) {
  ASSERT_TRUE(CreateFirm("salmones-sur"));
  const uint64_t seq = SeqOfOrganisation("salmones-sur");
  ASSERT_TRUE(CheckpointCovering(seq, absl::Now() + kPatience));
  ASSERT_TRUE(CreateFirm("fjord-foods"));
  ASSERT_TRUE(CheckpointCovering(SeqOfOrganisation("fjord-foods"), absl::Now() + kPatience));
  const ProcessResult trusted = Audit({"verify", "--state", state_}, admin_);
  ASSERT_EQ(trusted.exit_code, 0) << trusted;

  ASSERT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.log();
  const ProcessResult tampered =
      Tamper({"rewrite-org", db_path(), "salmones-sur", "Salmones del Norte"});
  ASSERT_EQ(tampered.exit_code, 0) << tampered;
  ASSERT_TRUE(daemon_.Start());

  // The daemon serves the changed record as if nothing happened...
  const ProcessResult shown = daemon_.RunCli("-o", "json", "org", "show", "salmones-sur");
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_EQ(ParseJson<v1::Organisation>(shown.out).name(), "Salmones del Norte");
  // ...and its event is still in the log, untouched...
  EXPECT_EQ(Audit({"prove", "organisation/salmones-sur"}, "").exit_code, 0);
  // ...but the record no longer hashes to what the log says.
  const ProcessResult caught = Audit(
      {"verify", "--state", state_, "--sample", "0", "--record", "organisation/salmones-sur"}, "");
  EXPECT_EQ(caught.exit_code, kExitMisbehaviour) << caught;
  EXPECT_THAT(caught.err,
              HasSubstr(absl::StrCat("record organisation/salmones-sur does not match its logged "
                                     "digest (event ",
                                     seq, " organisation.created")));
  EXPECT_THAT(caught.err, HasSubstr("it was changed outside the log"));
  // The untouched record still verifies.
  const ProcessResult clean = Audit(
      {"verify", "--state", state_, "--sample", "0", "--record", "organisation/fjord-foods"}, "");
  EXPECT_EQ(clean.exit_code, 0) << clean;
}

// The auditor's view before an operator truncates the log: five firms created, every
// event covered by a checkpoint the auditor trusts.
struct Trusted {
  uint64_t size = 0;
  std::string note;
};

class TruncatedLogTest : public TransparencyTest {
 protected:
  Trusted TrustFiveFirms() {
    for (const char* id : {"f1", "f2", "f3", "f4", "f5"}) EXPECT_TRUE(CreateFirm(id));
    const uint64_t head = SeqOfOrganisation("f5");
    const std::optional<v1::Checkpoint> covering =
        CheckpointCovering(head, absl::Now() + kPatience);
    EXPECT_TRUE(covering.has_value());
    const ProcessResult trusted = Audit({"verify", "--state", state_, "--sample", "20"}, admin_);
    EXPECT_EQ(trusted.exit_code, 0) << trusted;
    EXPECT_THAT(trusted.out, HasSubstr(absl::StrCat("OK: trusting checkpoint ", head)));
    return {head, covering ? covering->note() : ""};
  }

  // Stops the daemon and drops its last three events, as a restore from a stale backup
  // would.
  void DropLastThreeEvents(uint64_t size) {
    ASSERT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.log();
    const ProcessResult truncated = Tamper({"truncate", db_path(), absl::StrCat(size - 3)});
    ASSERT_EQ(truncated.exit_code, 0) << truncated;
    EXPECT_THAT(truncated.out, HasSubstr(absl::StrCat("kept events 1..", size - 3,
                                                      "; dropped 3 events, 3 subject index")));
  }
};

TEST_F(TruncatedLogTest, AStaleRestoreIsRefusedUntilAcceptedAndThenCaught) {
  const Trusted before = TrustFiveFirms();
  ASSERT_FALSE(before.note.empty());
  DropLastThreeEvents(before.size);
  // DATA_DIR/checkpoint.note still holds the newer checkpoint: the daemon does not start.
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(),
              HasSubstr(absl::StrCat("the log holds ", before.size - 3, " events but checkpoint ",
                                     before.size, " was signed")));
  EXPECT_THAT(daemon_.log(), HasSubstr("--accept-history-rollback"));

  // The operator accepts the rollback on purpose: the log itself says so first.
  daemon_.set_daemon_args({"--accept-history-rollback"});
  ASSERT_TRUE(daemon_.Start());
  for (const char* id : {"g1", "g2", "g3", "g4"}) ASSERT_TRUE(CreateFirm(id));
  EXPECT_EQ(SeqOfOrganisation("g1"), before.size - 1);
  const ProcessResult accepted =
      daemon_.RunCliAs(admin_, "-o", "json", "watch", "--from", absl::StrCat(before.size - 2),
                       "--count", "1", "--no-retry");
  ASSERT_EQ(accepted.exit_code, 0) << accepted;
  EXPECT_THAT(accepted.out, HasSubstr("log.history_rollback_accepted"));
  EXPECT_THAT(accepted.out, HasSubstr(absl::StrCat("checkpoint/", before.size)));

  // It signs the new tree; an auditor who trusted the old checkpoint has the proof of
  // the fork in hand.
  const uint64_t forked_head = SeqOfOrganisation("g4");
  ASSERT_TRUE(CheckpointCovering(forked_head, absl::Now() + kPatience).has_value());
  const ProcessResult caught = Audit({"verify", "--state", state_, "--sample", "0"}, "");
  EXPECT_EQ(caught.exit_code, kExitMisbehaviour) << caught;
  EXPECT_THAT(caught.err, HasSubstr(absl::StrCat("does not extend checkpoint ", before.size)));
}

TEST_F(TruncatedLogTest, TheStateKeptOutsideTheDataDirCatchesARestoreThatHidTheRest) {
  // The checkpoint is also kept outside the data dir.
  const std::string outside = daemon_.root_dir() + "/checkpoint-state.note";
  ASSERT_EQ(daemon_.Stop(SIGTERM), 0);
  // Moving it elsewhere than the default (DATA_DIR.checkpoint) moves the file too.
  std::filesystem::rename(daemon_.data_dir() + ".checkpoint", outside);
  daemon_.set_daemon_args({"--checkpoint-state", outside});
  ASSERT_TRUE(daemon_.Start());
  const Trusted before = TrustFiveFirms();
  EXPECT_EQ(ReadWholeFile(outside), ReadWholeFile(daemon_.data_dir() + "/checkpoint.note"));
  DropLastThreeEvents(before.size);
  // The restore also lost (or the operator removed) the copy in the data dir.
  ASSERT_TRUE(std::filesystem::remove(daemon_.data_dir() + "/checkpoint.note"));
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(),
              HasSubstr(absl::StrCat("the log holds ", before.size - 3, " events but checkpoint ",
                                     before.size, " was signed")));
}

TEST_F(TruncatedLogTest, HiddenEvidenceStillLeavesTwoSignedCheckpoints) {
  const Trusted before = TrustFiveFirms();
  DropLastThreeEvents(before.size);
  // The operator also removes the files that made the daemon refuse: the one in the data
  // dir and the one kept outside it. The daemon still wants the operator's word for it,
  // and the log says so.
  ASSERT_TRUE(std::filesystem::remove(daemon_.data_dir() + "/checkpoint.note"));
  ASSERT_TRUE(std::filesystem::remove(daemon_.data_dir() + ".checkpoint"));
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr(".checkpoint is missing"));
  daemon_.set_daemon_args({"--accept-history-rollback"});
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), Not(HasSubstr("checkpoint_signing_refused")));

  for (const char* id : {"g1", "g2", "g3", "g4"}) ASSERT_TRUE(CreateFirm(id));
  const uint64_t forked_head = SeqOfOrganisation("g4");
  // The lost events' places: log.checkpoint_state_recreated, then the four firms.
  EXPECT_EQ(forked_head, before.size + 2);
  // Now the daemon signs the forked tree.
  const std::optional<v1::Checkpoint> forked =
      CheckpointCovering(forked_head, absl::Now() + kPatience);
  ASSERT_TRUE(forked.has_value());
  EXPECT_EQ(forked->size(), forked_head);

  const ProcessResult caught = Audit({"verify", "--state", state_, "--sample", "0"}, "");
  EXPECT_EQ(caught.exit_code, kExitMisbehaviour) << caught;
  EXPECT_THAT(caught.err,
              HasSubstr(absl::StrCat("THE LOG IS INCONSISTENT: checkpoint ", forked_head,
                                     " does not extend checkpoint ", before.size)));
  // Both signed notes, whole: together they prove the fork to anyone with the key.
  EXPECT_THAT(caught.err, HasSubstr("--- trusted checkpoint ---\n" + before.note));
  EXPECT_THAT(caught.err, HasSubstr("--- new checkpoint ---\n" + forked->note()));
  EXPECT_THAT(before.note, HasSubstr(absl::StrCat("\n", before.size, "\n")));
  EXPECT_THAT(forked->note(), HasSubstr(absl::StrCat("\n", forked_head, "\n")));
  // The trusted state is not moved by a failed run: the next run catches it again.
  EXPECT_EQ(ParseJson<tools::AuditState>(ReadWholeFile(state_)).checkpoint_note(), before.note);
  EXPECT_EQ(Audit({"verify", "--state", state_, "--sample", "0"}, "").exit_code, kExitMisbehaviour);
}

// ---------------------------------------------------------------------------------------
// 3. Watching across a daemon killed and restarted mid-stream.

TEST_F(TransparencyTest, WatchResumesAcrossAKilledDaemonWithNoGapOrDuplicate) {
  ASSERT_TRUE(CreateFirm("salmones-sur"));
  const uint64_t from = SeqOfOrganisation("salmones-sur") + 1;
  constexpr int kEvents = 10;
  BackgroundProcess watcher =
      daemon_.StartCli("--token", admin_, "-o", "json", "watch", "--from", absl::StrCat(from),
                       "--count", absl::StrCat(kEvents));
  ASSERT_TRUE(watcher.running()) << watcher.err();

  std::vector<std::string> expected;
  for (int i = 1; i <= 4; ++i) {
    const std::string id = absl::StrCat("w", i);
    ASSERT_TRUE(CreateFirm(id));
    expected.push_back("organisation/" + id);
  }
  ASSERT_TRUE(watcher.WaitForOutput(
      [](const std::string& out) { return CountOccurrences(out, "\n") >= 4; }, kPatience))
      << watcher.out() << watcher.err();

  // Killed mid-stream, then back on the same address.
  const std::string address = daemon_.address();
  EXPECT_EQ(daemon_.Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(daemon_.Start(address));
  ASSERT_EQ(daemon_.address(), address);
  for (int i = 5; i <= 7; ++i) {
    const std::string id = absl::StrCat("w", i);
    ASSERT_TRUE(CreateFirm(id));
    expected.push_back("organisation/" + id);
  }
  ASSERT_TRUE(CreateSite("salmones-sur", "calbuco"));
  expected.push_back("site/calbuco");
  ASSERT_TRUE(CreateSite("w5", "chonchi"));
  expected.push_back("site/chonchi");
  // Acknowledged writes after the crash are still signed within a second.
  CreateFirmCoveredWithinOneSecond("late");
  expected.push_back("organisation/late");

  const ProcessResult watched = watcher.Wait(kPatience * 2);
  ASSERT_EQ(watched.exit_code, 0) << watched;
  const std::vector<v1::Event> events = ParseEventLines(watched.out);
  EXPECT_THAT(Seqs(events), ElementsAreArray(Range(from, kEvents))) << watched;
  EXPECT_THAT(Subjects(events), ElementsAreArray(expected)) << watched;
  EXPECT_THAT(watched.err, HasSubstr("sello: watch: connection lost"));
  EXPECT_THAT(watched.err, HasSubstr(absl::StrCat("resuming from #", from + 4)));

  // After the fact, --from K delivers K onwards, across the crash.
  const ProcessResult replay = daemon_.RunCliAs(admin_, "-o", "json", "watch", "--from",
                                                absl::StrCat(from + 2), "--count", "4");
  ASSERT_EQ(replay.exit_code, 0) << replay;
  EXPECT_THAT(Seqs(ParseEventLines(replay.out)), ElementsAreArray(Range(from + 2, 4)));
  // The table form: one line per event, "#SEQ  TIME  KIND  SUBJECT  by ORG".
  const ProcessResult table =
      daemon_.RunCliAs(admin_, "watch", "--from", absl::StrCat(from), "--count", "1");
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat("#", from, "  ")));
  EXPECT_THAT(table.out, HasSubstr("  organisation.created  organisation/w1  by association\n"));
}

TEST_F(TransparencyTest, FirmWatchNeverShowsAnotherFirmsSites) {
  ASSERT_TRUE(CreateFirm("salmones-sur"));
  ASSERT_TRUE(CreateFirm("fjord-foods"));
  const std::string firm = IssueToken("salmones-sur", "firm");
  ASSERT_FALSE(firm.empty());
  // The other firm's sites come first and in between.
  ASSERT_TRUE(CreateSite("fjord-foods", "hornopiren"));
  ASSERT_TRUE(CreateSite("salmones-sur", "calbuco"));
  ASSERT_TRUE(CreateSite("fjord-foods", "puelo"));
  ASSERT_TRUE(CreateSite("salmones-sur", "chonchi"));

  const ProcessResult sites = daemon_.RunCliAs(firm, "-o", "json", "watch", "--kind", "site.",
                                               "--count", "2", "--no-retry");
  ASSERT_EQ(sites.exit_code, 0) << sites;
  EXPECT_THAT(Subjects(ParseEventLines(sites.out)), ElementsAre("site/calbuco", "site/chonchi"));
  // ADMIN does see them (so the filter above is not vacuous).
  const ProcessResult all = daemon_.RunCliAs(admin_, "-o", "json", "watch", "--kind", "site.",
                                             "--count", "2", "--no-retry");
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_THAT(Subjects(ParseEventLines(all.out)), ElementsAre("site/hornopiren", "site/calbuco"));

  // Unfiltered, followed live up to the firm's last site: public events and its own,
  // nothing of the other firm's sites.
  BackgroundProcess watcher = daemon_.StartCli("--token", firm, "-o", "json", "watch");
  ASSERT_TRUE(watcher.WaitForOutput(
      [](const std::string& out) { return absl::StrContains(out, "site/chonchi"); }, kPatience))
      << watcher.out() << watcher.err();
  watcher.Signal(SIGTERM);
  const ProcessResult followed = watcher.Wait(kPatience);
  const std::vector<v1::Event> events = ParseEventLines(followed.out);
  EXPECT_THAT(Subjects(events), ::testing::Contains("organisation/fjord-foods"));
  EXPECT_THAT(Subjects(events), ::testing::Contains("site/calbuco"));
  for (const v1::Event& event : events) {
    EXPECT_NE(event.site_id(), "hornopiren") << event.ShortDebugString();
    EXPECT_NE(event.site_id(), "puelo") << event.ShortDebugString();
  }
  EXPECT_THAT(followed.out, Not(HasSubstr("hornopiren")));
  EXPECT_THAT(followed.out, Not(HasSubstr("puelo")));
}

// ---------------------------------------------------------------------------------------
// Rotating the signing key: auditors move their pin without a gap in what they can check.

TEST_F(TransparencyTest, KeyRotationKeepsEveryCheckpointCheckableAndAuditorsFollow) {
  ASSERT_TRUE(CreateFirm("salmones-sur"));
  ASSERT_EQ(Audit({"verify", "--state", state_}, "").exit_code, 0);
  const v1::Checkpoint before = LatestCheckpoint();
  const std::string old_key = pinned_key_;

  // Begin: a new key, announced in the log, co-signs from now on.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--begin-key-rotation", old_key});
  ASSERT_TRUE(daemon_.Start());
  const std::string next_key = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.next.pub"));
  ASSERT_FALSE(next_key.empty());
  EXPECT_NE(next_key, old_key);
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")), old_key);
  const ProcessResult keys = daemon_.RunCli("audit", "key");
  ASSERT_EQ(keys.exit_code, 0) << keys;
  EXPECT_EQ(keys.out, absl::StrCat(old_key, "\n", next_key, "\n"));
  // Anyone following the log sees the announcement, covered by a checkpoint the old key
  // signed.
  const ProcessResult announced = daemon_.RunCli(
      "-o", "json", "watch", "--kind", "log.key_rotation_begun", "--count", "1", "--no-retry");
  ASSERT_EQ(announced.exit_code, 0) << announced;
  ASSERT_EQ(ParseEventLines(announced.out).size(), 1u) << announced;
  ASSERT_TRUE(CreateFirm("fjord-foods"));  // writes go on
  const ProcessResult with_old = Audit({"verify", "--state", state_}, "");
  ASSERT_EQ(with_old.exit_code, 0) << with_old;
  const v1::Checkpoint cosigned = LatestCheckpoint();
  EXPECT_EQ(CountOccurrences(cosigned.note(), "\xE2\x80\x94 sello.registry/log "), 2)
      << cosigned.note();

  // The auditor moves its pin to the next key, keeping its state.
  const std::string next_file = daemon_.WriteFile("next-log.pub", next_key + "\n");
  const auto audit_next = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"audit", "--log-key-file", next_file};
    argv.insert(argv.end(), args.begin(), args.end());
    return daemon_.RunCliArgs(argv);
  };
  const ProcessResult moved = audit_next({"verify", "--state", state_});
  ASSERT_EQ(moved.exit_code, 0) << moved;

  // A restart with the same flag changes nothing.
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.next.pub")), next_key);

  // Finish (at once, the window waived): the next key signs alone; the old public key
  // stays for old checkpoints.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--finish-key-rotation", "--force-finish-key-rotation"});
  ASSERT_TRUE(daemon_.Start());
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")), next_key);
  EXPECT_FALSE(std::filesystem::exists(daemon_.data_dir() + "/log.next.key"));
  absl::StatusOr<domain::NoteVerifier> old_verifier =
      domain::NoteVerifier::FromVerifierKey(old_key);
  ASSERT_TRUE(old_verifier.ok());
  EXPECT_EQ(Trimmed(ReadWholeFile(absl::StrFormat("%s/log.retired-%08x.pub", daemon_.data_dir(),
                                                  old_verifier->key_id()))),
            old_key);
  ASSERT_TRUE(CreateFirm("acuicola-maullin"));
  const ProcessResult after = audit_next({"verify", "--state", state_});
  ASSERT_EQ(after.exit_code, 0) << after;
  EXPECT_EQ(CountOccurrences(LatestCheckpointWith(next_file).note(), "\xE2\x80\x94 "), 1);

  // The old key no longer signs new checkpoints, but every checkpoint it signed stays
  // checkable with it, and the history is one: the old checkpoint is consistent with the
  // newest.
  const ProcessResult stale_pin = Audit({"checkpoint"}, "");
  EXPECT_NE(stale_pin.exit_code, 0) << stale_pin;
  EXPECT_THAT(stale_pin.err, HasSubstr("no signature by"));
  EXPECT_TRUE(domain::OpenCheckpoint(*old_verifier, before.note(), "sello.registry/log").ok());
  EXPECT_TRUE(domain::OpenCheckpoint(*old_verifier, cosigned.note(), "sello.registry/log").ok());

  // Finishing again is a no-op, said so in the log.
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("--finish-key-rotation: none under way"));
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")), next_key);

  // Backups carry the retired key, and so does a registry restored from one.
  const std::string retired_name = absl::StrFormat("log.retired-%08x.pub", old_verifier->key_id());
  const std::string backup = daemon_.root_dir() + "/backup";
  const ProcessResult backed_up = daemon_.RunCliAs(admin_, "admin", "backup", backup);
  ASSERT_EQ(backed_up.exit_code, 0) << backed_up;
  EXPECT_EQ(Trimmed(ReadWholeFile(backup + "/" + retired_name)), old_key);
  DaemonHarness restored;
  restored.set_daemon_args({"--restore-from", backup});
  ASSERT_TRUE(restored.Start());
  EXPECT_EQ(Trimmed(ReadWholeFile(restored.data_dir() + "/" + retired_name)), old_key);
  EXPECT_EQ(Trimmed(ReadWholeFile(restored.data_dir() + "/log.pub")), next_key);
}

}  // namespace
}  // namespace sello::e2e
