"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { signOut } from "@/client/account/sign-in";
import { reportIfBug } from "@/client/failures";

/** Always reachable when signed in, locked vault or not. */
export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button button-small button-secondary"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        // Signed out here either way: the session cookie is cleared, and the server ends the session when it next hears of it.
        await signOut().catch(reportIfBug);
        router.push("/");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
