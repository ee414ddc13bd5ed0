#include "client/witness_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "daemon/tlog/cosignature.h"
#include "google/protobuf/util/json_util.h"

namespace sello::client {
namespace {

std::string Endpoint(const std::string& prefix, absl::string_view path) {
  return absl::StrCat(absl::StripSuffix(prefix, "/"), path);
}

}  // namespace

absl::StatusOr<AddCheckpointAnswer> AddCheckpoint(const HttpClientOptions& options,
                                                  const std::string& witness,
                                                  const domain::AddCheckpointRequest& request) {
  const std::string url = Endpoint(witness, "/add-checkpoint");
  absl::StatusOr<HttpResponse> response = HttpRequestOnce(
      options, "POST", url, domain::FormatAddCheckpointRequest(request), "text/plain");
  if (!response.ok()) return response.status();
  AddCheckpointAnswer answer;
  answer.status = response->status;
  if (response->status == 200) {
    if (absl::StatusOr<std::vector<domain::NoteSignature>> lines =
            domain::ParseSignatureLines(response->body);
        !lines.ok()) {
      return absl::DataLossError(
          absl::StrCat(url, ": 200 without valid signature lines: ", lines.status().message()));
    }
    answer.cosignatures = std::move(response->body);
    return answer;
  }
  if (response->status == 409 &&
      absl::StartsWith(response->content_type, domain::kTreeSizeContentType)) {
    absl::StatusOr<uint64_t> size = domain::ParseTreeSize(response->body);
    if (!size.ok()) {
      return absl::DataLossError(absl::StrCat(url, ": 409 ", size.status().message()));
    }
    answer.witness_size = *size;
    return answer;
  }
  answer.message = std::string(absl::StripTrailingAsciiWhitespace(response->body));
  return answer;
}

absl::StatusOr<tools::WitnessEvidenceList> FetchWitnessEvidence(const HttpClientOptions& options,
                                                                const std::string& witness) {
  const std::string url = Endpoint(witness, "/evidence");
  absl::StatusOr<HttpResponse> response = HttpRequestOnce(options, "GET", url);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat(url, ": HTTP ", response->status, " ",
                                               absl::StripTrailingAsciiWhitespace(response->body)));
  }
  tools::WitnessEvidenceList list;
  if (!google::protobuf::util::JsonStringToMessage(response->body, &list).ok()) {
    return absl::DataLossError(absl::StrCat(url, ": the answer is not an evidence list"));
  }
  return list;
}

}  // namespace sello::client
