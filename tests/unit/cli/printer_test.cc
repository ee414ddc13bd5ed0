// The CLI's printers: the table printer shows a result through its view, the JSON
// printer prints the message (proto3 JSON, camelCase, defaults included) and never runs
// the view; tables and fields keep their layout.
#include "client/cli/printer.h"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>

#include "client/cli/output.h"
#include "sello/v1/token.pb.h"

namespace sello::cli {
namespace {

// Captures what is written to std::cout while it lives.
class CaptureStdout {
 public:
  CaptureStdout() : saved_(std::cout.rdbuf(captured_.rdbuf())) {}
  ~CaptureStdout() { std::cout.rdbuf(saved_); }
  std::string text() const { return captured_.str(); }

 private:
  std::ostringstream captured_;
  std::streambuf* saved_;
};

v1::Token SomeToken() {
  v1::Token token;
  token.set_id("tok-1");
  token.set_role(v1::CERTIFIER);
  return token;
}

TEST(PrinterTest, NewPrinterFollowsTheOutputFlag) {
  EXPECT_TRUE(NewPrinter("json")->json());
  EXPECT_FALSE(NewPrinter("table")->json());
}

TEST(PrinterTest, TablePrinterShowsTheViewAndNothingElse) {
  CaptureStdout out;
  int views = 0;
  TablePrinter().Print(SomeToken(), [&](const v1::Token& token) {
    ++views;
    std::cout << "token " << token.id() << "\n";
  });
  TablePrinter().Print(SomeToken(), [&] { std::cout << "no argument\n"; });
  EXPECT_EQ(views, 1);
  EXPECT_EQ(out.text(), "token tok-1\nno argument\n");
}

TEST(PrinterTest, JsonPrinterPrintsTheMessageIndentedWithDefaults) {
  std::ostringstream out;
  bool viewed = false;
  JsonPrinter(out).Print(SomeToken(), [&] { viewed = true; });
  EXPECT_FALSE(viewed);
  EXPECT_EQ(out.str(),
            "{\n \"id\": \"tok-1\",\n \"organisationId\": \"\",\n \"role\": \"CERTIFIER\",\n"
            " \"label\": \"\",\n \"createdBy\": \"\",\n \"revoked\": false,\n"
            " \"revokedBy\": \"\"\n}\n");
}

TEST(PrinterTest, JsonPrinterStreamsOneLinePerResult) {
  std::ostringstream out;
  const JsonPrinter printer(out);
  printer.PrintStreamed(SomeToken(), [] { FAIL() << "the view ran"; });
  printer.PrintStreamed(v1::Token(), [] { FAIL() << "the view ran"; });
  EXPECT_EQ(out.str(),
            "{\"id\":\"tok-1\",\"organisationId\":\"\",\"role\":\"CERTIFIER\",\"label\":\"\","
            "\"createdBy\":\"\",\"revoked\":false,\"revokedBy\":\"\"}\n"
            "{\"id\":\"\",\"organisationId\":\"\",\"role\":\"ROLE_UNSPECIFIED\",\"label\":\"\","
            "\"createdBy\":\"\",\"revoked\":false,\"revokedBy\":\"\"}\n");
}

TEST(PrinterTest, TablePrinterStreamsTheView) {
  CaptureStdout out;
  TablePrinter().PrintStreamed(SomeToken(), [] { std::cout << "#1  event\n"; });
  EXPECT_EQ(out.text(), "#1  event\n");
}

TEST(PrinterTest, PrintJsonIsTheJsonPrintersOutput) {
  std::ostringstream expected;
  JsonPrinter(expected).Print(SomeToken(), [] {});
  CaptureStdout out;
  PrintJson(SomeToken());
  EXPECT_EQ(out.text(), expected.str());
}

TEST(TableTest, AlignsColumnsByCharactersAndUppercasesTheHeader) {
  Table table({"id", "name", "note"});
  table.AddRow({"f1", "Acuícola", ""});
  table.AddRow({"firm-22", "X", "ok"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "ID       NAME      NOTE\n"
            "f1       Acuícola\n"
            "firm-22  X         ok\n");
}

TEST(TableTest, FieldsAlignNamesAndLeaveEmptyValuesOut) {
  std::ostringstream out;
  PrintFields({{"id", "s1"}, {"reason", ""}, {"certifier", "c1"}}, out);
  EXPECT_EQ(out.str(), "id:         s1\ncertifier:  c1\n");
}

}  // namespace
}  // namespace sello::cli
