// The libyaml adapter's error half: turns libyaml's account of why it stopped (a problem, maybe
// a context, their marks) into a YamlSyntaxError that points where the user must act and says
// how, keeping libyaml's own words in the message for anything this does not recognise.
#pragma once

#include <yaml.h>

#include <string_view>
#include <vector>

#include "manifest/yaml_syntax_error.h"

namespace flowweaver {

// A collection libyaml had started and not yet ended when it stopped.
struct OpenCollectionMark {
  SourceLocation location;
  bool flow = false;  // written with brackets: [...] or {...}
  bool map = false;
};

// `parser` has just failed on `text`; `open` holds the collections started, innermost last.
YamlSyntaxError describe_libyaml_error(const yaml_parser_t& parser, std::string_view text,
                                       const std::vector<OpenCollectionMark>& open);

// libyaml's 0-based mark as a 1-based location.
SourceLocation location_of(const yaml_mark_t& mark);

}  // namespace flowweaver
