import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64url, parseShareCode, shareCodeMatches } from "@/crypto";
import { routes } from "@/contract/routes";
import { createAccountKeys } from "../keystore/account-keys";
import type { UnlockedVault } from "../keystore/vault-store";
import { ApiError } from "../transport/api";
import { fakeTransport } from "../transport/fake-transport";
import { checkPinnedContacts, memoryNoticedTimes } from "./contact-key-check";
import { person, pinFor, type Person } from "./test-fixtures";

/** The same account with keys made afresh (as a new device's set-up, or a server's swap with a certificate the account signed). */
async function rekeyed(who: Person): Promise<Person["published"]> {
  const made = await createAccountKeys({
    userId: who.vault.userId,
    role: who.vault.role,
    credentialId: "credential",
    prfOutput: crypto.getRandomValues(new Uint8Array(32)),
    profile: { displayName: "", contacts: {} },
  });
  return {
    ...who.published,
    identityPublicKey: made.payload.identityPublicKey,
    certificate: made.payload.certificate,
    directory: who.published.directory && { ...who.published.directory, identityPublicKey: made.payload.identityPublicKey },
  };
}

describe("checking pinned contacts' keys in the browser", () => {
  let patient: Person;
  let doctor: Person;
  let friend: Person;
  let admin: Person;
  let vault: UnlockedVault;

  beforeAll(async () => {
    await cryptoReady();
    [patient, doctor, friend, admin] = await Promise.all([
      person("patient", "Pat"),
      person("doctor", "Dr Dee"),
      person("patient", "Frankie Friend"),
      person("admin", "Ada Admin"),
    ]);
    vault = {
      ...patient.vault,
      profile: {
        ...patient.vault.profile,
        contacts: {
          [doctor.vault.userId]: pinFor(doctor),
          [friend.vault.userId]: pinFor(friend),
          [admin.vault.userId]: { ...pinFor(admin), role: "admin" },
        },
      },
    };
  });

  /** A server serving `served` per account: clinicians through the directory, others only by share code. */
  function server(served: Map<string, Person["published"]>) {
    return fakeTransport()
      .on(routes.directory.userKeys, ({ params }) => {
        const keys = served.get(params.id);
        if (!keys?.directory) throw new ApiError(404, "not-found", "There is no such clinician.");
        return keys;
      })
      .on(routes.emergencyContacts.contactKeys, ({ query }) => {
        // As the server does: only when the code names the account's current identity key.
        const keys = served.get(parseShareCode(query!.code).userId);
        if (!keys || keys.directory || !shareCodeMatches(query!.code, fromBase64url(keys.identityPublicKey), keys.userId))
          throw new ApiError(404, "not-found", "No account matches this share code.");
        return keys;
      })
      .on(routes.directoryVerification.admins, () => ({
        admins: [...served.values()]
          .filter((entry) => entry.userId === admin.vault.userId)
          .map(({ userId, identityPublicKey, certificate }) => ({ userId, identityPublicKey, certificate })),
      }));
  }
  const honest = () =>
    new Map([
      [doctor.vault.userId, doctor.published],
      [friend.vault.userId, friend.published],
      [admin.vault.userId, admin.published],
    ]);

  it("finds nothing when every served key is the pinned one", async () => {
    expect(await checkPinnedContacts(vault, server(honest()), memoryNoticedTimes())).toEqual({ changed: [], unchecked: 0 });
  });

  it("lists each contact whose served keys differ from the pin, by kind, with when it was first noticed", async () => {
    const served = honest();
    served.set(doctor.vault.userId, await rekeyed(doctor));
    served.set(friend.vault.userId, { ...(await rekeyed(friend)), identityPublicKey: friend.published.identityPublicKey });
    served.set(admin.vault.userId, await rekeyed(admin));
    const noticed = memoryNoticedTimes();
    const first = await checkPinnedContacts(vault, server(served), noticed, new Date("2026-12-01T08:00:00Z"));
    expect(first.changed.map((contact) => [contact.userId, contact.kind]).sort()).toEqual(
      [
        [doctor.vault.userId, "clinician"],
        // The friend's served certificate is not signed by the identity key served with it: not the pinned keys either.
        [friend.vault.userId, "contact"],
        [admin.vault.userId, "admin"],
      ].sort(),
    );
    expect(first.changed.find((contact) => contact.kind === "clinician")).toMatchObject({ name: "Dr Dee", noticedAt: "2026-12-01T08:00:00.000Z" });
    // Seen again later: still first noticed at 08:00. Re-keyed again: noticed anew.
    const again = await checkPinnedContacts(vault, server(served), noticed, new Date("2026-12-01T09:00:00Z"));
    expect(again.changed.find((contact) => contact.kind === "clinician")!.noticedAt).toBe("2026-12-01T08:00:00.000Z");
    served.set(doctor.vault.userId, await rekeyed(doctor));
    const third = await checkPinnedContacts(vault, server(served), noticed, new Date("2026-12-01T10:00:00Z"));
    expect(third.changed.find((contact) => contact.kind === "clinician")!.noticedAt).toBe("2026-12-01T10:00:00.000Z");
  });

  it("counts a contact whose keys cannot be fetched as unchecked, and an administrator no longer listed as unchanged", async () => {
    const served = honest();
    served.delete(friend.vault.userId);
    served.delete(admin.vault.userId);
    expect(await checkPinnedContacts(vault, server(served), memoryNoticedTimes())).toEqual({ changed: [], unchecked: 1 });
  });
});
