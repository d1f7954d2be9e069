import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { currentSession } from "@/lib/sessions/current-session";
import { administersAnOrganization } from "@/lib/teams/team-service";
import { AuditCheck } from "./_components/audit-check";
import { EmergencyKeepers } from "./_components/emergency-keepers";
import { KeyMaintenance } from "./_components/key-maintenance";
import { NoticeLink } from "./_components/notice-link";
import { SignOutButton } from "./_components/sign-out-button";
import { SiteMenu } from "./_components/site-menu";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Health Safe Cloud", template: "%s · Health Safe Cloud" },
  description: "Your health records, encrypted in your browser and shared only with the clinicians you choose.",
  referrer: "no-referrer",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request so that each response gets its own CSP nonce.
  await connection();
  const session = await currentSession();
  const signedIn = session !== null;
  const clinician = session?.role === "doctor" || session?.role === "nurse";
  // An administrator has neither a chart nor shared records: only Home and Security.
  const patient = session?.role === "patient";
  // An organization's administrators reach its care teams from the menu (any account can be one).
  const organizationAdmin = session !== null && session.role !== "admin" && (await administersAnOrganization(session.userId));
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            Health Safe Cloud
          </Link>
          <SiteMenu label="Account" collapsible={signedIn}>
            {signedIn ? (
              <>
                <Link href="/home">Home</Link>
                {clinician && <Link href="/shared">Shared with me</Link>}
                {patient && <Link href="/chart">My records</Link>}
                {patient && <Link href="/summary">Summary</Link>}
                {patient && <Link href="/share">Sharing</Link>}
                {patient && <Link href="/links">Links</Link>}
                {patient && <Link href="/emergency-card">Emergency card</Link>}
                {(patient || clinician) && <Link href="/emergency-contacts">Emergency contacts</Link>}
                {patient && <Link href="/backup">Backup</Link>}
                {(patient || clinician) && <Link href="/history">History</Link>}
                {organizationAdmin && <Link href="/organization">Organization</Link>}
                <NoticeLink />
                {session?.role === "admin" && <Link href="/admin">Administration</Link>}
                <Link href="/settings/security">Security</Link>
                <SignOutButton />
              </>
            ) : (
              <>
                <Link href="/sign-in">Sign in</Link>
                <Link href="/sign-up" className="button button-small">
                  Create account
                </Link>
              </>
            )}
          </SiteMenu>
        </header>
        <main id="main">
          {patient && <KeyMaintenance />}
          {patient && <EmergencyKeepers />}
          {session && <AuditCheck />}
          {children}
        </main>
      </body>
    </html>
  );
}
