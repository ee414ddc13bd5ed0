// End-to-end: an online backup taken while writes go on, restored into a new data dir by
// a second daemon, which serves the same history under the same log key: every event of
// the restored log re-hashes into its signed checkpoint (sello audit export and verify
// --offline) and an auditor pinning the original key trusts it. Under a witness policy the
// backup keeps the newest cosigned checkpoint, which the restored registry serves at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "sello/v1/admin.pb.h"
#include "tests/e2e/daemon_harness.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

class BackupTest : public SessionTest {
 protected:
  bool CreateFirm(const std::string& id) {
    return daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", id, "--id", id)
               .exit_code == 0;
  }
};

TEST_F(BackupTest, AnOnlineBackupRestoresTheSameVerifiableHistory) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(CreateFirm(absl::StrCat("before-", i)));
  // An auditor has seen the log before the backup.
  const std::string key = daemon_.data_dir() + "/log.pub";
  const std::string state = daemon_.root_dir() + "/auditor.json";
  const ProcessResult seen =
      daemon_.RunCli("audit", "--log-key-file", key, "verify", "--state", state);
  ASSERT_EQ(seen.exit_code, 0) << seen;
  // Beside the data dir, under a name that starts like it (it is not inside it).
  const std::string backup = daemon_.data_dir() + "-backups";
  // Writes go on while the backup is taken.
  std::atomic<bool> stop = false;
  std::atomic<int> written = 0;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) written += CreateFirm(absl::StrCat("during-", i)) ? 1 : 0;
  });
  const ProcessResult made = daemon_.RunCliAs(admin_, "-o", "json", "admin", "backup", backup);
  stop = true;
  writer.join();
  ASSERT_EQ(made.exit_code, 0) << made;
  const auto response = ParseJson<v1::CreateBackupResponse>(made.out);
  EXPECT_GT(response.bytes(), 0u);
  EXPECT_TRUE(response.key_included());
  EXPECT_GT(written.load(), 0);

  // Refusals: not ADMIN, not absolute, inside the data dir.
  const std::string firm = IssueToken("before-0", "firm");
  EXPECT_EQ(daemon_.RunCliAs(firm, "admin", "backup", backup).exit_code, 4);
  EXPECT_EQ(daemon_.RunCliAs(admin_, "admin", "backup", "relative/dir").exit_code, 5);
  const ProcessResult inside =
      daemon_.RunCliAs(admin_, "admin", "backup", daemon_.data_dir() + "/backup");
  EXPECT_EQ(inside.exit_code, 5) << inside;
  EXPECT_THAT(inside.err, HasSubstr("outside the data dir"));

  // The registry moves on after the backup, and stops (signing what it has).
  ASSERT_TRUE(CreateFirm("after-backup"));
  ASSERT_EQ(daemon_.Stop(SIGTERM), 0);

  // A second daemon restores it into its own, new data dir and serves it. The registry
  // signed the writes that came after the backup, so restoring it beside the registry is
  // a rollback: refused until accepted (a restore drill), and recorded in the log.
  DaemonHarness restored;
  restored.set_daemon_args({"--restore-from", backup});
  ASSERT_FALSE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("This backup is older than what the registry signed"));
  restored.set_daemon_args({"--restore-from", backup, "--accept-history-rollback"});
  ASSERT_TRUE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("\"event\":\"restored\""));
  EXPECT_THAT(restored.log(), HasSubstr("THE PUBLIC HISTORY WAS ROLLED BACK"));
  const ProcessResult listed = restored.RunCli("org", "list");
  ASSERT_EQ(listed.exit_code, 0) << listed;
  for (int i = 0; i < 5; ++i) EXPECT_THAT(listed.out, HasSubstr(absl::StrCat("before-", i)));

  // Same key, same history: the auditor pinning the ORIGINAL key finds the restored log
  // consistent with the checkpoint it saw before the backup, every exported event
  // re-hashes into the signed checkpoint, and so does every event a new auditor samples.
  const ProcessResult followed =
      restored.RunCli("audit", "--log-key-file", key, "verify", "--state", state);
  EXPECT_EQ(followed.exit_code, 0) << followed;
  const ProcessResult audited =
      restored.RunCli("audit", "--log-key-file", key, "verify", "--state",
                      restored.root_dir() + "/state.json", "--sample", "1000");
  EXPECT_EQ(audited.exit_code, 0) << audited;
  const std::string bundle = restored.root_dir() + "/bundle.json";
  const ProcessResult exported = restored.RunCli("audit", "--log-key-file", key, "export", bundle);
  ASSERT_EQ(exported.exit_code, 0) << exported;
  const ProcessResult offline =
      RunProcess({SELLO_PATH, "audit", "--log-key-file", key, "verify", "--offline", bundle});
  EXPECT_EQ(offline.exit_code, 0) << offline;

  // A restore never overwrites a data dir that holds a store.
  ASSERT_EQ(restored.Stop(SIGTERM), 0);
  EXPECT_FALSE(restored.Start());
  EXPECT_THAT(restored.log(), HasSubstr("already holds a database"));
}

// sellod --witness-policy keeps its newest cosigned checkpoint in the data dir: a backup
// carries it, so that the registry restored from it serves a cosigned checkpoint at once,
// before (here: without) any witness answering.
TEST(BackupWitnessTest, ABackupCarriesTheCosignedCheckpoint) {
  DaemonHarness registry;
  ASSERT_TRUE(registry.Start());  // its first start makes the log key the witness needs
  const std::string admin = registry.admin_token();
  const std::string key = registry.data_dir() + "/log.pub";
  const std::string log_key = Trimmed(ReadWholeFile(key));
  ASSERT_EQ(registry.Stop(), 0);
  WitnessHarness witness("w.test/sello");
  ASSERT_TRUE(witness.Start({log_key}));
  const std::string policy = registry.WriteFile(
      "policy.txt", absl::StrCat("log ", log_key, "\nwitness w ", witness.verifier_key(), " ",
                                 witness.url(), "\nquorum w\n"));
  registry.set_daemon_args({"--witness-policy=" + policy});
  ASSERT_TRUE(registry.Start());
  ASSERT_EQ(registry
                .RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Cosigned", "--id",
                          "cosigned")
                .exit_code,
            0);
  const auto audit_checkpoint = [&](const DaemonHarness& daemon) {
    return daemon.RunCli("audit", "--log-key-file", key, "--witness-policy", policy, "checkpoint");
  };
  // Until the witness's first cosignature, no checkpoint is served: poll (bounded).
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (audit_checkpoint(registry).exit_code != 0) {
    ASSERT_LT(absl::Now(), deadline) << registry.log() << witness.log();
  }
  const std::string backup = registry.data_dir() + "-backups";
  const ProcessResult made = registry.RunCliAs(admin, "admin", "backup", backup);
  ASSERT_EQ(made.exit_code, 0) << made;
  const std::string kept = ReadWholeFile(backup + "/checkpoint.cosigned.note");
  EXPECT_THAT(kept, HasSubstr("\n\xE2\x80\x94 w.test/sello ")) << kept;
  ASSERT_EQ(registry.Stop(SIGTERM), 0);
  ASSERT_EQ(witness.Stop(), 0);

  // The witness is gone: only the backup's cosigned checkpoint can meet the quorum.
  DaemonHarness restored;
  restored.set_daemon_args({"--restore-from", backup, "--witness-policy=" + policy});
  ASSERT_TRUE(restored.Start()) << restored.log();
  EXPECT_THAT(restored.log(), HasSubstr("cosigned_checkpoint_loaded"));
  const ProcessResult served = audit_checkpoint(restored);
  EXPECT_EQ(served.exit_code, 0) << served << restored.log();
}

}  // namespace
}  // namespace sello::e2e
