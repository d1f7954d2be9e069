/**
 * The wire's shared validators, for route files and schemas not yet on the contract: they are
 * the contract's own (contract/common.ts), so the server and the contract never disagree.
 * Account, sign-in and recovery shapes are declared in contract/ (auth.ts, account.ts, me.ts).
 */
export { base64url, uuid as uuidSchema } from "@/contract/common";
