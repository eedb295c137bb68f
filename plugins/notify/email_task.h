// notify.email: sends one plain-text message through an SMTP server with libcurl: smtp://
// with STARTTLS (or in clear, with tls: none) or smtps://, logging in when given a username.
#pragma once

#include <flowweaver/sdk.hpp>

namespace flowweaver::notify {

class EmailTask : public Task {
 public:
  Json run(Context& ctx) override;
};

}  // namespace flowweaver::notify
