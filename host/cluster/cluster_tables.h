// The tables only a database state has (SCHEMA.md, "Cluster tables (PostgreSQL only)"): what the
// `flowweaver serve` hosts sharing one PostgreSQL database tell each other.
#pragma once

#include "state/postgres_connection.h"

namespace flowweaver {

// Creates the cluster tables that are missing, under the schema lock PostgresStore takes, so
// that hosts starting together do not race. Throws Error::State as PgConnection::exec does.
void ensure_cluster_tables(PgConnection& db);

}  // namespace flowweaver
