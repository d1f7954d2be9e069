/**
 * The denominator of api_read_ratio: a bare Next.js route handler returning a small JSON, in
 * an app of its own that only npm run bench builds and serves (nothing of it ships). No
 * session, database, proxy or headers: what Next itself costs per request on this machine.
 */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true, at: Date.now() });
}
