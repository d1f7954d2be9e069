import type { APIRequestContext } from "@playwright/test";
import { apiClientHeader } from "@/contract/api-client-header";
import { outcomeFor, routeRules, type CallerRole } from "@/contract/roles";
import { apiRoutes as routeHandlers, templateMatches } from "./api-routes";

export { templateMatches };

/**
 * The machinery of the authorization matrix (e2e/authorization-matrix.spec.ts): the list of
 * every route handler under app/api, the callers, what a cell expects, and the runner that
 * sends every row as every caller and reports every difference at once.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Route = `${Method} /api/${string}`;

/**
 * Everyone the matrix calls as, each a real account of its role (the disabled ones disabled by
 * the administrator through the console's route before the matrix runs). Within a row they go
 * in this order, except that the person a row's resources belong to goes last
 * (`row.lastCaller`), so that their own legitimate action (a delete, say) cannot make the
 * refusals before it meaningless.
 */
export const callers = [
  "anonymous",
  "disabled clinician",
  "disabled patient",
  "other patient",
  "doctor without a grant",
  "nurse without a grant",
  "revoked clinician",
  "expired clinician",
  "team member",
  "org admin",
  "admin",
  "granted clinician",
  "owner patient",
] as const;
export type Caller = (typeof callers)[number];

/** Each caller's role in contract/roles.ts, which decides who is refused what. */
export const roleOfCaller: Record<Caller, CallerRole> = {
  anonymous: "unauthenticated",
  "disabled clinician": "disabledAccount",
  "disabled patient": "disabledAccount",
  "other patient": "patient",
  "doctor without a grant": "doctor",
  "nurse without a grant": "nurse",
  "revoked clinician": "doctor",
  "expired clinician": "doctor",
  // A doctor in a care team (with no team grant), and a nurse an organization names its administrator.
  "team member": "teamMember",
  "org admin": "organizationAdministrator",
  admin: "deploymentAdministrator",
  "granted clinician": "doctor",
  "owner patient": "patient",
};

/**
 * The account's own role, for callers whose matrix role is one an account has on top of it: a
 * team member is a doctor, the organization's administrator a nurse. Whatever either role
 * lets them in to, they get.
 */
export const accountRoleOfCaller: Partial<Record<Caller, CallerRole>> = { "team member": "doctor", "org admin": "nurse" };

/** What the definitions give a caller on a route: allowed if any of its roles is let in, otherwise the refusal of its matrix role. */
export function outcomeOfCaller(route: string, caller: Caller): ReturnType<typeof outcomeFor> {
  const outcome = outcomeFor(route, roleOfCaller[caller]);
  const accountRole = accountRoleOfCaller[caller];
  return outcome === "allowed" || !accountRole ? outcome : outcomeFor(route, accountRole) === "allowed" ? "allowed" : outcome;
}

/** The callers whose accounts are disabled: the definitions decide everything they get. */
export const disabledCallers = callers.filter((caller) => roleOfCaller[caller] === "disabledAccount");

/** Every route of the contract's table (the route files under app/api, checked by contract/routes.test.ts), as "METHOD /api/template". */
export const apiRoutes = (): Route[] => routeHandlers().map((handler) => handler.key as Route);

export interface Expected {
  status: number;
  /** The error code a refusal must carry. */
  code?: string;
  /** A further check of the JSON body: what is wrong with it, or null. */
  body?: (json: Record<string, unknown>) => string | null;
}

export const unauthenticated: Expected = { status: 401, code: "unauthenticated" };
export const forbidden: Expected = { status: 403, code: "forbidden" };
export const notFound: Expected = { status: 404, code: "not-found" };
export const conflict: Expected = { status: 409, code: "conflict" };
export const crossOriginRefused: Expected = { status: 403, code: "cross-origin-refused" };

/**
 * The routes other sites may call: those the contract's table marks `crossOrigin`, each with
 * why. Every other route refuses a request that did not come from the app's own pages.
 */
export const openToOtherSites = new Set<Route>(
  routeHandlers()
    .filter((handler) => handler.crossOrigin)
    .map((handler) => handler.key as Route),
);

/**
 * How a request looks when a page of another site makes the browser send it, with the
 * person's cookies: from a sibling subdomain (same-site: SameSite=Lax cookies go along),
 * from anywhere else, from the address bar, and from an older browser that sends no Fetch
 * Metadata (and so cannot add the app's client header, which is blanked here).
 */
const fromElsewhere: Array<{ label: string; headers: Record<string, string> }> = [
  { label: "a sibling site", headers: { "sec-fetch-site": "same-site", origin: "http://sibling.localhost" } },
  { label: "another site", headers: { "sec-fetch-site": "cross-site", origin: "https://attacker.example" } },
  { label: "the address bar", headers: { "sec-fetch-site": "none" } },
  { label: "a browser without Fetch Metadata", headers: { [apiClientHeader.name]: "" } },
];
export const invalid: Expected = { status: 400, code: "invalid-input" };
export const ok = (status = 200, body?: Expected["body"]): Expected => ({ status, body });

/** A list in the body whose items' `key` must be exactly `ids` (in any order). */
export const listOf =
  (list: string, key: string, ids: string[]): Expected["body"] =>
  (json) => {
    const items = json[list];
    if (!Array.isArray(items)) return `has no ${list} list`;
    const found = (items as Array<Record<string, unknown>>).map((item) => String(item[key])).sort();
    return JSON.stringify(found) === JSON.stringify([...ids].sort())
      ? null
      : `${list} were ${JSON.stringify(found)}, expected ${JSON.stringify([...ids].sort())}`;
  };

/** A list in the body whose items' `key` must all be among `allowed` (empty is fine). */
export const listWithin =
  (list: string, key: string, allowed: string[]): Expected["body"] =>
  (json) => {
    const items = json[list];
    if (!Array.isArray(items)) return `has no ${list} list`;
    const outside = (items as Array<Record<string, unknown>>).map((item) => String(item[key])).filter((value) => !allowed.includes(value));
    return outside.length === 0 ? null : `${list} included ${JSON.stringify(outside)}`;
  };

/** What a row expects of each caller; a disabled caller's cell is left to the definitions (`expectedFor`). */
export type Expectations = Partial<Record<Caller, Expected>>;

/**
 * One expectation per caller, by group: the owner patient, the other patient, the granted
 * clinician, the other clinicians (no grant ever, revoked, expired, a team member and an organization administrator without a team grant), the admin. Anonymous
 * callers are refused as unauthenticated unless said otherwise.
 */
export function by(
  groups: { owner: Expected; otherPatient: Expected; granted: Expected; clinicians: Expected; admin: Expected; anonymous?: Expected },
  except: Expectations = {},
): Expectations {
  return {
    anonymous: groups.anonymous ?? unauthenticated,
    "owner patient": groups.owner,
    "other patient": groups.otherPatient,
    "granted clinician": groups.granted,
    "doctor without a grant": groups.clinicians,
    "nurse without a grant": groups.clinicians,
    "revoked clinician": groups.clinicians,
    "expired clinician": groups.clinicians,
    // Clinicians too (a doctor in a team, a nurse administering an organization): nothing is shared with either.
    "team member": groups.clinicians,
    "org admin": groups.clinicians,
    admin: groups.admin,
    ...except,
  };
}

/** The same answer for every caller (a public route's: a disabled account's dead session changes nothing there). */
export const everyone = (expected: Expected): Expectations => Object.fromEntries(callers.map((caller) => [caller, expected])) as Expectations;

/** Everyone signed in (and enabled) gets `signedIn`; anonymous callers are refused. */
export const signedIn = (expected: Expected | ((caller: Caller) => Expected)): Expectations =>
  Object.fromEntries(
    callers
      .filter((caller) => !disabledCallers.includes(caller))
      .map((caller) => [caller, caller === "anonymous" ? unauthenticated : typeof expected === "function" ? expected(caller) : expected]),
  ) as Expectations;

const describeExpected = (expected: Expected) => `${expected.status} ${expected.code ?? ""}`.trim();

/**
 * What a cell expects: the refusal contract/roles.ts gives the caller's role, or, where the
 * definitions let the role in, what the row says (its ids and body decide). A disabled
 * account on a public route is someone signed out. Throws TypeError where the row gives
 * nothing for a caller the definitions let in.
 */
export function expectedFor(row: Row, caller: Caller): Expected {
  const outcome = row.refusedBeforeAuthorization ? "allowed" : outcomeOfCaller(row.route, caller);
  if (outcome !== "allowed") return { status: outcome.status, code: outcome.code };
  const expected = row.expect[caller] ?? (roleOfCaller[caller] === "disabledAccount" ? row.expect.anonymous : undefined);
  if (!expected) throw new TypeError(`${caller}: ${row.route} (${row.what}) has no expectation, and contract/roles.ts lets the caller in`);
  return expected;
}

/**
 * Where the rows and contract/roles.ts disagree, one line each: a route the definitions lack,
 * a cell the row expects to pass (or to fail otherwise) where the definitions refuse the
 * caller's role, a cell the row expects to be refused for its role where the definitions let
 * it in, a cell with no expectation at all.
 */
export function disagreements(rows: Row[]): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const rule = routeRules[row.route];
    if (!rule) {
      found.push(`${row.route}: not in contract/roles.ts`);
      continue;
    }
    for (const caller of callers) {
      const where = `${caller}: ${row.route} (${row.what})`;
      const outcome = row.refusedBeforeAuthorization ? "allowed" : outcomeOfCaller(row.route, caller);
      const stated = row.expect[caller];
      if (outcome !== "allowed") {
        if (stated && (stated.status !== outcome.status || stated.code !== outcome.code))
          found.push(`${where}: the row expects ${describeExpected(stated)}, contract/roles.ts refuses the role with ${outcome.status} ${outcome.code}`);
        continue;
      }
      let expected: Expected;
      try {
        expected = expectedFor(row, caller);
      } catch (error) {
        found.push((error as Error).message);
        continue;
      }
      if (row.refusedBeforeAuthorization) {
        if (expected.status !== 400) found.push(`${where}: refused before authorization, so 400, but the row expects ${describeExpected(expected)}`);
        continue;
      }
      // A signed-in caller the definitions let in, refused as if not signed in or not of the role: only with a reason.
      const looksRefusedByRole = expected.code === "forbidden" || (expected.status === 401 && caller !== "anonymous");
      if (rule.access === "session" && looksRefusedByRole && !row.refusedPastTheRole)
        found.push(
          `${where}: the row expects ${describeExpected(expected)}, but contract/roles.ts lets the role in (refusedPastTheRole says why, if a later check refuses it)`,
        );
    }
  }
  return found;
}

export interface Row {
  route: Route;
  /** What the row tries, for the failure messages. */
  what: string;
  path: string;
  /** A JSON body (or raw bytes with `contentType`), the same for every caller... */
  body?: unknown;
  /** ...or made for each caller (fresh ids, a fresh challenge, the caller's own data). */
  bodyFor?: (caller: Caller) => unknown;
  contentType?: string;
  headers?: (caller: Caller, index: number) => Record<string, string>;
  /** What each caller gets where contract/roles.ts lets the caller's role in; refusals by role come from the definitions. */
  expect: Expectations;
  /** Why a caller whose role the definitions let in is still answered 401 or 403 forbidden (a check past the role's). */
  refusedPastTheRole?: string;
  /**
   * Why every caller is refused before authorization (the contract parses the params, query and
   * body before the service reads the session: lib/http/route.ts): the row's own expectations
   * then hold for every caller, the definitions' refusals do not apply.
   */
  refusedBeforeAuthorization?: string;
  /** The caller whose own resources the row targets, who therefore goes last. */
  lastCaller?: Caller;
  /** Runs after each cell; returns what went wrong, or null. */
  after?: (caller: Caller) => Promise<string | null>;
}

/** A value that must not appear in any response to a caller who is not entitled to it. */
export interface Secret {
  what: string;
  value: string;
  knownTo: Caller[];
}

export async function runMatrix(
  rows: Row[],
  requests: Record<Caller, APIRequestContext>,
  options: { origin: string; secrets: Secret[] },
): Promise<{ failures: string[]; cells: number }> {
  const failures: string[] = [];
  let cells = 0;
  for (const row of rows) {
    if (!templateMatches(row.route.split(" ")[1]!, row.path)) failures.push(`${row.route}: the row's path ${row.path} is not an instance of it`);
    const order = row.lastCaller ? [...callers.filter((caller) => caller !== row.lastCaller), row.lastCaller] : [...callers];
    // First, through the browser of someone the row lets in, as other sites would send it: refused before any route runs.
    const entitled =
      order.find((caller) => !["unauthenticated", "disabledAccount"].includes(roleOfCaller[caller]) && expectedFor(row, caller).status < 300) ??
      "owner patient";
    for (const elsewhere of openToOtherSites.has(row.route) ? [] : fromElsewhere) {
      cells += 1;
      const response = await requests[entitled].fetch(row.path, {
        method: methodOf(row),
        headers: { ...(row.contentType ? { "content-type": row.contentType } : {}), ...elsewhere.headers },
        data: row.body as never,
      });
      const code = ((await response.json().catch(() => null)) as { error?: { code?: string } } | null)?.error?.code;
      if (response.status() !== crossOriginRefused.status || code !== crossOriginRefused.code) {
        failures.push(
          `${entitled} from ${elsewhere.label}: ${row.route} (${row.what}) gave ${response.status()} ${code ?? ""}, expected 403 cross-origin-refused`,
        );
      }
    }
    for (const caller of order) {
      cells += 1;
      const where = `${caller}: ${row.route} (${row.what})`;
      const body = row.bodyFor ? await row.bodyFor(caller) : row.body;
      const response = await requests[caller].fetch(row.path, {
        method: methodOf(row),
        headers: {
          origin: options.origin,
          [apiClientHeader.name]: apiClientHeader.value,
          ...(row.contentType ? { "content-type": row.contentType } : {}),
          ...row.headers?.(caller, cells),
        },
        data: body as never,
      });
      const expected = expectedFor(row, caller);
      const text = await response.text();
      let json: Record<string, unknown> | null = null;
      if ((response.headers()["content-type"] ?? "").includes("json") && text) json = JSON.parse(text) as Record<string, unknown>;
      const code = (json?.error as { code?: string } | undefined)?.code;
      if (response.status() !== expected.status)
        failures.push(`${where} gave ${response.status()} ${code ?? ""}, expected ${expected.status} ${expected.code ?? ""}`);
      else if (expected.code && code !== expected.code) failures.push(`${where} gave code ${code}, expected ${expected.code}`);
      else if (expected.body) {
        const wrong = json ? expected.body(json) : "has no JSON body";
        if (wrong) failures.push(`${where}: the body ${wrong}`);
      }
      for (const secret of options.secrets) {
        if (!secret.knownTo.includes(caller) && text.includes(secret.value)) failures.push(`${where} carried ${secret.what}`);
      }
      const afterwards = await row.after?.(caller);
      if (afterwards) failures.push(`${where}: ${afterwards}`);
    }
  }
  return { failures, cells };
}

const methodOf = (row: Row) => row.route.split(" ")[0] as Method;
