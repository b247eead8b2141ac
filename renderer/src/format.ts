let officeTimeZone = 'Asia/Jakarta';

/** Times show in the office's own zone (WIB, WITA or WIT), whatever the PC's clock says. */
export function setOfficeTimeZone(timeZone: string): void {
  officeTimeZone = timeZone;
}

/** Dates as an Indonesian office writes them. */
export function formatDate(iso: string, locale: string): string {
  const date = iso.length === 10 ? new Date(`${iso}T00:00:00Z`) : new Date(iso);
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: iso.length === 10 ? 'UTC' : officeTimeZone,
  }).format(date);
}

/**
 * Indonesia's own names for its three zones. Intl gives them in Indonesian but "GMT+7" in
 * English, so the name is added here, the same in both languages.
 */
const ZONE_NAMES: Record<string, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };

export function formatDateTime(iso: string, locale: string): string {
  const zoneName = ZONE_NAMES[officeTimeZone];
  const text = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: officeTimeZone,
    ...(zoneName ? {} : { timeZoneName: 'short' as const }),
  }).format(new Date(iso));
  return zoneName ? `${text} ${zoneName}` : text;
}

/** A calendar month ("2026-11") as a report names it: "November 2026", "Mei 2026" / "May 2026". */
export function formatMonth(month: string, locale: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  if (!/^\d{4}-\d{2}$/.test(month) || Number.isNaN(date.getTime())) return month;
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}
