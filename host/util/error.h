// The host's error type: a kind plus a message that already says what was being done, to which
// file or task, and why. Library errors are converted to it in one adapter per library.
#pragma once

#include <stdexcept>
#include <string>

namespace flowweaver {

enum class ErrorKind {
  kInvalidArgument,  // the user asked for something malformed (bad flag, bad file)
  kNotFound,         // a named thing does not exist (file, run, task)
  kPluginLoad,       // a plugin file could not be loaded or is not a valid plugin
  kState,            // the state store failed or holds something we cannot use
  kIO,               // the operating system refused an operation
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  static Error InvalidArgument(const std::string& m) { return {ErrorKind::kInvalidArgument, m}; }
  static Error NotFound(const std::string& m) { return {ErrorKind::kNotFound, m}; }
  static Error PluginLoad(const std::string& m) { return {ErrorKind::kPluginLoad, m}; }
  static Error State(const std::string& m) { return {ErrorKind::kState, m}; }
  static Error IO(const std::string& m) { return {ErrorKind::kIO, m}; }

  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace flowweaver
