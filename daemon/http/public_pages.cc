#include "daemon/http/public_pages.h"

#include <google/protobuf/util/json_util.h>

#include <array>
#include <kainjow/mustache.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "daemon/domain/digital_link.h"
#include "daemon/domain/standard_diff.h"
#include "daemon/http/page_text.h"
#include "daemon/web/web_assets.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/log.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::http {
namespace {

namespace mustache = kainjow::mustache;

// How long a page may wait on the services.
constexpr absl::Duration kPageDeadline = absl::Seconds(10);

absl::string_view AssetText(absl::string_view name) {
  static const auto* const kByName = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, absl::string_view>;
    for (const web::Asset& asset : web::Assets()) (*map)[asset.name] = asset.content;
    return map;
  }();
  const auto found = kByName->find(name);
  return found == kByName->end() ? absl::string_view() : found->second;
}

// Percent-encodes one path segment or query value (RFC 3986 unreserved kept).
std::string UrlEncode(absl::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string Date(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(time.seconds()), absl::UTCTimeZone());
}

template <typename Response>
void CallService(InProcessCaller* caller, absl::string_view method,
                 const google::protobuf::Message& request, const std::string& client_address,
                 std::function<void(const grpc::Status&, Response)> done) {
  InProcessCaller::Call call;
  call.method = std::string(method);
  (void)request.SerializeToString(&call.request);
  call.client_address = client_address;
  call.deadline = absl::Now() + kPageDeadline;
  caller->Start(
      std::move(call), [done = std::move(done)](const grpc::Status& status, std::string bytes) {
        Response response;
        if (status.ok() && !response.ParseFromString(bytes)) {
          done(grpc::Status(grpc::StatusCode::INTERNAL, "unreadable answer"), std::move(response));
          return;
        }
        done(status, std::move(response));
      });
}

HttpResponse JsonResponse(int status, std::string body, absl::Duration max_age) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("Access-Control-Allow-Origin", "*");
  response.SetHeader("Cache-Control",
                     absl::StrCat("public, max-age=", absl::ToInt64Seconds(max_age)));
  response.SetHeader("Vary", "Accept, Accept-Language");
  return response;
}

}  // namespace

// What every page needs to know of its request.
struct PublicPages::Page {
  Lang lang = Lang::kEn;
  std::string raw_path;
  std::vector<std::pair<std::string, std::string>> query;  // without lang
  std::string client_address;
  bool want_json = false;

  mustache::data Data(absl::string_view title) const {
    // The texts ("t.KEY") are not copied in: RenderTemplate's templates hold them.
    mustache::data data;
    const std::string code(LangCode(lang));
    const Lang other = lang == Lang::kEs ? Lang::kEn : Lang::kEs;
    // "lang" chooses the templates; "lq", "other_lang" and "other_lang_name" are in them
    // already (LanguageConstants).
    data.set("lang", code);
    std::string href = raw_path + "?";
    for (const auto& [name, value] : query) {
      absl::StrAppend(&href, UrlEncode(name), "=", UrlEncode(value), "&");
    }
    absl::StrAppend(&href, "lang=", LangCode(other));
    data.set("switch_href", href);
    data.set("title", std::string(title));
    return data;
  }

  absl::string_view Text(absl::string_view key) const { return PageText(lang, key); }
};

struct PublicPages::VerdictView {
  std::string kind;
  std::string word;
  std::string detail;
  int status = 200;
};

namespace {

using VerdictView = PublicPages::VerdictView;

// What a template says the same way on every page of a language: its texts ("t.KEY") and
// the language's own tags (what Page::Data sets from the language alone).
absl::flat_hash_map<std::string, std::string> LanguageConstants(Lang lang) {
  absl::flat_hash_map<std::string, std::string> constants;
  for (const auto& [key, text] : PageTexts(lang)) {
    constants.emplace(absl::StrCat("t.", key), std::string(text));
  }
  const Lang other = lang == Lang::kEs ? Lang::kEn : Lang::kEs;
  constants.emplace("lang", std::string(LangCode(lang)));
  constants.emplace("lq", absl::StrCat("lang=", LangCode(lang)));
  constants.emplace("other_lang", std::string(LangCode(other)));
  constants.emplace("other_lang_name", other == Lang::kEs ? "Español" : "English");
  return constants;
}

// Template `name` in `lang`: every "{{NAME}}" of a LanguageConstants replaced, once, by its
// value escaped as mustache escapes a value, so that a render looks up only what differs
// from page to page (a tag costs kainjow's mustache a lookup, and a dotted name a split,
// at every render). A value holding "{{" keeps its braces as character references, so
// that it cannot open a tag.
std::string LocalisedTemplate(absl::string_view name, Lang lang) {
  static const auto* const kConstants =
      new std::array<absl::flat_hash_map<std::string, std::string>, 2>{
          LanguageConstants(Lang::kEn), LanguageConstants(Lang::kEs)};
  const auto& constants = (*kConstants)[lang == Lang::kEs ? 1 : 0];
  const absl::string_view source = AssetText(name);
  std::string out;
  out.reserve(source.size() * 2);
  size_t at = 0;
  for (size_t open = source.find("{{"); open != absl::string_view::npos;
       open = source.find("{{", at)) {
    const size_t close = source.find("}}", open);
    if (close == absl::string_view::npos) break;
    const auto constant = constants.find(source.substr(open + 2, close - open - 2));
    if (constant == constants.end()) {  // a tag of the page's own data: left to the render
      absl::StrAppend(&out, source.substr(at, close + 2 - at));
    } else {
      std::string escaped = mustache::html_escape(constant->second);
      if (absl::StrContains(escaped, "{{")) absl::StrReplaceAll({{"{", "&#123;"}}, &escaped);
      absl::StrAppend(&out, source.substr(at, open - at), escaped);
    }
    at = close + 2;
  }
  absl::StrAppend(&out, source.substr(at));
  return out;
}

// Renders template `name` with `data` in the language of its "lang" (parsed once per
// thread and language: rendering a parsed template is not const in kainjow's mustache,
// so threads do not share them), straight into a string (kainjow's own render(data)
// writes every line through an ostringstream).
std::string RenderTemplate(absl::string_view name, const mustache::data& data) {
  const mustache::data* lang = data.get("lang");
  const Lang language =
      lang != nullptr && lang->is_string() && lang->string_value() == "es" ? Lang::kEs : Lang::kEn;
  thread_local absl::flat_hash_map<std::pair<std::string, Lang>,
                                   std::unique_ptr<mustache::mustache>>
      parsed;
  std::unique_ptr<mustache::mustache>& entry = parsed[std::make_pair(std::string(name), language)];
  if (entry == nullptr) {
    entry = std::make_unique<mustache::mustache>(LocalisedTemplate(name, language));
  }
  std::string out;
  out.reserve(8 << 10);
  entry->render(data, [&out](const std::string& piece) { out.append(piece); });
  return out;
}

// The page: `page_template` rendered with `data`, inside the layout. The layout takes the
// rendered body unescaped ({{{content}}}): it is HTML the body template escaped.
HttpResponse HtmlResponse(int status, absl::string_view page_template, mustache::data& data,
                          absl::Duration max_age) {
  data.set("content", RenderTemplate(page_template, data));
  HttpResponse response;
  response.status = status;
  response.body = RenderTemplate("templates/layout.mustache", data);
  response.SetHeader("Content-Type", "text/html; charset=utf-8");
  response.SetHeader("Content-Security-Policy", kPageCsp);
  response.SetHeader("Cache-Control",
                     max_age > absl::ZeroDuration()
                         ? absl::StrCat("public, max-age=", absl::ToInt64Seconds(max_age))
                         : std::string("no-store"));
  response.SetHeader("Vary", "Accept, Accept-Language");
  return response;
}

HttpResponse MessagePage(const PublicPages::Page& page, int status, absl::string_view heading,
                         absl::string_view message) {
  mustache::data data = page.Data(heading);
  data.set("heading", std::string(heading));
  data.set("message", std::string(message));
  return HtmlResponse(status, "templates/message.mustache", data, absl::ZeroDuration());
}

HttpResponse Redirect(std::string location) {
  HttpResponse response;
  response.status = 303;
  response.SetHeader("Location", std::move(location));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// The verdict's class (CSS and tests), its word and its detail.

VerdictView DescribeVerdict(const PublicPages::Page& page, const v1::SealVerdict& verdict) {
  VerdictView view;
  if (verdict.problem() == v1::SealVerdict::MALFORMED) {
    const bool check = absl::StrContains(verdict.problem_detail(), "check character");
    view.kind = check ? "mistyped" : "malformed";
    view.word = std::string(page.Text(check ? "verdict_mistyped" : "verdict_malformed"));
    view.detail = check ? std::string(page.Text("detail_mistyped"))
                        : absl::StrCat(page.Text("detail_malformed"), " ",
                                       absl::StripPrefix(verdict.problem_detail(), "code: "));
    view.status = 400;
    return view;
  }
  if (verdict.problem() == v1::SealVerdict::NOT_FOUND || !verdict.has_seal()) {
    view.kind = "not-found";
    view.word = std::string(page.Text("verdict_not_found"));
    view.detail = std::string(page.Text("detail_not_found"));
    view.status = 404;
    return view;
  }
  const v1::Seal& seal = verdict.seal();
  switch (seal.status()) {
    case v1::Seal::VALID:
      view.kind = "valid";
      view.detail = std::string(page.Text("detail_valid"));
      break;
    case v1::Seal::SUSPENDED:
      view.kind = "suspended";
      view.detail = absl::StrCat(page.Text("detail_suspended"), " ", seal.status_reason());
      break;
    case v1::Seal::REVOKED:
      view.kind = "revoked";
      view.detail = absl::StrCat(page.Text("detail_revoked"), " ", seal.status_reason());
      break;
    case v1::Seal::EXPIRED:
      view.kind = "expired";
      view.detail = absl::StrCat(page.Text("detail_expired"), " ", Date(seal.expire_time()), ".");
      break;
    default:
      view.kind = "not-found";
      view.detail = std::string(page.Text("detail_not_found"));
      view.status = 404;
      break;
  }
  view.word = std::string(
      page.Text(absl::StrCat("verdict_", absl::StrReplaceAll(view.kind, {{"-", "_"}}))));
  return view;
}

}  // namespace

PublicPages::PublicPages(Options options, InProcessCaller* caller)
    : options_(std::move(options)), caller_(caller) {}

void PublicPages::Register(Router& router) {
  router.Handle("/", this);
  router.Handle("/seal", this);
  router.Handle("/.well-known/gs1resolver", this);
  router.Handle("/log", this);
  router.Handle("/sites", this);
  router.HandlePrefix("/site/", this);
  router.Handle("/certifiers", this);
  router.HandlePrefix("/standard/", this);
  router.HandlePrefix("/seal/", this);
  router.HandlePrefix("/01/", this);
  router.HandlePrefix("/static/", this);
}

namespace {

// What the page knows of `request`: its language (the query's `lang`, else
// Accept-Language), its query without `lang`, and whether it asks for JSON (GS1's
// certificationInfo link type, or Accept naming JSON and not HTML).
PublicPages::Page PageOf(const HttpRequest& request) {
  PublicPages::Page page;
  std::string query_lang;
  for (const auto& [name, value] : request.target.query) {
    if (name == "lang") {
      query_lang = value;
    } else {
      page.query.emplace_back(name, value);
    }
  }
  const std::string* accept_language = request.Header("accept-language");
  page.lang = ChooseLang(query_lang, accept_language == nullptr ? "" : *accept_language);
  page.raw_path = request.target.raw_path;
  page.client_address = request.client_address;
  const std::string* accept = request.Header("accept");
  const std::string* link_type = request.target.Query("linkType");
  page.want_json = (link_type != nullptr && *link_type == "gs1:certificationInfo") ||
                   (accept != nullptr && absl::StrContains(*accept, "application/json") &&
                    !absl::StrContains(*accept, "text/html"));
  return page;
}

HttpResponse NotFound(const PublicPages::Page& page) {
  return MessagePage(page, 404, page.Text("not_found_title"), page.Text("not_found_text"));
}

// One path segment (what follows "/site/", "/seal/", ...): not empty, no "/".
bool IsOneSegment(absl::string_view path) { return !path.empty() && !absl::StrContains(path, "/"); }

// `name` under static/ (the script and the stylesheet), or 404.
HttpResponse StaticFile(const PublicPages::Page& page, absl::string_view name) {
  const absl::string_view content = AssetText(absl::StrCat("static/", name));
  if (content.empty() || absl::StrContains(name, "/")) return NotFound(page);
  HttpResponse response;
  response.body = std::string(content);
  response.SetHeader("Content-Type", absl::EndsWith(name, ".js") ? "text/javascript; charset=utf-8"
                                                                 : "text/css; charset=utf-8");
  response.SetHeader("Cache-Control", "public, max-age=3600");
  return response;
}

// GS1 Digital Link resolver description (GS1-Conformant resolver standard §6.2).
HttpResponse ResolverDescription() {
  return JsonResponse(
      200,
      R"({"name":"Sello quality-seal registry","supportedPrimaryKeys":["gtin"],)"
      R"("supportedLinkType":[{"namespace":"http://gs1.org/voc/","prefix":"gs1:",)"
      R"("profile":"https://ref.gs1.org/voc/?show=linktypes"}],)"
      R"("linkTypes":["gs1:certificationInfo"],"qualifiers":["10","21"],)"
      R"("defaultLinkType":"gs1:certificationInfo","linkTypeDefaultCanBeLinkset":false})",
      absl::Hours(1));
}

// The home page's form (`/seal?code=...`): to the code's page, or home when it is blank.
HttpResponse SealFormRedirect(const PublicPages::Page& page, const RequestTarget& target) {
  const std::string* code = target.Query("code");
  const std::string lang = absl::StrCat("?lang=", LangCode(page.lang));
  std::string trimmed(code == nullptr ? "" : absl::StripAsciiWhitespace(*code));
  return Redirect(trimmed.empty() ? absl::StrCat("/", lang)
                                  : absl::StrCat("/seal/", UrlEncode(trimmed), lang));
}

}  // namespace

void PublicPages::Handle(const HttpRequest& request, Respond respond) {
  Page page = PageOf(request);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response =
        MessagePage(page, 405, page.Text("not_found_title"), page.Text("not_found_text"));
    response.SetHeader("Allow", "GET, HEAD");
    respond(std::move(response));
    return;
  }
  absl::string_view path = request.target.path;
  if (absl::ConsumePrefix(&path, "/static/")) {
    respond(StaticFile(page, path));
  } else if (path == "/") {
    ServeHome(std::move(page), std::move(respond));
  } else if (path == "/log") {
    ServeLog(std::move(page), std::move(respond));
  } else if (path == "/sites") {
    ServeSites(std::move(page), request.target, std::move(respond));
  } else if (absl::ConsumePrefix(&path, "/site/")) {
    if (!IsOneSegment(path)) return respond(NotFound(page));
    ServeSite(std::move(page), std::string(path), std::move(respond));
  } else if (path == "/certifiers") {
    ServeCertifiers(std::move(page), std::move(respond));
  } else if (absl::ConsumePrefix(&path, "/standard/")) {
    uint32_t from = 0;
    const std::string* from_text = request.target.Query("from");
    if (!IsOneSegment(path) || (from_text != nullptr && !absl::SimpleAtoi(*from_text, &from))) {
      return respond(NotFound(page));
    }
    ServeStandard(std::move(page), std::string(path), from, std::move(respond));
  } else if (path == "/.well-known/gs1resolver") {
    respond(ResolverDescription());
  } else if (path == "/seal") {
    respond(SealFormRedirect(page, request.target));
  } else if (absl::ConsumePrefix(&path, "/seal/")) {
    if (!IsOneSegment(path)) return respond(NotFound(page));
    ServeSeal(std::move(page), std::string(path), "", std::move(respond));
  } else if (absl::StartsWith(path, "/01/")) {
    ServeDigitalLink(std::move(page), request.target.raw_path, std::move(respond));
  } else {
    respond(NotFound(page));
  }
}

// The GS1 Digital Link form of a seal's page (/01/GTIN[/10/LOT]/21/CODE), or 400 naming
// what is wrong with the link.
void PublicPages::ServeDigitalLink(Page page, absl::string_view raw_path, Respond respond) {
  absl::StatusOr<domain::DigitalLink> link = domain::ParseDigitalLinkPath(raw_path);
  if (link.ok()) {
    ServeSeal(std::move(page), link->serial, link->lot, std::move(respond));
  } else if (page.want_json) {
    respond(JsonResponse(
        400,
        absl::StrCat(R"({"code":"invalid_argument","message":")",
                     absl::StrReplaceAll(link.status().message(), {{"\\", "\\\\"}, {"\"", "\\\""}}),
                     "\"}"),
        absl::ZeroDuration()));
  } else {
    respond(MessagePage(page, 400, page.Text("bad_link_title"), link.status().message()));
  }
}

void PublicPages::ServeHome(Page page, Respond respond) {
  v1::ListStandardsRequest request;
  CallService<v1::ListStandardsResponse>(
      caller_, "/sello.v1.StandardService/ListStandards", request, page.client_address,
      [this, page = std::move(page), respond = std::move(respond)](
          const grpc::Status& status, v1::ListStandardsResponse response) {
        mustache::data data = page.Data(page.Text("home_title"));
        mustache::data standards{mustache::data::type::list};
        if (status.ok()) {
          for (const v1::Standard& standard : response.standards()) {
            mustache::data item;
            item.set("id", standard.id());
            item.set("id_url", UrlEncode(standard.id()));
            item.set("name", standard.title());
            standards.push_back(item);
          }
        }
        data.set("has_standards", status.ok() && response.standards_size() > 0);
        data.set("standards", standards);
        respond(HtmlResponse(200, "templates/home.mustache", data, options_.cache_max_age));
      });
}

void PublicPages::ServeLog(Page page, Respond respond) {
  CallService<v1::GetCheckpointResponse>(
      caller_, "/sello.v1.LogService/GetCheckpoint", v1::GetCheckpointRequest(),
      page.client_address,
      [this, page = std::move(page), respond = std::move(respond)](
          const grpc::Status& status, v1::GetCheckpointResponse answer) {
        if (!status.ok()) {
          respond(MessagePage(page, 503, page.Text("error_title"), status.error_message()));
          return;
        }
        mustache::data data = page.Data(page.Text("log_title"));
        const v1::Checkpoint& checkpoint = answer.checkpoint();
        data.set("size", absl::StrCat(checkpoint.size()));
        const absl::Time time = absl::FromUnixSeconds(checkpoint.time().seconds());
        data.set("time", absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", time, absl::UTCTimeZone()));
        data.set("time_iso", absl::FormatTime(absl::RFC3339_sec, time, absl::UTCTimeZone()));
        data.set("root", absl::BytesToHexString(checkpoint.root_hash()));
        data.set("note", checkpoint.note());
        data.set("verifier_key", answer.verifier_key());
        if (!answer.next_verifier_key().empty()) data.set("next_key", answer.next_verifier_key());
        respond(HtmlResponse(200, "templates/log.mustache", data, options_.cache_max_age));
      });
}

// What /sites searches for, and the sites found so far.
struct PublicPages::SiteSearch {
  v1::ListCertifiedSitesRequest request;
  std::string firm;  // matched against the firm's name and id, without regard to case
  std::string grade;
  std::vector<v1::CertifiedSite> found;
  int calls = 0;
};

namespace {

using SiteSearch = PublicPages::SiteSearch;

// Pages of the register read for one /sites page, and sites shown on it.
constexpr int kSiteSearchCalls = 10;
constexpr size_t kSitesShown = 50;

// The search a /sites query asks for (standard, grade, region, firm; page); an unknown
// grade is ignored.
std::shared_ptr<SiteSearch> SiteSearchOf(const RequestTarget& target) {
  auto search = std::make_shared<SiteSearch>();
  auto query = [&target](absl::string_view name) {
    const std::string* value = target.Query(name);
    return value == nullptr ? std::string() : std::string(absl::StripAsciiWhitespace(*value));
  };
  search->request.set_standard_id(query("standard"));
  search->request.set_region(query("region"));
  search->request.set_page_token(query("page"));
  search->request.set_page_size(100);
  search->firm = absl::AsciiStrToLower(query("firm"));
  search->grade = query("grade");
  v1::Grade grade = v1::GRADE_UNSPECIFIED;
  if (!search->grade.empty() && !v1::Grade_Parse(absl::AsciiStrToUpper(search->grade), &grade)) {
    search->grade.clear();
  }
  search->request.set_min_grade(grade);
  return search;
}

// Whether `site` matches the search's firm (by name or id, without regard to case).
bool MatchesFirm(const SiteSearch& search, const v1::CertifiedSite& site) {
  return search.firm.empty() ||
         absl::StrContains(absl::AsciiStrToLower(site.firm_name()), search.firm) ||
         absl::StrContains(absl::AsciiStrToLower(site.firm_id()), search.firm);
}

// The grade filter's options, `selected` marked.
mustache::data GradeOptions(const PublicPages::Page& page, v1::Grade selected) {
  mustache::data grades{mustache::data::type::list};
  for (const v1::Grade g : {v1::PREMIUM, v1::GRADE_I, v1::INDUSTRIAL}) {
    mustache::data option;
    option.set("value", absl::AsciiStrToLower(v1::Grade_Name(g)));
    option.set("name", std::string(page.Text(absl::StrCat("grade_", v1::Grade_Name(g)))));
    option.set("selected", g == selected);
    grades.push_back(option);
  }
  return grades;
}

// One row of the register: the site, its firm and region, and its certifications.
mustache::data SiteItem(const PublicPages::Page& page, const v1::CertifiedSite& site) {
  mustache::data item;
  item.set("site_name", site.site_name().empty() ? site.site_id() : site.site_name());
  item.set("site_url", UrlEncode(site.site_id()));
  item.set("site_type", site.site_type());
  item.set("firm_name", site.firm_name().empty() ? site.firm_id() : site.firm_name());
  item.set("region", site.region());
  mustache::data certifications{mustache::data::type::list};
  for (const v1::SiteCertification& c : site.certifications()) {
    mustache::data entry;
    entry.set("standard", absl::StrCat(c.standard_id(), " v", c.standard_version()));
    entry.set("standard_url", UrlEncode(absl::StrCat(c.standard_id(), "@", c.standard_version())));
    entry.set("grade", std::string(page.Text(absl::StrCat("grade_", v1::Grade_Name(c.grade())))));
    entry.set("date", Date(c.inspection_date()));
    certifications.push_back(entry);
  }
  item.set("certifications", certifications);
  return item;
}

// The link to the next page of the same search.
std::string NextSitesHref(const PublicPages::Page& page, const SiteSearch& search) {
  std::string next = absl::StrCat("/sites?lang=", LangCode(page.lang));
  for (const auto& [name, value] :
       {std::pair<absl::string_view, std::string>{"standard", search.request.standard_id()},
        {"grade", search.grade},
        {"region", search.request.region()},
        {"firm", search.firm},
        {"page", search.request.page_token()}}) {
    if (!value.empty()) absl::StrAppend(&next, "&", name, "=", UrlEncode(value));
  }
  return next;
}

// The /sites page's data for what `search` found (without the standards of the filter).
mustache::data SitesPageData(const PublicPages::Page& page, const SiteSearch& search) {
  mustache::data data = page.Data(page.Text("sites_title"));
  data.set("region", search.request.region());
  data.set("firm", search.firm);
  data.set("grades", GradeOptions(page, search.request.min_grade()));
  mustache::data sites{mustache::data::type::list};
  for (const v1::CertifiedSite& site : search.found) sites.push_back(SiteItem(page, site));
  data.set("sites", sites);
  data.set("has_sites", !search.found.empty());
  data.set("count_text", absl::StrReplaceAll(page.Text("sites_count"),
                                             {{"{n}", absl::StrCat(search.found.size())}}));
  if (!search.request.page_token().empty()) data.set("next_href", NextSitesHref(page, search));
  return data;
}

}  // namespace

void PublicPages::ServeSites(Page page, const RequestTarget& target, Respond respond) {
  SearchSites(std::make_shared<Page>(std::move(page)), SiteSearchOf(target), std::move(respond));
}

// Reads pages of the register until enough sites match, the register ends or the call
// budget is spent (a page may hold few sites: each call examines a bounded number), then
// renders them.
void PublicPages::SearchSites(std::shared_ptr<const Page> page, std::shared_ptr<SiteSearch> search,
                              Respond respond) {
  ++search->calls;
  CallService<v1::ListCertifiedSitesResponse>(
      caller_, "/sello.v1.InspectionService/ListCertifiedSites", search->request,
      page->client_address,
      [this, page, search, respond = std::move(respond)](
          const grpc::Status& status, v1::ListCertifiedSitesResponse answer) mutable {
        if (!status.ok()) {
          search->request.clear_page_token();
          RenderSites(page, search, status, std::move(respond));
          return;
        }
        for (const v1::CertifiedSite& site : answer.sites()) {
          if (MatchesFirm(*search, site)) search->found.push_back(site);
        }
        search->request.set_page_token(answer.next_page_token());
        if (answer.next_page_token().empty() || search->found.size() >= kSitesShown ||
            search->calls >= kSiteSearchCalls) {
          RenderSites(page, search, grpc::Status::OK, std::move(respond));
          return;
        }
        SearchSites(page, search, std::move(respond));
      });
}

void PublicPages::RenderSites(std::shared_ptr<const Page> page,
                              std::shared_ptr<const SiteSearch> search, const grpc::Status& status,
                              Respond respond) {
  if (!status.ok() && status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    respond(MessagePage(*page, 503, page->Text("error_title"), status.error_message()));
    return;
  }
  mustache::data data = SitesPageData(*page, *search);
  // The standards for the filter: the page is served even when they cannot be read.
  CallService<v1::ListStandardsResponse>(
      caller_, "/sello.v1.StandardService/ListStandards", v1::ListStandardsRequest(),
      page->client_address,
      [this, data, search, respond = std::move(respond)](const grpc::Status& status,
                                                         v1::ListStandardsResponse answer) mutable {
        mustache::data standards{mustache::data::type::list};
        for (int i = 0; status.ok() && i < answer.standards_size(); ++i) {
          mustache::data option;
          option.set("id", answer.standards(i).id());
          option.set("selected", answer.standards(i).id() == search->request.standard_id());
          standards.push_back(option);
        }
        data.set("standards", standards);
        respond(HtmlResponse(200, "templates/sites.mustache", data, options_.cache_max_age));
      });
}

void PublicPages::ServeSite(Page page, std::string site_id, Respond respond) {
  v1::GetCertificationStatusRequest request;
  request.set_site_id(site_id);
  CallService<v1::GetCertificationStatusResponse>(
      caller_, "/sello.v1.InspectionService/GetCertificationStatus", request, page.client_address,
      [this, page = std::move(page), respond = std::move(respond)](
          const grpc::Status& status, v1::GetCertificationStatusResponse answer) {
        if (!status.ok()) {
          const bool missing = status.error_code() == grpc::StatusCode::NOT_FOUND ||
                               status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
          respond(MessagePage(page, missing ? 404 : 503,
                              page.Text(missing ? "not_found_title" : "error_title"),
                              status.error_message()));
          return;
        }
        mustache::data data =
            page.Data(answer.site_name().empty() ? answer.site_id() : answer.site_name());
        data.set("site_name", answer.site_name().empty() ? answer.site_id() : answer.site_name());
        data.set("site_id", answer.site_id());
        data.set("firm_id", answer.firm_id());
        mustache::data list{mustache::data::type::list};
        for (const v1::SiteCertification& c : answer.certifications()) {
          mustache::data entry;
          entry.set("standard", absl::StrCat(c.standard_id(), " v", c.standard_version()));
          entry.set("standard_url",
                    UrlEncode(absl::StrCat(c.standard_id(), "@", c.standard_version())));
          entry.set("outcome", std::string(page.Text(absl::StrCat(
                                   "outcome_", v1::Inspection::Outcome_Name(c.outcome())))));
          entry.set(
              "grade",
              c.grade() == v1::GRADE_UNSPECIFIED
                  ? std::string("–")
                  : std::string(page.Text(absl::StrCat("grade_", v1::Grade_Name(c.grade())))));
          entry.set("date", Date(c.inspection_date()));
          entry.set("certifier_id", c.certifier_id());
          entry.set("certifier_anchor", UrlEncode(c.certifier_id()));
          list.push_back(entry);
        }
        data.set("certifications", list);
        data.set("has_certifications", answer.certifications_size() > 0);
        respond(HtmlResponse(200, "templates/site.mustache", data, options_.cache_max_age));
      });
}

void PublicPages::ServeCertifiers(Page page, Respond respond) {
  v1::ListAccreditationsRequest request;
  request.set_page_size(100);
  CallService<v1::ListAccreditationsResponse>(
      caller_, "/sello.v1.AccreditationService/ListAccreditations", request, page.client_address,
      [this, page = std::move(page), respond = std::move(respond)](
          const grpc::Status& status, v1::ListAccreditationsResponse answer) {
        if (!status.ok()) {
          respond(MessagePage(page, 503, page.Text("error_title"), status.error_message()));
          return;
        }
        mustache::data data = page.Data(page.Text("certifiers_title"));
        mustache::data list{mustache::data::type::list};
        absl::flat_hash_map<std::string, bool> anchored;
        for (const v1::Accreditation& accreditation : answer.accreditations()) {
          mustache::data item;
          item.set("id", accreditation.id());
          item.set("certifier_id", accreditation.certifier_id());
          // The first accreditation of a certifier is where /certifiers#ID lands.
          item.set("anchor", anchored.emplace(accreditation.certifier_id(), true).second
                                 ? UrlEncode(accreditation.certifier_id())
                                 : UrlEncode(accreditation.id()));
          mustache::data scopes{mustache::data::type::list};
          for (const v1::AccreditationScope& scope : accreditation.scope()) {
            mustache::data entry;
            entry.set("standard_id", scope.standard_id());
            entry.set("standard_url", UrlEncode(scope.standard_id()));
            entry.set("stages", scope.stage_ids().empty() ? std::string(page.Text("all_stages"))
                                                          : absl::StrJoin(scope.stage_ids(), ", "));
            scopes.push_back(entry);
          }
          item.set("scope", scopes);
          item.set("status_word",
                   std::string(page.Text(absl::StrCat(
                       "acc_", v1::Accreditation::Status_Name(accreditation.status())))));
          if (accreditation.status() != v1::Accreditation::ACTIVE) {
            item.set("reason", accreditation.status_reason());
          }
          item.set("from", Date(accreditation.valid_from()));
          item.set("until", Date(accreditation.valid_until()));
          list.push_back(item);
        }
        data.set("has_accreditations", answer.accreditations_size() > 0);
        data.set("accreditations", list);
        respond(HtmlResponse(200, "templates/certifiers.mustache", data, options_.cache_max_age));
      });
}

namespace {

std::string Number(double value) { return absl::StrFormat("%g", value); }

std::string RangeWords(const PublicPages::Page& page, const v1::GradeRange& range,
                       absl::string_view unit) {
  std::string words;
  if (range.has_min() && range.has_max()) {
    words = absl::StrReplaceAll(page.Text("range_between"),
                                {{"{min}", Number(range.min())}, {"{max}", Number(range.max())}});
  } else if (range.has_max()) {
    words = absl::StrReplaceAll(page.Text("range_max"), {{"{max}", Number(range.max())}});
  } else if (range.has_min()) {
    words = absl::StrReplaceAll(page.Text("range_min"), {{"{min}", Number(range.min())}});
  } else {
    return std::string(page.Text("range_none"));
  }
  if (!unit.empty()) absl::StrAppend(&words, " ", unit);
  return words;
}

// A criterion's rule in words, one sentence per line (daemon/domain/grading.h).
mustache::data RuleWords(const PublicPages::Page& page, const v1::Criterion& criterion) {
  mustache::data lines{mustache::data::type::list};
  auto grade = [&](v1::Grade g) {
    return std::string(page.Text(absl::StrCat("grade_", v1::Grade_Name(g))));
  };
  if (criterion.kind() == v1::Criterion::NUMERIC) {
    const struct {
      v1::Grade grade;
      const v1::GradeRange& range;
    } kRanges[] = {{v1::PREMIUM, criterion.grades().premium()},
                   {v1::GRADE_I, criterion.grades().grade_i()},
                   {v1::INDUSTRIAL, criterion.grades().industrial()}};
    for (const auto& [g, range] : kRanges) {
      lines.push_back(absl::StrCat(grade(g), ": ", RangeWords(page, range, criterion.unit())));
    }
    lines.push_back(
        std::string(page.Text(criterion.critical() ? "rule_critical" : "rule_outside")));
    return lines;
  }
  lines.push_back(std::string(page.Text("rule_pass")));
  if (criterion.critical()) {
    lines.push_back(std::string(page.Text("rule_critical")));
  } else if (criterion.caps_at() != v1::GRADE_UNSPECIFIED) {
    lines.push_back(
        absl::StrReplaceAll(page.Text("rule_caps"), {{"{grade}", grade(criterion.caps_at())}}));
  } else {
    lines.push_back(std::string(page.Text("rule_no_effect")));
  }
  return lines;
}

}  // namespace

namespace {

// A standard version's stages, each with its criteria and each rule in words.
mustache::data StageItems(const PublicPages::Page& page, const v1::StandardVersion& shown) {
  mustache::data stages{mustache::data::type::list};
  for (const v1::Stage& stage : shown.stages()) {
    mustache::data item;
    item.set("id", stage.id());
    item.set("name", stage.name());
    mustache::data criteria{mustache::data::type::list};
    for (const v1::Criterion& criterion : stage.criteria()) {
      mustache::data entry;
      entry.set("id", criterion.id());
      entry.set("name", criterion.name());
      entry.set("description", criterion.description());
      entry.set("rule", RuleWords(page, criterion));
      criteria.push_back(entry);
    }
    item.set("criteria", criteria);
    stages.push_back(item);
  }
  return stages;
}

// The standard's versions other than drafts, each linked to its changes from the one before.
mustache::data VersionItems(const PublicPages::Page& page,
                            const v1::ListStandardVersionsResponse& versions) {
  mustache::data list{mustache::data::type::list};
  uint32_t previous = 0;
  for (const v1::StandardVersion& v : versions.versions()) {
    if (v.status() == v1::StandardVersion::DRAFT) continue;
    mustache::data item;
    item.set("version", absl::StrCat(v.version()));
    item.set("url", UrlEncode(absl::StrCat(v.standard_id(), "@", v.version())));
    item.set("status_word", std::string(page.Text(absl::StrCat(
                                "status_", v1::StandardVersion::Status_Name(v.status())))));
    if (previous != 0) item.set("previous", absl::StrCat(previous));
    previous = v.version();
    list.push_back(item);
  }
  return list;
}

// What changed from `older` to `shown`, a line each.
mustache::data DiffSection(const v1::StandardVersion& older, const v1::StandardVersion& shown) {
  const domain::StandardDiff diff = domain::DiffStandardVersions(older, shown);
  mustache::data section;
  section.set("from", absl::StrCat(older.version()));
  section.set("to", absl::StrCat(shown.version()));
  section.set("empty", diff.empty());
  mustache::data lines{mustache::data::type::list};
  for (const std::string& line : diff.header) lines.push_back(line);
  for (const std::string& line : diff.stages) lines.push_back(line);
  for (const domain::CriterionChange& change : diff.criteria) {
    const char* kind = change.kind == domain::CriterionChange::Kind::kAdded     ? "added"
                       : change.kind == domain::CriterionChange::Kind::kRemoved ? "removed"
                                                                                : "changed";
    lines.push_back(absl::StrCat(change.criterion_id, " (", change.stage_id, ") ", kind,
                                 change.details.empty() ? "" : ": ",
                                 absl::StrJoin(change.details, "; ")));
  }
  section.set("lines", lines);
  return section;
}

// The standard page's data: `shown`, the standard's versions, and the changes from
// `older` when given.
mustache::data StandardPageData(const PublicPages::Page& page, const v1::StandardVersion& shown,
                                const v1::ListStandardVersionsResponse& versions,
                                const v1::StandardVersion* older) {
  mustache::data data =
      page.Data(absl::StrCat(shown.standard_id(), " ", page.Text("version"), " ", shown.version()));
  data.set("standard_id", shown.standard_id());
  data.set("version", absl::StrCat(shown.version()));
  data.set("title", shown.title());
  data.set("description", shown.description());
  data.set("status_word", std::string(page.Text(absl::StrCat(
                              "status_", v1::StandardVersion::Status_Name(shown.status())))));
  if (shown.has_publish_time()) data.set("published", Date(shown.publish_time()));
  if (shown.has_cessation_time()) data.set("ceases", Date(shown.cessation_time()));
  if (!shown.withdraw_reason().empty()) data.set("withdraw_reason", shown.withdraw_reason());
  data.set("seal_validity", shown.seal_validity_days() > 0
                                ? absl::StrCat(shown.seal_validity_days(), " ", page.Text("days"))
                                : std::string(page.Text("no_expiry")));
  data.set("stages", StageItems(page, shown));
  data.set("versions", VersionItems(page, versions));
  if (older != nullptr) data.set("diff", DiffSection(*older, shown));
  return data;
}

}  // namespace

void PublicPages::ServeStandard(Page page, std::string ref, uint32_t from, Respond respond) {
  v1::GetStandardVersionRequest request;
  const size_t at = ref.find('@');
  request.set_standard_id(ref.substr(0, at));
  uint32_t version = 0;
  if (at != std::string::npos &&
      (!absl::SimpleAtoi(ref.substr(at + 1), &version) || version == 0)) {
    respond(MessagePage(page, 404, page.Text("not_found_title"), page.Text("not_found_text")));
    return;
  }
  request.set_version(version);
  auto shared_page = std::make_shared<Page>(std::move(page));
  CallService<v1::StandardVersion>(
      caller_, "/sello.v1.StandardService/GetStandardVersion", request, shared_page->client_address,
      [this, shared_page, from, respond = std::move(respond)](const grpc::Status& status,
                                                              v1::StandardVersion shown) mutable {
        const Page& page = *shared_page;
        if (!status.ok()) {
          const bool missing = status.error_code() == grpc::StatusCode::NOT_FOUND ||
                               status.error_code() == grpc::StatusCode::INVALID_ARGUMENT;
          respond(MessagePage(page, missing ? 404 : 503,
                              page.Text(missing ? "not_found_title" : "error_title"),
                              status.error_message()));
          return;
        }
        RenderStandard(shared_page, std::move(shown), from, std::move(respond));
      });
}

// The page of `shown` with its standard's versions and, when `from` names another version,
// the changes from it.
void PublicPages::RenderStandard(std::shared_ptr<const Page> page, v1::StandardVersion shown,
                                 uint32_t from, Respond respond) {
  v1::ListStandardVersionsRequest list;
  list.set_standard_id(shown.standard_id());
  list.set_page_size(100);
  CallService<v1::ListStandardVersionsResponse>(
      caller_, "/sello.v1.StandardService/ListStandardVersions", list, page->client_address,
      [this, page, from, shown = std::move(shown), respond = std::move(respond)](
          const grpc::Status& status, v1::ListStandardVersionsResponse versions) mutable {
        (void)status;  // without the list, the page shows no versions
        auto render = [this, page, shown, versions,
                       respond = std::move(respond)](const v1::StandardVersion* older) {
          mustache::data data = StandardPageData(*page, shown, versions, older);
          respond(HtmlResponse(200, "templates/standard.mustache", data, options_.cache_max_age));
        };
        if (from == 0 || from == shown.version()) {
          render(nullptr);
          return;
        }
        v1::GetStandardVersionRequest older_request;
        older_request.set_standard_id(shown.standard_id());
        older_request.set_version(from);
        CallService<v1::StandardVersion>(
            caller_, "/sello.v1.StandardService/GetStandardVersion", older_request,
            page->client_address,
            [render = std::move(render)](const grpc::Status& status, v1::StandardVersion older) {
              render(status.ok() ? &older : nullptr);
            });
      });
}

void PublicPages::WithVerifierKey(const Page& page, std::function<void(std::string)> then) {
  {
    absl::MutexLock lock(&key_mu_);
    if (absl::Now() - verifier_key_time_ < options_.cache_max_age) {
      then(verifier_key_);
      return;
    }
  }
  CallService<v1::GetCheckpointResponse>(
      caller_, "/sello.v1.LogService/GetCheckpoint", v1::GetCheckpointRequest(),
      page.client_address,
      [this, then = std::move(then)](const grpc::Status& status, v1::GetCheckpointResponse answer) {
        if (!status.ok()) {
          then("");
          return;
        }
        {
          absl::MutexLock lock(&key_mu_);
          verifier_key_ = answer.verifier_key();
          verifier_key_time_ = absl::Now();
        }
        then(answer.verifier_key());
      });
}

namespace {

// The date of the inspection `seal` rests on, from its site's public certification status
// ("" when the status does not show it).
std::string InspectionDate(const v1::GetCertificationStatusResponse* site, const v1::Seal& seal) {
  std::string date;
  for (int i = 0; site != nullptr && i < site->certifications_size(); ++i) {
    const v1::SiteCertification& certification = site->certifications(i);
    // By inspection id, or (where the public answer leaves it out) by the standard version
    // and certifier the seal was issued under.
    const bool same = certification.inspection_id().empty()
                          ? certification.standard_id() == seal.standard_id() &&
                                certification.standard_version() == seal.standard_version() &&
                                certification.certifier_id() == seal.certifier_id()
                          : certification.inspection_id() == seal.inspection_id();
    if (same && certification.has_inspection_date()) {
      date = Date(certification.inspection_date());
    }
  }
  return date;
}

// The seal's facts, as the seal page lists them.
mustache::data SealFacts(const PublicPages::Page& page, const v1::Seal& seal,
                         const std::string& inspection_date) {
  mustache::data facts;
  facts.set("grade", std::string(page.Text(absl::StrCat("grade_", v1::Grade_Name(seal.grade())))));
  facts.set("firm_name", seal.firm_name());
  facts.set("site_name", seal.site_name().empty() ? seal.site_id() : seal.site_name());
  facts.set("site_url", UrlEncode(seal.site_id()));
  facts.set("lot_id", seal.lot_id());
  facts.set("standard_id", seal.standard_id());
  facts.set("standard_version", absl::StrCat(seal.standard_version()));
  facts.set("standard_url",
            UrlEncode(absl::StrCat(seal.standard_id(), "@", seal.standard_version())));
  facts.set("certifier_id", seal.certifier_id());
  facts.set("certifier_anchor", UrlEncode(seal.certifier_id()));
  if (!inspection_date.empty()) facts.set("inspection_date", inspection_date);
  facts.set("issue_date", Date(seal.issue_time()));
  if (seal.has_expire_time()) facts.set("expire_date", Date(seal.expire_time()));
  return facts;
}

// What the seal page shows of `verdict`: the verdict, the facts, and the proof with the
// key (and the witness policy, when there is one) to check it in the browser (when the
// verdict carries a proof and the key is known).
mustache::data SealPageData(const PublicPages::Page& page, const v1::SealVerdict& verdict,
                            const VerdictView& view, const std::string& link_lot,
                            const std::string& inspection_date, const std::string& verifier_key,
                            const std::string& witness_policy) {
  mustache::data data = page.Data(absl::StrCat(page.Text("seal_title"), " ", verdict.code()));
  data.set("code", verdict.has_seal() ? verdict.seal().code() : verdict.code());
  data.set("verdict_class", view.kind);
  data.set("verdict_word", view.word);
  data.set("verdict_detail", view.detail);
  if (verdict.has_seal()) {
    if (!link_lot.empty() && link_lot != verdict.seal().lot_id()) {
      data.set("lot_mismatch",
               absl::StrReplaceAll(page.Text("lot_mismatch"), {{"{lot}", link_lot}}));
    }
    data.set("seal", SealFacts(page, verdict.seal(), inspection_date));
  }
  if (verdict.has_proof() && !verifier_key.empty()) {
    // The verdict as protobuf bytes, base64: the script reads the wire format it reads
    // the logged records in, and the page skips a JSON rendering that would cost it more
    // than the rest of the page.
    mustache::data proof;
    proof.set("verdict_base64", absl::Base64Escape(verdict.SerializeAsString()));
    proof.set("verifier_key", verifier_key);
    if (!witness_policy.empty()) proof.set("witness_policy", witness_policy);
    data.set("proof", proof);
    data.set("with_script", true);
  }
  return data;
}

// The verdict of a VerifySeal answer for one code; nullopt when the service could not
// answer (busy, unavailable): then `unavailable` is the HTTP status to answer.
std::optional<v1::SealVerdict> OneVerdict(const grpc::Status& status,
                                          v1::VerifySealResponse& response, const std::string& code,
                                          int* unavailable) {
  v1::SealVerdict verdict;
  if (status.ok() && response.verdicts_size() == 1) {
    verdict.Swap(response.mutable_verdicts(0));
  } else if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    verdict.set_code(code);
    verdict.set_problem(v1::SealVerdict::MALFORMED);
    verdict.set_problem_detail(status.error_message());
  } else {
    *unavailable = status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ? 429 : 503;
    return std::nullopt;
  }
  return verdict;
}

}  // namespace

void PublicPages::ServeSeal(Page page, std::string code, std::string link_lot, Respond respond) {
  v1::VerifySealRequest request;
  request.add_codes(code);
  request.set_include_proof(!page.want_json);
  auto shared_page = std::make_shared<Page>(std::move(page));
  CallService<v1::VerifySealResponse>(
      caller_, "/sello.v1.SealService/VerifySeal", request, shared_page->client_address,
      [this, shared_page, code, link_lot, respond = std::move(respond)](
          const grpc::Status& status, v1::VerifySealResponse response) mutable {
        const Page& page = *shared_page;
        int unavailable = 0;
        std::optional<v1::SealVerdict> verdict = OneVerdict(status, response, code, &unavailable);
        if (!verdict.has_value()) {
          respond(page.want_json
                      ? JsonResponse(unavailable, R"({"code":"unavailable"})", absl::ZeroDuration())
                      : MessagePage(page, unavailable, page.Text("error_title"),
                                    status.error_message()));
          return;
        }
        const VerdictView view = DescribeVerdict(page, *verdict);
        if (page.want_json) {
          std::string json;
          (void)google::protobuf::util::MessageToJsonString(*verdict, &json);
          respond(JsonResponse(view.status, std::move(json), options_.cache_max_age));
          return;
        }
        RenderSealPage(shared_page, std::make_shared<const v1::SealVerdict>(*std::move(verdict)),
                       view, std::move(link_lot), std::move(respond));
      });
}

void PublicPages::RenderSealPage(std::shared_ptr<const Page> page,
                                 std::shared_ptr<const v1::SealVerdict> verdict, VerdictView view,
                                 std::string link_lot, Respond respond) {
  auto render = [this, page, verdict, view = std::move(view), link_lot = std::move(link_lot),
                 respond = std::move(respond)](const std::string& inspection_date,
                                               const std::string& verifier_key) {
    mustache::data data = SealPageData(*page, *verdict, view, link_lot, inspection_date,
                                       verifier_key, options_.witness_policy);
    respond(HtmlResponse(view.status, "templates/seal.mustache", data, options_.cache_max_age));
  };
  if (!verdict->has_seal()) {
    render("", "");
    return;
  }
  WithSiteStatus(*page, verdict->seal().site_id(),
                 [this, page, verdict, render = std::move(render)](
                     const v1::GetCertificationStatusResponse* site) mutable {
                   WithVerifierKey(*page, [render = std::move(render),
                                           date = InspectionDate(site, verdict->seal())](
                                              const std::string& key) { render(date, key); });
                 });
}

void PublicPages::WithSiteStatus(
    const Page& page, const std::string& site_id,
    std::function<void(const v1::GetCertificationStatusResponse*)> then) {
  std::shared_ptr<const v1::GetCertificationStatusResponse> cached;
  {
    absl::MutexLock lock(&site_mu_);
    const auto found = site_status_.find(site_id);
    if (found != site_status_.end() && absl::Now() - found->second.first < options_.cache_max_age) {
      cached = found->second.second;
    }
  }
  if (cached != nullptr) {
    then(cached.get());
    return;
  }
  v1::GetCertificationStatusRequest request;
  request.set_site_id(site_id);
  CallService<v1::GetCertificationStatusResponse>(
      caller_, "/sello.v1.InspectionService/GetCertificationStatus", request, page.client_address,
      [this, site_id, then = std::move(then)](const grpc::Status& status,
                                              v1::GetCertificationStatusResponse answer) {
        if (!status.ok()) {
          then(nullptr);
          return;
        }
        auto shared = std::make_shared<const v1::GetCertificationStatusResponse>(std::move(answer));
        {
          absl::MutexLock lock(&site_mu_);
          // Bounded: a crawler walking every site empties it rather than growing it.
          if (site_status_.size() >= 10'000) site_status_.clear();
          site_status_[site_id] = {absl::Now(), shared};
        }
        then(shared.get());
      });
}

}  // namespace sello::http
