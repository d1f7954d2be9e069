/**
 * Roles, stated once: who may call each API route, and on whose data. Plain data, no framework
 * and no zod, so the README's tables (scripts/roles-table.ts), the authorization matrix
 * (e2e/support/authorization-matrix.ts) and the unit tests all read the same definitions.
 *
 * The definitions state what the server's services do (each route's service checks the role:
 * lib/records/chart-owner.ts, lib/grants/sharing-service.ts, lib/admin/admin-service.ts, ...);
 * when a service changes who it lets in, the entry here changes with it and the matrix checks
 * the two agree. A route added under app/api needs one entry in `routeRules` (contract/roles.test.ts
 * fails until it has one).
 */

/** The roles, in the order the README lists them. */
export const roleIds = ["patient", "doctor", "nurse", "teamMember", "organizationAdministrator", "deploymentAdministrator", "disabledAccount"] as const;
export type RoleId = (typeof roleIds)[number];

/** The roles a route names: a disabled account is never named, it is refused everything a signed-in person does (`outcomeFor`). */
export type ActiveRoleId = Exclude<RoleId, "disabledAccount">;

/**
 * Whose data a role reaches through a route: "own" (the caller's own account, chart or
 * organization), "shared" (what a patient shared with the caller through a grant), "any"
 * (anyone's: deployment-wide, or public directory entries), "none" (refused, whatever the ids).
 */
export type Reach = "own" | "shared" | "any" | "none";

export interface RoleDefinition {
  /** The role's name in the README. */
  name: string;
  /** How an account comes to have it. */
  gets: string;
  /** What it may do, for the README. */
  may: string;
  /** What it may not, for the README. */
  mayNot: string;
}

export const roles: Record<RoleId, RoleDefinition> = {
  patient: {
    name: "Patient",
    gets: "signing up as a patient",
    may: "keep a chart (records, files, imports, exports, backups), share records with clinicians (grants) and by SMART Health Link, revoke and rotate keys, read their own trail, manage passkeys, recovery key and sessions, delete their account",
    mayNot: "read anyone else's chart or trail; see who else a clinician sees",
  },
  doctor: {
    name: "Doctor",
    gets: "signing up as a doctor (a public directory entry)",
    may: "be found in the directory; open the records shared with them while the grant lasts, add notes where the grant allows; read their own trail and what they opened; the account actions a patient has",
    mayNot: "keep or write a chart of their own; open anything not shared with them; see a patient's other shares; verify their own entry",
  },
  nurse: {
    name: "Nurse",
    gets: "signing up as a nurse (a public directory entry)",
    may: "what a doctor may",
    mayNot: "what a doctor may not",
  },
  teamMember: {
    name: "Team member",
    gets: "a doctor or nurse an organization administrator adds to a care team",
    may: "what their doctor or nurse role may; open what patients share with their team while they are a member (each opening in the patient's History under their own name); make the team's next key and re-seal the team's grants to it after a member leaves",
    mayNot: "open a team's records after being removed; add or remove members",
  },
  organizationAdministrator: {
    name: "Organization administrator",
    gets: "a deployment administrator creating an organization and naming the account one of its administrators",
    may: "create their organization's care teams (the team key made in their browser), add and remove verified clinicians (with a fresh proof), make a team's next key and re-seal its grants to it",
    mayNot:
      "fetch any record shared with a team (the server serves records to members only); manage another organization; add a clinician whose directory entry no administrator verified",
  },
  deploymentAdministrator: {
    name: "Deployment administrator",
    gets: "signing up with `ADMIN_ENROLMENT_TOKEN` (each enrolment goes into the administration trail)",
    may: "the console (`/admin`): counts, health, security-event counts; disable and enable accounts; verify clinicians' directory entries or withdraw a verification (signed in their browser); read and export the administration trail; create organizations and name their administrators (with a fresh proof); the account actions a patient has",
    mayNot:
      "open any record, file, grant, link or patient trail; see a name a patient typed or who shares with whom; disable themselves or the last administrator",
  },
  disabledAccount: {
    name: "Disabled account",
    gets: "an administrator's action (until enabled again)",
    may: "nothing: every session ended (each route that needs one answers `401 unauthenticated`), sign-in and recovery refused (`403 account-disabled`); a disabled clinician's grants stop serving and patients see why",
    mayNot: "anything that needs a session",
  },
};

export interface RouteRule {
  /** What the route does, in words, for the README. */
  does: string;
  /** "public": open without a session (what it acts on is then decided by what the caller proves); "session": signed in only. */
  access: "public" | "session";
  /** Whose data each role reaches; a role not named reaches "none" (403 forbidden). */
  reach: Partial<Record<ActiveRoleId, Reach>>;
  /** For public routes: what an unauthenticated caller reaches. */
  anyone?: Reach;
  /** How a role that reaches "none" is refused, when not 403 forbidden (a 404 that does not tell whether the id exists). */
  refusal?: Refusal;
  /** A route another change brings: defined here, served by no route file yet. */
  toCome?: true;
}

/** Every signed-in role, each on its own account: account upkeep and the like. */
const everyoneOwn: Partial<Record<ActiveRoleId, Reach>> = {
  patient: "own",
  doctor: "own",
  nurse: "own",
  teamMember: "own",
  organizationAdministrator: "own",
  deploymentAdministrator: "own",
};
const everyoneAny: Partial<Record<ActiveRoleId, Reach>> = Object.fromEntries(Object.keys(everyoneOwn).map((role) => [role, "any"]));
const patientOwn: Partial<Record<ActiveRoleId, Reach>> = { patient: "own" };
/** Doctors and nurses; a team member is one of them. */
const cliniciansShared: Partial<Record<ActiveRoleId, Reach>> = { doctor: "shared", nurse: "shared", teamMember: "shared" };
/** Anyone who keeps keys but an administrator may be named an emergency contact. */
const emergencyOwn: Partial<Record<ActiveRoleId, Reach>> = { patient: "own", doctor: "own", nurse: "own", teamMember: "own" };
const emergencyShared: Partial<Record<ActiveRoleId, Reach>> = { patient: "shared", doctor: "shared", nurse: "shared", teamMember: "shared" };
const adminAny: Partial<Record<ActiveRoleId, Reach>> = { deploymentAdministrator: "any" };
/** An organization's administrators, on their own organization's teams. */
const orgAdminOwn: Partial<Record<ActiveRoleId, Reach>> = { organizationAdministrator: "own" };
/** Who holds a team's key: its members and its organization's administrators. */
const teamKeyHolders: Partial<Record<ActiveRoleId, Reach>> = { teamMember: "own", organizationAdministrator: "own" };

const publicRoute = (does: string, anyone: Reach): RouteRule => ({
  does,
  access: "public",
  anyone,
  reach: Object.fromEntries(Object.keys(everyoneOwn).map((role) => [role, anyone])),
});
const signedIn = (does: string, reach: Partial<Record<ActiveRoleId, Reach>>): RouteRule => ({ does, access: "session", reach });

/**
 * Every API route, keyed "METHOD /api/path" in Next's folder form (as contract/routes.ts
 * declares it), with who may call it. One entry per route.
 */
export const routeRules: Record<string, RouteRule> = {
  // Signing up, in and out, and recovery: open to anyone, each acting only on the account the caller proves is theirs.
  "POST /api/auth/sign-up/options": publicRoute("Starts a sign-up (an administrator's needs the enrolment token).", "own"),
  "POST /api/auth/sign-up/verify": publicRoute("Finishes a sign-up with a new passkey and the browser's public keys.", "own"),
  "POST /api/auth/sign-in/options": publicRoute("Starts a passkey sign-in.", "own"),
  "POST /api/auth/sign-in/verify": publicRoute("Finishes a passkey sign-in (a disabled account is refused).", "own"),
  "POST /api/auth/recovery/options": publicRoute("Starts a recovery with the recovery key.", "own"),
  "POST /api/auth/recovery/verify": publicRoute("Proves the recovery key (a disabled account is refused).", "own"),
  "POST /api/auth/recovery/complete": publicRoute("Registers a new passkey after a recovery.", "own"),
  "POST /api/auth/sign-out": publicRoute("Ends the caller's own session, if any.", "own"),
  "GET /api/health": publicRoute("Reports the deployment's health.", "any"),
  "POST /api/csp-reports": publicRoute("Receives a browser's Content-Security-Policy report.", "any"),

  // The chart: its owner only.
  "GET /api/records": signedIn("Lists one's own chart, a page at a time.", patientOwn),
  "POST /api/records": signedIn("Adds records to one's own chart.", patientOwn),
  "GET /api/records/[id]": signedIn("Reads one of one's own records.", patientOwn),
  "DELETE /api/records/[id]": signedIn("Deletes one of one's own records.", patientOwn),
  "GET /api/records/[id]/versions": signedIn("Lists a record's versions.", patientOwn),
  "POST /api/records/[id]/versions": signedIn("Adds a version to one's own record.", patientOwn),
  "POST /api/records/rotations": signedIn("Moves several of one's records to new keys.", patientOwn),
  "POST /api/records/[id]/rotate": signedIn("Moves one of one's records to a new key.", patientOwn),
  "POST /api/imports": signedIn("Starts a staged import into one's own chart.", patientOwn),
  "POST /api/imports/[id]/records": signedIn("Stages records in one's own import.", patientOwn),
  "POST /api/imports/[id]/commit": signedIn("Commits one's own import to the chart.", patientOwn),
  "DELETE /api/imports/[id]": signedIn("Abandons one's own import.", patientOwn),
  "GET /api/me/key-maintenance": signedIn("Lists the key upkeep one's grants need.", patientOwn),
  "GET /api/me/team-renewals": signedIn("Lists one's shares with care teams whose share key must be replaced after a member left.", patientOwn),

  // Files: patients upload to their own chart; clinicians download what a grant shares with them.
  "POST /api/blobs": signedIn("Starts an encrypted file upload.", patientOwn),
  "GET /api/blobs/[id]": signedIn("Reports an upload of one's own.", patientOwn),
  "POST /api/blobs/[id]/complete": signedIn("Completes an upload of one's own.", patientOwn),
  "PUT /api/blobs/[id]/chunks/[index]": signedIn("Uploads one encrypted chunk of one's own file.", patientOwn),
  "GET /api/blobs/[id]/chunks/[index]": {
    ...signedIn("Downloads one encrypted chunk of a file: one's own, or one shared through an active grant.", { patient: "own", ...cliniciansShared }),
    // Refused as a file that does not exist, whoever asks: no answer tells an outsider a file id is real.
    refusal: { status: 404, code: "not-found" },
  },

  // Sharing: patients grant, change and revoke; clinicians receive.
  "GET /api/grants": signedIn("Lists one's own grants.", patientOwn),
  "POST /api/grants": signedIn("Shares records with a clinician (a sealed grant).", patientOwn),
  "POST /api/grants/[id]/change": signedIn("Changes one of one's own grants.", patientOwn),
  "POST /api/grants/[id]/renewal": signedIn("Replaces the share key of one of one's own shares with a care team after a member left.", patientOwn),
  "POST /api/grants/[id]/revoke": signedIn("Revokes one of one's own grants.", patientOwn),
  "POST /api/grants/[id]/records/[recordId]/revoke": signedIn("Takes one record out of one's own grant.", patientOwn),
  "POST /api/grants/wraps": signedIn("Adds record-key wraps to one's own grants.", patientOwn),
  // Emergency access: the patient names and answers; the contact (any account with a chart or a clinician's keys) asks and reads once open.
  "GET /api/emergency-contacts": signedIn("Lists one's own emergency contacts.", patientOwn),
  "POST /api/emergency-contacts": signedIn("Names an emergency contact (a gated, sealed grant).", patientOwn),
  "GET /api/emergency-contacts/keys": signedIn("Reads an account's published keys by the share code its owner shows.", { patient: "any" }),
  "POST /api/emergency-contacts/[id]/change": signedIn("Keeps one's own emergency set current.", patientOwn),
  "POST /api/emergency-contacts/[id]/approve": signedIn("Approves a request for one's own emergency set early.", patientOwn),
  "POST /api/emergency-contacts/[id]/refuse": signedIn("Refuses a request for one's own emergency set.", patientOwn),
  "POST /api/emergency-contacts/[id]/end": signedIn("Ends one of one's own emergency contacts (keys rotate).", patientOwn),
  "GET /api/emergency-access": signedIn("Lists who named the caller their emergency contact.", emergencyOwn),
  "POST /api/emergency-access/[id]/request": signedIn("Asks for emergency access (the wait starts).", emergencyShared),
  "GET /api/emergency-access/[id]": signedIn("Reads an emergency set once its gate opened.", emergencyShared),
  "GET /api/shared": signedIn("Lists what patients shared with the caller.", cliniciansShared),
  "GET /api/shared/[grantId]/records": signedIn("Reads the records an active grant shares with the caller.", cliniciansShared),
  "POST /api/shared/[grantId]/records": signedIn("Adds a record to a patient's chart through a grant that allows contributing.", cliniciansShared),

  // The directory: clinicians' published entries and keys, to everyone signed in.
  "GET /api/directory": signedIn("Searches the clinician directory.", everyoneAny),
  "GET /api/users/[id]/keys": signedIn("Reads a clinician's published keys (or one's own; a deployment administrator, anyone's).", everyoneAny),
  "GET /api/directory/admins": signedIn("Reads the deployment administrators' keys, to pin them.", everyoneAny),
  "GET /api/admin/directory": signedIn("Lists the clinicians' entries with their verification statements.", adminAny),
  "POST /api/admin/directory/[id]/statements": signedIn("Records a signed verification or revocation of an entry (fresh proof).", adminAny),

  // One's own account.
  "GET /api/me/vault": signedIn("Reads one's own encrypted vault.", everyoneOwn),
  "PUT /api/me/vault/bundle": signedIn("Replaces one's own encrypted key bundle.", everyoneOwn),
  "POST /api/me/vault/device-wraps": signedIn("Adds a wrap of one's vault key for a device.", everyoneOwn),
  "GET /api/me/notices": signedIn("Lists one's own notices (kinds, counts, times and ids; no names).", everyoneOwn),
  "POST /api/me/notices/read": signedIn("Marks one's own notices as read.", everyoneOwn),
  "GET /api/me/notices/stream": signedIn("Streams one's own unread-notice count (server-sent events).", everyoneOwn),
  "GET /api/me/notice-settings": signedIn("Reads one's own email-notice settings.", everyoneOwn),
  "PUT /api/me/notice-settings": signedIn("Changes one's own email-notice settings (address, kinds).", everyoneOwn),
  "GET /api/me/audit": signedIn("Reads one's own History (who did what with one's account and chart).", everyoneOwn),
  "GET /api/me/audit/actions": signedIn("Lists what the caller opened in patients' charts.", cliniciansShared),
  "POST /api/me/audit/exports": signedIn("Records that one exported one's own chart.", patientOwn),
  "GET /api/me/passkeys": signedIn("Lists one's own passkeys.", everyoneOwn),
  "POST /api/me/passkeys/options": signedIn("Starts adding a passkey to one's account.", everyoneOwn),
  "POST /api/me/passkeys": signedIn("Adds a passkey to one's account.", everyoneOwn),
  "PATCH /api/me/passkeys/[id]": signedIn("Renames one of one's passkeys.", everyoneOwn),
  "DELETE /api/me/passkeys/[id]": signedIn("Removes one of one's passkeys (fresh proof).", everyoneOwn),
  "POST /api/me/fresh-proof/options": signedIn("Starts a fresh passkey proof.", everyoneOwn),
  "POST /api/me/fresh-proof": signedIn("Records a fresh passkey proof for the session.", everyoneOwn),
  "GET /api/me/recovery-key": signedIn("Reads one's own recovery public key.", everyoneOwn),
  "PUT /api/me/recovery-key": signedIn("Replaces one's own recovery key (fresh proof).", everyoneOwn),
  "GET /api/me/sessions": signedIn("Lists one's own sessions.", everyoneOwn),
  "POST /api/me/sessions/end-others": signedIn("Ends one's other sessions.", everyoneOwn),
  "GET /api/me/storage": signedIn("Reports one's own storage use.", everyoneOwn),
  "DELETE /api/me": signedIn("Deletes one's own account and everything in it (fresh proof).", everyoneOwn),

  // SMART Health Links: a patient makes them; whoever holds one opens it.
  "GET /api/links": signedIn("Lists one's own links.", patientOwn),
  "POST /api/links": signedIn("Makes a link to one's own records.", patientOwn),
  "DELETE /api/links/[id]": signedIn("Revokes one of one's own links.", patientOwn),
  "PUT /api/links/[id]": signedIn("Replaces the file of one of one's own long-term links (an emergency card kept current).", patientOwn),
  "GET /api/links/[id]/accesses": signedIn("Lists who opened one of one's links.", patientOwn),
  "GET /api/shl/[shlId]": publicRoute("Opens a direct-file link (whoever holds the link).", "shared"),
  "POST /api/shl/[shlId]": publicRoute("Opens a link's manifest (whoever holds the link, with its passcode).", "shared"),
  "GET /api/shl/files/[token]": publicRoute("Fetches a file a manifest points to.", "shared"),

  // The administration console: the deployment administrator only.
  "GET /api/admin/overview": signedIn("Counts, storage, health and security events of the deployment.", adminAny),
  "GET /api/admin/accounts": signedIn("Finds accounts (ids, roles, times, clinicians' public names).", adminAny),
  "POST /api/admin/accounts/[id]/disable": signedIn("Disables an account (fresh proof).", adminAny),
  "POST /api/admin/accounts/[id]/enable": signedIn("Enables a disabled account again (fresh proof).", adminAny),
  "GET /api/admin/trail": signedIn("Reads the administration trail.", adminAny),

  // Organizations and care teams (lib/teams/team-service.ts): an organization's administrators change its teams; members and administrators hold the team key.
  "POST /api/admin/organizations": signedIn("Creates an organization and names its administrators (fresh proof).", adminAny),
  "GET /api/organizations": signedIn("Lists the organizations one administers, with their teams and members (empty for anyone else).", everyoneOwn),
  "POST /api/organizations/[id]/teams": signedIn(
    "Creates a care team with its certified key sealed to its members and administrators (fresh proof).",
    orgAdminOwn,
  ),
  "POST /api/teams/[id]/members": signedIn("Adds a verified clinician to a team, with the team key sealed to them (fresh proof).", orgAdminOwn),
  "DELETE /api/teams/[id]/members/[userId]": signedIn(
    "Removes a member from a team (fresh proof): cut off at once; the team key and the records' keys are replaced.",
    orgAdminOwn,
  ),
  "GET /api/teams/[id]/key": signedIn("Reads a team's key certificates and the team key sealed to the caller.", teamKeyHolders),
  "POST /api/teams/[id]/keys": signedIn("Stores a team's next key version after a member left.", teamKeyHolders),
  "GET /api/teams/[id]/reseals": signedIn("Lists a team's grants still sealed to an older team key.", teamKeyHolders),
  "POST /api/teams/[id]/reseals": signedIn("Re-seals grants' share keys to a team's new key.", teamKeyHolders),
  "GET /api/teams": signedIn("Searches care teams to share with (names, organizations, certified keys).", everyoneAny),
};

/** An expected refusal: its HTTP status and error code (lib/errors.ts). */
export interface Refusal {
  status: number;
  code: string;
}

export const unauthenticatedRefusal: Refusal = { status: 401, code: "unauthenticated" };
export const roleRefusal: Refusal = { status: 403, code: "forbidden" };

/** Who calls: a role, or nobody signed in. */
export type CallerRole = RoleId | "unauthenticated";

/**
 * What the definitions say a caller gets from a route: "allowed" (the route's own checks decide
 * from there: the ids, the body) or the refusal it must answer. A disabled account's session
 * ended when it was disabled, so it is treated as nobody signed in.
 * Throws TypeError for a route the definitions do not have.
 */
export function outcomeFor(route: string, caller: CallerRole): "allowed" | Refusal {
  const rule = routeRules[route];
  if (!rule) throw new TypeError(`${route} is not in contract/roles.ts.`);
  const role = caller === "disabledAccount" ? "unauthenticated" : caller;
  if (role === "unauthenticated") return rule.access === "public" && rule.anyone !== "none" ? "allowed" : unauthenticatedRefusal;
  return (rule.reach[role] ?? "none") === "none" ? (rule.refusal ?? roleRefusal) : "allowed";
}

/** The reach a role has through a route ("none" when not named). */
export const reachOf = (route: string, role: ActiveRoleId): Reach => routeRules[route]?.reach[role] ?? "none";
