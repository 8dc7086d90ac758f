let lastTime = Number.NaN;
let lastIso = '';

/** `toISOString` is slow next to the rest of an error response, and a flood of errors shares each millisecond. */
export function isoTime(now: number): string {
  if (now !== lastTime) {
    lastTime = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
