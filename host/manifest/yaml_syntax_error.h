// The one way a YAML text is refused while it is read into a tree: where, and what to do about
// it. Thrown by the builder and the libyaml adapter, caught by load_yaml_tree() (yaml_document.h)
// and turned into a diagnostic; it never leaves the manifest/ readers.
#pragma once

#include <stdexcept>
#include <string>

#include "manifest/diagnostic.h"

namespace flowweaver {

class YamlSyntaxError : public std::runtime_error {
 public:
  // `message` says what is wrong and how to fix it, without the position.
  YamlSyntaxError(SourceLocation location, const std::string& message)
      : std::runtime_error(message), location_(location) {}

  SourceLocation location() const { return location_; }

 private:
  SourceLocation location_;
};

}  // namespace flowweaver
