import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';

/** What the OS's open dialog shows when the Kepala Dinas chooses his signing certificate. */
export const CERTIFICATE_DIALOG_OPTIONS: OpenDialogOptions = {
  title: 'Pilih berkas sertifikat elektronik',
  buttonLabel: 'Pilih',
  properties: ['openFile', 'dontAddToRecent'],
  filters: [{ name: 'Sertifikat elektronik (.p12, .pfx)', extensions: ['p12', 'pfx'] }],
};

/**
 * The certificate is chosen with the native dialog rather than a typed path: the renderer never
 * names a file itself, it only receives what the official picked. Null when cancelled.
 */
export function certificateChooser(dialog: Pick<Dialog, 'showOpenDialog'>, parent: () => BrowserWindow | null): () => Promise<string | null> {
  return async () => {
    const window = parent();
    const result = window ? await dialog.showOpenDialog(window, CERTIFICATE_DIALOG_OPTIONS) : await dialog.showOpenDialog(CERTIFICATE_DIALOG_OPTIONS);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
}
