import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";

/**
 * Any /api path no route serves: the API's own 404 (JSON, the error model's body), not the
 * site's HTML page, so a client calling a wrong or retired path gets an error it can read. Next
 * prefers every declared route (and its own 405 for a method it lacks) over this catch-all.
 * Wrapped like every route: a write from elsewhere is refused (403) before it is answered.
 */
const unknownPath = async (): Promise<Response> => {
  throw new AppError("not-found", "There is no such API route.");
};

export const GET = route(unknownPath);
export const HEAD = route(unknownPath);
export const POST = route(unknownPath);
export const PUT = route(unknownPath);
export const PATCH = route(unknownPath);
export const DELETE = route(unknownPath);
