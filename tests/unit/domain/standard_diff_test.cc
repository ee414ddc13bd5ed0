#include "daemon/domain/standard_diff.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::Criterion;
using v1::StandardVersion;
using Kind = CriterionChange::Kind;

Criterion* AddBoolean(v1::Stage* stage, const std::string& id, const std::string& name) {
  Criterion* criterion = stage->add_criteria();
  criterion->set_id(id);
  criterion->set_name(name);
  criterion->set_kind(Criterion::BOOLEAN);
  return criterion;
}

Criterion* AddNumeric(v1::Stage* stage, const std::string& id, const std::string& name,
                      double premium, double grade_i, double industrial) {
  Criterion* criterion = stage->add_criteria();
  criterion->set_id(id);
  criterion->set_name(name);
  criterion->set_kind(Criterion::NUMERIC);
  criterion->set_unit("h");
  criterion->mutable_grades()->mutable_premium()->set_max(premium);
  criterion->mutable_grades()->mutable_grade_i()->set_max(grade_i);
  criterion->mutable_grades()->mutable_industrial()->set_max(industrial);
  return criterion;
}

// farming: F1 (critical); harvest: H1 (hours, 24/36/48), H2 (caps at GRADE_I);
// processing: P1.
StandardVersion Base() {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(1);
  version.set_title("Code of Standards");
  version.set_description("The code.");
  version.set_seal_validity_days(365);
  v1::Stage* farming = version.add_stages();
  farming->set_id("farming");
  farming->set_name("Farming");
  AddBoolean(farming, "F1", "No notifiable disease")->set_critical(true);
  v1::Stage* harvest = version.add_stages();
  harvest->set_id("harvest");
  harvest->set_name("Harvest");
  AddNumeric(harvest, "H1", "Hours to processing", 24, 36, 48);
  AddBoolean(harvest, "H2", "Label intact")->set_caps_at(v1::GRADE_I);
  v1::Stage* processing = version.add_stages();
  processing->set_id("processing");
  processing->set_name("Processing");
  AddBoolean(processing, "P1", "Listeria absent")->set_critical(true);
  return version;
}

Criterion* Find(StandardVersion& version, const std::string& id) {
  for (v1::Stage& stage : *version.mutable_stages()) {
    for (Criterion& criterion : *stage.mutable_criteria()) {
      if (criterion.id() == id) return &criterion;
    }
  }
  return nullptr;
}

// One criterion change as a line, for compact expectations.
std::string Describe(const CriterionChange& change) {
  std::string kind;
  switch (change.kind) {
    case Kind::kAdded:
      kind = "added";
      break;
    case Kind::kRemoved:
      kind = "removed";
      break;
    case Kind::kChanged:
      kind = "changed";
      break;
  }
  std::string out = kind + " " + change.stage_id + "/" + change.criterion_id;
  for (const std::string& detail : change.details) out += " | " + detail;
  return out;
}

std::vector<std::string> Criteria(const StandardDiff& diff) {
  std::vector<std::string> lines;
  for (const CriterionChange& change : diff.criteria) lines.push_back(Describe(change));
  return lines;
}

TEST(DiffStandardVersionsTest, IdenticalVersionsHaveAnEmptyDiff) {
  const StandardDiff diff = DiffStandardVersions(Base(), Base());
  EXPECT_TRUE(diff.empty());
  EXPECT_THAT(diff.header, IsEmpty());
  EXPECT_THAT(diff.stages, IsEmpty());
  EXPECT_THAT(diff.criteria, IsEmpty());
}

TEST(DiffStandardVersionsTest, ServerSetFieldsAndVersionNumberAreNotContent) {
  StandardVersion to = Base();
  to.set_version(2);
  to.set_status(StandardVersion::PUBLISHED);
  to.mutable_publish_time()->set_seconds(1'700'000'000);
  to.set_superseded_by(3);
  EXPECT_TRUE(DiffStandardVersions(Base(), to).empty());
}

TEST(DiffStandardVersionsTest, HeaderChanges) {
  StandardVersion to = Base();
  to.set_title("Code of Standards for Chilean Salmon");
  to.set_description("");
  to.set_seal_validity_days(730);
  const StandardDiff diff = DiffStandardVersions(Base(), to);
  EXPECT_THAT(diff.header,
              ElementsAre("title: 'Code of Standards' -> 'Code of Standards for Chilean Salmon'",
                          "description: 'The code.' -> (none)", "seal_validity_days: 365 -> 730"));
  EXPECT_THAT(diff.stages, IsEmpty());
  EXPECT_THAT(diff.criteria, IsEmpty());
  EXPECT_FALSE(diff.empty());
}

TEST(DiffStandardVersionsTest, SealedStages) {
  StandardVersion to = Base();
  to.add_sealed_stages("harvest");
  to.add_sealed_stages("processing");
  EXPECT_THAT(DiffStandardVersions(Base(), to).header,
              ElementsAre("sealed_stages: (every stage) -> harvest, processing"));
  EXPECT_THAT(DiffStandardVersions(to, Base()).header,
              ElementsAre("sealed_stages: harvest, processing -> (every stage)"));
  // The same stages in another order are no change.
  StandardVersion reordered = Base();
  reordered.add_sealed_stages("processing");
  reordered.add_sealed_stages("harvest");
  EXPECT_TRUE(DiffStandardVersions(to, reordered).empty());
}

TEST(DiffStandardVersionsTest, LongTextIsReportedAsChanged) {
  StandardVersion to = Base();
  to.set_description(std::string(201, 'd'));
  EXPECT_THAT(DiffStandardVersions(Base(), to).header, ElementsAre("description: changed"));
  to.set_description(std::string(200, 'd'));
  EXPECT_THAT(DiffStandardVersions(Base(), to).header,
              ElementsAre("description: 'The code.' -> '" + std::string(200, 'd') + "'"));
}

TEST(DiffStandardVersionsTest, StageAddedRemovedRenamed) {
  StandardVersion to = Base();
  to.mutable_stages(0)->set_name("Farming centre");
  v1::Stage* final_product = to.add_stages();
  final_product->set_id("final_product");
  final_product->set_name("Final product");
  AddBoolean(final_product, "FP1", "Box integrity");
  // Remove "processing" (index 2) and its criterion.
  to.mutable_stages()->DeleteSubrange(2, 1);

  const StandardDiff diff = DiffStandardVersions(Base(), to);
  EXPECT_THAT(diff.header, IsEmpty());
  EXPECT_THAT(diff.stages, ElementsAre("stage renamed: farming: 'Farming' -> 'Farming centre'",
                                       "stage added: final_product", "stage removed: processing"));
  EXPECT_THAT(Criteria(diff), ElementsAre("added final_product/FP1", "removed processing/P1"));
}

TEST(DiffStandardVersionsTest, StageOrderChanged) {
  StandardVersion to = Base();
  to.mutable_stages()->SwapElements(0, 2);
  const StandardDiff diff = DiffStandardVersions(Base(), to);
  EXPECT_THAT(diff.stages, ElementsAre("stage order: farming, harvest, processing -> processing, "
                                       "harvest, farming"));
  EXPECT_THAT(diff.criteria, IsEmpty());
}

TEST(DiffStandardVersionsTest, AddingOrRemovingAStageDoesNotMoveTheOthers) {
  StandardVersion to = Base();
  v1::Stage* hatchery = to.add_stages();
  hatchery->set_id("hatchery");
  hatchery->set_name("Hatchery");
  AddBoolean(hatchery, "X1", "X");
  to.mutable_stages()->SwapElements(0, 3);  // hatchery first, farming last
  to.mutable_stages()->SwapElements(1, 3);  // hatchery, farming, processing, harvest
  to.mutable_stages()->SwapElements(2, 3);  // hatchery, farming, harvest, processing
  EXPECT_THAT(DiffStandardVersions(Base(), to).stages, ElementsAre("stage added: hatchery"));
  EXPECT_THAT(DiffStandardVersions(to, Base()).stages, ElementsAre("stage removed: hatchery"));
}

TEST(DiffStandardVersionsTest, CriteriaAddedAndRemovedInOrder) {
  StandardVersion to = Base();
  // New H0 before H1, H3 after H2; F1 and P1 removed.
  v1::Stage* harvest = to.mutable_stages(1);
  AddBoolean(harvest, "H0", "Bled within 30 min");
  harvest->mutable_criteria()->SwapElements(0, 2);  // H0, H2, H1
  harvest->mutable_criteria()->SwapElements(1, 2);  // H0, H1, H2
  AddBoolean(harvest, "H3", "Ice slurry");
  to.mutable_stages(0)->clear_criteria();
  AddBoolean(to.mutable_stages(0), "F9", "Sea lice below threshold");
  to.mutable_stages(2)->clear_criteria();

  EXPECT_THAT(Criteria(DiffStandardVersions(Base(), to)),
              ElementsAre("added farming/F9", "added harvest/H0", "added harvest/H3",
                          "removed farming/F1", "removed processing/P1"));
}

TEST(DiffStandardVersionsTest, CriterionMovedToAnotherStage) {
  StandardVersion to = Base();
  *to.mutable_stages(2)->add_criteria() = *Find(to, "H2");
  to.mutable_stages(1)->mutable_criteria()->DeleteSubrange(1, 1);
  EXPECT_THAT(Criteria(DiffStandardVersions(Base(), to)),
              ElementsAre("changed processing/H2 | stage: harvest -> processing"));
}

TEST(DiffStandardVersionsTest, GradeBoundsChanged) {
  StandardVersion to = Base();
  v1::NumericGrades* grades = Find(to, "H1")->mutable_grades();
  grades->mutable_premium()->set_max(20);
  grades->mutable_grade_i()->set_min(0.5);
  grades->mutable_industrial()->clear_max();
  grades->mutable_industrial()->set_min(-2.25);
  EXPECT_THAT(Criteria(DiffStandardVersions(Base(), to)),
              ElementsAre("changed harvest/H1 | grades.premium: max 24 -> 20"
                          " | grades.grade_i: min (none) -> 0.5"
                          " | grades.industrial: min (none) -> -2.25"
                          " | grades.industrial: max 48 -> (none)"));
}

TEST(DiffStandardVersionsTest, NumbersArePrintedExactly) {
  StandardVersion to = Base();
  Find(to, "H1")->mutable_grades()->mutable_premium()->set_max(24.000001);
  EXPECT_THAT(Criteria(DiffStandardVersions(Base(), to)),
              ElementsAre("changed harvest/H1 | grades.premium: max 24 -> 24.000001"));
}

TEST(DiffStandardVersionsTest, EveryAttributeInFieldOrder) {
  StandardVersion to = Base();
  Criterion* h2 = Find(to, "H2");
  h2->set_name("Label and box intact");
  h2->set_caps_at(v1::GRADE_UNSPECIFIED);
  h2->set_critical(true);
  h2->set_description("Checked on every pallet.");
  Criterion* f1 = Find(to, "F1");
  f1->set_critical(false);
  f1->set_caps_at(v1::INDUSTRIAL);
  Criterion* h1 = Find(to, "H1");
  h1->set_unit("min");

  EXPECT_THAT(
      Criteria(DiffStandardVersions(Base(), to)),
      ElementsAre("changed farming/F1 | critical: true -> false | caps_at: (none) -> INDUSTRIAL",
                  "changed harvest/H1 | unit: 'h' -> 'min'",
                  "changed harvest/H2 | name: 'Label intact' -> 'Label and box intact'"
                  " | critical: false -> true | caps_at: GRADE_I -> (none)"
                  " | description: (none) -> 'Checked on every pallet.'"));
}

TEST(DiffStandardVersionsTest, KindChanged) {
  StandardVersion to = Base();
  Criterion* p1 = Find(to, "P1");
  *p1 = *Find(to, "H1");
  p1->set_id("P1");
  p1->set_name("Listeria absent");
  EXPECT_THAT(Criteria(DiffStandardVersions(Base(), to)),
              ElementsAre("changed processing/P1 | kind: BOOLEAN -> NUMERIC"
                          " | critical: true -> false | unit: (none) -> 'h'"
                          " | grades.premium: max (none) -> 24"
                          " | grades.grade_i: max (none) -> 36"
                          " | grades.industrial: max (none) -> 48"));
}

TEST(DiffStandardVersionsTest, ChangesAreSymmetric) {
  StandardVersion to = Base();
  Find(to, "H1")->mutable_grades()->mutable_premium()->set_max(20);
  to.set_seal_validity_days(0);
  const StandardDiff backwards = DiffStandardVersions(to, Base());
  EXPECT_THAT(backwards.header, ElementsAre("seal_validity_days: 0 -> 365"));
  EXPECT_THAT(Criteria(backwards),
              ElementsAre("changed harvest/H1 | grades.premium: max 20 -> 24"));
}

}  // namespace
}  // namespace sello::domain
