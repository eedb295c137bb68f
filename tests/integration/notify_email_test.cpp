// notify.email end to end: the real binary sends through a real SMTP server (aiosmtpd) on
// loopback, in clear, with a login, and with STARTTLS or smtps:// on a certificate made by the
// test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"
#include "script_server.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string task_column(const TempDir& dir, const std::string& column, const std::string& task) {
  return query_one((dir.path() / "var" / "wf.db").string(),
                   "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
}

std::string smtp_url(const ScriptServer& server) {
  return "smtp://127.0.0.1:" + std::to_string(server.port());
}

// One email task; `extra` adds lines under `with:` (6 spaces in).
std::string email_workflow(const std::string& url, const std::string& to, const std::string& extra,
                           const std::string& task_keys = "") {
  return R"(name: wf
secrets: [SMTP_USER, SMTP_PASSWORD]
tasks:
  - name: mail
    uses: notify.email
)" + task_keys +
         R"(    with:
      url: )" +
         url + R"(
      from: "Night jobs <jobs@example.com>"
      to: )" +
         to + R"(
      subject: "Échec: ${workflow.name}"
      body: "run ${run.id} failed\n.a line starting with a dot\nbye"
)" + extra;
}

// A self-signed certificate for 127.0.0.1, valid from now (whatever the clock says) for 2 days.
std::string make_certificate_command(const std::string& cert, const std::string& key) {
  return "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
         "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
         key + " -out " + cert + " 2>/dev/null";
}

const std::map<std::string, std::string> kSecrets = {{"FLOWWEAVER_SECRET_SMTP_USER", "night"},
                                                     {"FLOWWEAVER_SECRET_SMTP_PASSWORD", "pw-42"}};

TEST(NotifyEmailTest, SendsToEveryRecipientInClearWhenTlsIsNone) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {}, dir.path());
  dir.write("wf.yaml",
            email_workflow(smtp_url(server), "[ops@example.com, \"Dev <dev@example.org>\"]",
                           "      tls: none\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<json> mails = server.records();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["mail_from"], "jobs@example.com");
  EXPECT_EQ(mails[0]["rcpt_tos"], json({"ops@example.com", "dev@example.org"}));
  EXPECT_EQ(mails[0]["from"], "Night jobs <jobs@example.com>");
  EXPECT_EQ(mails[0]["to"], "ops@example.com, Dev <dev@example.org>");
  EXPECT_EQ(mails[0]["subject"], "Échec: wf");
  EXPECT_EQ(mails[0]["content_type"], "text/plain");
  std::string run_id =
      query_one((dir.path() / "var" / "wf.db").string(), "SELECT run_id FROM runs");
  EXPECT_EQ(mails[0]["body"], "run " + run_id + " failed\n.a line starting with a dot\nbye");
  EXPECT_EQ(mails[0]["tls"], false);
  json result = json::parse(task_column(dir, "result", "mail"));
  EXPECT_EQ(result["to"], json({"ops@example.com", "dev@example.org"}));
  EXPECT_EQ(result["message_id"], mails[0]["message_id"]);
}

TEST(NotifyEmailTest, LogsInWithCredentialsFromSecretsAndAWrongPasswordIsNotRetried) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {"--auth", "night:pw-42"}, dir.path());
  dir.write("wf.yaml", email_workflow(smtp_url(server), "ops@example.com",
                                      "      tls: none\n"
                                      "      username: ${secrets.SMTP_USER}\n"
                                      "      password: ${secrets.SMTP_PASSWORD}\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(server.records().size(), 1u);
  EXPECT_EQ(server.records()[0]["authenticated"], true);

  TempDir wrong;
  wrong.write("wf.yaml", email_workflow(smtp_url(server), "ops@example.com",
                                        "      tls: none\n"
                                        "      username: ${secrets.SMTP_USER}\n"
                                        "      password: nope\n",
                                        "    retries: 2\n    retry_delay: 10ms\n"));
  r = run_flowweaver({"run", "wf.yaml"}, wrong.path(), kSecrets);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(server.records().size(), 1u);
  std::string error = task_column(wrong, "error", "mail");
  EXPECT_THAT(error, HasSubstr("sending mail through " + smtp_url(server) + " failed: "));
  EXPECT_THAT(error, HasSubstr("the server said: 535"));
  EXPECT_THAT(error, HasSubstr("(not retried)"));
  EXPECT_EQ(task_column(wrong, "attempt", "mail"), "1");
}

TEST(NotifyEmailTest, ARejectedRecipientFailsForGoodWithTheServersReply) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {"--reject", "gone@example.com"}, dir.path());
  dir.write("wf.yaml", email_workflow(smtp_url(server), "gone@example.com", "      tls: none\n",
                                      "    retries: 2\n    retry_delay: 10ms\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(server.records().empty());
  EXPECT_THAT(task_column(dir, "error", "mail"),
              HasSubstr("the server said: 550 5.1.1 <gone@example.com>: no such user here "
                        "(not retried)"));
  EXPECT_EQ(task_column(dir, "attempt", "mail"), "1");
}

TEST(NotifyEmailTest, ATemporaryRejectionIsRetriedByTheTasksPolicy) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {"--defer", "busy@example.com"}, dir.path());
  dir.write("wf.yaml", email_workflow(smtp_url(server), "busy@example.com", "      tls: none\n",
                                      "    retries: 1\n    retry_delay: 10ms\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string error = task_column(dir, "error", "mail");
  EXPECT_THAT(error, HasSubstr("the server said: 451 4.3.0 <busy@example.com>: mailbox busy"));
  EXPECT_THAT(error, ::testing::Not(HasSubstr("not retried")));
  EXPECT_EQ(task_column(dir, "attempt", "mail"), "2");
}

TEST(NotifyEmailTest, StartTlsIsRequiredByDefaultAndItsAbsenceSaysHowToSendInClear) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {}, dir.path());
  dir.write("wf.yaml", email_workflow(smtp_url(server), "ops@example.com", ""));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(server.records().empty());
  EXPECT_THAT(task_column(dir, "error", "mail"),
              HasSubstr("the server does not offer STARTTLS; set tls: none to send in clear"));
}

TEST(NotifyEmailTest, SendsOverStartTlsTrustingTheGivenCa) {
  TempDir dir;
  std::string cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
  ASSERT_EQ(std::system(make_certificate_command(cert, key).c_str()), 0)
      << "openssl (Debian openssl) is needed";
  ScriptServer server("smtp_server.py", {"--cert", cert, "--key", key}, dir.path());
  dir.write("wf.yaml",
            email_workflow(smtp_url(server), "ops@example.com", "      ca_file: " + cert + "\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(server.records().size(), 1u);
  EXPECT_EQ(server.records()[0]["tls"], true);

  // Without the CA the certificate is refused, for good.
  TempDir untrusted;
  untrusted.write("wf.yaml", email_workflow(smtp_url(server), "ops@example.com", ""));
  r = run_flowweaver({"run", "wf.yaml"}, untrusted.path(), kSecrets);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(task_column(untrusted, "error", "mail"), HasSubstr("(not retried)"));
}

TEST(NotifyEmailTest, SendsOverSmtpsWithTlsFromTheFirstByte) {
  TempDir dir;
  std::string cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
  ASSERT_EQ(std::system(make_certificate_command(cert, key).c_str()), 0)
      << "openssl (Debian openssl) is needed";
  ScriptServer server("smtp_server.py", {"--cert", cert, "--key", key, "--implicit-tls"},
                      dir.path());
  std::string url = "smtps://127.0.0.1:" + std::to_string(server.port());
  dir.write("wf.yaml", email_workflow(url, "ops@example.com", "      ca_file: " + cert + "\n"));
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), kSecrets);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(server.records().size(), 1u);
  EXPECT_EQ(server.records()[0]["tls"], true);
  EXPECT_EQ(server.records()[0]["subject"], "Échec: wf");
}

TEST(NotifyEmailTest, BadAddressesAndSettingsFailAtOnceNamingTheParameter) {
  TempDir dir;
  ScriptServer server("smtp_server.py", {}, dir.path());
  dir.write(
      "wf.yaml",
      R"(name: wf
tasks:
  - name: bad_to
    uses: notify.email
    retries: 2
    with: {url: )" +
          smtp_url(server) +
          R"(, tls: none, from: a@example.com, to: [ok@example.com, nobody], subject: s, body: b}
  - name: bad_url
    uses: notify.email
    with: {url: "http://127.0.0.1/", from: a@example.com, to: b@example.com, subject: s, body: b}
  - name: bad_tls
    uses: notify.email
    with: {url: )" +
          smtp_url(server) +
          R"(, tls: maybe, from: a@example.com, to: b@example.com, subject: s, body: b}
  - name: smtps_in_clear
    uses: notify.email
    with: {url: "smtps://127.0.0.1:1", tls: none, from: a@example.com, to: b@example.com, subject: s, body: b}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(server.records().empty());
  EXPECT_THAT(task_column(dir, "error", "bad_to"),
              HasSubstr("parameter 'to[1]': \"nobody\" is not an email address"));
  EXPECT_EQ(task_column(dir, "attempt", "bad_to"), "1");
  EXPECT_THAT(task_column(dir, "error", "bad_url"),
              HasSubstr("parameter 'url' must start with smtp:// "));
  EXPECT_THAT(task_column(dir, "error", "bad_tls"),
              HasSubstr("parameter 'tls' must be starttls or none, but is \"maybe\""));
  EXPECT_THAT(task_column(dir, "error", "smtps_in_clear"),
              HasSubstr("tls: none contradicts an smtps:// url"));
}

}  // namespace
}  // namespace flowweaver::testing
