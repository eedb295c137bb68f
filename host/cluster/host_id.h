// A host's name among the `flowweaver serve` processes that share one database state: it marks
// their heartbeats, their claims and their log lines, so it must stay the same across a restart
// when an operator sets it, and be unique.
#pragma once

#include <string>
#include <string_view>

namespace flowweaver {

// `<hostname>-<pid>`: unique on one machine and across machines with distinct host names.
std::string default_host_id();

// 1 to 64 letters, digits, '.', '_' or '-' (it appears in metrics labels and URLs as it is).
bool is_valid_host_id(std::string_view id);

}  // namespace flowweaver
