import type { AdminAccount } from "@/contract/admin-console";
import { cryptoReady, signOrganizationAdmin, toBase64url } from "@/crypto";
import type { z } from "zod";
import { routes } from "@/contract/routes";
import type { newOrganizationSchema } from "@/contract/teams";
import { withFreshProof } from "../account/fresh-proof";
import { httpTransport, type Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import { certifiedFrom } from "../teams/team-keys";

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
 * Creates an organization (a clinic, a hospital) and names its administrators by account id,
 * signing in this browser, with the deployment administrator's identity key, a statement for
 * each (crypto/organization-admin-statement.ts: the organization's id and name, the
 * administrator's id and identity key as their key certificate shows it, and `signerName`, how
 * patients will see who certified it): the first link of each care team's chain of trust
 * (client/teams/team-chain.ts). Asks for a passkey tap first when the server wants a fresh proof.
 * Returns its id.
 * @throws IntegrityError when an administrator's published keys do not verify; FreshProofNotGivenError;
 *   ApiError (invalid-input for an id that is not an account in use).
 */
export async function createOrganization(
  input: { name: string; administratorIds: string[]; signerName: string },
  vault: UnlockedVault,
  transport: Transport = httpTransport,
): Promise<string> {
  await cryptoReady();
  const id = crypto.randomUUID();
  const statements: Array<z.infer<typeof newOrganizationSchema>["statements"][number]> = [];
  for (const adminId of new Set(input.administratorIds)) {
    const { identityPublicKey } = certifiedFrom(await transport.call(routes.directory.userKeys, { params: { id: adminId } }));
    const statement = { id: crypto.randomUUID(), adminId, adminIdentityPublicKey: identityPublicKey, signerName: input.signerName, issuedAt: Date.now() };
    const signature = signOrganizationAdmin(
      { ...statement, statementId: statement.id, organizationId: id, organizationName: input.name, signerId: vault.userId },
      vault.keys.identitySecretKey,
    );
    statements.push({ ...statement, adminIdentityPublicKey: toBase64url(identityPublicKey), signature: toBase64url(signature) });
  }
  await withFreshProof(
    () => transport.call(routes.teams.createOrganization, { body: { id, name: input.name, administratorIds: input.administratorIds, statements } }),
    transport,
  );
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
