import type { AdminAccount } from "@/contract/admin-console";
import { routes } from "@/contract/routes";
import { withFreshProof } from "../account/fresh-proof";
import { httpTransport, type Transport } from "../transport/api";

/** Accounts for the console: the newest, or those matching `q` (a clinician's public name, or an id). */
export async function findAccounts(q: string, transport: Transport = httpTransport): Promise<AdminAccount[]> {
  const query = q.trim().length >= 3 ? { q: q.trim() } : {};
  return (await transport.call(routes.adminConsole.accounts, { query })).accounts;
}

/**
 * Disables (or, with `enable`, enables again) an account; asks for a passkey tap first when
 * the server wants a fresh proof (client/account/fresh-proof.ts). Throws what withFreshProof
 * throws: FreshProofNotGivenError, or ApiError (not-found, conflict for one's own account or
 * the last administrator).
 */
export async function setAccountDisabled(userId: string, disabled: boolean, transport: Transport = httpTransport): Promise<void> {
  const route = disabled ? routes.adminConsole.disableAccount : routes.adminConsole.enableAccount;
  await withFreshProof(() => transport.call(route, { params: { id: userId } }), transport);
}

/**
 * Creates an organization (a clinic, a hospital) and names its administrators by account id;
 * asks for a passkey tap first when the server wants a fresh proof. Returns its id.
 * Throws FreshProofNotGivenError, or ApiError (invalid-input for an id that is not an account in use).
 */
export async function createOrganization(name: string, administratorIds: string[], transport: Transport = httpTransport): Promise<string> {
  const id = crypto.randomUUID();
  await withFreshProof(() => transport.call(routes.teams.createOrganization, { body: { id, name, administratorIds } }), transport);
  return id;
}

/**
 * The one account an administrator means by `typed`: a whole account id as it is, or the short
 * id the console shows (its first 8 hex digits) when exactly one account's id starts with it.
 * Returns the id, or `{ problem }` in words to show (no such account, or several).
 * @throws ApiError when the accounts cannot be searched
 */
export async function resolveAccount(typed: string, transport: Transport = httpTransport): Promise<string | { problem: string }> {
  const text = typed.trim().toLowerCase();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) return text;
  if (!/^[0-9a-f]{8}$/.test(text))
    return { problem: "Enter the account id as the accounts list shows it: its first 8 characters (such as 1a2b3c4d), or the whole id." };
  const matching = (await findAccounts(text, transport)).filter((account) => account.userId.startsWith(text));
  if (matching.length === 1) return matching[0]!.userId;
  return matching.length === 0
    ? { problem: `No account's id starts with ${text}.` }
    : { problem: `${matching.length} accounts' ids start with ${text}: enter the whole id.` };
}
