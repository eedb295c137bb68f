// The web dashboard's routes: `GET /` (the page) and `GET /ui/NAME` (its scripts and styles).
// The page is open like the probes; what it shows comes from /api, which asks for the token
// when one is configured.
#pragma once

#include "http/router.h"

namespace flowweaver {

void add_dashboard_routes(Router& router);

}  // namespace flowweaver
