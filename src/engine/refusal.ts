/**
 * What every workflow transition function returns: the next state, or a refusal with a stable
 * snake_case `reason`. `forbidden`: this actor may not take the step; `conflict`: the step's
 * preconditions do not hold. Use cases turn a refusal into a HubdayError (src/errors.ts).
 */
export interface Refusal {
  ok: false;
  code: 'forbidden' | 'conflict';
  reason: string;
  message: string;
}

export type Transition<S> = { ok: true; state: S } | Refusal;

export function refuse(code: Refusal['code'], reason: string, message: string): Refusal {
  return { ok: false, code, reason, message };
}

export function allow<S>(state: S): Transition<S> {
  return { ok: true, state };
}
