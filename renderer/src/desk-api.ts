import type { Invoke, MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import type { Result } from '../../shared/result';

declare global {
  interface Window {
    /** present in the Electron window, put there by the preload */
    mejaIzin?: { invoke(method: string, input: unknown): Promise<unknown> };
  }
}

const TOKEN_KEY = 'meja-izin-host-token';

/** The loopback dev/test host hands its per-run token in the URL fragment; keep it for this tab only. */
function hostToken(): string | null {
  const match = /token=([\w-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = window.mejaIzin ? null : hostToken();

/** Dispatched on window when a call finds the office server unreachable: the top bar's status is stale then. */
export const SERVER_UNREACHABLE_EVENT = 'meja-izin:server-unreachable';

/** The only door from the renderer to the desk's services: Electron IPC, or the loopback host. */
export const invoke: Invoke = async <M extends MethodName>(method: M, input: MethodInput<M>) => {
  const result = await call(method, input);
  if (!result.ok && result.error.code === 'SERVER_UNREACHABLE') window.dispatchEvent(new Event(SERVER_UNREACHABLE_EVENT));
  return result;
};

async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
  try {
    if (window.mejaIzin) return (await window.mejaIzin.invoke(method, input)) as Result<MethodOutput<M>>;
    const response = await fetch(`./api/invoke/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-meja-izin-token': token ?? '' },
      body: JSON.stringify(input),
    });
    return (await response.json()) as Result<MethodOutput<M>>;
  } catch (error) {
    return { ok: false, error: { code: 'INTERNAL', message: (error as Error).message } };
  }
}
