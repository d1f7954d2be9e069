import { defineRoute, pendingJson } from "./route";

/** Sign-up, sign-in, recovery and sign-out: the routes that need no session. */
export const authRoutes = {
  signUpOptions: defineRoute({ method: "POST", path: "/api/auth/sign-up/options", access: "public", body: pendingJson(), response: pendingJson() }),
  signUpVerify: defineRoute({ method: "POST", path: "/api/auth/sign-up/verify", access: "public", body: pendingJson(), response: pendingJson() }),
  signInOptions: defineRoute({ method: "POST", path: "/api/auth/sign-in/options", access: "public", body: pendingJson(), response: pendingJson() }),
  signInVerify: defineRoute({ method: "POST", path: "/api/auth/sign-in/verify", access: "public", body: pendingJson(), response: pendingJson() }),
  recoveryOptions: defineRoute({ method: "POST", path: "/api/auth/recovery/options", access: "public", body: pendingJson(), response: pendingJson() }),
  recoveryVerify: defineRoute({ method: "POST", path: "/api/auth/recovery/verify", access: "public", body: pendingJson(), response: pendingJson() }),
  recoveryComplete: defineRoute({ method: "POST", path: "/api/auth/recovery/complete", access: "public", body: pendingJson(), response: pendingJson() }),
  signOut: defineRoute({ method: "POST", path: "/api/auth/sign-out", access: "public", response: pendingJson() }),
};
