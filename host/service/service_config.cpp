#include "service/service_config.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "cluster/host_id.h"
#include "manifest/manifest_reader.h"
#include "manifest/secret_source.h"
#include "manifest/yaml_document.h"
#include "manifest/yaml_field_reader.h"
#include "manifest/yaml_value.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "util/byte_size.h"
#include "util/secret_file.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

const std::vector<std::string> kConfigKeys = {"workflows_dir",
                                              "plugin_dirs",
                                              "state_dir",
                                              "log_dir",
                                              "listen",
                                              "token",
                                              "token_file",
                                              "max_concurrent_runs",
                                              "max_workers",
                                              "grace_period",
                                              "log_max_bytes",
                                              "log_max_files",
                                              "default_isolation",
                                              "pools",
                                              "state",
                                              "state_password",
                                              "state_password_file",
                                              "host_id",
                                              "cluster_workers",
                                              "lease"};

constexpr uint64_t kMinLogBytes = 1024;
constexpr Millis kMinLease{300}, kMaxLease{3600 * 1000};

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t begin = 0;
  while (begin <= name.size()) {
    size_t dot = std::min(name.find('.', begin), name.size());
    std::string_view label = name.substr(begin, dot - begin);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    begin = dot + 1;
  }
  return true;
}

// Checks the host part of an address; on success, *error is untouched.
bool check_host(std::string_view host, bool bracketed, std::string* error) {
  std::string h(host);
  unsigned char buffer[16];
  if (bracketed) {
    if (inet_pton(AF_INET6, h.c_str(), buffer) == 1) return true;
    *error = "'" + h + "' is not an IPv6 address";
    return false;
  }
  if (h.empty()) {
    *error =
        "missing the host: write 127.0.0.1:PORT for this machine only, 0.0.0.0:PORT for "
        "every interface";
    return false;
  }
  if (h.find(':') != std::string::npos) {
    *error = "an IPv6 address needs brackets, e.g. [::1]:8080";
    return false;
  }
  if (h.find_first_not_of("0123456789.") == std::string::npos) {
    if (inet_pton(AF_INET, h.c_str(), buffer) == 1) return true;
    *error = "'" + h + "' is not an IPv4 address";
    return false;
  }
  if (is_host_name(h)) return true;
  *error = "'" + h + "' is not a valid host name";
  return false;
}

std::optional<int> parse_port(std::string_view text, std::string* error) {
  bool digits = !text.empty() && text.size() <= 5 &&
                text.find_first_not_of("0123456789") == std::string_view::npos;
  int port = digits ? std::stoi(std::string(text)) : -1;
  if (port < 0 || port > 65535) {
    *error = "port '" + std::string(text) + "' must be a number from 0 to 65535";
    return std::nullopt;
  }
  return port;
}

// Reads one config map into a ServiceConfig; each method handles one kind of value.
class ConfigReader : private YamlFieldReader {
 public:
  ConfigReader(std::filesystem::path config_dir, DiagnosticList* diagnostics)
      : YamlFieldReader(diagnostics), config_dir_(std::move(config_dir)) {}

  ServiceConfig read(const YamlNode& root) {
    ServiceConfig c;
    check_keys(root, kConfigKeys, "in the service config");
    read_path(root.find("workflows_dir"), "workflows_dir", &c.workflows_dir);
    read_path(root.find("state_dir"), "state_dir", &c.state_dir);
    read_path(root.find("log_dir"), "log_dir", &c.log_dir);
    read_plugin_dirs(root.find("plugin_dirs"), &c.plugin_dirs);
    read_listen(root.find("listen"), &c);
    if (YamlNode n = root.find("token")) {
      if (auto s = read_string(n, "token")) c.token = *s;
    }
    read_token_file(root.find("token_file"), root.find("token"), &c.token);
    read_count(root.find("max_concurrent_runs"), "max_concurrent_runs", 1, 1024,
               &c.max_concurrent_runs);
    if (YamlNode n = root.find("max_workers")) {
      int workers = 0;
      if (read_count(n, "max_workers", 1, 1024, &workers)) c.max_workers = workers;
    }
    if (YamlNode n = root.find("grace_period")) {
      if (auto d = read_duration(n, "grace_period")) c.grace_period = *d;
    }
    read_size(root.find("log_max_bytes"), "log_max_bytes", &c.log_max_bytes);
    read_count(root.find("log_max_files"), "log_max_files", 1, 1000, &c.log_max_files);
    read_isolation(root.find("default_isolation"), &c.default_isolation);
    read_pools(root.find("pools"), &c.pools);
    read_state_url(root, &c.state_url);
    read_host_id(root.find("host_id"), &c.host_id);
    read_cluster(root, c.state_url.empty(), &c);
    return c;
  }

 private:
  std::filesystem::path resolve(const std::filesystem::path& p) const {
    return (config_dir_ / p).lexically_normal();  // an absolute `p` replaces config_dir_
  }

  void read_path(const YamlNode& node, const std::string& key, std::filesystem::path* out) {
    if (node) {
      std::optional<std::string> s = read_string(node, key);
      if (s && s->empty()) error(node, "`" + key + "` must not be empty");
      if (s && !s->empty()) *out = *s;
    }
    *out = resolve(*out);
  }

  // The token from a file of its own (systemd's LoadCredential=, a mounted secret), so the
  // config itself holds none.
  void read_token_file(const YamlNode& node, const YamlNode& token, std::string* out) {
    if (!node) return;
    if (token) {
      error(node, "give either `token` or `token_file`, not both");
      return;
    }
    std::optional<std::string> s = read_string(node, "token_file");
    if (!s) return;
    if (std::optional<std::string> value = read_private_file(node, "token_file", *s)) {
      *out = std::move(*value);
    }
  }

  // A secret kept in a file: a file other users may read is refused, as ssh refuses such keys.
  std::optional<std::string> read_private_file(const YamlNode& node, const std::string& key,
                                               const std::string& name) {
    if (name.empty()) {
      error(node, "`" + key + "` must not be empty");
      return std::nullopt;
    }
    std::filesystem::path file = resolve(name);
    struct stat info {};
    if (::stat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & S_IROTH)) {
      error(node, "`" + key + "` " + file.string() +
                      " is readable by every user: make it private (chmod o-r " + file.string() +
                      ")");
      return std::nullopt;
    }
    std::string problem;
    std::optional<std::string> value = read_secret_file(file, &problem);
    if (!value) error(node, "`" + key + "` " + file.string() + " " + problem);
    return value;
  }

  // `state: postgresql://…`, with the password given apart (a file, a secret) added to it.
  // The claims of a database state (docs/scale-out.md): only with `state:`, where they apply.
  void read_cluster(const YamlNode& root, bool no_database, ServiceConfig* c) {
    YamlNode workers = root.find("cluster_workers"), lease = root.find("lease");
    if (no_database) {
      for (const YamlNode& n : {workers, lease}) {
        if (n)
          error(n,
                "`cluster_workers` and `lease` need `state: postgresql://USER@HOST/DB`: "
                "hosts share tasks only through a database state");
      }
      return;
    }
    if (workers) read_count(workers, "cluster_workers", 1, 1024, &c->cluster_workers);
    if (!lease) return;
    std::optional<Millis> d = read_duration(lease, "lease");
    if (d && (*d < kMinLease || *d > kMaxLease)) {
      error(lease,
            "`lease` must be between 300ms and 1h: a host renews it every third of it, and "
            "a dead host's tasks wait that long before another takes them");
    } else if (d) {
      c->lease = *d;
    }
  }

  void read_state_url(const YamlNode& root, std::string* out) {
    YamlNode node = root.find("state");
    YamlNode password_node = root.find("state_password");
    YamlNode password_file = root.find("state_password_file");
    if (!node) {
      for (const YamlNode& n : {password_node, password_file}) {
        if (n) error(n, "a state password needs `state: postgresql://USER@HOST/DB` beside it");
      }
      return;
    }
    std::optional<std::string> url = read_string(node, "state");
    if (!url) return;
    if (!is_database_url(*url)) {
      error(node,
            "`state` must be a database URL such as postgresql://flowweaver@db/flowweaver; "
            "for state files in a directory, set `state_dir` instead");
      return;
    }
    if (url->find('#') != std::string::npos) {
      error(node,
            "`state` must not end in #NAME: the service keeps each workflow's runs under "
            "its own name in the database; remove the #… part");
      return;
    }
    if (password_node && password_file) {
      error(password_file, "give either `state_password` or `state_password_file`, not both");
      return;
    }
    std::optional<std::string> password = password_node   ? read_password_secret(password_node)
                                          : password_file ? read_password_file(password_file)
                                                          : std::optional<std::string>("");
    if (!password) return;
    if (password->empty()) {
      *out = *url;
      return;
    }
    try {
      *out = with_password_parameter(*url, *password);
    } catch (const std::exception& e) {
      error(node, std::string("`state`: ") + e.what() +
                      " (`state_password` or `state_password_file`): remove it from the URL");
    }
  }

  static bool is_database_url(const std::string& text) {
    try {
      return parse_state_location(text).backend == StateBackendKind::kPostgres;
    } catch (const std::exception&) {
      return false;  // an unknown scheme://: the caller's message names the form to use
    }
  }

  // `state_password: ${secrets.NAME}`: never the password itself, which would sit in the config.
  std::optional<std::string> read_password_secret(const YamlNode& node) {
    std::optional<std::string> s = read_string(node, "state_password");
    if (!s) return std::nullopt;
    const std::string prefix = "${secrets.";
    bool reference = s->size() > prefix.size() + 1 && s->compare(0, prefix.size(), prefix) == 0 &&
                     s->back() == '}';
    if (!reference) {
      error(node,
            "`state_password` must be a secret reference such as ${secrets.PG_PASSWORD} "
            "(read from $CREDENTIALS_DIRECTORY/PG_PASSWORD or FLOWWEAVER_SECRET_PG_PASSWORD); "
            "to keep the password in a file, use `state_password_file`");
      return std::nullopt;
    }
    std::string name = s->substr(prefix.size(), s->size() - prefix.size() - 1);
    SecretLookup found = find_secret(name, [](const std::string& variable) {
      const char* value = std::getenv(variable.c_str());
      return value ? std::optional<std::string>(value) : std::nullopt;
    });
    if (!found.value) error(node, "`state_password`: " + found.problem);
    return found.value;
  }

  std::optional<std::string> read_password_file(const YamlNode& node) {
    std::optional<std::string> s = read_string(node, "state_password_file");
    if (!s) return std::nullopt;
    return read_private_file(node, "state_password_file", *s);
  }

  void read_host_id(const YamlNode& node, std::string* out) {
    *out = default_host_id();
    if (!node) return;
    std::optional<std::string> s = read_string(node, "host_id");
    if (!s) return;
    if (!is_valid_host_id(*s)) {
      error(node, "`host_id` '" + *s + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
      return;
    }
    *out = *s;
  }

  // `pools: {warehouse: 2}`: each pool's slots, shared by every run of the service.
  void read_pools(const YamlNode& node, std::map<std::string, int>* out) {
    if (!node || node.is_null()) return;
    if (!node.is_map()) {
      error(node, "`pools` must be a map of pool names to slot counts, e.g. {warehouse: 2}");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      YamlNode key = node.key(i);
      std::string name = key.is_scalar() ? std::string(key.scalar()) : "";
      if (!is_valid_name(name)) {
        error(key, "pool name '" + name + "' may contain only letters, digits, '_' and '-'");
        continue;
      }
      int slots = 0;
      if (read_count(node.value(i), "pools: " + name, 1, 100000, &slots)) (*out)[name] = slots;
    }
  }

  void read_plugin_dirs(const YamlNode& node, std::vector<std::filesystem::path>* out) {
    if (!node) return;
    if (!node.is_sequence()) {
      error(node, "`plugin_dirs` must be a list of directories, e.g. [plugins]");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      std::filesystem::path dir;
      read_path(node.item(i), "plugin_dirs", &dir);
      out->push_back(dir);
    }
  }

  void read_listen(const YamlNode& node, ServiceConfig* c) {
    if (!node) return;
    std::optional<std::string> s = read_string(node, "listen");
    std::string why;
    if (s && !parse_listen_address(*s, &c->listen_host, &c->listen_port, &why)) {
      error(node, "`listen`: '" + *s + "': " + why);
    }
  }

  bool read_count(const YamlNode& node, const std::string& key, int low, int high, int* out) {
    if (!node) return false;
    std::optional<long long> n = read_integer(node, key);
    if (n && (*n < low || *n > high)) {
      error(node, "`" + key + "` must be between " + std::to_string(low) + " and " +
                      std::to_string(high));
      return false;
    }
    if (n) *out = static_cast<int>(*n);
    return n.has_value();
  }

  void read_isolation(const YamlNode& node, Isolation* out) {
    if (!node) return;
    std::optional<std::string> s = read_string(node, "default_isolation");
    if (!s) return;
    if (*s == "process") {
      *out = Isolation::kProcess;
    } else if (*s == "in-process") {
      *out = Isolation::kInProcess;
    } else {
      error(node,
            "`default_isolation` must be 'process' (a child process per attempt, the "
            "default) or 'in-process' (in the service's own process, which a crashing "
            "plugin takes down)" +
                did_you_mean(*s, {"process", "in-process"}));
    }
  }

  void read_size(const YamlNode& node, const std::string& key, uint64_t* out) {
    if (!node) return;
    std::optional<uint64_t> bytes;
    if (node.is_scalar()) bytes = parse_byte_size(node.scalar());
    if (!bytes) {
      std::string shown = node.is_scalar() ? "'" + std::string(node.scalar()) + "'" : "this value";
      error(node, "`" + key + "`: " + shown + " is not a size; write e.g. 10MiB, 512KiB or 1GB");
    } else if (*bytes < kMinLogBytes) {
      error(node, "`" + key + "` must be at least " + format_byte_size(kMinLogBytes));
    } else {
      *out = *bytes;
    }
  }

  std::filesystem::path config_dir_;
};

}  // namespace

bool parse_listen_address(std::string_view text, std::string* host, int* port, std::string* error) {
  std::string_view host_part, port_part;
  bool bracketed = !text.empty() && text.front() == '[';
  size_t colon = bracketed ? text.find("]:") : text.rfind(':');
  if (bracketed && colon == std::string_view::npos) {
    *error = text.find(']') == std::string_view::npos ? "missing ']' after the IPv6 address"
                                                      : "missing ':PORT' after ']'";
    return false;
  }
  if (colon == std::string_view::npos) {
    *error = "missing the port: write HOST:PORT, e.g. 127.0.0.1:8080";
    return false;
  }
  host_part = bracketed ? text.substr(1, colon - 1) : text.substr(0, colon);
  port_part = text.substr(colon + (bracketed ? 2 : 1));
  if (!check_host(host_part, bracketed, error)) return false;
  std::optional<int> p = parse_port(port_part, error);
  if (!p) return false;
  *host = std::string(host_part);
  *port = *p;
  return true;
}

std::optional<ServiceConfig> parse_service_config(std::string_view yaml,
                                                  const std::filesystem::path& config_dir,
                                                  DiagnosticList* diagnostics) {
  std::optional<YamlTree> document = load_yaml_tree(yaml, "service config", diagnostics);
  if (!document) return std::nullopt;
  YamlNode root = document->root();
  if (root.is_null()) {
    diagnostics->add({1, 1},
                     "the service config is empty; write a map of settings, e.g. "
                     "`listen: 127.0.0.1:8080`");
    return std::nullopt;
  }
  if (!root.is_map()) {
    diagnostics->add(root.location(),
                     "the service config must be a map of settings, e.g. "
                     "`listen: 127.0.0.1:8080`");
    return std::nullopt;
  }
  size_t problems_before = diagnostics->size();
  ServiceConfig config = ConfigReader(config_dir, diagnostics).read(root);
  if (diagnostics->size() != problems_before) return std::nullopt;
  return config;
}

std::optional<ServiceConfig> load_service_config(const std::string& file,
                                                 DiagnosticList* diagnostics) {
  std::optional<std::string> text = read_text_file(file, "service config", diagnostics);
  if (!text) return std::nullopt;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  std::filesystem::path dir = (ec ? std::filesystem::path(file) : absolute).parent_path();
  std::optional<ServiceConfig> config = parse_service_config(*text, dir, diagnostics);
  if (config) config->file = file;
  return config;
}

}  // namespace flowweaver
