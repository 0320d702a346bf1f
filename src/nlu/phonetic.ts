/**
 * A consonant skeleton shared by Arabic script, Urdu script and Latin transliteration
 * (Arabizi, Roman Urdu): "طلب", "6alab" and "talab" all give "tlb"; "درخواست" and "darkhwast"
 * give "drKst". Vowels and vowel letters are dropped, letters that chat writers swap freely are
 * one class (ت ط ث / t 6; س ص / s 9; ك ق گ / k q g 8 …), digraphs are read before letters, and
 * doubled consonants are written once. Lossy on purpose: used only as one more matching feature.
 * Known misses: Urdu aspirates (ٹھیک "thk" / theek "tk"; the normaliser has already folded ھ into
 * ه), and Arabizi's apostrophe letters (5' 3'), whose apostrophe the normaliser removes.
 */

/** Arabic- and Urdu-script letters → class; letters absent here (ا و ي ء ى ئ ؤ ه at word end…) are dropped or handled below. */
const SCRIPT_CLASSES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ب: 'b', پ: 'b',
    ت: 't', ط: 't', ث: 't', ٹ: 't',
    د: 'd', ض: 'd', ذ: 'd', ظ: 'd', ڈ: 'd',
    س: 's', ص: 's',
    ش: 'x', چ: 'x',
    ز: 'z',
    ج: 'j',
    ح: 'H', ه: 'h',
    خ: 'K',
    ع: 'E',
    غ: 'G',
    ق: 'k', ك: 'k', گ: 'k',
    ف: 'f',
    ل: 'l',
    م: 'm',
    ن: 'n', ں: 'n',
    ر: 'r', ڑ: 'r',
  }),
);

/** Latin digraphs first (longest match), then single letters and Arabizi digits. */
const LATIN_DIGRAPHS: ReadonlyArray<readonly [string, string]> = [
  ['sh', 'x'], ['ch', 'x'], ['kh', 'K'], ['gh', 'G'], ['th', 't'], ['dh', 'd'], ['ph', 'f'],
];
const LATIN_CLASSES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    b: 'b', p: 'b', t: 't', '6': 't', d: 'd', s: 's', '9': 's', c: 'k', z: 'z', j: 'j',
    h: 'h', '7': 'H', '5': 'K', '3': 'E', '8': 'k', q: 'k', k: 'k', g: 'k', f: 'f', v: 'f',
    l: 'l', m: 'm', n: 'n', r: 'r', x: 'k',
  }),
);

const LATIN = /^[a-z0-9]+$/;

/** The skeleton of one token already passed through normalizeForMatching; '' when nothing is left. */
export function phoneticKey(token: string): string {
  let out = '';
  if (LATIN.test(token)) {
    if (/^\d+$/.test(token)) return '';
    for (let i = 0; i < token.length; ) {
      const pair = token.slice(i, i + 2);
      const digraph = LATIN_DIGRAPHS.find(([from]) => from === pair);
      if (digraph) {
        out += digraph[1];
        i += 2;
        continue;
      }
      out += LATIN_CLASSES.get(token[i] as string) ?? '';
      i += 1;
    }
  } else {
    for (const letter of token) out += SCRIPT_CLASSES.get(letter) ?? '';
  }
  // A final ه is mostly the folded taa marbuta, which transliterations write as a vowel.
  const skeleton = out.replace(/(.)\1+/g, '$1');
  return skeleton.length > 2 && skeleton.endsWith('h') ? skeleton.slice(0, -1) : skeleton;
}
