import { signTeamKeyCertificate, toBase64url } from "@/crypto";
import { routes } from "@/contract/routes";
import type { OrganizationAdminStatementJson, TeamKeyCertificateJson } from "@/contract/teams";
import { createOrganization } from "../admin/admin-accounts";
import type { Person } from "../sharing/test-fixtures";
import { fakeTransport } from "../transport/fake-transport";

/**
 * Fixtures for unit tests of care teams in Node: an organization created by a deployment
 * administrator's browser (its signed statement, as the server then serves it as a chain), and
 * team key certificates signed by whoever makes a key version.
 */

/** The deployment administrator's browser creates the organization (signing its statement); what the server then stores and serves. */
export async function organizationOf(deploymentAdmin: Person, orgAdmin: Person, name: string): Promise<OrganizationAdminStatementJson> {
  const transport = fakeTransport();
  transport.on(routes.directory.userKeys, () => orgAdmin.published);
  transport.on(routes.teams.createOrganization, ({ body }) => ({ id: body.id }));
  const id = await createOrganization(
    { name, administratorIds: [orgAdmin.published.userId], signerName: "Ada Admin, registrar" },
    deploymentAdmin.vault,
    transport,
  );
  const [sent] = transport.callsTo(routes.teams.createOrganization);
  const body = (
    sent!.input as unknown as {
      body: { name: string; statements: Array<Omit<OrganizationAdminStatementJson, "organizationId" | "organizationName" | "signerId">> };
    }
  ).body;
  return { ...body.statements[0]!, organizationId: id, organizationName: body.name, signerId: deploymentAdmin.published.userId };
}

/** A team key version made and signed by `maker`, served with `chain` (null: a key no statement certifies, as a member makes one). */
export function teamKeyCertificate(
  maker: Person,
  key: { teamId: string; organizationId: string; keyVersion: number; publicKey: Uint8Array },
  chain: OrganizationAdminStatementJson | null,
): TeamKeyCertificateJson {
  const signedAt = Date.now();
  const signature = signTeamKeyCertificate({ ...key, makerId: maker.published.userId, createdAt: signedAt }, maker.vault.keys.identitySecretKey);
  return {
    teamId: key.teamId,
    organizationId: key.organizationId,
    keyVersion: key.keyVersion,
    publicKey: toBase64url(key.publicKey),
    makerId: maker.published.userId,
    signedAt,
    signature: toBase64url(signature),
    makerIdentityPublicKey: maker.published.identityPublicKey,
    chain,
  };
}
