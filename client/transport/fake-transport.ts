import type { CallInput, CallOutput, HandlerOutput, RouteDefinition } from "@/contract/route";
import { IntegrityError } from "../integrity";
import { ApiError, type Transport } from "./api";

/** A fake server's answer to one route: what the server's handler would return, or a thrown ApiError. */
export type FakeHandler<R extends RouteDefinition> = (input: CallInput<R>) => HandlerOutput<R> | Promise<HandlerOutput<R>>;

/** One call the code under test made. */
export interface RecordedCall {
  route: RouteDefinition;
  input: CallInput<RouteDefinition>;
}

/**
 * A Transport for unit tests of the browser's services in Node: answers come from handlers
 * given per route (a test's fake server), and go through the same contract as the real
 * server and transport. The request body is checked against the route's request schema (a
 * wrong shape is a 400, as the server answers), and the answer is serialised through the
 * response schema, sent through JSON and parsed again (a wrong shape is IntegrityError
 * "shape", as the browser reports). Calls are recorded in order.
 */
export function fakeTransport() {
  const handlers = new Map<RouteDefinition, FakeHandler<RouteDefinition>>();
  const calls: RecordedCall[] = [];
  const transport = {
    calls,
    /** Sets (or replaces) the answer to `route`. */
    on<R extends RouteDefinition>(route: R, handler: FakeHandler<R>) {
      handlers.set(route, handler as unknown as FakeHandler<RouteDefinition>);
      return transport;
    },
    /** The answer set for `route`, for a test that wraps it (to change what the server stores between requests). */
    handlerOf<R extends RouteDefinition>(route: R): FakeHandler<R> {
      const handler = handlers.get(route);
      if (!handler) throw new Error(`The fake server has no answer for ${route.method} ${route.path}.`);
      return handler as unknown as FakeHandler<R>;
    },
    /** The calls made to `route`. */
    callsTo: (route: RouteDefinition) => calls.filter((recorded) => recorded.route === route),
    async call<R extends RouteDefinition>(route: R, input: CallInput<R>): Promise<CallOutput<R>> {
      calls.push({ route, input: input as CallInput<RouteDefinition> });
      const handler = handlers.get(route);
      if (!handler) throw new Error(`The fake server has no answer for ${route.method} ${route.path}.`);
      if (route.body && route.body !== "binary") {
        const checked = route.body.safeParse(JSON.parse(JSON.stringify(input.body ?? null)));
        if (!checked.success) throw new ApiError(400, "invalid-input", `The request to ${route.method} ${route.path} is not in its contract's shape.`);
      }
      const value = await handler(input as CallInput<RouteDefinition>);
      if (route.response === "empty") return undefined as CallOutput<R>;
      if (route.response === "binary") return value as CallOutput<R>;
      const sent = route.response.safeParse(value);
      if (!sent.success) throw new Error(`The fake server's answer to ${route.method} ${route.path} is outside its contract: ${sent.error.message}`);
      const received = route.response.safeParse(JSON.parse(JSON.stringify(sent.data)));
      if (!received.success) throw new IntegrityError("shape");
      return received.data as CallOutput<R>;
    },
  } satisfies Transport & Record<string, unknown>;
  return transport;
}
