// sello_tamper: a test-only tool that edits the RocksDB data of a STOPPED sellod the way
// an operator with shell access (or a stale backup) could, bypassing the ledger, so that
// the end-to-end tests can show `sello audit verify` catches it.
//
//   sello_tamper rewrite-org DB_PATH ORG_ID NEW_NAME
//       changes the stored organisation's name; no event is logged.
//   sello_tamper truncate DB_PATH N
//       keeps events 1..N and drops the rest: their events, their events_by_subject
//       entries, every tree node covering a leaf >= N, and the checkpoint the store
//       keeps in the meta table (as if restored from a backup taken at N events).
//   sello_tamper forget-state-file DB_PATH
//       drops the store's note of the checkpoint state file it signs to, as a data dir
//       from a sellod that kept none by default would be.
//
// Prints what it did on stdout; exit 0 on success, 1 on failure, 2 on bad usage.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "sello/v1/organisation.pb.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/rocks_store.h"
#include "storage/store.h"

namespace sello::tamper {
namespace {

using storage::Table;

// Where the transparency log keeps its last signed checkpoint in Table::kMeta.
constexpr absl::string_view kCheckpointMetaKey = "checkpoint";

absl::Status RewriteOrganisation(storage::Store& store, const std::string& id,
                                 const std::string& name) {
  absl::StatusOr<v1::Organisation> organisation =
      storage::RequireRecord<v1::Organisation>(store, Table::kOrganisations, id, "organisation");
  if (!organisation.ok()) return organisation.status();
  const std::string old_name = organisation->name();
  organisation->set_name(name);
  storage::WriteSet writes;
  writes.Put(Table::kOrganisations, id, storage::SerializeRecord(*organisation));
  if (absl::Status status = store.Write(writes); !status.ok()) return status;
  std::cout << "organisation " << id << ": name '" << old_name << "' -> '" << name << "'\n";
  return absl::OkStatus();
}

absl::Status Truncate(storage::Store& store, uint64_t keep) {
  storage::WriteSet writes;
  absl::Status inner;
  uint64_t events = 0, subjects = 0, nodes = 0;

  absl::Status scan = store.Scan(Table::kEvents, "", storage::EncodeU64(keep),
                                 [&](absl::string_view key, absl::string_view) {
                                   writes.Delete(Table::kEvents, std::string(key));
                                   ++events;
                                   return true;
                                 });
  if (!scan.ok()) return scan;

  // subject \0 seq (u64 BE): the seq is the last 8 bytes.
  scan = store.Scan(Table::kEventsBySubject, "", "", [&](absl::string_view key, absl::string_view) {
    if (key.size() < 9) {
      inner = absl::DataLossError("events_by_subject: short key");
      return false;
    }
    absl::StatusOr<uint64_t> seq = storage::DecodeU64(key.substr(key.size() - 8));
    if (!seq.ok()) {
      inner = seq.status();
      return false;
    }
    if (*seq > keep) {
      writes.Delete(Table::kEventsBySubject, std::string(key));
      ++subjects;
    }
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;

  // level (u8) | index (u64 BE): node (L, i) covers leaves [i << L, (i + 1) << L); it
  // covers a dropped leaf (index >= keep) when (i + 1) << L > keep, i.e. when
  // i + 1 > keep >> L.
  scan = store.Scan(Table::kTreeNodes, "", "", [&](absl::string_view key, absl::string_view) {
    if (key.size() != 9) {
      inner = absl::DataLossError("tree_nodes: key is not 9 bytes");
      return false;
    }
    const unsigned level = static_cast<unsigned char>(key[0]);
    absl::StatusOr<uint64_t> index = storage::DecodeU64(key.substr(1));
    if (!index.ok()) {
      inner = index.status();
      return false;
    }
    if (level >= 64 || *index + 1 > (keep >> level)) {
      writes.Delete(Table::kTreeNodes, std::string(key));
      ++nodes;
    }
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;

  writes.Delete(Table::kMeta, std::string(kCheckpointMetaKey));
  if (absl::Status status = store.Write(writes); !status.ok()) return status;
  std::cout << "kept events 1.." << keep << "; dropped " << events << " events, " << subjects
            << " subject index entries, " << nodes << " tree nodes and the stored checkpoint\n";
  return absl::OkStatus();
}

absl::Status ForgetStateFile(storage::Store& store) {
  storage::WriteSet writes;
  writes.Delete(Table::kMeta, "checkpoint_state_file");
  if (absl::Status status = store.Write(writes); !status.ok()) return status;
  std::cout << "forgot the checkpoint state file\n";
  return absl::OkStatus();
}

int Usage() {
  std::cerr << "usage: sello_tamper rewrite-org DB_PATH ORG_ID NEW_NAME\n"
               "       sello_tamper truncate DB_PATH N\n"
               "       sello_tamper forget-state-file DB_PATH\n";
  return 2;
}

int Run(const std::vector<std::string>& args) {
  if (args.size() < 2) return Usage();
  const std::string& command = args[0];
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::OpenRocksStore({.path = args[1]});
  if (!store.ok()) {
    std::cerr << "sello_tamper: " << args[1] << ": " << store.status() << "\n";
    return 1;
  }
  absl::Status status;
  if (command == "rewrite-org" && args.size() == 4) {
    status = RewriteOrganisation(**store, args[2], args[3]);
  } else if (command == "forget-state-file" && args.size() == 2) {
    status = ForgetStateFile(**store);
  } else if (command == "truncate" && args.size() == 3) {
    uint64_t keep = 0;
    if (!absl::SimpleAtoi(args[2], &keep)) return Usage();
    status = Truncate(**store, keep);
  } else {
    return Usage();
  }
  if (!status.ok()) {
    std::cerr << "sello_tamper: " << command << ": " << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sello::tamper

int main(int argc, char** argv) {
  return sello::tamper::Run(std::vector<std::string>(argv + 1, argv + argc));
}
