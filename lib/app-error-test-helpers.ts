import { expect } from "vitest";
import { AppError } from "./errors";

/** The AppError code a promise rejects with; fails the test if it resolves or throws anything else. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}
