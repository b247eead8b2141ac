import { useEffect, useLayoutEffect, useRef } from 'react';

/**
 * What the file screen's keys do now; a missing entry is a key that does nothing (and is left
 * to the browser). Alt+ keys wait while an action is `busy`; Escape never does.
 */
export interface FileShortcuts {
  /** Esc: close the reason form, or back to the queue */
  escape(): void;
  busy: boolean;
  /** Alt+N / Alt+↓, Alt+P / Alt+↑ */
  next(): void;
  previous(): void;
  /** Alt+T: the primary action (pass on, or sign) */
  pass?: () => void;
  /** Alt+K: return the file */
  giveBack?: () => void;
  /** Alt+A / Alt+L: take or release the file */
  take?: () => void;
  release?: () => void;
  /** Alt+D: next document */
  nextDocument?: () => void;
}

function handle(event: KeyboardEvent, shortcuts: FileShortcuts): void {
  if (event.key === 'Escape') {
    shortcuts.escape();
    return;
  }
  if (!event.altKey || shortcuts.busy) return;
  const key = event.key.toLowerCase();
  let run: (() => void) | undefined;
  if (key === 'arrowdown' || key === 'n') run = shortcuts.next;
  else if (key === 'arrowup' || key === 'p') run = shortcuts.previous;
  else if (key === 't') run = shortcuts.pass;
  else if (key === 'k') run = shortcuts.giveBack;
  else if (key === 'a') run = shortcuts.take;
  else if (key === 'l') run = shortcuts.release;
  else if (key === 'd') run = shortcuts.nextDocument;
  if (!run) return;
  run();
  event.preventDefault();
}

/**
 * The file screen's keyboard shortcuts (Esc, Alt+T/K/A/L/N/P/D), on the window while the
 * screen is open. `shortcuts` is what they do at the latest render; null while the file loads.
 */
export function useFileShortcuts(shortcuts: FileShortcuts | null): void {
  const latest = useRef(shortcuts);
  useLayoutEffect(() => {
    latest.current = shortcuts;
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (latest.current) handle(event, latest.current);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}
