import { NextResponse } from "next/server";
import { beginSignIn } from "@/lib/auth/sign-in-service";
import { route } from "@/lib/http/route";

export const POST = route(async (request) => NextResponse.json(await beginSignIn(request)));
