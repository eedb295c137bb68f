// notify.webhook: POSTs a JSON payload, trying again within the call on failures a later
// attempt can fix (connection errors, timeouts, 408, 429, 5xx).
#pragma once

#include <flowweaver/sdk.hpp>

namespace flowweaver::notify {

class WebhookTask : public Task {
 public:
  Json run(Context& ctx) override;
};

}  // namespace flowweaver::notify
