// Who reads a lot's seals in full (ListSeals, ListIssuances): the lot's firm, the
// certifier that issued them, ADMIN and REGULATOR; nobody else, table by table.
#include <string>
#include <vector>

#include "daemon/domain/seal_rules.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

const Principal kFirm{"tok-f", "salmones-sur", v1::FIRM};
const Principal kOtherFirm{"tok-o", "fjord-foods", v1::FIRM};
const Principal kIssuer{"tok-c", "cert-austral", v1::CERTIFIER};
const Principal kOtherCertifier{"tok-n", "cert-norte", v1::CERTIFIER};
const Principal kAdmin{"tok-a", "association", v1::ADMIN};
const Principal kRegulator{"tok-r", "servicio", v1::REGULATOR};
// A certifier token of an organisation called like the firm: the role decides, not the id.
const Principal kCertifierNamedLikeTheFirm{"tok-x", "salmones-sur", v1::CERTIFIER};
const Principal kNobody{};

v1::Lot Lot() {
  v1::Lot lot;
  lot.set_id("lot-1");
  lot.set_firm_id("salmones-sur");
  return lot;
}

TEST(CanReadIssuedSealsTest, TheFirmTheIssuerAndTheOverseers) {
  const struct {
    const char* who;
    Principal reader;
    bool reads;
  } cases[] = {
      {"the lot's firm", kFirm, true},
      {"another firm", kOtherFirm, false},
      {"the issuing certifier", kIssuer, true},
      {"another certifier", kOtherCertifier, false},
      {"a certifier named like the firm", kCertifierNamedLikeTheFirm, false},
      {"ADMIN", kAdmin, true},
      {"REGULATOR", kRegulator, true},
      {"no role", kNobody, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CanReadIssuedSeals(Lot(), "cert-austral", c.reader), c.reads) << c.who;
  }
}

TEST(CanListSealsOfLotTest, ACertifierOnlyWhenItIssuedSome) {
  const std::vector<std::string> none;
  const std::vector<std::string> austral_and_sur = {"cert-sur", "cert-austral"};
  const struct {
    const char* who;
    Principal reader;
    std::vector<std::string> issuers;
    bool lists;
  } cases[] = {
      {"the firm, no seals yet", kFirm, none, true},
      {"another firm", kOtherFirm, austral_and_sur, false},
      {"an issuer", kIssuer, austral_and_sur, true},
      {"a certifier that issued none", kOtherCertifier, austral_and_sur, false},
      {"a certifier, no seals at all", kIssuer, none, false},
      {"ADMIN, no seals yet", kAdmin, none, true},
      {"REGULATOR", kRegulator, austral_and_sur, true},
      {"no role", kNobody, austral_and_sur, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CanListSealsOfLot(Lot(), c.issuers, c.reader), c.lists) << c.who;
  }
}

}  // namespace
}  // namespace sello::domain
