import "server-only";
import type { z } from "zod";
import type { adminAccountQuerySchema, adminTrailQuerySchema } from "@/contract/admin-console";
import { cryptoReady } from "@/crypto";
import { requireFreshProof } from "@/lib/auth/fresh-proof";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { requireSession } from "@/lib/sessions/current-session";
import { disableAccount, enableAccount, listAccounts } from "./account-status";
import { adminTrailPage } from "./admin-trail";
import { adminOverview } from "./overview";

/**
 * The administration console's services (/api/admin/...): each answers only an administrator
 * (AppError "forbidden" for anyone else signed in), and every action also needs a fresh proof
 * (AppError "fresh-proof-required", lib/auth/fresh-proof.ts), checked after the role so that
 * nobody else learns the route's rules.
 */
async function asAdmin() {
  const session = await requireSession();
  if (session.role !== "admin") throw new AppError("forbidden", "Only administrators use the administration console.");
  const { db } = await getDatabase();
  return { session, db };
}

/** GET /api/admin/overview */
export async function overview() {
  const { db } = await asAdmin();
  return adminOverview(db);
}

/** GET /api/admin/accounts */
export async function accounts(query: z.infer<typeof adminAccountQuerySchema>) {
  const { db } = await asAdmin();
  return { accounts: await listAccounts(db, query.q) };
}

/** POST /api/admin/accounts/{id}/disable: needs a fresh proof. */
export async function disable(targetId: string) {
  const { session, db } = await asAdmin();
  requireFreshProof(session);
  if (await disableAccount(db, session.userId, targetId)) logger().info({ adminId: session.userId, userId: targetId }, "account disabled");
}

/** POST /api/admin/accounts/{id}/enable: needs a fresh proof. */
export async function enable(targetId: string) {
  const { session, db } = await asAdmin();
  requireFreshProof(session);
  if (await enableAccount(db, session.userId, targetId)) logger().info({ adminId: session.userId, userId: targetId }, "account enabled");
}

/** GET /api/admin/trail */
export async function trail(query: z.infer<typeof adminTrailQuerySchema>) {
  const { db } = await asAdmin();
  await cryptoReady();
  return adminTrailPage(db, query);
}
