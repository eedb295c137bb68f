// The DAG drawn by Graphviz: one node per task with the id and classes the page relies on, an
// edge per dependency, and text from the manifest unable to break the SVG.
#include "service/dag_svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "svg_checks.h"

namespace flowweaver {
namespace {

using testing::decode_xml_entities;
using ::testing::ElementsAre;
using testing::g_attributes;
using ::testing::HasSubstr;
using testing::xml_problem;

TaskSpec task(const std::string& name, const std::string& uses,
              std::vector<std::string> depends_on = {}) {
  TaskSpec spec;
  spec.name = name;
  spec.uses = uses;
  spec.depends_on = std::move(depends_on);
  return spec;
}

Manifest diamond() {
  Manifest m;
  m.name = "diamond";
  m.tasks.push_back(task("fetch", "builtin.noop"));
  m.tasks.push_back(task("convert", "shell.run", {"fetch"}));
  m.tasks.back().fan_out = std::make_shared<FanOut>();
  m.tasks.push_back(task("check", "builtin.echo", {"fetch"}));
  m.tasks.push_back(task("load", "builtin.noop", {"convert", "check"}));
  m.tasks.push_back(task("page", "builtin.echo"));
  m.tasks.back().role = TaskRole::kOnFailure;
  return m;
}

TEST(DagSvgTest, OneNodePerTaskWithItsIdAndClassesAndAnEdgePerDependency) {
  std::string svg = render_dag_svg(diamond());
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_THAT(svg, HasSubstr("<svg"));
  std::vector<std::string> ids;
  std::vector<std::string> classes;
  for (size_t i = 0; i < g_attributes(svg, "id").size(); ++i) {
    std::string id = g_attributes(svg, "id")[i];
    if (id.rfind("task-", 0) == 0) {
      ids.push_back(id);
      classes.push_back(g_attributes(svg, "class")[i]);
    }
  }
  EXPECT_THAT(ids,
              ElementsAre("task-fetch", "task-convert", "task-check", "task-load", "task-page"));
  EXPECT_THAT(classes, ElementsAre("node task", "node task fan-out", "node task", "node task",
                                   "node task handler"));
  std::vector<std::string> all_classes = g_attributes(svg, "class");
  EXPECT_EQ(std::count(all_classes.begin(), all_classes.end(), "edge dependency"), 4);
  EXPECT_THAT(decode_xml_entities(svg), HasSubstr("<title>fetch->convert</title>"));
  EXPECT_THAT(decode_xml_entities(svg), HasSubstr("<title>convert->load</title>"));
  EXPECT_THAT(svg, HasSubstr(">shell.run</text>"));
}

TEST(DagSvgTest, MarkupQuotesAndBackslashesFromTheManifestStayText) {
  Manifest m;
  m.name = "odd <name> & \"quotes\"";
  m.tasks.push_back(task("a<b&\"c'--", "x<y&\"z'\\N>"));
  m.tasks.push_back(task("next", "builtin.noop", {"a<b&\"c'--"}));
  std::string svg = render_dag_svg(m);
  EXPECT_EQ(xml_problem(svg), "");
  std::string text = decode_xml_entities(svg);
  EXPECT_THAT(text, HasSubstr(">x<y&\"z'\\N></text>"));  // the backslash is not read as \N
  EXPECT_THAT(g_attributes(svg, "id"), ::testing::Contains("task-a<b&\"c'--"));
}

TEST(DagSvgTest, DrawingsFromSeveralThreadsTakeTurnsAndAgree) {
  std::string expected = render_dag_svg(diamond());
  std::vector<std::string> drawn(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < drawn.size(); ++i) {
    threads.emplace_back([&drawn, i] { drawn[i] = render_dag_svg(diamond()); });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& svg : drawn) EXPECT_EQ(svg, expected);
}

}  // namespace
}  // namespace flowweaver
