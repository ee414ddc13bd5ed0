// The public pages' language choice: the switch (?lang=) first, then Accept-Language by
// q-value, then English; and every text in both languages.
#include "daemon/http/page_text.h"

#include <gtest/gtest.h>

#include "absl/container/flat_hash_set.h"

namespace sello::http {
namespace {

TEST(PageText, ChoosesTheLanguage) {
  const struct {
    const char* query;
    const char* accept;
    Lang want;
  } kCases[] = {
      {"", "", Lang::kEn},
      {"", "es-CL,es;q=0.9,en;q=0.8", Lang::kEs},
      {"", "en-US,en;q=0.9,es;q=0.8", Lang::kEn},
      {"", "fr-FR, es;q=0.5, en;q=0.4", Lang::kEs},
      {"", "en;q=0.2, ES-cl;q=0.7", Lang::kEs},
      {"", "es;q=0", Lang::kEn},
      {"", "de, fr", Lang::kEn},
      {"", "es;q=abc, en", Lang::kEn},
      {"en", "es-CL", Lang::kEn},
      {"es", "en", Lang::kEs},
      {"xx", "es", Lang::kEs},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ChooseLang(c.query, c.accept), c.want) << c.query << " / " << c.accept;
  }
}

TEST(PageText, EveryTextInBothLanguages) {
  const auto& en = PageTexts(Lang::kEn);
  const auto& es = PageTexts(Lang::kEs);
  ASSERT_EQ(en.size(), es.size());
  absl::flat_hash_set<absl::string_view> keys;
  for (size_t i = 0; i < en.size(); ++i) {
    EXPECT_TRUE(keys.insert(en[i].first).second) << "twice: " << en[i].first;
    EXPECT_FALSE(en[i].second.empty()) << en[i].first;
    EXPECT_FALSE(es[i].second.empty()) << es[i].first;
  }
  EXPECT_EQ(PageText(Lang::kEs, "verdict_valid"), "Válido");
  EXPECT_EQ(PageText(Lang::kEn, "no such text"), "no such text");
}

}  // namespace
}  // namespace sello::http
