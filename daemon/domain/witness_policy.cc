#include "daemon/domain/witness_policy.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sello::domain {
namespace {

constexpr absl::string_view kNone = "none";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The fields of a line: runs of characters other than space and tab.
std::vector<absl::string_view> Fields(absl::string_view line) {
  std::vector<absl::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && IsBlank(line[pos])) ++pos;
    const size_t start = pos;
    while (pos < line.size() && !IsBlank(line[pos])) ++pos;
    if (pos > start) fields.push_back(line.substr(start, pos - start));
  }
  return fields;
}

// "Character set": only tab and newline among the control characters.
std::optional<std::string> ControlCharacterProblem(absl::string_view line) {
  for (char c : line) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
      return absl::StrFormat("control character 0x%02x%s", byte,
                             c == '\r' ? " (a carriage return: save the file with Unix "
                                         "line ends)"
                                       : "");
    }
  }
  return std::nullopt;
}

// A group's threshold of `members` members: all, any, or a number from 1 to `members`.
absl::StatusOr<int> GroupThreshold(absl::string_view group, absl::string_view threshold,
                                   int members) {
  uint64_t k = 0;
  if (threshold == "all") return members;
  if (threshold == "any") return 1;
  if (ParseDecimal(threshold, std::numeric_limits<int>::max(), &k) && k >= 1 &&
      k <= static_cast<uint64_t>(members)) {
    return static_cast<int>(k);
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("group %s: threshold %s is not all, any, or 1..%d", QuoteForMessage(group),
                      QuoteForMessage(threshold), members));
}

}  // namespace

std::string QuorumResult::Describe() const {
  std::vector<std::string> names;
  for (const WitnessCosignature& cosignature : cosigned) names.push_back(cosignature.witness);
  return absl::StrCat(met ? "quorum met" : "quorum NOT met", ": cosigned by ",
                      names.empty() ? "no witness" : absl::StrJoin(names, ", "), "; missing ",
                      missing.empty() ? "none" : absl::StrJoin(missing, ", "));
}

absl::StatusOr<WitnessPolicy> WitnessPolicy::Parse(absl::string_view text) {
  if (text.size() > kMaxPolicyBytes) {
    return absl::InvalidArgumentError(absl::StrFormat("policy: %d bytes, more than the %d allowed",
                                                      text.size(), kMaxPolicyBytes));
  }
  WitnessPolicy policy;
  int number = 0;
  bool have_quorum = false;
  // tlog-policy: every line ends in a newline; a final line without one is taken as
  // complete too (an editor's missing last newline is no reason to refuse a policy).
  absl::string_view rest = text;
  while (!rest.empty()) {
    ++number;
    const size_t end = rest.find('\n');
    const absl::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == absl::string_view::npos ? rest.size() : end + 1);
    if (absl::Status status = policy.ParseLine(line, have_quorum); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("line %d: %s", number, status.message()));
    }
  }
  if (!have_quorum) {
    return absl::InvalidArgumentError(
        "policy: no quorum line (write \"quorum none\" to require no cosignature)");
  }
  return policy;
}

absl::Status WitnessPolicy::ParseLine(absl::string_view line, bool& have_quorum) {
  if (std::optional<std::string> problem = ControlCharacterProblem(line)) {
    return absl::InvalidArgumentError(*problem);
  }
  const std::vector<absl::string_view> fields = Fields(line);
  if (fields.empty() || fields[0][0] == '#') return absl::OkStatus();
  const absl::string_view keyword = fields[0];
  if (keyword == "log") return AddLog(fields);
  if (keyword == "witness") return AddWitness(fields);
  if (keyword == "group") return AddGroup(fields);
  if (keyword == "quorum") return SetQuorum(fields, have_quorum);
  return absl::InvalidArgumentError(absl::StrCat("unknown keyword ", QuoteForMessage(keyword),
                                                 " (want log, witness, group or quorum)"));
}

absl::Status WitnessPolicy::Define(absl::string_view name, bool is_group, size_t index) {
  if (name == kNone) return absl::InvalidArgumentError("the name \"none\" is predefined");
  if (FindNode(name).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the name ", QuoteForMessage(name), " is already defined"));
  }
  nodes_.push_back(Node{std::string(name), is_group, index, {}});
  return absl::OkStatus();
}

// log <vkey> [<url>]
absl::Status WitnessPolicy::AddLog(const std::vector<absl::string_view>& fields) {
  if (fields.size() < 2 || fields.size() > 3) {
    return absl::InvalidArgumentError("want: log <vkey> [<url>]");
  }
  if (logs_.size() >= static_cast<size_t>(kMaxPolicyLogs)) {
    return absl::InvalidArgumentError(absl::StrFormat("more than %d logs", kMaxPolicyLogs));
  }
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(fields[1]);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("log ", verifier.status().message()));
  }
  for (const Log& log : logs_) {
    if (log.verifier.raw_public_key() == verifier->raw_public_key()) {
      return absl::InvalidArgumentError(
          absl::StrCat("log key ", verifier->VerifierKey(), " listed twice"));
    }
  }
  logs_.push_back(Log{*std::move(verifier), fields.size() > 2 ? std::string(fields[2]) : ""});
  return absl::OkStatus();
}

// witness <name> <vkey> [<url>]
absl::Status WitnessPolicy::AddWitness(const std::vector<absl::string_view>& fields) {
  if (fields.size() < 3 || fields.size() > 4) {
    return absl::InvalidArgumentError("want: witness <name> <vkey> [<url>]");
  }
  if (witnesses_.size() >= static_cast<size_t>(kMaxPolicyWitnesses)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("more than %d witnesses", kMaxPolicyWitnesses));
  }
  absl::StatusOr<CosignatureVerifier> verifier = CosignatureVerifier::FromVerifierKey(fields[2]);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness ", QuoteForMessage(fields[1]), ": ", verifier.status().message()));
  }
  for (const Witness& witness : witnesses_) {
    if (witness.verifier.raw_public_key() == verifier->raw_public_key()) {
      return absl::InvalidArgumentError(absl::StrCat("witness ", QuoteForMessage(fields[1]),
                                                     " has the same public key as witness ",
                                                     QuoteForMessage(witness.name)));
    }
  }
  if (absl::Status status = Define(fields[1], false, witnesses_.size()); !status.ok()) {
    return status;
  }
  witnesses_.push_back(Witness{std::string(fields[1]), *std::move(verifier),
                               fields.size() > 3 ? std::string(fields[3]) : ""});
  return absl::OkStatus();
}

// group <name> all|any|<k> <name>...
absl::Status WitnessPolicy::AddGroup(const std::vector<absl::string_view>& fields) {
  if (fields.size() < 4) {
    return absl::InvalidArgumentError("want: group <name> all|any|<k> <name>...");
  }
  if (groups_.size() >= static_cast<size_t>(kMaxPolicyGroups)) {
    return absl::InvalidArgumentError(absl::StrFormat("more than %d groups", kMaxPolicyGroups));
  }
  Group group;
  group.name = std::string(fields[1]);
  std::vector<size_t> members;
  for (size_t i = 3; i < fields.size(); ++i) {
    absl::StatusOr<size_t> member = GroupMember(fields[1], fields[i], members);
    if (!member.ok()) return member.status();
    members.push_back(*member);
    group.members.emplace_back(fields[i]);
  }
  absl::StatusOr<int> threshold =
      GroupThreshold(fields[1], fields[2], static_cast<int>(members.size()));
  if (!threshold.ok()) return threshold.status();
  group.threshold = *threshold;
  if (absl::Status status = Define(fields[1], true, groups_.size()); !status.ok()) {
    return status;
  }
  nodes_.back().members = std::move(members);
  groups_.push_back(std::move(group));
  return absl::OkStatus();
}

absl::StatusOr<size_t> WitnessPolicy::GroupMember(absl::string_view group, absl::string_view name,
                                                  const std::vector<size_t>& members) const {
  if (name == kNone) return absl::InvalidArgumentError("\"none\" cannot be a group member");
  const std::optional<size_t> member = FindNode(name);
  if (!member.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("group ", QuoteForMessage(group), ": member ", QuoteForMessage(name),
                     " is not a witness or group defined on an earlier line"));
  }
  for (size_t seen : members) {
    if (seen == *member) {
      return absl::InvalidArgumentError(absl::StrCat("group ", QuoteForMessage(group), ": member ",
                                                     QuoteForMessage(name), " listed twice"));
    }
  }
  return *member;
}

// quorum <name>
absl::Status WitnessPolicy::SetQuorum(const std::vector<absl::string_view>& fields,
                                      bool& have_quorum) {
  if (fields.size() != 2) return absl::InvalidArgumentError("want: quorum <name>");
  if (have_quorum) {
    return absl::InvalidArgumentError("a second quorum line (a policy has exactly one)");
  }
  if (fields[1] != kNone && !FindNode(fields[1]).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("quorum ", QuoteForMessage(fields[1]),
                     " is not a witness or group defined on an earlier line"));
  }
  quorum_ = std::string(fields[1]);
  have_quorum = true;
  return absl::OkStatus();
}

std::optional<size_t> WitnessPolicy::FindNode(absl::string_view name) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string WitnessPolicy::DescribeNode(size_t node) const {
  const Node& n = nodes_[node];
  if (!n.is_group) return absl::StrCat("witness ", n.name);
  const Group& group = groups_[n.index];
  return absl::StrFormat("group %s: %d of %s", n.name, group.threshold,
                         absl::StrJoin(group.members, ", "));
}

std::string WitnessPolicy::DescribeQuorum() const {
  if (quorum_ == kNone) return "none (no cosignature required)";
  return DescribeNode(*FindNode(quorum_));
}

std::string WitnessPolicy::FormatForVerifiers() const {
  std::string text;
  for (const Log& log : logs_) absl::StrAppend(&text, "log ", log.verifier.VerifierKey(), "\n");
  for (const Witness& witness : witnesses_) {
    absl::StrAppend(&text, "witness ", witness.name, " ", witness.verifier.VerifierKey(), "\n");
  }
  // A group names only witnesses and earlier groups, so this order parses.
  for (const Group& group : groups_) {
    absl::StrAppend(&text, "group ", group.name, " ", group.threshold, " ",
                    absl::StrJoin(group.members, " "), "\n");
  }
  absl::StrAppend(&text, "quorum ", quorum_, "\n");
  return text;
}

const WitnessPolicy::Log* WitnessPolicy::FindLog(absl::string_view origin) const {
  for (const Log& log : logs_) {
    if (log.verifier.name() == origin) return &log;
  }
  return nullptr;
}

absl::StatusOr<QuorumResult> WitnessPolicy::Evaluate(absl::string_view note) const {
  absl::StatusOr<SignedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::optional<absl::Time>> signed_at(witnesses_.size());
  for (const NoteSignature& signature : parsed->signatures) {
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      if (!witnesses_[i].verifier.Matches(signature)) continue;
      absl::StatusOr<absl::Time> time =
          witnesses_[i].verifier.Verify(parsed->text, signature.signature);
      if (!time.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat("witness ", witnesses_[i].name, ": ", time.status().message()));
      }
      // Of two lines by one key, the later cosignature speaks for the witness.
      if (!signed_at[i].has_value() || *time > *signed_at[i]) signed_at[i] = *time;
    }
  }
  QuorumResult result;
  for (size_t i = 0; i < witnesses_.size(); ++i) {
    if (signed_at[i].has_value()) {
      result.cosigned.push_back(WitnessCosignature{witnesses_[i].name, *signed_at[i]});
    } else {
      result.missing.push_back(witnesses_[i].name);
    }
  }
  if (quorum_ == kNone) {
    result.met = true;
    return result;
  }
  // Nodes come after their members, so one pass in definition order settles them all.
  std::vector<bool> witnessed(nodes_.size(), false);
  for (size_t node = 0; node < nodes_.size(); ++node) {
    const Node& n = nodes_[node];
    if (!n.is_group) {
      witnessed[node] = signed_at[n.index].has_value();
      continue;
    }
    int count = 0;
    for (size_t member : n.members) count += witnessed[member] ? 1 : 0;
    witnessed[node] = count >= groups_[n.index].threshold;
  }
  result.met = witnessed[*FindNode(quorum_)];
  return result;
}

}  // namespace sello::domain
