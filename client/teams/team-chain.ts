import { equalBytes, fromBase64url, safetyCode, verifyOrganizationAdmin, type SafetyCode } from "@/crypto";
import type { TeamEntry } from "@/contract/teams";
import { IntegrityError, verified } from "../integrity";
import type { TrustedAdmins } from "../sharing/directory-verification";
import { failureKind } from "../failures";
import { certifiedKeys } from "../sharing/contacts";
import type { Transport } from "../transport/api";
import { verifiedTeamKey } from "./team-keys";

/**
 * A care team's chain of trust, checked in the patient's browser before a share key is sealed
 * to the team's key: deployment administrator key (pinned by this browser, see
 * client/sharing/directory-verification.ts) → the deployment administrator's signed statement
 * naming the organization's administrator (id, identity key, organization id and name) → the
 * team key certificate, signed by that administrator's identity key. A key version that no
 * statement certifies (made by a member after someone left, or before organizations had
 * statements) is served without a chain: the team is then unverified and sharing needs the
 * team key's safety code compared. A chain that is served but does not hold is tampering.
 */

/**
 * What the patient is told about a team. `reason` says why it is not verified. A verified team
 * names its links: the organization administrator who signed the team key (`adminId`, with the
 * identity key the statement certified) and the deployment administrator who certified them (`signerName`).
 */
export type TeamVerification =
  | { state: "verified"; signerName: string; organizationName: string; issuedAt: number; adminId: string; adminIdentityPublicKey: Uint8Array }
  | { state: "unverified"; reason: string };

/** A team's key as this browser checked it: the key to seal to, what the chain proved, and the team key's safety code. */
export interface CheckedTeam {
  publicKey: Uint8Array;
  verification: TeamVerification;
  /** The 60-digit code over the team id and its current key (crypto/safety-code.ts), which members and the organization's administrators see too. */
  safetyCode: SafetyCode;
}

const broken = () =>
  new IntegrityError(
    "signature",
    "This team's key does not check out: the signatures from this deployment's administrators to it do not match. It may have been tampered with.",
  );

/**
 * Checks the team's current key certificate and its chain under the administrator keys this browser trusts.
 * @throws IntegrityError("signature") when the certificate, or a chain that is served, does not verify or does not match (another organization, another maker or key, another name)
 */
export function checkTeamChain(team: Pick<TeamEntry, "teamId" | "organizationName" | "certificate">, admins: TrustedAdmins): CheckedTeam {
  const { certificate } = team;
  if (certificate.teamId !== team.teamId) throw broken();
  const publicKey = verifiedTeamKey(certificate);
  const code = safetyCode(publicKey, team.teamId);
  const { chain } = certificate;
  if (!chain) {
    return {
      publicKey,
      safetyCode: code,
      verification: { state: "unverified", reason: "no administrator of this deployment has certified who made this team's current key" },
    };
  }
  const adminIdentityPublicKey = fromBase64url(chain.adminIdentityPublicKey);
  if (
    chain.organizationId !== certificate.organizationId ||
    chain.adminId !== certificate.makerId ||
    !equalBytes(adminIdentityPublicKey, fromBase64url(certificate.makerIdentityPublicKey)) ||
    chain.organizationName !== team.organizationName
  ) {
    throw broken();
  }
  const signerKey = admins.get(chain.signerId);
  if (!signerKey) {
    return {
      publicKey,
      safetyCode: code,
      verification: { state: "unverified", reason: "it is certified by a key that is not one of this deployment's administrator keys your browser trusts" },
    };
  }
  try {
    verified("signature", () =>
      verifyOrganizationAdmin(
        {
          statementId: chain.id,
          organizationId: chain.organizationId,
          organizationName: chain.organizationName,
          adminId: chain.adminId,
          adminIdentityPublicKey,
          signerId: chain.signerId,
          signerName: chain.signerName,
          issuedAt: chain.issuedAt,
        },
        fromBase64url(chain.signature),
        signerKey,
      ),
    );
  } catch (error) {
    if (error instanceof IntegrityError) throw broken();
    throw error;
  }
  return {
    publicKey,
    safetyCode: code,
    verification: {
      state: "verified",
      signerName: chain.signerName,
      organizationName: chain.organizationName,
      issuedAt: chain.issuedAt,
      adminId: chain.adminId,
      adminIdentityPublicKey,
    },
  };
}

/**
 * The name of the organization administrator who signed a verified team's key, from their
 * directory entry, and only while the keys served for that account carry the identity key the
 * chain certified (a name served with other keys names someone else). Null when there is none
 * (an administrator with no directory entry, an account gone) or it cannot be had now.
 */
export async function teamKeySignerName(verification: Extract<TeamVerification, { state: "verified" }>, transport: Transport): Promise<string | null> {
  try {
    const keys = await certifiedKeys(verification.adminId, transport);
    return equalBytes(keys.identityPublicKey, verification.adminIdentityPublicKey) ? (keys.directory?.displayName ?? null) : null;
  } catch (error) {
    if (failureKind(error) === null) throw error;
    return null;
  }
}

/**
 * A verified team's line, saying who vouched for what along the chain: the team key signed by the
 * organization's administrator (by name where `adminName` is known), whom the deployment's
 * administrator certified as one of that organization's, on `certifiedOn` (already formatted).
 */
export function teamVerifiedWords(verification: Extract<TeamVerification, { state: "verified" }>, adminName: string | null, certifiedOn: string): string {
  const admin = adminName ? `${adminName}, an administrator` : "an administrator";
  return `Verified: team key signed by ${admin} of ${verification.organizationName} certified by ${verification.signerName} on ${certifiedOn}.`;
}
