// The tables only a database state has (SCHEMA.md, "Cluster tables (PostgreSQL only)"): what the
// `flowweaver serve` hosts sharing one PostgreSQL database tell each other besides the runs.
#pragma once

#include "state/postgres_connection.h"

namespace flowweaver {

// Creates the cluster tables that are missing (each statement `IF NOT EXISTS`, so a database
// made by an older flowweaver gains them), inside the caller's transaction: the store's schema
// transaction, which holds the schema advisory lock. Throws Error::State as PgConnection::exec.
void create_missing_cluster_tables(PgConnection& db);

// The same in a transaction of its own, under the schema lock PostgresStore takes, so that
// hosts starting together do not race.
void ensure_cluster_tables(PgConnection& db);

}  // namespace flowweaver
