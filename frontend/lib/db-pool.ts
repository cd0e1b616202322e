/**
 * The node-postgres pool Better Auth uses, with every wait bounded: a database that is down, restarting or
 * silent makes a request fail within seconds (and the proxy answer 503), never hang it.
 */
import { Pool, type PoolConfig } from "pg";

import { pgConfig } from "@/lib/pg-config";

export const POOL_LIMITS = {
  max: 10,
  // Connecting (TCP + authentication) to a server that accepts and never answers gives up after this.
  connectionTimeoutMillis: 5_000,
  // Idle connections are closed after this, so a restarted server's dead connections do not linger.
  idleTimeoutMillis: 30_000,
  // A query that gets no answer is abandoned client-side (works through PgBouncer, unlike startup options).
  query_timeout: 15_000,
  // TCP keepalives notice a server that vanished without closing the connection.
  keepAlive: true,
} satisfies PoolConfig;

export function createPool(databaseUrl: string, overrides: PoolConfig = {}): Pool {
  const pool = new Pool({ ...pgConfig(databaseUrl), ...POOL_LIMITS, ...overrides });
  // A connection can die (database restart, failover): while idle the pool reports it, while in use the client
  // does (its query fails too). Without these listeners the error would crash the server.
  const lost = (error: Error) => console.error(`todo-frontend: database connection lost: ${error.message}`);
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", lost));
  return pool;
}

/** Whether the database answers a trivial query now (within the pool's timeouts). */
export async function databaseAnswers(pool: Pool): Promise<boolean> {
  try {
    await pool.query("SELECT 1");
    return true;
  } catch {
    return false;
  }
}
