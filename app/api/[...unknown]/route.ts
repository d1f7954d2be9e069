import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/route";

/**
 * Any /api path no route serves: the API's own 404 (JSON, the error model's body), not the
 * site's HTML page, so a client calling a wrong or retired path gets an error it can read. Next
 * prefers every declared route (and its own 405 for a method it lacks) over this catch-all.
 */
const unknownPath = (request: Request) => errorResponse(new AppError("not-found", "There is no such API route."), request);

export const GET = unknownPath;
export const HEAD = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
