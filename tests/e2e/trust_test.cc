// End-to-end: one history under one key. A registry keeps its last signed checkpoint
// outside its data dir (DATA_DIR.checkpoint by default), so a data dir that was copied,
// moved or restored from an older backup cannot sign a second history; a log that has
// signed checkpoints never gets a new key by accident; key rotation flags are safe to
// leave in the configuration; ADMIN can be recovered offline; a misspelt configuration
// key refuses the start; a backup folder belongs to one log. Each scenario is what
// deploy/README.md tells an operator to do, or what issue 17 saw an operator do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sello/v1/event.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitRefused = 5;
constexpr int kExitMisbehaviour = 7;

mode_t ModeOf(const std::string& path) {
  struct stat info = {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 0777;
}

// Starts sellod on `data_dir` with `extra` flags and expects it to refuse (exit 1 or 2)
// at once; returns what it logged.
std::string RefusedStart(const std::string& data_dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {SELLOD_PATH, "--data-dir=" + data_dir, "--listen=127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const ProcessResult result = RunProcess(argv, {}, absl::Seconds(30));
  EXPECT_TRUE(result.exit_code == 1 || result.exit_code == 2) << result;
  return result.err;
}

std::vector<v1::Event> ParseEventLines(const std::string& out) {
  std::vector<v1::Event> events;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipWhitespace())) {
    events.push_back(ParseJson<v1::Event>(std::string(line)));
  }
  return events;
}

class TrustTest : public SessionTest {
 protected:
  ::testing::AssertionResult CreateFirm(const std::string& id) {
    const ProcessResult created = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm",
                                                   "--name", "Firm " + id, "--id", id);
    if (created.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "org create " << id << ": " << created;
  }

  // The events of `kind` so far (ADMIN's view).
  std::vector<v1::Event> Events(const DaemonHarness& daemon, const std::string& token,
                                const std::string& kind) {
    const ProcessResult watched =
        daemon.RunCliAs(token, "-o", "json", "watch", "--kind", kind, "--count", "1", "--no-retry");
    EXPECT_EQ(watched.exit_code, 0) << watched;
    return ParseEventLines(watched.out);
  }

  std::string state_file() const { return daemon_.data_dir() + ".checkpoint"; }
  std::string pinned() const { return daemon_.data_dir() + "/log.pub"; }
};

// Issue 16 §7: a copy of the data dir, started with the same command line after the
// original moved on, is refused; and so is a copy started elsewhere.
TEST_F(TrustTest, ACopiedDataDirIsRefusedWithTheSameCommandLineAndElsewhere) {
  // Where the checkpoint is kept: said at start, beside the data dir, the operator's only.
  EXPECT_THAT(daemon_.log(), HasSubstr("\"event\":\"checkpoint_state\""));
  EXPECT_THAT(daemon_.log(), HasSubstr(state_file()));
  EXPECT_EQ(ModeOf(state_file()), 0600u);
  ASSERT_TRUE(CreateFirm("f1"));
  ASSERT_EQ(daemon_.Stop(), 0);
  const std::string copy = daemon_.root_dir() + "/copy";
  const std::string elsewhere = daemon_.root_dir() + "/elsewhere";
  fs::copy(daemon_.data_dir(), copy, fs::copy_options::recursive);
  fs::copy(daemon_.data_dir(), elsewhere, fs::copy_options::recursive);

  // The original moves on; its checkpoint state follows it.
  ASSERT_TRUE(daemon_.Start());
  for (const char* id : {"f2", "f3", "f4"}) ASSERT_TRUE(CreateFirm(id));
  ASSERT_EQ(daemon_.Stop(), 0);
  const std::string signed_note = ReadWholeFile(state_file());
  EXPECT_EQ(signed_note, ReadWholeFile(daemon_.data_dir() + "/checkpoint.note"));

  // The copy put in the original's place, started with the same command line: refused,
  // saying what happened and what the operator may do.
  fs::rename(daemon_.data_dir(), daemon_.root_dir() + "/original");
  fs::rename(copy, daemon_.data_dir());
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("was signed: the store lost events"));
  EXPECT_THAT(daemon_.log(), HasSubstr(absl::StrCat("kept in ", state_file())));
  EXPECT_THAT(daemon_.log(), HasSubstr("This data dir is older than the history this registry "
                                       "signed and published"));
  EXPECT_THAT(daemon_.log(), HasSubstr("put back the data dir that signed that checkpoint"));
  EXPECT_THAT(daemon_.log(), HasSubstr("--accept-history-rollback"));
  EXPECT_EQ(ReadWholeFile(state_file()), signed_note);

  // The other copy, started at its own path: it last signed to the original's file.
  const std::string refused = RefusedStart(elsewhere, {});
  EXPECT_THAT(refused, HasSubstr(absl::StrCat("this data dir last signed its checkpoints to ",
                                              state_file(), ", not to ", elsewhere,
                                              ".checkpoint (missing): it was moved or copied")));
  EXPECT_THAT(refused, HasSubstr("If it is a copy of a registry that still runs, do not start it"));
  EXPECT_FALSE(fs::exists(elsewhere + ".checkpoint"));

  // The original, back in place, starts and goes on.
  fs::remove_all(daemon_.data_dir());
  fs::rename(daemon_.root_dir() + "/original", daemon_.data_dir());
  ASSERT_TRUE(daemon_.Start());
  ASSERT_TRUE(CreateFirm("f5"));
}

// A lost state file is refused until the operator says so; a data dir from before
// (whose store never knew a state file) starts one quietly.
TEST_F(TrustTest, AMissingStateFileIsRefusedUnlessAcceptedAndAnOldDataDirStartsOne) {
  ASSERT_TRUE(CreateFirm("f1"));
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(fs::remove(state_file()));
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr(absl::StrCat(state_file(), " is missing")));
  EXPECT_THAT(daemon_.log(), HasSubstr("--accept-history-rollback"));

  daemon_.set_daemon_args({"--accept-history-rollback"});
  ASSERT_TRUE(daemon_.Start());
  EXPECT_EQ(ModeOf(state_file()), 0600u);
  EXPECT_EQ(Events(daemon_, admin_, "log.checkpoint_state_recreated").size(), 1u);

  // An upgrade: a data dir whose store never recorded a state file.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({});
  ASSERT_TRUE(fs::remove(state_file()));
  const ProcessResult forgot =
      RunProcess({SELLO_TAMPER_PATH, "forget-state-file", daemon_.data_dir() + "/db"});
  ASSERT_EQ(forgot.exit_code, 0) << forgot;
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("the first start that keeps the last signed checkpoint "
                                       "outside the data dir"));
  EXPECT_TRUE(fs::exists(state_file()));
}

// Issue 17.1: history without its key refuses to start, in place and on a restore.
TEST_F(TrustTest, HistoryWithoutItsSigningKeyRefusesToStart) {
  ASSERT_TRUE(CreateFirm("f1"));
  const std::string backup = daemon_.root_dir() + "/backups";
  ASSERT_EQ(daemon_.RunCliAs(admin_, "admin", "backup", backup).exit_code, 0);
  ASSERT_EQ(daemon_.Stop(), 0);
  const std::string key = ReadWholeFile(daemon_.data_dir() + "/log.key");
  const std::string pub = ReadWholeFile(pinned());
  ASSERT_FALSE(key.empty());

  ASSERT_TRUE(fs::remove(daemon_.data_dir() + "/log.key"));
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("\"event\":\"log_key_missing\""));
  EXPECT_THAT(daemon_.log(), HasSubstr("/log.key is missing, yet this log holds"));
  EXPECT_THAT(daemon_.log(), HasSubstr("Copy log.key and log.pub from the original"));
  EXPECT_FALSE(fs::exists(daemon_.data_dir() + "/log.key"));
  EXPECT_EQ(ReadWholeFile(pinned()), pub);

  // A backup folder that lost the key: the restore is refused and undone.
  ASSERT_TRUE(fs::remove(backup + "/log.key"));
  DaemonHarness restored;
  restored.set_daemon_args({"--restore-from", backup});
  EXPECT_FALSE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("has no log.key"));
  EXPECT_THAT(restored.log(), HasSubstr("restore_undone"));
  EXPECT_FALSE(fs::exists(restored.data_dir() + "/db"));
  EXPECT_FALSE(fs::exists(restored.data_dir() + "/log.key"));
  // With the key put back, the same command restores it under the same key.
  ASSERT_EQ(daemon_.WriteFile("backups/log.key", key), backup + "/log.key");
  ASSERT_TRUE(restored.Start());
  EXPECT_EQ(ReadWholeFile(restored.data_dir() + "/log.pub"), pub);
  EXPECT_THAT(restored.log(), HasSubstr("checked against " + state_file()));
}

// Issue 17.4: restoring an older backup is refused, undone, and accepted only when
// asked again with --accept-history-rollback, which logs a loud warning and an event.
TEST_F(TrustTest, RestoringAnOlderBackupIsRefusedUntilTheRollbackIsAccepted) {
  ASSERT_TRUE(CreateFirm("before"));
  const std::string backup = daemon_.root_dir() + "/backups";
  ASSERT_EQ(daemon_.RunCliAs(admin_, "admin", "backup", backup).exit_code, 0);
  for (const char* id : {"after-1", "after-2"}) ASSERT_TRUE(CreateFirm(id));
  ASSERT_EQ(daemon_.Stop(), 0);  // signs the last events

  DaemonHarness restored;
  restored.set_daemon_args({"--restore-from", backup});
  EXPECT_FALSE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("This backup is older than what the registry signed"));
  EXPECT_THAT(restored.log(),
              HasSubstr("run the same command again with --accept-history-rollback"));
  EXPECT_THAT(restored.log(), HasSubstr("restore_undone"));
  EXPECT_FALSE(fs::exists(restored.data_dir() + "/db"));

  restored.set_daemon_args({"--restore-from", backup, "--accept-history-rollback"});
  ASSERT_TRUE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("\"level\":\"error\""));
  EXPECT_THAT(restored.log(), HasSubstr("THE PUBLIC HISTORY WAS ROLLED BACK"));
  const std::vector<v1::Event> accepted = Events(restored, admin_, "log.history_rollback_accepted");
  ASSERT_EQ(accepted.size(), 1u);
  const ProcessResult listed = restored.RunCliAs(admin_, "org", "list");
  EXPECT_THAT(listed.out, HasSubstr("before"));
  EXPECT_THAT(listed.out, Not(HasSubstr("after-1")));
}

// Issue 17.5: a misspelt key, or a section, refuses the start with file, line and the
// nearest known key.
TEST_F(TrustTest, UnknownConfigKeysRefuseTheStart) {
  const std::string config = daemon_.WriteFile(
      "sellod.conf", "# rollback protection\nlisten = \"127.0.0.1:0\"\ncheckpoint-sate = \"/x\"\n");
  std::string refused = RefusedStart(daemon_.root_dir() + "/other", {"--config", config});
  EXPECT_THAT(refused, HasSubstr(absl::StrCat(config,
                                              ":3: unknown key 'checkpoint-sate'; did you "
                                              "mean 'checkpoint-state'?")));
  const std::string sectioned =
      daemon_.WriteFile("sectioned.conf", "[server]\nlisten = \"127.0.0.1:0\"\n");
  refused = RefusedStart(daemon_.root_dir() + "/other", {"--config", sectioned});
  EXPECT_THAT(refused, HasSubstr(absl::StrCat(sectioned, ":1: unknown section [server]")));
  EXPECT_FALSE(fs::exists(daemon_.root_dir() + "/other"));
}

// Issue 17.6: a backup folder belongs to one log.
TEST_F(TrustTest, ABackupFolderBelongsToOneLog) {
  const std::string backup = daemon_.root_dir() + "/backups";
  ASSERT_EQ(daemon_.RunCliAs(admin_, "admin", "backup", backup).exit_code, 0);
  EXPECT_THAT(ReadWholeFile(backup + "/registry.id"),
              HasSubstr("key " + Trimmed(ReadWholeFile(pinned()))));
  const std::string key = ReadWholeFile(backup + "/log.key");

  DaemonHarness other;
  ASSERT_TRUE(other.Start());
  const ProcessResult refused = other.RunCliAs(other.admin_token(), "admin", "backup", backup);
  EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
  EXPECT_THAT(refused.err, HasSubstr("holds the backups of another log"));
  EXPECT_EQ(ReadWholeFile(backup + "/log.key"), key);
  // Its own folder is its own; the first registry's next backup goes on.
  EXPECT_EQ(
      other.RunCliAs(other.admin_token(), "admin", "backup", other.root_dir() + "/b").exit_code, 0);
  EXPECT_EQ(daemon_.RunCliAs(admin_, "admin", "backup", backup).exit_code, 0);
}

// Issue 17.3: ADMIN recovered offline, recorded in the log.
TEST_F(TrustTest, AnAdminTokenIsIssuedOfflineAndRecorded) {
  const std::string file = daemon_.root_dir() + "/recovered.token";
  // Not while the registry runs.
  std::string refused = RefusedStart(daemon_.data_dir(), {"--issue-admin-token", file});
  EXPECT_THAT(refused, HasSubstr("already in use by another sellod"));
  ASSERT_EQ(daemon_.Stop(), 0);
  const ProcessResult issued =
      RunProcess({SELLOD_PATH, "--data-dir=" + daemon_.data_dir(), "--issue-admin-token", file});
  ASSERT_EQ(issued.exit_code, 0) << issued;
  EXPECT_THAT(issued.err, HasSubstr("admin_token_issued_offline"));
  EXPECT_EQ(ModeOf(file), 0600u);
  // Never over an existing file.
  refused = RefusedStart(daemon_.data_dir(), {"--issue-admin-token", file});
  EXPECT_THAT(refused, HasSubstr("exists; name a new file"));

  ASSERT_TRUE(daemon_.Start());
  const std::string recovered = Trimmed(ReadWholeFile(file));
  const ProcessResult who = daemon_.RunCliAs(recovered, "-o", "json", "token", "whoami");
  ASSERT_EQ(who.exit_code, 0) << who;
  EXPECT_THAT(who.out, HasSubstr("ADMIN"));
  const ProcessResult listed = daemon_.RunCliAs(recovered, "token", "list");
  EXPECT_THAT(listed.out, HasSubstr("offline recovery"));
  const ProcessResult watched = daemon_.RunCliAs(recovered, "-o", "json", "watch", "--kind",
                                                 "token.created", "--count", "2", "--no-retry");
  ASSERT_EQ(watched.exit_code, 0) << watched;
  EXPECT_EQ(ParseEventLines(watched.out).size(), 2u);
}

// Issue 17.2: rotation flags left in place are harmless; a finish waits for the window
// unless forced; an auditor that missed the rotation is told what to do, not exit 7.
TEST_F(TrustTest, RotationFlagsAreIdempotentAndAFinishWaitsForItsWindow) {
  ASSERT_TRUE(CreateFirm("f1"));
  const std::string old_key = Trimmed(ReadWholeFile(pinned()));
  const std::string old_pin = daemon_.WriteFile("old.pub", old_key + "\n");
  const std::string state = daemon_.root_dir() + "/auditor.json";
  ASSERT_EQ(
      daemon_.RunCli("audit", "--log-key-file", old_pin, "verify", "--state", state).exit_code, 0);

  // Both flags in one start: begun, the finish refused (logged), the daemon serves.
  const std::vector<std::string> both = {"--begin-key-rotation", old_key, "--finish-key-rotation"};
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args(both);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("\"step\":\"begun\""));
  EXPECT_THAT(daemon_.log(), HasSubstr("key_rotation_finish_refused"));
  EXPECT_THAT(daemon_.log(), HasSubstr("--force-finish-key-rotation"));
  const std::string next_key = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.next.pub"));
  ASSERT_FALSE(next_key.empty());
  EXPECT_EQ(Trimmed(ReadWholeFile(pinned())), old_key);

  // The same flags at a restart: the begin is a no-op that says so; one rotation only.
  ASSERT_EQ(daemon_.Stop(), 0);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("is already under way; nothing to do"));
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.next.pub")), next_key);

  // Forced: finished now, said loudly.
  ASSERT_EQ(daemon_.Stop(), 0);
  std::vector<std::string> forced = both;
  forced.push_back("--force-finish-key-rotation");
  daemon_.set_daemon_args(forced);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("key_rotation_forced"));
  EXPECT_EQ(Trimmed(ReadWholeFile(pinned())), next_key);

  // Left in the configuration afterwards: nothing happens, and the log says why.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args(both);
  ASSERT_TRUE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("that key was already rotated away"));
  EXPECT_THAT(daemon_.log(), HasSubstr("--finish-key-rotation: none under way"));
  EXPECT_EQ(Trimmed(ReadWholeFile(pinned())), next_key);
  EXPECT_FALSE(fs::exists(daemon_.data_dir() + "/log.next.pub"));
  // A key that was never this log's is refused.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--begin-key-rotation", "0badc0de"});
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("is not this log's key"));
  // A configuration from when the flag was a switch: false is none, true is refused.
  daemon_.set_daemon_args({"--begin-key-rotation=true"});
  EXPECT_FALSE(daemon_.Start());
  EXPECT_THAT(daemon_.log(), HasSubstr("--begin-key-rotation names the key to rotate away from"));
  daemon_.set_daemon_args({"--begin-key-rotation=false"});
  ASSERT_TRUE(daemon_.Start());
  ASSERT_TRUE(CreateFirm("f2"));

  // The auditor who missed it all: told what happened, exit 5 and not 7...
  const ProcessResult missed =
      daemon_.RunCli("audit", "--log-key-file", old_pin, "verify", "--state", state);
  EXPECT_EQ(missed.exit_code, kExitRefused) << missed;
  EXPECT_THAT(missed.err, HasSubstr("it moved to " + next_key));
  EXPECT_THAT(missed.err, HasSubstr("pin it"));
  // ...and, pinning the new key, keeps the trust it had: the log proves the rotation.
  const std::string new_pin = daemon_.WriteFile("new.pub", next_key + "\n");
  const ProcessResult followed =
      daemon_.RunCli("audit", "--log-key-file", new_pin, "verify", "--state", state);
  EXPECT_EQ(followed.exit_code, 0) << followed;
  EXPECT_THAT(followed.out, HasSubstr("trust carried from key " + old_key));
  EXPECT_THAT(followed.out, HasSubstr("extends the trusted checkpoint"));
  // A foreign key is still evidence of nothing but a different log: exit 7 as before.
  const ProcessResult foreign =
      daemon_.RunCli("audit", "--log-key-file", TESTDATA_DIR "/foreign_log.pub", "checkpoint");
  EXPECT_EQ(foreign.exit_code, kExitMisbehaviour) << foreign;
}

}  // namespace
}  // namespace sello::e2e
