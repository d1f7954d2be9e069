"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { signOut } from "@/client/account/sign-in";

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
        await signOut().catch(() => undefined);
        router.push("/");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
