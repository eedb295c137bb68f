// The dashboard's files (host/dashboard/*.html, *.css, *.js), compiled into the service by
// cmake/embed_files.cmake: the page is served from the binary's own port, offline, and always
// matches the API of the binary that serves it.
#pragma once

#include <cstddef>

namespace flowweaver {

struct EmbeddedFile {
  const char* name;  // relative to host/dashboard, e.g. "app.js"
  const unsigned char* bytes;
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kNumEmbeddedFiles;

}  // namespace flowweaver
