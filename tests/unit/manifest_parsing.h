// Reading a manifest from a string in unit tests, as the reader reports it for "test.yaml".
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "manifest/manifest_reader.h"

namespace flowweaver {

// The manifest, with a test failure if the reader reported anything.
inline Manifest parse_ok(const std::string& yaml) {
  DiagnosticList d("test.yaml");
  Manifest m = parse_manifest(yaml, "test.yaml", &d);
  EXPECT_TRUE(d.empty()) << d.to_string();
  return m;
}

// Everything the reader reported, one "test.yaml:line:column: message" per line.
inline std::string parse_errors(const std::string& yaml) {
  DiagnosticList d("test.yaml");
  parse_manifest(yaml, "test.yaml", &d);
  return d.to_string();
}

}  // namespace flowweaver
