import { contract, isMethodName, type Handlers, type MethodName } from '../../shared/contract';
import { AppFailure, fail, ok, type Result } from '../../shared/result';
import { z } from 'zod';
import { silentLog, type DeskLog } from './desk-log';
import { holdsNulCharacter } from '../../shared/nul-character';

/**
 * The single entrance from any renderer host: checks the method name and validates the input
 * against the contract before a handler runs. Failures come back as results with a code the
 * UI translates; nothing thrown crosses to the renderer. An unexpected error is logged (its
 * class and stack, with the method's name) and answered INTERNAL; inputs (which may hold a
 * password) are never logged.
 */
export async function dispatchCall(handlers: Handlers, method: unknown, rawInput: unknown, log: DeskLog = silentLog): Promise<Result<unknown>> {
  if (!isMethodName(method)) return fail('UNKNOWN_METHOD', `no method ${String(method).slice(0, 64)}`);
  // nothing an official types holds one, and the server refuses it: it must not reach the outbox
  if (holdsNulCharacter(rawInput)) return fail('INVALID_INPUT', 'the input holds a NUL character');
  const parsed = contract[method].input.safeParse(rawInput ?? {});
  if (!parsed.success) return fail('INVALID_INPUT', z.prettifyError(parsed.error));
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    return ok(await handler(parsed.data));
  } catch (error) {
    if (error instanceof AppFailure) return fail(error.code, error.message);
    log.error('handler.failed', error, { method: method as MethodName });
    return fail('INTERNAL', 'unexpected error; see the application log');
  }
}
