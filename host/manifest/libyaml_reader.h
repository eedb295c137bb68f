// The libyaml adapter: reads YAML text with libyaml's event parser (the C reference
// implementation, which refuses what it cannot read instead of guessing) into a YamlTree. The only
// file that drives libyaml; libyaml_error.h words its errors.
#pragma once

#include <string_view>

#include "manifest/yaml_tree.h"

namespace flowweaver {

// The one document in `text`; an empty text (or only comments) gives a null root without a
// location. Throws YamlSyntaxError on invalid YAML, on a second document (`noun`, e.g.
// "manifest", names what the file is in that message), and on what YamlTreeBuilder refuses.
// `text` must be UTF-8: the caller checks it first, with better messages than libyaml's.
YamlTree read_yaml_tree(std::string_view text, std::string_view noun);

}  // namespace flowweaver
