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

/**
 * The refusal of a step only a person may take (the operator and hubday itself take no one's
 * decisions). `lead` says whose step it is, e.g. "a nomination is a person's decision".
 */
export function personRequired(lead: string): Refusal {
  return refuse('forbidden', 'actor_required', `${lead}: say who you are with --as EMPLOYEE_ID`);
}
