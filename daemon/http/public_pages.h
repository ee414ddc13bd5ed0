// The public web pages of sellod's HTTP front: the registry's home, the seal page (at
// /seal/CODE and at its GS1 Digital Link form /01/GTIN/10/LOT/21/CODE, or as JSON), the
// resolver description, and the static files (the style sheet and the script that checks
// a seal's proof in the visitor's browser). Server-rendered from mustache templates that
// escape every value (daemon/web/templates/), in Spanish or English, readable without
// JavaScript, under a Content-Security-Policy that allows no inline script or style.
//
// No business logic: every page's data comes from the gRPC services called in process
// (in_process_caller.h), anonymously, so that a page shows exactly what the public API
// answers — the access table, limits, metrics and access log apply unchanged.
#ifndef SELLO_DAEMON_HTTP_PUBLIC_PAGES_H_
#define SELLO_DAEMON_HTTP_PUBLIC_PAGES_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/http/http_exchange.h"
#include "daemon/http/in_process_caller.h"
#include "daemon/http/router.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::http {

// The policy of every page: scripts, styles and images from sellod itself only, no
// inline script or style attribute, no framing, forms only to this origin.
inline constexpr absl::string_view kPageCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

class PublicPages : public HttpHandler {
 public:
  struct Options {
    // How long shared caches and browsers may keep a page (as the API's public GETs).
    absl::Duration cache_max_age = absl::Seconds(10);
    // sellod --witness-policy as verifiers need it (WitnessPolicy::FormatForVerifiers),
    // embedded beside the log key so that the visitor's browser checks the checkpoint's
    // cosignatures too; "" when the registry has no witnesses.
    std::string witness_policy;
  };
  // `caller` must outlive the pages.
  PublicPages(Options options, InProcessCaller* caller);

  // Routes the pages' paths to this handler.
  void Register(Router& router);

  void Handle(const HttpRequest& request, Respond respond) override;

  // What a page knows of its request (public_pages.cc).
  struct Page;
  // How a page words a seal's verdict (public_pages.cc).
  struct VerdictView;
  // What /sites searches for, and the sites found so far (public_pages.cc).
  struct SiteSearch;

 private:
  void ServeSeal(Page page, std::string code, std::string link_lot, Respond respond);
  // The seal page of `verdict` (with its site's inspection date and the log's key).
  void RenderSealPage(std::shared_ptr<const Page> page,
                      std::shared_ptr<const v1::SealVerdict> verdict, VerdictView view,
                      std::string link_lot, Respond respond);
  void ServeDigitalLink(Page page, absl::string_view raw_path, Respond respond);
  void ServeHome(Page page, Respond respond);
  void ServeLog(Page page, Respond respond);
  // The register, filtered by the query (standard, grade, region, firm; page).
  void ServeSites(Page page, const RequestTarget& target, Respond respond);
  void SearchSites(std::shared_ptr<const Page> page, std::shared_ptr<SiteSearch> search,
                   Respond respond);
  void RenderSites(std::shared_ptr<const Page> page, std::shared_ptr<const SiteSearch> search,
                   const grpc::Status& status, Respond respond);
  void ServeSite(Page page, std::string site_id, Respond respond);
  void ServeCertifiers(Page page, Respond respond);
  // `ref` is "ID" (the published version) or "ID@N"; `from`, when not 0, the version to
  // show the changes from.
  void ServeStandard(Page page, std::string ref, uint32_t from, Respond respond);
  void RenderStandard(std::shared_ptr<const Page> page, v1::StandardVersion shown, uint32_t from,
                      Respond respond);
  // The log's verifier key, cached for the cache max age (it changes only on rotation).
  void WithVerifierKey(const Page& page, std::function<void(std::string)> then);

  // A site's certification status (for a seal's inspection date), cached for the cache
  // max age: a burst of scans of one shipment asks about one site.
  void WithSiteStatus(const Page& page, const std::string& site_id,
                      std::function<void(const v1::GetCertificationStatusResponse*)> then);

  const Options options_;
  InProcessCaller* const caller_;
  absl::Mutex key_mu_;
  std::string verifier_key_ ABSL_GUARDED_BY(key_mu_);
  absl::Time verifier_key_time_ ABSL_GUARDED_BY(key_mu_) = absl::InfinitePast();
  absl::Mutex site_mu_;
  absl::flat_hash_map<
      std::string, std::pair<absl::Time, std::shared_ptr<const v1::GetCertificationStatusResponse>>>
      site_status_ ABSL_GUARDED_BY(site_mu_);
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_PUBLIC_PAGES_H_
