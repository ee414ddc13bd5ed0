// The words of the public pages in the two languages they speak (Spanish for the seeds'
// users in Chile, English for everyone else), and how a request's language is chosen:
// `?lang=es|en` (the pages' switch) first, then Accept-Language, then English.
#ifndef SELLO_DAEMON_HTTP_PAGE_TEXT_H_
#define SELLO_DAEMON_HTTP_PAGE_TEXT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace sello::http {

enum class Lang { kEn, kEs };

// "en" or "es".
absl::string_view LangCode(Lang lang);

// The language for a request: `query_lang` ("es", "en"; empty when absent) wins, then the
// first of Spanish or English by the Accept-Language header's q-values (RFC 9110
// §12.5.4), then English.
Lang ChooseLang(absl::string_view query_lang, absl::string_view accept_language);

// Every text of the pages: (key, text in `lang`). Texts are plain text (templates
// escape them); "{n}", "{t}", "{why}" are filled in by the page's script.
const std::vector<std::pair<absl::string_view, absl::string_view>>& PageTexts(Lang lang);

// One text by key (the key itself when there is none: a missing text shows, never
// crashes).
absl::string_view PageText(Lang lang, absl::string_view key);

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_PAGE_TEXT_H_
