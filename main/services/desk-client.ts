import type { Handlers, MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import { AppFailure, type Result } from '../../shared/result';
import { silentLog, type DeskLog } from './desk-log';
import { dispatchCall } from './dispatch-call';

/**
 * The desk's handlers called in process, exactly as a renderer host calls them: through the
 * contract dispatcher (method checked, input validated, failures as results, unexpected errors
 * logged and answered INTERNAL). Typed by the contract, so hosts, tests and benches need no
 * wrappers or casts of their own.
 */
export interface DeskClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  /** the value, or an AppFailure with the result's code ("<method> failed: <code> <message>") */
  callOk<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** what a host received from a renderer, unchecked until the dispatcher checks it */
  dispatch(method: unknown, input: unknown): Promise<Result<unknown>>;
}

export function createDeskClient(services: { handlers: Handlers; log?: DeskLog }, log: DeskLog = services.log ?? silentLog): DeskClient {
  const dispatch = (method: unknown, input: unknown) => dispatchCall(services.handlers, method, input, log);
  // the dispatcher validated the input against the method's schema; the handler's answer is that method's output
  const call = <M extends MethodName>(method: M, input: MethodInput<M>) => dispatch(method, input) as Promise<Result<MethodOutput<M>>>;
  return {
    call,
    async callOk(method, input) {
      const result = await call(method, input);
      if (!result.ok) throw new AppFailure(result.error.code, `${method} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    dispatch,
  };
}
