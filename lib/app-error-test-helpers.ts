import { expect } from "vitest";
import { AppError } from "./errors";

/** The AppError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** The AppError code a promise rejects with; fails the test if it resolves or throws anything else. */
export const codeOf = async (promise: Promise<unknown>): Promise<string> => (await refusalOf(promise)).code;
