// What the tests check of an SVG document: that it is well-formed XML (a small checker, enough
// for what Graphviz writes: tags, quoted attributes, entities, comments, a doctype) and which
// ids and classes its <g> elements carry, entities decoded.
#pragma once

#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

namespace flowweaver::testing {

// `text` with the five XML entities and numeric ones (&#45;) decoded.
inline std::string decode_xml_entities(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t end = text[i] == '&' ? text.find(';', i) : std::string::npos;
    if (end == std::string::npos) {
      out += text[i];
      continue;
    }
    std::string name = text.substr(i + 1, end - i - 1);
    if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "amp")
      out += '&';
    else if (name == "quot")
      out += '"';
    else if (name == "apos")
      out += '\'';
    else if (!name.empty() && name[0] == '#')
      out += static_cast<char>(std::atoi(name.c_str() + 1));
    i = end;
  }
  return out;
}

// An '&' in text or in an attribute must start an entity: a name or a number, then ';'.
inline bool entities_are_closed(const std::string& text) {
  for (size_t i = text.find('&'); i != std::string::npos; i = text.find('&', i + 1)) {
    size_t end = text.find(';', i);
    if (end == std::string::npos || end == i + 1 || end - i > 10) return false;
    for (size_t j = i + 1; j < end; ++j) {
      if (!std::isalnum(static_cast<unsigned char>(text[j])) && text[j] != '#') return false;
    }
  }
  return true;
}

// Empty when `xml` is well-formed, else what is wrong and where.
inline std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  size_t pos = 0;
  auto skip_to = [&](const char* end) {
    size_t found = xml.find(end, pos);
    pos = found == std::string::npos ? xml.size() + 1 : found + std::string(end).size();
  };
  while (pos < xml.size()) {
    size_t lt = xml.find('<', pos);
    std::string text = xml.substr(pos, lt == std::string::npos ? std::string::npos : lt - pos);
    if (!entities_are_closed(text)) return "a bare '&' in text before byte " + std::to_string(lt);
    if (lt == std::string::npos) break;
    pos = lt;
    if (xml.compare(pos, 4, "<!--") == 0)
      skip_to("-->");
    else if (xml.compare(pos, 2, "<?") == 0)
      skip_to("?>");
    else if (xml.compare(pos, 2, "<!") == 0)
      skip_to(">");
    else if (xml.compare(pos, 2, "</") == 0) {
      size_t gt = xml.find('>', pos);
      if (gt == std::string::npos) return "an unclosed end tag at byte " + std::to_string(pos);
      std::string name = xml.substr(pos + 2, gt - pos - 2);
      if (open.empty() || open.back() != name) return "a stray </" + name + ">";
      open.pop_back();
      pos = gt + 1;
    } else {
      size_t name_end = xml.find_first_of(" \t\n/>", pos + 1);
      if (name_end == std::string::npos) return "an unclosed tag at byte " + std::to_string(pos);
      std::string name = xml.substr(pos + 1, name_end - pos - 1);
      pos = name_end;
      for (;;) {
        pos = xml.find_first_not_of(" \t\n", pos);
        if (pos == std::string::npos) return "an unclosed <" + name + ">";
        if (xml.compare(pos, 2, "/>") == 0) {
          pos += 2;
          break;
        }
        if (xml[pos] == '>') {
          open.push_back(name);
          ++pos;
          break;
        }
        size_t eq = xml.find('=', pos);
        if (eq == std::string::npos || eq + 1 >= xml.size()) return "an attribute without a value";
        char quote = xml[eq + 1];
        if (quote != '"' && quote != '\'') return "an unquoted attribute in <" + name + ">";
        size_t close = xml.find(quote, eq + 2);
        if (close == std::string::npos) return "an unclosed attribute in <" + name + ">";
        std::string value = xml.substr(eq + 2, close - eq - 2);
        if (value.find('<') != std::string::npos || !entities_are_closed(value)) {
          return "an unescaped '<' or '&' in an attribute of <" + name + ">";
        }
        pos = close + 1;
      }
    }
    if (pos > xml.size()) return "an unclosed comment or declaration";
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

// The value of `attribute` in every <g> start tag that has one, decoded, in document order.
inline std::vector<std::string> g_attributes(const std::string& svg, const std::string& attribute) {
  std::vector<std::string> values;
  for (size_t pos = svg.find("<g "); pos != std::string::npos; pos = svg.find("<g ", pos + 1)) {
    size_t gt = svg.find('>', pos);
    std::string tag = svg.substr(pos, gt - pos);
    size_t at = tag.find(" " + attribute + "=\"");
    if (at == std::string::npos) continue;
    size_t start = at + attribute.size() + 3;
    values.push_back(decode_xml_entities(tag.substr(start, tag.find('"', start) - start)));
  }
  return values;
}

}  // namespace flowweaver::testing
