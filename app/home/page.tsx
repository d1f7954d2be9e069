import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/sessions/current-session";
import { HomeDashboard } from "./home-dashboard";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  if (!(await currentSession())) redirect("/sign-in");
  return <HomeDashboard />;
}
