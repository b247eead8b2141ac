/**
 * The desk's log: what went wrong where no one was asked (the background sync) or where the
 * official only sees INTERNAL (a bug behind a handler, a signing item). It holds no personal
 * data and no secrets: an event name, ids and counts in `context`, and of an error its class,
 * code and stack, with the message scrubbed (describeError). Never names, NIKs, passphrases,
 * tokens or keys, and never a method's input.
 */
export interface DeskLog {
  error(event: string, error: unknown, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
}

/** Ids, codes and counts only. */
export type LogContext = Record<string, string | number | boolean | null | undefined>;

export const silentLog: DeskLog = { error: () => undefined, warn: () => undefined, info: () => undefined };

export interface DescribedError {
  class: string;
  code: string | null;
  message: string;
  stack: string[];
}

const STACK_FRAMES = 12;

/**
 * An error as the log keeps it. A message may quote data (JSON.parse quotes the text it choked
 * on, a driver may quote a value): quoted text and long digit runs (a NIK, an STR or phone
 * number) are masked, so only the shape of the message stays.
 */
export function describeError(error: unknown): DescribedError {
  if (!(error instanceof Error)) return { class: typeof error, code: null, message: scrub(String(error)), stack: [] };
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, STACK_FRAMES);
  return { class: error.name || error.constructor.name, code: typeof code === 'string' || typeof code === 'number' ? String(code) : null, message: scrub(error.message), stack: frames };
}

export function scrub(text: string): string {
  return text
    .slice(0, 500)
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/`[^`]*`/g, '`…`')
    .replace(/\d{6,}/g, '#');
}
