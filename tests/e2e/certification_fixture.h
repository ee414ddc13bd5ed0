// The certification end-to-end fixture: the association with the salmon code published,
// certifiers, firms and plants, and helpers that drive the real `sello` for lots,
// inspections, seals and events. Shared by the certification and appeal tests.
#ifndef SELLO_TESTS_E2E_CERTIFICATION_FIXTURE_H_
#define SELLO_TESTS_E2E_CERTIFICATION_FIXTURE_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/event.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/seal.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {

using v1::Inspection;
using v1::Seal;
using v1::SealVerdict;

// The demo's Code of Standards for Chilean Salmon: stages farming (F1-F3), harvest (H1-H2),
// processing (P1-P4) and final_product (Q1-Q2).
constexpr char kCscs[] = TESTDATA_DIR "/../../deploy/demo/standards/cscs-v1.json";
constexpr char kTst[] = TESTDATA_DIR "/tst_v1.json";

constexpr int kExitNotFound = 3;
constexpr int kExitDenied = 4;
constexpr int kExitRefused = 5;

// One criterion's result as an inspection file holds it: "true" or "false" for a BOOLEAN
// criterion, a number for a NUMERIC one.
using Results = std::vector<std::pair<std::string, std::string>>;

// A processed lot at its best (stages harvest, processing and final_product): PREMIUM.
inline Results Premium() {
  return {{"H1", "20"}, {"H2", "true"}, {"P1", "1.5"}, {"P2", "1"},
          {"P3", "0"},  {"P4", "true"}, {"Q1", "28"},  {"Q2", "true"}};
}

// `results` with these criteria's values changed (added when absent).
inline Results With(Results results, const Results& changes) {
  for (const auto& [id, value] : changes) {
    auto found = std::find_if(results.begin(), results.end(),
                              [&id = id](const auto& result) { return result.first == id; });
    if (found == results.end()) {
      results.emplace_back(id, value);
    } else {
      found->second = value;
    }
  }
  return results;
}

// `results` without criterion `id`.
inline Results Without(Results results, const std::string& id) {
  std::erase_if(results, [&](const auto& result) { return result.first == id; });
  return results;
}

// What a certifier writes in an inspection file (proto3 JSON of sello.v1.Inspection); by
// default a PREMIUM plant audit of calbuco against CSCS@1. Set fields with the chained
// setters: GCC 12 warns (-Wmissing-field-initializers) on designated initializers that leave
// defaulted members out.
struct InspectionFile {
  std::string site = "calbuco";
  std::string lot;  // empty: a plant audit
  int version = 1;
  std::vector<std::string> stages = {"harvest", "processing", "final_product"};
  Results results = Premium();
  std::string claimed_grade;  // empty: none claimed

  InspectionFile& AtSite(std::string id) {
    site = std::move(id);
    return *this;
  }
  InspectionFile& OfLot(std::string id) {
    lot = std::move(id);
    return *this;
  }
  InspectionFile& AgainstVersion(int number) {
    version = number;
    return *this;
  }
  InspectionFile& Covering(std::vector<std::string> ids) {
    stages = std::move(ids);
    return *this;
  }
  InspectionFile& Measuring(Results measured) {
    results = std::move(measured);
    return *this;
  }
  InspectionFile& Claiming(std::string grade) {
    claimed_grade = std::move(grade);
    return *this;
  }
};

inline std::string Quoted(const std::string& text) { return absl::StrCat("\"", text, "\""); }

// The file's JSON, dated `date` (to the second).
inline std::string ToJson(const InspectionFile& file, absl::Time date) {
  std::vector<std::string> results;
  for (const auto& [id, value] : file.results) {
    const bool boolean = value == "true" || value == "false";
    results.push_back(absl::StrCat("    {\"criterionId\": ", Quoted(id), ", ",
                                   boolean ? "\"passed\"" : "\"measured\"", ": ", value, "}"));
  }
  std::vector<std::string> stages;
  for (const std::string& stage : file.stages) stages.push_back(Quoted(stage));
  return absl::StrCat(
      "{\n", "  \"siteId\": ", Quoted(file.site), ",\n",
      file.lot.empty() ? "" : absl::StrCat("  \"lotId\": ", Quoted(file.lot), ",\n"),
      "  \"standardId\": \"CSCS\",\n", "  \"standardVersion\": ", file.version, ",\n",
      "  \"stages\": [", absl::StrJoin(stages, ", "), "],\n", "  \"inspectionDate\": ",
      Quoted(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", date, absl::UTCTimeZone())), ",\n",
      "  \"inspector\": \"M. Oyarzun\",\n",
      file.claimed_grade.empty()
          ? ""
          : absl::StrCat("  \"claimedGrade\": ", Quoted(file.claimed_grade), ",\n"),
      "  \"results\": [\n", absl::StrJoin(results, ",\n"), "\n  ]\n}\n");
}

inline std::string Day(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d", time, absl::UTCTimeZone());
}

// Crockford's base 32 (the characters of a code's serial) and the ISO/IEC 7064 MOD 37-2
// character set, for making codes the way a typist or a forger would.
constexpr absl::string_view kSerialAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr absl::string_view kMod37Characters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

// The ISO/IEC 7064 MOD 37-2 check character over `payload` (hyphens skipped), written from
// the standard rather than taken from the daemon's code.
inline char CheckCharacter(absl::string_view payload) {
  size_t running = 0;
  for (char c : payload) {
    if (c != '-') running = (2 * running + kMod37Characters.find(c)) % 37;
  }
  return kMod37Characters[(38 - (2 * running) % 37) % 37];
}

// A code in the right format, with a matching check character, that was never issued: `code`
// with its first serial character changed and the check character recomputed.
inline std::string UnissuedCode(const std::string& code) {
  const size_t serial = code.find('-') + 1;
  for (char replacement : kSerialAlphabet) {
    if (replacement == code[serial]) continue;
    std::string forged = code;
    forged[serial] = replacement;
    forged.back() = CheckCharacter(absl::string_view(forged).substr(0, forged.size() - 1));
    if (kSerialAlphabet.find(forged.back()) != absl::string_view::npos) return forged;
  }
  ADD_FAILURE() << "no unissued variant of " << code;
  return code;
}

// `code` with the character at `position` (after the prefix) mistyped as another one.
inline std::string Mistyped(const std::string& code, size_t position) {
  std::string typo = code;
  typo[position] = typo[position] == 'X' ? 'Y' : 'X';
  return typo;
}

// SHA-256 of `data`, by the system's sha256sum: the test checks the registry's hashes with
// a tool the registry did not write.
inline std::string Sha256(const std::string& data, const DaemonHarness& daemon) {
  static int files = 0;
  const std::string path = daemon.WriteFile(absl::StrCat("hash-input-", ++files), data);
  const ProcessResult summed = RunProcess({"/usr/bin/sha256sum", path});
  EXPECT_EQ(summed.exit_code, 0) << summed;
  return absl::HexStringToBytes(summed.out.substr(0, 64));
}

// RFC 9162 §2.1.3.2: the root an inclusion proof of leaf `index` (hash `leaf`) in a tree of
// `size` leaves leads to; empty when the path does not fit the tree.
template <typename Hashes>
inline std::string RootFromInclusionProof(std::string leaf, uint64_t index, uint64_t size,
                                          const Hashes& path, const DaemonHarness& daemon) {
  if (index >= size) return "";
  uint64_t fn = index;
  uint64_t sn = size - 1;
  std::string r = std::move(leaf);
  for (const std::string& p : path) {
    if (sn == 0) return "";
    if ((fn & 1) != 0 || fn == sn) {
      r = Sha256(absl::StrCat(std::string(1, '\x01'), p, r), daemon);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = Sha256(absl::StrCat(std::string(1, '\x01'), r, p), daemon);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 ? r : "";
}

inline std::string LeafHash(const std::string& data, const DaemonHarness& daemon) {
  return Sha256(absl::StrCat(std::string(1, '\0'), data), daemon);
}

inline ::testing::AssertionResult Succeeded(const ProcessResult& result) {
  if (result.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result;
}

// The association (ADMIN) with the salmon code published; two certifiers, Certificadora
// Austral (accredited for all of CSCS) and Inspecciones del Norte (not accredited yet); two
// firms with one plant each; a token for each organisation.
class CertificationTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SessionTest::SetUp());
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "standard", "push", kCscs)));
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "standard", "publish", "CSCS@1")));
    for (const auto& [kind, id, name] :
         {std::tuple{"certifier", "cert-austral", "Certificadora Austral"},
          std::tuple{"certifier", "cert-norte", "Inspecciones del Norte"},
          std::tuple{"firm", "salmones-sur", "Salmones del Sur"},
          std::tuple{"firm", "fjord-foods", "Fjord Foods"}}) {
      ASSERT_TRUE(Succeeded(
          daemon_.RunCliAs(admin_, "org", "create", "--kind", kind, "--name", name, "--id", id)));
    }
    for (const auto& [firm, id, name, code] :
         {std::tuple{"salmones-sur", "calbuco", "Planta Calbuco", "PL-1001"},
          std::tuple{"fjord-foods", "hornopiren", "Planta Hornopiren", "PL-2002"}}) {
      ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "site", "create", "--firm", firm, "--type",
                                             "plant", "--name", name, "--region", "Los Lagos",
                                             "--registration-code", code, "--id", id)));
    }
    certifier_ = IssueToken("cert-austral", "certifier");
    rival_ = IssueToken("cert-norte", "certifier");
    firm_ = IssueToken("salmones-sur", "firm");
    other_firm_ = IssueToken("fjord-foods", "firm");
    ASSERT_FALSE(HasFailure());
    accreditation_ = Accredit("cert-austral", "CSCS");
    ASSERT_FALSE(accreditation_.empty());
  }

  // ADMIN accredits `certifier` for `scope` ("CSCS", or "CSCS:harvest,processing") from a
  // month ago for a year; returns the accreditation's id.
  std::string Accredit(const std::string& certifier, const std::string& scope) {
    const ProcessResult created =
        daemon_.RunCliAs(admin_, "-o", "json", "accredit", "create", "--certifier", certifier,
                         "--standard", scope, "--from", Day(absl::Now() - absl::Hours(24 * 30)),
                         "--until", Day(absl::Now() + absl::Hours(24 * 365)));
    EXPECT_EQ(created.exit_code, 0) << created;
    if (created.exit_code != 0) return "";
    return ParseJson<v1::Accreditation>(created.out).id();
  }

  // `token` registers a lot of `boxes` boxes harvested two days ago at `site`; its id.
  std::string CreateLot(const std::string& token, const std::string& site, int boxes) {
    const ProcessResult created = daemon_.RunCliAs(
        token, "-o", "json", "lot", "create", "--site", site, "--product-form", "fresh whole",
        "--harvest-date", Day(absl::Now() - absl::Hours(48)), "--boxes", absl::StrCat(boxes));
    EXPECT_EQ(created.exit_code, 0) << created;
    if (created.exit_code != 0) return "";
    return ParseJson<v1::Lot>(created.out).id();
  }

  v1::Lot ShowLot(const std::string& lot) {
    const ProcessResult shown = daemon_.RunCliAs(admin_, "-o", "json", "lot", "show", lot);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<v1::Lot>(shown.out);
  }

  // Writes `file`, dated now (a second ahead, so never before a publication or a reinstatement
  // that just happened), and returns its path.
  std::string WriteInspection(const InspectionFile& file) {
    return daemon_.WriteFile(absl::StrCat("inspection-", ++files_, ".json"),
                             ToJson(file, absl::Now() + absl::Seconds(1)));
  }

  // `sello --token TOKEN [global...] inspect submit FILE [extra...]`.
  ProcessResult Submit(const std::string& token, const InspectionFile& file,
                       const std::vector<std::string>& extra = {},
                       const std::vector<std::string>& global = {}) {
    std::vector<std::string> args = {"--token", token};
    args.insert(args.end(), global.begin(), global.end());
    args.insert(args.end(), {"inspect", "submit", WriteInspection(file)});
    args.insert(args.end(), extra.begin(), extra.end());
    return daemon_.RunCliArgs(args);
  }

  // A submission that must be accepted: the inspection as the registry graded it.
  Inspection Submitted(const std::string& token, const InspectionFile& file,
                       const std::vector<std::string>& extra = {}) {
    const ProcessResult submitted = Submit(token, file, extra, {"-o", "json"});
    EXPECT_EQ(submitted.exit_code, 0) << submitted;
    if (submitted.exit_code != 0) return Inspection();
    return ParseJson<Inspection>(submitted.out);
  }

  // `sello --token TOKEN [global...] inspect correct EARLIER FILE --reason REASON`.
  ProcessResult Correct(const std::string& token, const std::string& earlier,
                        const InspectionFile& file, const std::string& reason,
                        const std::vector<std::string>& global = {}) {
    std::vector<std::string> args = {"--token", token};
    args.insert(args.end(), global.begin(), global.end());
    args.insert(args.end(),
                {"inspect", "correct", earlier, WriteInspection(file), "--reason", reason});
    return daemon_.RunCliArgs(args);
  }

  Inspection Corrected(const std::string& token, const std::string& earlier,
                       const InspectionFile& file, const std::string& reason) {
    const ProcessResult corrected = Correct(token, earlier, file, reason, {"-o", "json"});
    EXPECT_EQ(corrected.exit_code, 0) << corrected;
    if (corrected.exit_code != 0) return Inspection();
    return ParseJson<Inspection>(corrected.out);
  }

  Inspection ShowInspection(const std::string& token, const std::string& id) {
    const ProcessResult shown = daemon_.RunCliAs(token, "-o", "json", "inspect", "show", id);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<Inspection>(shown.out);
  }

  int CountInspections(const std::string& token) {
    const ProcessResult listed = daemon_.RunCliAs(token, "-o", "json", "inspect", "list");
    EXPECT_EQ(listed.exit_code, 0) << listed;
    return ParseJson<v1::ListInspectionsResponse>(listed.out).inspections_size();
  }

  // `sello --token TOKEN seal issue --lot LOT --count N [extra...]`.
  ProcessResult IssueSeals(const std::string& token, const std::string& lot, int count,
                           const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--token", token, "seal",    "issue",
                                     "--lot",   lot,   "--count", absl::StrCat(count)};
    args.insert(args.end(), extra.begin(), extra.end());
    return daemon_.RunCliArgs(args);
  }

  // An issuance that must succeed: the codes printed, one per line.
  std::vector<std::string> Issued(const std::string& token, const std::string& lot, int count,
                                  const std::vector<std::string>& extra = {}) {
    const ProcessResult issued = IssueSeals(token, lot, count, extra);
    EXPECT_EQ(issued.exit_code, 0) << issued;
    return absl::StrSplit(issued.out, '\n', absl::SkipWhitespace());
  }

  // A buyer, with no token (or as `token`): `sello -o json seal verify [flags...] CODES...`.
  ProcessResult Verify(const std::vector<std::string>& codes,
                       const std::vector<std::string>& flags = {}, const std::string& token = "") {
    std::vector<std::string> args = {"-o", "json", "seal", "verify"};
    if (!token.empty()) args.insert(args.begin(), {"--token", token});
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), codes.begin(), codes.end());
    return daemon_.RunCliArgs(args);
  }

  // The seal `code` names, as a buyer sees it (or the holder of `token`; empty, with a
  // test failure, when not found).
  Seal SealOf(const std::string& code, const std::string& token = "") {
    const ProcessResult verified = Verify({code}, {}, token);
    const v1::VerifySealResponse response = ParseJson<v1::VerifySealResponse>(verified.out);
    if (response.verdicts_size() != 1 || !response.verdicts(0).has_seal()) {
      ADD_FAILURE() << "no seal " << code << ": " << verified;
      return Seal();
    }
    return response.verdicts(0).seal();
  }

  std::vector<Seal::Status> Statuses(const std::vector<std::string>& codes) {
    const ProcessResult verified = Verify(codes);
    std::vector<Seal::Status> statuses;
    const v1::VerifySealResponse response = ParseJson<v1::VerifySealResponse>(verified.out);
    for (const SealVerdict& verdict : response.verdicts()) {
      statuses.push_back(verdict.seal().status());
    }
    return statuses;
  }

  // The log's events from `from` on, as ADMIN's `sello watch` prints them, until `count`.
  std::vector<v1::Event> Events(uint64_t from, int count, const std::string& kind = "") {
    std::vector<std::string> args = {"--token",
                                     admin_,
                                     "-o",
                                     "json",
                                     "watch",
                                     "--from",
                                     absl::StrCat(from),
                                     "--count",
                                     absl::StrCat(count),
                                     "--no-retry"};
    if (!kind.empty()) args.insert(args.end(), {"--kind", kind});
    const ProcessResult watched = daemon_.RunCliArgs(args);
    EXPECT_EQ(watched.exit_code, 0) << watched;
    std::vector<v1::Event> events;
    for (absl::string_view line : absl::StrSplit(watched.out, '\n', absl::SkipWhitespace())) {
      events.push_back(ParseJson<v1::Event>(std::string(line)));
    }
    return events;
  }

  std::string certifier_;      // cert-austral
  std::string rival_;          // cert-norte
  std::string firm_;           // salmones-sur
  std::string other_firm_;     // fjord-foods
  std::string accreditation_;  // cert-austral's, for all of CSCS
  int files_ = 0;
};

}  // namespace sello::e2e

#endif  // SELLO_TESTS_E2E_CERTIFICATION_FIXTURE_H_
