// A transparency log trust policy in the C2SP tlog-policy format: which logs are
// accepted, which witnesses are known, and the quorum of their cosignatures a checkpoint
// needs before a client trusts it. Parsing, and the quorum evaluator that says which
// witnesses cosigned and which are missing. Pure.
//
//   log <vkey> [<url>]
//   witness <name> <vkey> [<url>]            vkey of type 0x04 (tlog-cosignature)
//   group <name> all|any|<k> <name>...        k of the members (witnesses or groups)
//   quorum <name>|none                        exactly once
//
// Lines end in newline; fields are separated by spaces and tabs; blank lines and lines
// whose first non-blank character is '#' are ignored. A group or the quorum names only
// what earlier lines defined; names are opaque bytes, shared by witnesses and groups;
// `none` is predefined (valid only as the quorum). Two logs or two witnesses with the
// same public key are an error, as is a name listed twice in one group.
#ifndef SELLO_DAEMON_DOMAIN_WITNESS_POLICY_H_
#define SELLO_DAEMON_DOMAIN_WITNESS_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/cosignature.h"

namespace sello::domain {

// Limits on what a policy may define (tlog-policy recommends supporting at least 32 of
// each), so that hostile input cannot make evaluation costly.
inline constexpr int kMaxPolicyLogs = 64;
inline constexpr int kMaxPolicyWitnesses = 256;
inline constexpr int kMaxPolicyGroups = 256;
inline constexpr size_t kMaxPolicyBytes = 256 * 1024;

// A witness's valid cosignature of one checkpoint.
struct WitnessCosignature {
  std::string witness;  // its name in the policy
  absl::Time time;      // the cosignature's timestamp
};

// What a checkpoint's cosignatures add up to under a policy.
struct QuorumResult {
  bool met = false;
  std::vector<WitnessCosignature> cosigned;  // in the policy's order
  std::vector<std::string> missing;          // the policy's other witnesses, in order
  // One line for people: "quorum met: cosigned by A, B; missing C" or "quorum not met
  // (<the quorum rule>): cosigned by A; missing B, C".
  std::string Describe() const;
};

class WitnessPolicy {
 public:
  struct Log {
    NoteVerifier verifier;
    std::string url;
  };
  struct Witness {
    std::string name;
    CosignatureVerifier verifier;
    std::string url;
  };
  struct Group {
    std::string name;
    int threshold = 0;
    std::vector<std::string> members;
  };

  // Parses a policy file. INVALID_ARGUMENT "line N: ..." naming the problem (or, for a
  // file-wide one, the file: no quorum line, too large).
  static absl::StatusOr<WitnessPolicy> Parse(absl::string_view text);

  const std::vector<Log>& logs() const { return logs_; }
  const std::vector<Witness>& witnesses() const { return witnesses_; }
  const std::vector<Group>& groups() const { return groups_; }
  // The quorum's name ("none" when no cosignature is required).
  const std::string& quorum() const { return quorum_; }
  // The quorum rule in words, e.g. "group X-and-Y: all of X-witnesses, Y-witnesses".
  std::string DescribeQuorum() const;

  // The policy as a verifier needs it, in tlog-policy text: its logs, witnesses and
  // groups (witnesses before groups; no URLs: where sellod submits checkpoints is no
  // verifier's concern) and the quorum, one per line. Parse() of it evaluates every note
  // as this policy does. The seal page embeds it for the check in the visitor's browser
  // (daemon/web/static/proof.js), and a visitor can save it for `sello audit`.
  std::string FormatForVerifiers() const;

  // The log whose key name is `origin`, if the policy lists one.
  const Log* FindLog(absl::string_view origin) const;

  // Evaluates the cosignatures of the signed `note` (a checkpoint; its log signature is
  // not checked here). Signature lines of keys outside the policy are ignored. Errors:
  // INVALID_ARGUMENT for a malformed note, FAILED_PRECONDITION naming the witness when a
  // line matches a policy witness's name and key id but does not verify (signed-note:
  // such a note is to be rejected whole).
  absl::StatusOr<QuorumResult> Evaluate(absl::string_view note) const;

 private:
  // One named node: a witness (index into witnesses_) or a group (into groups_).
  struct Node {
    std::string name;
    bool is_group = false;
    size_t index = 0;             // into witnesses_ or groups_
    std::vector<size_t> members;  // a group's members, as indices into nodes_
  };
  std::optional<size_t> FindNode(absl::string_view name) const;
  std::string DescribeNode(size_t node) const;

  // Parse, one line at a time: each adds what its line defines, or returns
  // INVALID_ARGUMENT saying what is wrong with the line (Parse prefixes "line N: ").
  absl::Status ParseLine(absl::string_view line, bool& have_quorum);
  absl::Status AddLog(const std::vector<absl::string_view>& fields);
  absl::Status AddWitness(const std::vector<absl::string_view>& fields);
  absl::Status AddGroup(const std::vector<absl::string_view>& fields);
  absl::Status SetQuorum(const std::vector<absl::string_view>& fields, bool& have_quorum);
  // The node a group member names: defined on an earlier line, not "none", not twice.
  absl::StatusOr<size_t> GroupMember(absl::string_view group, absl::string_view name,
                                     const std::vector<size_t>& members) const;
  // Names a witness or group (`index` into witnesses_ or groups_): unique, not "none".
  absl::Status Define(absl::string_view name, bool is_group, size_t index);

  std::vector<Log> logs_;
  std::vector<Witness> witnesses_;
  std::vector<Group> groups_;
  std::vector<Node> nodes_;  // in definition order: a group's members come before it
  std::string quorum_;
};

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_WITNESS_POLICY_H_
