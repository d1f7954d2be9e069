/**
 * The header the app's own API client puts on every request, and the value it sends.
 *
 * It is no secret and proves nothing by its value: its use is that a browser will not send
 * a non-safelisted header to another origin without a CORS preflight, which this server never
 * approves. So a browser without Fetch Metadata (no `Sec-Fetch-Site`) can only have sent it
 * from the app's own pages, and a request without it (an `<img>`, a `<script>`, a form, a
 * plain cross-origin `fetch`) did not come from them. Non-browser clients (scripts, tests)
 * send it too. The server's side is `isApiRequestFromElsewhere` in lib/http/api-origin.ts.
 */
export const apiClientHeader = { name: "x-hsc-client", value: "1" } as const;
