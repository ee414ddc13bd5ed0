#include "witness/witness_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/files.h"
#include "daemon/domain/crypto.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/signed_note.h"
#include "google/protobuf/util/json_util.h"

namespace sello::witness {
namespace {

std::string OriginHash(const std::string& origin) {
  return domain::HexEncode(domain::Sha256(origin));
}

// Creates `dir` if missing and makes the entry durable (the parent synced).
absl::Status MakeDurableDirectory(const std::filesystem::path& dir) {
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) return absl::OkStatus();
  if (!std::filesystem::create_directories(dir, error) && error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", dir.string(), ": ", error.message()));
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, error);
  const std::string parent = dir.parent_path().empty() ? "." : dir.parent_path().string();
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot sync ", parent));
  }
  ::close(fd);
  return absl::OkStatus();
}

// The regular files directly in `dir` with `suffix`, sorted by name.
absl::StatusOr<std::vector<std::filesystem::path>> FilesIn(const std::filesystem::path& dir,
                                                           absl::string_view suffix) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && absl::EndsWith(entry.path().filename().string(), suffix)) {
      files.push_back(entry.path());
    }
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot list ", dir.string(), ": ", error.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WitnessStore>> WitnessStore::Open(const std::string& dir) {
  std::unique_ptr<WitnessStore> store(new WitnessStore(dir));
  for (const char* sub : {"logs", "evidence"}) {
    if (absl::Status status = MakeDurableDirectory(std::filesystem::path(dir) / sub);
        !status.ok()) {
      return status;
    }
  }
  absl::StatusOr<std::vector<std::filesystem::path>> notes =
      FilesIn(std::filesystem::path(dir) / "logs", ".note");
  if (!notes.ok()) return notes.status();
  absl::MutexLock lock(&store->mutex_);
  for (const std::filesystem::path& path : *notes) {
    absl::StatusOr<std::optional<std::string>> content = storage::ReadFileIfExists(path);
    if (!content.ok()) return content.status();
    if (!content->has_value()) continue;
    absl::StatusOr<domain::SignedNote> note = domain::ParseSignedNote(**content);
    absl::StatusOr<domain::CheckpointText> checkpoint =
        note.ok() ? domain::ParseCheckpointText(note->text) : note.status();
    if (!checkpoint.ok()) {
      return absl::DataLossError(absl::StrCat(path.string(), ": not a checkpoint note (",
                                              checkpoint.status().message(), ")"));
    }
    if (path.filename().string() != OriginHash(checkpoint->origin) + ".note") {
      return absl::DataLossError(absl::StrCat(path.string(), ": holds a checkpoint of ",
                                              checkpoint->origin, ", not of its file name"));
    }
    store->notes_[checkpoint->origin] = **std::move(content);
  }
  absl::StatusOr<std::vector<std::filesystem::path>> evidence =
      FilesIn(std::filesystem::path(dir) / "evidence", ".json");
  if (!evidence.ok()) return evidence.status();
  for (const std::filesystem::path& path : *evidence) {
    absl::StatusOr<std::optional<std::string>> content = storage::ReadFileIfExists(path);
    if (!content.ok()) return content.status();
    if (!content->has_value()) continue;
    tools::WitnessEvidence record;
    if (!google::protobuf::util::JsonStringToMessage(**content, &record).ok()) {
      return absl::DataLossError(absl::StrCat(path.string(), ": not an evidence record"));
    }
    store->evidence_.push_back(std::move(record));
  }
  return store;
}

std::string WitnessStore::LogPath(const std::string& origin) const {
  return absl::StrCat(dir_, "/logs/", OriginHash(origin), ".note");
}

std::optional<std::string> WitnessStore::CosignedNote(const std::string& origin) const {
  absl::MutexLock lock(&mutex_);
  const auto it = notes_.find(origin);
  if (it == notes_.end()) return std::nullopt;
  return it->second;
}

absl::Status WitnessStore::SaveCosignedNote(const std::string& origin, const std::string& note) {
  // The file is written outside the lock: saves of one origin are serialised by the
  // caller, and other origins' files are other files.
  if (absl::Status status = storage::WriteFileAtomically(LogPath(origin), note, 0600);
      !status.ok()) {
    return status;
  }
  absl::MutexLock lock(&mutex_);
  notes_[origin] = note;
  return absl::OkStatus();
}

absl::StatusOr<bool> WitnessStore::AddEvidence(const tools::WitnessEvidence& evidence) {
  absl::MutexLock lock(&mutex_);
  int count = 0;
  for (const tools::WitnessEvidence& kept : evidence_) {
    if (kept.origin() != evidence.origin()) continue;
    if (kept.conflicting_note() == evidence.conflicting_note() &&
        kept.cosigned_note() == evidence.cosigned_note()) {
      return false;
    }
    ++count;
  }
  if (count >= kMaxEvidencePerLog) {
    return absl::ResourceExhaustedError(absl::StrCat("already ", count, " evidence records of ",
                                                     evidence.origin(), ": not keeping more"));
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(evidence, &json, options).ok()) {
    return absl::InternalError("cannot write the evidence as JSON");
  }
  const std::string path =
      absl::StrFormat("%s/evidence/%s-%06d.json", dir_, OriginHash(evidence.origin()), count + 1);
  if (absl::Status status = storage::WriteFileAtomically(path, json, 0644); !status.ok()) {
    return status;
  }
  evidence_.push_back(evidence);
  return true;
}

std::vector<tools::WitnessEvidence> WitnessStore::Evidence() const {
  absl::MutexLock lock(&mutex_);
  return evidence_;
}

int WitnessStore::EvidenceCount(const std::string& origin) const {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(
      std::count_if(evidence_.begin(), evidence_.end(),
                    [&](const tools::WitnessEvidence& kept) { return kept.origin() == origin; }));
}

}  // namespace sello::witness
