import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64url, generateShareKey, safetyCode, generateTeamKeyPair, openShareKey, sealShareKey, sealTeamKey, toBase64url } from "@/crypto";
import { routes } from "@/contract/routes";
import type { NewTeamKeyJson, OrganizationSummary, TeamKeys } from "@/contract/teams";
import { IntegrityError } from "../integrity";
import { person, type Person } from "../sharing/test-fixtures";
import { fakeTransport } from "../transport/fake-transport";
import { createTeam, keepTeamKeysCurrent, replaceTeamKey, teamSafetyCode } from "./organization";
import { loadHeldTeam } from "./team-keys";

beforeAll(cryptoReady);

/**
 * A fake server holding one team's key versions and seals as the browser sends them (lib/teams
 * keeps them the same way), serving each caller the seals made for them.
 */
function teamServer(organizationId: string, people: Person[]) {
  const transport = fakeTransport();
  const keys: Array<{ makerId: string; key: NewTeamKeyJson }> = [];
  const grants = new Map<string, { teamKeyVersion: number; sealedShareKey: string }>();
  let teamId = "";
  let needsNewKey = false;
  const state = { caller: people[0]!, holders: people };
  const current = () => keys[keys.length - 1]!.key.keyVersion;
  transport.on(routes.directory.userKeys, ({ params }) => people.find((one) => one.published.userId === params.id)!.published);
  transport.on(routes.teams.createTeam, ({ body }) => {
    teamId = body.id;
    keys.push({ makerId: state.caller.published.userId, key: body.key });
    return { id: body.id };
  });
  transport.on(routes.teams.nextKey, ({ body }) => {
    keys.push({ makerId: state.caller.published.userId, key: body });
    needsNewKey = false;
  });
  transport.on(routes.teams.keys, (): TeamKeys => ({
    teamId,
    organizationId,
    keyVersion: current(),
    needsNewKey,
    certificates: keys.map(({ makerId, key }) => ({
      teamId,
      organizationId,
      keyVersion: key.keyVersion,
      publicKey: key.publicKey,
      makerId,
      signedAt: key.signedAt,
      signature: key.signature,
      // Kept with the version as the server stores it: the maker's identity key, which outlives their account.
      makerIdentityPublicKey: people.find((one) => one.published.userId === makerId)!.published.identityPublicKey,
      chain: null,
    })),
    seals: keys.flatMap(({ key }) =>
      key.seals.filter((seal) => seal.userId === state.caller.published.userId).map((seal) => ({ keyVersion: key.keyVersion, sealedKey: seal.sealedKey })),
    ),
    holders: state.holders.map((one) => one.published),
  }));
  transport.on(routes.teams.toReseal, () => ({
    keyVersion: current(),
    needsNewKey,
    grants: [...grants].filter(([, grant]) => grant.teamKeyVersion < current()).map(([grantId, grant]) => ({ grantId, ...grant })),
  }));
  transport.on(routes.teams.reseal, ({ body }) => {
    for (const reseal of body.reseals) grants.set(reseal.grantId, { teamKeyVersion: body.keyVersion, sealedShareKey: reseal.sealedShareKey });
    return { resealed: body.reseals.length };
  });
  return {
    transport,
    state,
    keys,
    grants,
    teamId: () => teamId,
    memberLeft: () => {
      needsNewKey = true;
    },
  };
}

async function madeTeam() {
  const admin = await person("nurse", "Orla Organizer");
  const member = await person("doctor", "Dr Milo Member");
  const leaver = await person("doctor", "Dr Lena Leaver");
  const organization: OrganizationSummary = { id: crypto.randomUUID(), name: "Harbour Hospital", administrators: [admin.published], teams: [] };
  const server = teamServer(organization.id, [admin, member, leaver]);
  await createTeam(organization, "Cardiology", [member.published.userId, leaver.published.userId], admin.vault, server.transport);
  return { admin, member, leaver, server };
}

describe("care team keys in the browser", () => {
  it("seal the team key to every member and administrator, who each open it and match it to its certificate", async () => {
    const { admin, member, leaver, server } = await madeTeam();
    expect(server.keys[0]!.key.seals.map((seal) => seal.userId).sort()).toEqual([admin, member, leaver].map((one) => one.published.userId).sort());
    for (const holder of [admin, member, leaver]) {
      server.state.caller = holder;
      const held = await loadHeldTeam(server.teamId(), holder.vault, server.transport);
      expect(held.pairs.get(1)!.publicKey).toEqual(fromBase64url(server.keys[0]!.key.publicKey));
      expect(held.fingerprints).toHaveLength(1);
      // The code a holder shows patients is the one a patient's browser computes from the team's certified key.
      expect(await teamSafetyCode(server.teamId(), holder.vault, server.transport)).toEqual(
        safetyCode(fromBase64url(server.keys[0]!.key.publicKey), server.teamId()),
      );
    }
  });

  it("refuse a certificate whose key was swapped, and a seal of a key the certificate does not name", async () => {
    const { member, server } = await madeTeam();
    server.state.caller = member;
    const original = server.keys[0]!.key;
    server.keys[0]!.key = { ...original, publicKey: toBase64url(generateTeamKeyPair().publicKey) };
    await expect(loadHeldTeam(server.teamId(), member.vault, server.transport)).rejects.toEqual(new IntegrityError("signature"));
    const other = generateTeamKeyPair();
    server.keys[0]!.key = {
      ...original,
      seals: original.seals.map((seal) => ({
        ...seal,
        sealedKey: toBase64url(sealTeamKey(other.secretKey, member.vault.keys.encryptionPublicKey, { teamId: server.teamId(), keyVersion: 1 })),
      })),
    };
    await expect(loadHeldTeam(server.teamId(), member.vault, server.transport)).rejects.toEqual(new IntegrityError("signature"));
  });

  it("after a removal make the next key for the remaining holders and re-seal each grant's share key to it", async () => {
    const { admin, member, leaver, server } = await madeTeam();
    const shareKey = generateShareKey();
    const grantId = crypto.randomUUID();
    server.grants.set(grantId, {
      teamKeyVersion: 1,
      sealedShareKey: toBase64url(sealShareKey(shareKey, fromBase64url(server.keys[0]!.key.publicKey), { grantId })),
    });
    server.state.holders = [admin, member];
    server.memberLeft();
    server.state.caller = admin;
    expect(await replaceTeamKey(server.teamId(), admin.vault, server.transport)).toBe(1);
    expect(server.keys[1]!.key.seals.map((seal) => seal.userId).sort()).toEqual([admin, member].map((one) => one.published.userId).sort());
    expect(server.keys[1]!.key.seals.map((seal) => seal.userId)).not.toContain(leaver.published.userId);
    // The remaining member opens the re-sealed share key with the new version; a second run has nothing left to do.
    server.state.caller = member;
    const held = await loadHeldTeam(server.teamId(), member.vault, server.transport);
    const grant = server.grants.get(grantId)!;
    expect(grant.teamKeyVersion).toBe(2);
    expect(openShareKey(fromBase64url(grant.sealedShareKey), held.pairs.get(2)!, { grantId })).toEqual(shareKey);
    expect(await replaceTeamKey(server.teamId(), member.vault, server.transport)).toBe(0);
  });

  it("let a remaining member's browser do the key work in the background, and only when there is some", async () => {
    const { admin, member, server } = await madeTeam();
    const grantId = crypto.randomUUID();
    const shareKey = generateShareKey();
    server.grants.set(grantId, {
      teamKeyVersion: 1,
      sealedShareKey: toBase64url(sealShareKey(shareKey, fromBase64url(server.keys[0]!.key.publicKey), { grantId })),
    });
    server.state.caller = member;
    expect(await keepTeamKeysCurrent([server.teamId()], member.vault, server.transport)).toBe(0);
    expect(server.transport.callsTo(routes.teams.nextKey)).toHaveLength(0);
    server.state.holders = [admin, member];
    server.memberLeft();
    expect(await keepTeamKeysCurrent([server.teamId()], member.vault, server.transport)).toBe(1);
    expect(server.keys).toHaveLength(2);
    expect(server.grants.get(grantId)!.teamKeyVersion).toBe(2);
  });
});
