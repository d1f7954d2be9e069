import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, generateTeamKeyPair, safetyCode, toBase64url } from "@/crypto";
import { routes } from "@/contract/routes";
import type { OrganizationAdminStatementJson, TeamEntry } from "@/contract/teams";
import { IntegrityError, isIntegrityError } from "../integrity";
import { person, type Person } from "../sharing/test-fixtures";
import { fakeTransport } from "../transport/fake-transport";
import { checkTeamChain, teamKeySignerName, teamVerifiedWords } from "./team-chain";
import { organizationOf, teamKeyCertificate } from "./test-fixtures";
import { shareWithTeam, TeamNotComparedError } from "./team-sharing";

beforeAll(cryptoReady);

/** A team key version made and signed by `maker`, served with `chain`, as GET /api/teams serves it. */
function teamOf(maker: Person, chain: OrganizationAdminStatementJson, organizationId = chain.organizationId): TeamEntry & { teamPublicKey: Uint8Array } {
  const teamId = crypto.randomUUID();
  const pair = generateTeamKeyPair();
  return {
    teamId,
    name: "Cardiology",
    organizationName: chain.organizationName,
    needsNewKey: false,
    teamPublicKey: pair.publicKey,
    certificate: teamKeyCertificate(maker, { teamId, organizationId, keyVersion: 1, publicKey: pair.publicKey }, chain),
  };
}

async function chainOfTrust() {
  const deploymentAdmin = await person("admin", "Ada Admin");
  const orgAdmin = await person("nurse", "Orla Organizer");
  const chain = await organizationOf(deploymentAdmin, orgAdmin, "Riverside Hospital");
  const admins = new Map([[deploymentAdmin.published.userId, deploymentAdmin.vault.keys.identityPublicKey]]);
  return { deploymentAdmin, orgAdmin, chain, admins };
}

const expectBroken = (check: () => unknown) => {
  try {
    check();
  } catch (error) {
    expect(isIntegrityError(error) && error.code === "signature").toBe(true);
    return;
  }
  throw new Error("the chain was accepted");
};

describe("a care team's chain of trust", () => {
  it("verifies from a pinned deployment administrator key through the organization administrator to the team key", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const team = teamOf(orgAdmin, chain);
    const checked = checkTeamChain(team, admins);
    expect(checked.verification).toEqual({
      state: "verified",
      signerName: "Ada Admin, registrar",
      organizationName: "Riverside Hospital",
      issuedAt: chain.issuedAt,
      adminId: orgAdmin.published.userId,
      adminIdentityPublicKey: orgAdmin.vault.keys.identityPublicKey,
    });
    expect(checked.publicKey).toEqual(team.teamPublicKey);
    expect(checked.safetyCode).toEqual(safetyCode(team.teamPublicKey, team.teamId));
  });

  it("shows a team without a chain (made before statements, or a key a member replaced) as unverified, and one certified by an untrusted key too", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const team = teamOf(orgAdmin, chain);
    expect(checkTeamChain({ ...team, certificate: { ...team.certificate, chain: null } }, admins).verification.state).toBe("unverified");
    expect(checkTeamChain(team, new Map()).verification.state).toBe("unverified");
  });

  it("refuses a team key signed by a maker the chain does not certify for the organization", async () => {
    const { chain, admins } = await chainOfTrust();
    // The server's own maker signs a team key and serves it with the real administrator's statement.
    const mallory = await person("doctor", "Dr Mallory");
    expectBroken(() => checkTeamChain(teamOf(mallory, chain), admins));
    // Or a statement naming Mallory that no trusted key signed: the signature is checked, not the names.
    expectBroken(() =>
      checkTeamChain(teamOf(mallory, { ...chain, adminId: mallory.published.userId, adminIdentityPublicKey: mallory.published.identityPublicKey }), admins),
    );
  });

  it("refuses a chain for another organization, another name, another key, or an altered statement or certificate", async () => {
    const { deploymentAdmin, orgAdmin, chain, admins } = await chainOfTrust();
    const elsewhere = await organizationOf(deploymentAdmin, orgAdmin, "Hillside Clinic");
    const team = teamOf(orgAdmin, chain);
    expectBroken(() => checkTeamChain({ ...team, certificate: { ...team.certificate, chain: elsewhere } }, admins));
    expectBroken(() => checkTeamChain({ ...team, organizationName: "Riverside Hospital Trust" }, admins));
    expectBroken(() => checkTeamChain({ ...team, certificate: { ...team.certificate, chain: { ...chain, signerName: "Eve" } } }, admins));
    expectBroken(() => checkTeamChain({ ...team, certificate: { ...team.certificate, chain: { ...chain, issuedAt: chain.issuedAt + 1 } } }, admins));
    const other = await person("nurse", "Other");
    expectBroken(() => checkTeamChain({ ...team, certificate: { ...team.certificate, makerIdentityPublicKey: other.published.identityPublicKey } }, admins));
    expectBroken(() => checkTeamChain({ ...team, certificate: { ...team.certificate, publicKey: toBase64url(generateTeamKeyPair().publicKey) } }, admins));
    expectBroken(() => checkTeamChain({ ...team, teamId: crypto.randomUUID() }, admins));
  });

  it("keeps verifying after the maker's account is gone: everything it needs is in the certificate as served", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const team = teamOf(orgAdmin, chain);
    // No transport at all: no published keys of the maker are looked up.
    expect(checkTeamChain(JSON.parse(JSON.stringify(team)) as TeamEntry, admins).verification.state).toBe("verified");
  });
});

describe("a verified team's line", () => {
  it("names who signed the team key, for which organization, and who certified them", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const { verification } = checkTeamChain(teamOf(orgAdmin, chain), admins);
    if (verification.state !== "verified") throw new Error("not verified");
    expect(teamVerifiedWords(verification, "Orla Organizer", "1 March 2026")).toBe(
      "Verified: team key signed by Orla Organizer, an administrator of Riverside Hospital certified by Ada Admin, registrar on 1 March 2026.",
    );
    // An administrator whose name cannot be had is still said to be one, never named as the certifier.
    expect(teamVerifiedWords(verification, null, "1 March 2026")).toBe(
      "Verified: team key signed by an administrator of Riverside Hospital certified by Ada Admin, registrar on 1 March 2026.",
    );
  });

  it("takes the signer's name from their directory entry only while their served keys carry the identity key the chain certified", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const { verification } = checkTeamChain(teamOf(orgAdmin, chain), admins);
    if (verification.state !== "verified") throw new Error("not verified");
    const served = (published: Person["published"]) => fakeTransport().on(routes.directory.userKeys, () => published);
    expect(await teamKeySignerName(verification, served(orgAdmin.published))).toBe("Orla Organizer");
    const impostor = await person("nurse", "Orla Organizer");
    expect(await teamKeySignerName(verification, served({ ...impostor.published, userId: orgAdmin.published.userId }))).toBeNull();
  });
});

describe("sharing with a team", () => {
  const input = { recordIds: "all" as const, permission: "read" as const, expiresAt: null, revealedName: "Pat" };

  it("sends nothing when the chain does not hold, and nothing to an unverified team without the safety code compared", async () => {
    const { orgAdmin, chain, admins } = await chainOfTrust();
    const patient = await person("patient", "Pat");
    const transport = fakeTransport();
    const mallory = await person("doctor", "Dr Mallory");
    await expect(shareWithTeam({ ...input, team: teamOf(mallory, chain), admins, compared: true }, patient.vault, transport)).rejects.toBeInstanceOf(
      IntegrityError,
    );
    const unverified = teamOf(orgAdmin, chain);
    await expect(
      shareWithTeam(
        { ...input, team: { ...unverified, certificate: { ...unverified.certificate, chain: null } }, admins, compared: false },
        patient.vault,
        transport,
      ),
    ).rejects.toBeInstanceOf(TeamNotComparedError);
    expect(transport.calls).toEqual([]);
  });
});
