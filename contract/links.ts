import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { base64url, idParams, timestamp, uuid } from "./common";
import { defineRoute } from "./route";

/**
 * SMART Health Links (HL7 STU1; issue 16): the patient's browser encrypts a FHIR Bundle as a
 * compact JWE under a key that stays in the link's fragment and uploads only the JWE; the
 * server serves it blind to whoever holds the link (routes `shl.*`, no session, open to other
 * sites) and counts and logs each access in the patient's trail.
 */
export const shlLimits = {
  /** The JWE's most characters (it travels as text). */
  jweMaxChars: 8 * 1024 * 1024,
  /** The sealed label's most bytes (the label, at most 80 characters, and the choices, sealed under the vault key; the emergency card's settings fill up to 16 KiB). */
  sealedLabelMaxBytes: 16384,
  passcodeChars: { min: 6, max: 64 },
  /** A link lives at least this long… */
  minLifetimeMs: 15 * 60 * 1000,
  /** …and at most this long (30 days). */
  maxLifetimeMs: 30 * 24 * 60 * 60 * 1000,
  /** A long-term link (flag L: the emergency card, whose files the patient's browser keeps current) lives at most five years. */
  maxLongTermLifetimeMs: 5 * 366 * 24 * 60 * 60 * 1000,
  /** Wrong passcodes an ordinary P link (at most 30 days) accepts over its whole life before it is disabled. */
  passcodeAttempts: 10,
  /**
   * A long-term passcode link (LP: the emergency card, carried for years, found, photographed)
   * is slowed, never stopped, by wrong passcodes: at most `perWindow` passcode tries per
   * `windowSeconds` for the link (429 with Retry-After beyond), from every address together.
   * Its STU1 lifetime count (`lifetimeAttempts`) is more than the windows of its longest life
   * allow (5 × 1,830 days = 9,150), so nobody can use it up before the link expires.
   */
  longTermGuesses: { perWindow: 5, windowSeconds: 24 * 60 * 60, lifetimeAttempts: 10_000 },
  recipientChars: { min: 1, max: 200 },
  /** The longest link URL (STU1: a manifest URL of at most 128 characters). */
  urlMaxChars: 128,
  /** How long a manifest's `location` URL serves the file. */
  locationLifetimeSeconds: 3600,
} as const;

/** The link URL's last segment, and a `location` token: 32 random bytes, base64url (256 bits). */
export const shlIdSchema = z
  .string()
  .length(43)
  .regex(/^[A-Za-z0-9_-]{43}$/, "must be 43 base64url characters");

/** A compact JWE (five base64url parts separated by dots). */
export const compactJweSchema = z
  .string()
  .min(10)
  .max(shlLimits.jweMaxChars)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "must be a compact JWE");

/**
 * The flags a link is made with (STU1 "flag"): U (one file by GET), P (manifest behind a
 * passcode), L (long-term: a manifest whose files may change, no passcode) or LP (both).
 */
export const shlFlagSchema = z.enum(["U", "P", "L", "LP"]);
export type ShlFlag = z.infer<typeof shlFlagSchema>;

/** Whether a link's flag asks for a passcode (P). */
export const flagNeedsPasscode = (flag: ShlFlag) => flag.includes("P");
/** Whether a link is long-term (L): its files may be replaced while it lives. */
export const flagIsLongTerm = (flag: ShlFlag) => flag.includes("L");

const passcodeSchema = z.string().min(shlLimits.passcodeChars.min).max(shlLimits.passcodeChars.max);

/** POST /api/links: a new link. `passcode` is required with flag P or LP and refused otherwise; the expiry is checked against the server's clock. */
export const newLinkSchema = z
  .object({
    flag: shlFlagSchema,
    passcode: passcodeSchema.optional(),
    expiresAt: z.iso.datetime({ offset: true }),
    jwe: compactJweSchema,
    sealedLabel: base64url(shlLimits.sealedLabelMaxBytes).min(1),
  })
  .strict()
  .refine((link) => flagNeedsPasscode(link.flag) === (link.passcode !== undefined), {
    message: "A passcode link (flag P) needs a passcode; a U or L link takes none.",
    path: ["passcode"],
  });
export type NewLink = z.infer<typeof newLinkSchema>;

/**
 * PUT /api/links/{id}: the new contents of a live long-term (L) link, encrypted under the same
 * key in the patient's browser, and its label sealed again (the card's choices and the digest
 * of what it now carries).
 */
export const linkFileUpdateSchema = z.object({ jwe: compactJweSchema, sealedLabel: base64url(shlLimits.sealedLabelMaxBytes).min(1) }).strict();
export type LinkFileUpdate = z.infer<typeof linkFileUpdateSchema>;

/** One of the patient's links as the links page lists it. `remainingAttempts` is null for U links. */
export const linkSummarySchema = z.object({
  id: uuid,
  url: z.url().max(shlLimits.urlMaxChars),
  flag: shlFlagSchema,
  expiresAt: timestamp,
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
  disabled: z.boolean(),
  opens: z.number().int().nonnegative(),
  remainingAttempts: z.number().int().min(0).max(shlLimits.longTermGuesses.lifetimeAttempts).nullable(),
  /** A long-term passcode link whose wrong passcodes used up this window's tries: when it takes passcodes again; null otherwise. */
  throttledUntil: timestamp.nullable(),
  sealedLabel: base64url(shlLimits.sealedLabelMaxBytes),
});
export type LinkSummary = z.infer<typeof linkSummarySchema>;

/** The most links one list carries (the newest). */
export const linksListMax = 1000;
/** The most accesses one link's list carries (the newest). */
export const linkAccessesMax = 1000;

export const linkAccessSchema = z.object({
  at: timestamp,
  recipient: z.string().max(shlLimits.recipientChars.max),
  outcome: z.enum(["opened", "wrong-passcode"]),
});
export type LinkAccess = z.infer<typeof linkAccessSchema>;

const recipientSchema = z.string().min(shlLimits.recipientChars.min).max(shlLimits.recipientChars.max);

/** POST /api/shl/{shlId} (STU1 manifest request). Unknown keys are ignored, as other viewers may send more. */
export const manifestRequestSchema = z.object({
  recipient: recipientSchema,
  passcode: z.string().max(1024).optional(),
  embeddedLengthMax: z.number().int().nonnegative().optional(),
});

export const manifestSchema = z.object({
  files: z
    .array(
      z.union([
        z.object({ contentType: z.string().max(100), embedded: compactJweSchema }),
        z.object({ contentType: z.string().max(100), location: z.url().max(300) }),
      ]),
    )
    .max(1),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** The 401 a wrong or missing passcode gets (STU1): how many wrong passcodes the link still accepts. */
export const invalidPasscodeSchema = z.object({ remainingAttempts: z.number().int().min(0).max(shlLimits.longTermGuesses.lifetimeAttempts) });

/** Any segment: one that cannot be a link id gets the same 404 as an unknown one, not a 400 that tells them apart. */
const shlParams = z.object({ shlId: z.string().max(200) });
const whyOpen =
  "SMART Health Links are opened by any viewer on any site (STU1): no session is read or set, the answer is the JWE the link's key opens, the same 404 for every dead link, rate limited per address.";

/** The patient's links (session, patient only). */
export const linksRoutes = {
  list: defineRoute({ method: "GET", path: "/api/links", access: "session", response: z.object({ links: z.array(linkSummarySchema).max(linksListMax) }) }),
  create: defineRoute({
    method: "POST",
    path: "/api/links",
    access: "session",
    bodyLimit: bodyLimits.shlLink,
    body: newLinkSchema,
    response: z.object({ link: linkSummarySchema }),
    status: 201,
  }),
  revoke: defineRoute({ method: "DELETE", path: "/api/links/[id]", access: "session", params: idParams, response: "empty" }),
  updateFile: defineRoute({
    method: "PUT",
    path: "/api/links/[id]",
    access: "session",
    bodyLimit: bodyLimits.shlLink,
    params: idParams,
    body: linkFileUpdateSchema,
    response: z.object({ link: linkSummarySchema }),
  }),
  accesses: defineRoute({
    method: "GET",
    path: "/api/links/[id]/accesses",
    access: "session",
    params: idParams,
    response: z.object({ accesses: z.array(linkAccessSchema).max(linkAccessesMax) }),
  }),
};

/**
 * The blind SMART Health Link endpoints (no session). Their success bodies are a JWE as
 * `application/jose` text (the handler answers it itself: "binary" here) or a manifest; a wrong
 * passcode answers 401 `invalidPasscodeSchema`, every dead or unknown link the same 404.
 */
export const shlRoutes = {
  file: defineRoute({
    method: "GET",
    path: "/api/shl/[shlId]",
    access: "public",
    crossOrigin: true,
    why: whyOpen,
    params: shlParams,
    query: z.object({ recipient: recipientSchema }),
    response: "binary",
  }),
  manifest: defineRoute({
    method: "POST",
    path: "/api/shl/[shlId]",
    access: "public",
    crossOrigin: true,
    why: whyOpen,
    params: shlParams,
    body: manifestRequestSchema,
    response: manifestSchema,
  }),
  location: defineRoute({
    method: "GET",
    path: "/api/shl/files/[token]",
    access: "public",
    crossOrigin: true,
    why: whyOpen,
    params: z.object({ token: z.string().max(200) }),
    response: "binary",
  }),
};
