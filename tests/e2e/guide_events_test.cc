// End-to-end (guide_events_test.cc): deploy/README.md, the operator's guide, names only log events
// that sellod logs. An operator greps the journal for what the guide says (`store_read_only`,
// `checkpoint_signing_refused`); a name that drifted from the code (the guide once said
// "statistics aggregates built" for `statistics_built`) finds nothing, silently.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::IsEmpty;

const std::string kRoot = TESTDATA_DIR "/../..";
const std::string kGuide = kRoot + "/deploy/README.md";

// The arguments of the call whose opening parenthesis is at `open` in `text`, each as
// written (string literals and nested parentheses kept whole).
std::vector<std::string> CallArguments(const std::string& text, size_t open) {
  std::vector<std::string> arguments(1);
  int depth = 0;
  for (size_t i = open + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      const size_t end = text.find('"', i + 1);
      if (end == std::string::npos) break;
      arguments.back().append(text, i, end - i + 1);
      i = end;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && depth-- == 0) break;
    if (c == ',' && depth == 0) {
      arguments.emplace_back();
      continue;
    }
    arguments.back().push_back(c);
  }
  return arguments;
}

// Every event name sellod's source logs: the string literals of the event argument of
// LogInfo, LogWarning, LogError, Fail and Shout (the first; a ternary gives two) and LogJson
// (the second), in daemon/ and storage/, and sello-witness's (witness/), which the guide
// documents beside them.
std::set<std::string> LoggedEvents() {
  std::set<std::string> events;
  const std::regex call(R"(\b(LogInfo|LogWarning|LogError|Fail|Shout|LogJson)\()");
  const std::regex literal(R"re("([a-z0-9_.]+)")re");
  for (const char* dir : {"/daemon", "/storage", "/witness"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kRoot + dir)) {
      const std::string path = entry.path().string();
      if (!absl::EndsWith(path, ".cc") && !absl::EndsWith(path, ".h")) continue;
      const std::string source = ReadWholeFile(path);
      for (auto it = std::sregex_iterator(source.begin(), source.end(), call);
           it != std::sregex_iterator(); ++it) {
        const std::vector<std::string> arguments =
            CallArguments(source, static_cast<size_t>(it->position() + it->length() - 1));
        const size_t index = (*it)[1] == "LogJson" ? 1 : 0;
        if (arguments.size() <= index) continue;
        const std::string& argument = arguments[index];
        for (auto name = std::sregex_iterator(argument.begin(), argument.end(), literal);
             name != std::sregex_iterator(); ++name) {
          events.insert((*name)[1]);
        }
      }
    }
  }
  return events;
}

// Every string literal of sello-witness's source (witness/).
std::set<std::string> WitnessStringLiterals() {
  std::set<std::string> values;
  const std::regex literal(R"re("([a-z0-9_]+)")re");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kRoot + "/witness")) {
    const std::string source = ReadWholeFile(entry.path().string());
    for (auto it = std::sregex_iterator(source.begin(), source.end(), literal);
         it != std::sregex_iterator(); ++it) {
      values.insert((*it)[1]);
    }
  }
  return values;
}

// The log events the guide names: the first column of its table of log events (the table
// whose header starts "| event"), and every other `snake_case_name` in backquotes that is
// not a metric (sello_…).
std::set<std::string> GuideEvents() {
  std::set<std::string> events;
  bool in_table = false;
  const std::regex cell(R"(^\|\s*`([^`]+)`\s*\|)");
  const std::regex mention(R"(`([a-z][a-z0-9]*(_[a-z0-9]+)+)`)");
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(kGuide), '\n')) {
    const std::string text(line);
    if (absl::StartsWith(text, "| event ")) {
      in_table = true;
      continue;
    }
    if (!absl::StartsWith(text, "|")) in_table = false;
    std::smatch found;
    if (in_table && std::regex_search(text, found, cell)) events.insert(found[1]);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), mention);
         it != std::sregex_iterator(); ++it) {
      if (!absl::StartsWith((*it)[1].str(), "sello_")) events.insert((*it)[1]);
    }
  }
  return events;
}

TEST(OperatorGuideTest, EveryLogEventTheGuideNamesIsOneSellodLogs) {
  const std::set<std::string> logged = LoggedEvents();
  // The extraction itself: events every start and stop logs.
  for (const char* known : {"listening", "store_opened", "commits", "call", "statistics_built"}) {
    ASSERT_TRUE(logged.contains(known)) << known << " not found in sellod's source";
  }
  const std::set<std::string> named = GuideEvents();
  ASSERT_GE(named.size(), 8u) << "the guide's table of log events is missing or unreadable";
  // The witness's evidence kinds and metric labels are backquoted in its section too:
  // they are values sello-witness writes, not events.
  const std::set<std::string> witness_values = WitnessStringLiterals();
  std::vector<std::string> unknown;
  for (const std::string& event : named) {
    if (!logged.contains(event) && !witness_values.contains(event)) unknown.push_back(event);
  }
  EXPECT_THAT(unknown, IsEmpty()) << kGuide << " names log events that sellod never logs";
}

// The events the guide's table names appear in a real daemon's log under those names: a
// start, a call and a stop.
TEST(OperatorGuideTest, TheEventsOfAStartAndAStopAreLoggedAsTheGuideSays) {
  DaemonHarness daemon;
  ASSERT_TRUE(daemon.Start());
  ASSERT_EQ(daemon.RunCliAs(daemon.admin_token(), "org", "list").exit_code, 0);
  ASSERT_EQ(daemon.Stop(), 0);
  const std::set<std::string> named = GuideEvents();
  for (const char* event : {"listening", "store_opened", "call", "commits", "stopped"}) {
    EXPECT_TRUE(named.contains(event)) << "the guide does not name " << event;
    EXPECT_TRUE(absl::StrContains(daemon.log(), std::string("\"event\":\"") + event + "\""))
        << event << "\n"
        << daemon.log();
  }
}

}  // namespace
}  // namespace sello::e2e
