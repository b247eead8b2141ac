import { contextBridge, ipcRenderer } from 'electron';

// Kept tiny on purpose: one function, one channel. Main validates the method and its input.
const CHANNEL = 'meja-izin:invoke';

contextBridge.exposeInMainWorld('mejaIzin', {
  invoke: (method: string, input: unknown): Promise<unknown> => {
    if (typeof method !== 'string') return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'method must be a string' } });
    return ipcRenderer.invoke(CHANNEL, method, input);
  },
});
