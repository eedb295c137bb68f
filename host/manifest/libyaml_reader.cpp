#include "manifest/libyaml_reader.h"

#include <yaml.h>

#include <string>
#include <vector>

#include "manifest/libyaml_error.h"
#include "manifest/yaml_tree_builder.h"

namespace flowweaver {
namespace {

std::string_view view(const yaml_char_t* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// One parser over `text`, and the event it last gave, each freed as libyaml requires.
class EventStream {
 public:
  explicit EventStream(std::string_view text) : text_(text) {
    if (!yaml_parser_initialize(&parser_)) throw YamlSyntaxError({}, "out of memory");
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~EventStream() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // The next event, valid until the next call. `open` explains an error (libyaml_error.h).
  const yaml_event_t& next(const std::vector<OpenCollectionMark>& open) {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    if (!has_event_) throw describe_libyaml_error(parser_, text_, open);
    return event_;
  }

 private:
  std::string_view text_;
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

YamlNodeStart node_start(const yaml_event_t& e, const yaml_char_t* anchor, const yaml_char_t* tag) {
  return {location_of(e.start_mark), view(anchor), view(tag)};
}

YamlScalarStyle scalar_style(yaml_scalar_style_t style) {
  switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return YamlScalarStyle::kSingleQuoted;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return YamlScalarStyle::kDoubleQuoted;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
      return YamlScalarStyle::kBlock;
    default:
      return YamlScalarStyle::kPlain;
  }
}

void refuse_second_document(const yaml_event_t& e, std::string_view noun) {
  throw YamlSyntaxError(location_of(e.start_mark),
                        "a " + std::string(noun) +
                            " is one YAML document; a second one starts here: remove it or split "
                            "the file");
}

}  // namespace

YamlTree read_yaml_tree(std::string_view text, std::string_view noun) {
  EventStream events(text);
  YamlTreeBuilder builder(text.size());
  std::vector<OpenCollectionMark> open;
  bool seen_document = false;
  for (;;) {
    const yaml_event_t& e = events.next(open);
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        return builder.finish();
      case YAML_DOCUMENT_START_EVENT:
        if (seen_document) refuse_second_document(e, noun);
        seen_document = true;
        break;
      case YAML_SCALAR_EVENT: {
        const auto& s = e.data.scalar;
        builder.scalar(node_start(e, s.anchor, s.tag),
                       std::string_view(reinterpret_cast<const char*>(s.value), s.length),
                       scalar_style(s.style), e.start_mark.line == e.end_mark.line);
        break;
      }
      case YAML_ALIAS_EVENT:
        builder.alias(location_of(e.start_mark), view(e.data.alias.anchor));
        break;
      case YAML_SEQUENCE_START_EVENT: {
        const auto& s = e.data.sequence_start;
        open.push_back({location_of(e.start_mark), s.style == YAML_FLOW_SEQUENCE_STYLE, false});
        builder.start_sequence(node_start(e, s.anchor, s.tag));
        break;
      }
      case YAML_MAPPING_START_EVENT: {
        const auto& m = e.data.mapping_start;
        open.push_back({location_of(e.start_mark), m.style == YAML_FLOW_MAPPING_STYLE, true});
        builder.start_map(node_start(e, m.anchor, m.tag));
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        open.pop_back();
        builder.end_collection();
        break;
      default:  // stream start, document end: nothing to build
        break;
    }
  }
}

}  // namespace flowweaver
