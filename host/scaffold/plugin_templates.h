// The text of each file `flowweaver new-plugin` writes, with @NAME@ (the plugin's name),
// @SOURCE@ (its source file), @LANGUAGE@ (CMake's name for its language), @LANGUAGE_NAME@ (the
// language's name) and @PREFIX@ (where FlowWeaver is installed; @PREFIX_WORD@ as a word of a
// shell command) left for plugin_scaffold().
#pragma once

namespace flowweaver::templates {

extern const char* const kCMakeLists;
extern const char* const kCppSource;
extern const char* const kCSource;
extern const char* const kManifest;
extern const char* const kReadme;
extern const char* const kGitignore;

}  // namespace flowweaver::templates
