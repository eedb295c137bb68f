#include "service/dag_svg.h"

#include <dlfcn.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include <memory>
#include <mutex>

#include "util/error.h"

namespace flowweaver {

namespace {

// A Graphviz plugin library, opened from Graphviz's plugin directory for the process's life.
gvplugin_library_t* open_plugin(const std::string& file, const char* symbol) {
  std::string path = std::string(FLOWWEAVER_GRAPHVIZ_PLUGIN_DIR) + "/" + file;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* library = handle ? dlsym(handle, symbol) : nullptr;
  if (!library) {
    const char* why = dlerror();
    throw Error::IO("cannot load Graphviz's plugin " + path + " (" + (why ? why : symbol) +
                    "): install Debian's libgvc6, which the DAG drawing needs");
  }
  return static_cast<gvplugin_library_t*>(library);
}

// One Graphviz context for the process, behind the lock every use takes: its plugins, caches
// and error hooks are global state. It holds only the dot layout and the core renderers (SVG),
// not the plugins Graphviz's config lists: the pango one would load fontconfig and start glib
// threads in the service, and measure text by the fonts installed, for a drawing whose text the
// browser sets anyway.
struct GraphvizContext {
  GraphvizContext() : gvc(gvContextPlugins(nullptr, 0)) {
    gvAddLibrary(gvc,
                 open_plugin("libgvplugin_dot_layout.so.6", "gvplugin_dot_layout_LTX_library"));
    gvAddLibrary(gvc, open_plugin("libgvplugin_core.so.6", "gvplugin_core_LTX_library"));
  }
  ~GraphvizContext() { gvFreeContext(gvc); }
  std::mutex mutex;
  GVC_t* gvc;
};

GraphvizContext& graphviz() {
  static GraphvizContext context;
  return context;
}

// What Graphviz reports while the lock is held, for the exception instead of stderr.
std::string* graphviz_messages = nullptr;

int keep_graphviz_message(char* text) {
  if (graphviz_messages) *graphviz_messages += text;
  return 0;
}

// Text for a Graphviz HTML-like label: markup characters as XML entities, and the backslash
// doubled, since Graphviz reads `\N` or `\G` in a label (even one spelt with entities) as the
// node's or graph's name, and `\\` as one backslash.
std::string html_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

std::string node_class(const TaskSpec& task) {
  if (task.role != TaskRole::kTask) return "task handler";
  return task.fan_out ? "task fan-out" : "task";
}

// The graph's and its nodes' attributes: declared once with defaults, then set per node.
void declare_attributes(Agraph_t* graph) {
  char empty[] = "";
  agattr(graph, AGRAPH, const_cast<char*>("rankdir"), const_cast<char*>("LR"));
  agattr(graph, AGNODE, const_cast<char*>("shape"), const_cast<char*>("box"));
  agattr(graph, AGNODE, const_cast<char*>("style"), const_cast<char*>("rounded"));
  // Graphviz's own text metrics (no text layout plugin) know Helvetica; SVG names it with a
  // sans-serif fallback.
  agattr(graph, AGNODE, const_cast<char*>("fontname"), const_cast<char*>("Helvetica"));
  agattr(graph, AGNODE, const_cast<char*>("id"), empty);
  agattr(graph, AGNODE, const_cast<char*>("class"), empty);
  agattr(graph, AGNODE, const_cast<char*>("label"), empty);
  agattr(graph, AGEDGE, const_cast<char*>("class"), const_cast<char*>("dependency"));
}

// The label is HTML-like, for the smaller `uses:` line. Graphviz 2.42 leaks about 150 bytes
// per such label each time it lays one out (its HTML parser's text items; fixed in later
// versions): bounded here by drawing each manifest version once (dag_svg_cache.h).
void add_node(Agraph_t* graph, const TaskSpec& task) {
  Agnode_t* node = agnode(graph, const_cast<char*>(task.name.c_str()), 1);
  std::string id = "task-" + task.name;
  agset(node, const_cast<char*>("id"), id.data());
  std::string css_class = node_class(task);
  agset(node, const_cast<char*>("class"), css_class.data());
  std::string label =
      html_text(task.name) + "<BR/><FONT POINT-SIZE=\"9\">" + html_text(task.uses) + "</FONT>";
  agset(node, const_cast<char*>("label"), agstrdup_html(graph, label.data()));
}

void add_edges(Agraph_t* graph, const TaskSpec& task) {
  Agnode_t* to = agnode(graph, const_cast<char*>(task.name.c_str()), 0);
  for (const std::string& dependency : task.depends_on) {
    Agnode_t* from = agnode(graph, const_cast<char*>(dependency.c_str()), 0);
    if (from && to) agedge(graph, from, to, nullptr, 1);
  }
}

Error graphviz_failure(const std::string& what) {
  std::string messages = *graphviz_messages;
  while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) {
    messages.pop_back();
  }
  return Error::IO("Graphviz could not " + what + ": " +
                   (messages.empty() ? "it gave no reason" : messages));
}

struct GraphCloser {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};

std::string render_locked(GVC_t* gvc, const Manifest& manifest) {
  std::unique_ptr<Agraph_t, GraphCloser> graph(
      agopen(const_cast<char*>("workflow"), Agdirected, nullptr));
  declare_attributes(graph.get());
  for (const TaskSpec& task : manifest.tasks) add_node(graph.get(), task);
  for (const TaskSpec& task : manifest.tasks) add_edges(graph.get(), task);
  if (gvLayout(gvc, graph.get(), "dot") != 0) {
    throw graphviz_failure("lay out the workflow '" + manifest.name + "'");
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rendered = gvRenderData(gvc, graph.get(), "svg", &data, &length);
  std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
  gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (rendered != 0) {
    throw graphviz_failure("draw the workflow '" + manifest.name + "' as SVG");
  }
  return svg;
}

}  // namespace

std::string render_dag_svg(const Manifest& manifest) {
  GraphvizContext& context = graphviz();
  std::lock_guard<std::mutex> lock(context.mutex);
  std::string messages;
  graphviz_messages = &messages;
  agseterrf(keep_graphviz_message);
  try {
    std::string svg = render_locked(context.gvc, manifest);
    graphviz_messages = nullptr;
    return svg;
  } catch (...) {
    graphviz_messages = nullptr;
    throw;
  }
}

}  // namespace flowweaver
