// The tables only a database state has ("cluster tables", SCHEMA.md "Cluster tables (PostgreSQL
// only)"): what several `flowweaver serve` hosts on one PostgreSQL share besides the runs.
#pragma once

#include "state/postgres_connection.h"

namespace flowweaver {

// Creates the cluster tables that are missing (each statement `IF NOT EXISTS`, so a database
// made by an older flowweaver gains them). Called by the store inside its schema transaction,
// under the schema advisory lock. Throws Error::State as PgConnection::exec does.
void ensure_cluster_tables(PgConnection& db);

}  // namespace flowweaver
