import { availableParallelism } from "node:os";

/**
 * Connections each server process holds to PostgreSQL at most (opened as requests need them),
 * unless DATABASE_POOL_SIZE says otherwise (lib/config.ts): twice the CPU cores this process
 * may use, the PostgreSQL wiki's rule of thumb ("Number Of Database Connections": about
 * twice the database server's cores), at least 2. A server runs no more statements at once
 * than it has cores; more connections only add wake-ups, context switches and one socket
 * write per statement instead of several statements pipelined in one. On this 2-core machine
 * running the app and PostgreSQL side by side, the chart read under 50 connections served
 * 473 requests/s with a pool of 20, 541 with 10, 592 with 6 and 741 with 4
 * (bench/browser-bench.ts, quick mode, one run each). Size PostgreSQL's `max_connections` for
 * instances × this, plus your own tools.
 */
export const defaultPostgresPoolSize = Math.max(2, 2 * availableParallelism());
