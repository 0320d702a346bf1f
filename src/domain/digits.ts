/** Arabic-Indic (U+0660–0669) and Persian/Urdu (U+06F0–06F9) digits. */
const EASTERN_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Replaces Arabic-Indic and Persian/Urdu digits with ASCII ones ("٠٥٠" → "050"); other characters stay. */
export function toAsciiDigits(text: string): string {
  return text.replace(EASTERN_DIGIT, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code - (code >= 0x06f0 ? 0x06f0 : 0x0660));
  });
}
