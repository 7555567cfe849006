// Small, pure formatting helpers shared by the platform's pages.

const UNITS = ["B", "KB", "MB", "GB", "TB"];

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) {
    return "size not known yet";
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

// Nothing to show: the same dash in every table cell that has no value.
export const NO_VALUE = "—";

// Pages are in English, so is the relative time ("5 minutes ago").
const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "always" });
const RELATIVE_UNITS = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

// "5 minutes ago" for an ISO timestamp, measured from *now* (milliseconds).
// *now* is a parameter so a page can measure from the server's clock rather
// than the browser's, which may be off.
export function formatRelativeTime(iso, now) {
  if (!iso) {
    return "never";
  }
  const seconds = (Date.parse(iso) - now) / 1000;
  if (Math.abs(seconds) < 60) {
    return "just now";
  }
  // The largest unit that fits; a minute or more always fits "minute".
  const [unit, size] = RELATIVE_UNITS.find(([, length]) => Math.abs(seconds) >= length);
  return RELATIVE.format(Math.trunc(seconds / size), unit);
}

// The full, local date and time of an ISO timestamp, for a tooltip.
export function formatTimestamp(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

// "45 s", "12 min", "1 h 5 min", "2 d 3 h": a remaining time, coarse on purpose.
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) {
    return NO_VALUE;
  }
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

// "1.5 h", "0 h": hours with at most one decimal.
export function formatHours(hours) {
  return `${Number(hours.toFixed(1))} h`;
}

// "12.5 %" (one decimal at most), or the dash when there is no value.
export function formatPercent(value) {
  if (value === null || value === undefined) {
    return NO_VALUE;
  }
  return `${Number(value.toFixed(1))} %`;
}

// "5 h 02 min", "12 min 03 s", "45 s": a countdown, to the second below an
// hour so that it visibly ticks when time is short.
export function formatCountdown(seconds) {
  if (seconds === null || seconds === undefined) {
    return NO_VALUE;
  }
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const twoDigits = (n) => String(n).padStart(2, "0");
  if (hours > 0) return `${hours} h ${twoDigits(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${twoDigits(rest)} s`;
  return `${rest} s`;
}

// "Home" for the volume "home": the name people see; the suffix is the API's.
export function volumeTitle(suffix) {
  return suffix.charAt(0).toUpperCase() + suffix.slice(1);
}
