import { withCheckDigit } from '../../domain/national-id';
import { seededRandom } from './stats';

/**
 * What simulated families type: FAQ questions in Arabic, English and Urdu, a whole support request
 * step by step (with a valid national ID, unique in the run), and status look-ups. Each family is
 * one short visit (at most 15 messages), so no family crosses a per-person flood limit: load comes
 * from many families, as after an announcement.
 */

export type JourneyKind = 'faq' | 'request' | 'status';

export interface Journey {
  kind: JourneyKind;
  texts: string[];
}

const FAQ: Record<'ar' | 'en' | 'ur', string[]> = {
  ar: ['السلام عليكم', 'من انتم', 'وش الخدمات اللي تقدمونها', 'من يحق له التقديم', 'وش الاوراق المطلوبة', 'رقمكم', 'متى تفتحون', 'كم ياخذ الطلب وقت', 'شكرا'],
  en: ['hello', 'who are you', 'what services do you offer', 'who can apply', 'what documents are needed', 'your phone number', 'working hours', 'how long does the decision take', 'thanks'],
  ur: ['السلام علیکم', 'آپ کون ہیں', 'آپ کون سی خدمات دیتے ہیں', 'کون درخواست دے سکتا ہے', 'کون سے کاغذات چاہئیں', 'آپ کا فون نمبر', 'آپ کب کھلتے ہیں', 'جواب کب ملے گا', 'شکریہ'],
};

const STATUS: Record<'ar' | 'en' | 'ur', string> = { ar: 'وين وصل طلبي', en: 'where is my request', ur: 'میری درخواست کا کیا ہوا' };

const LANGS = ['ar', 'en', 'ur'] as const;

/** Menu numbers and answers of the request flow, in the order the bot asks (see request.flow.ts). */
function requestTexts(nationalId: string, n: number): string[] {
  return [
    'السلام عليكم',
    '1',
    'نورة محمد القحطاني',
    nationalId,
    `050${String(1_000_000 + (n % 8_999_999))}`,
    '2',
    'سعد علي القحطاني',
    '1',
    '1',
    'نحتاج مساعدة في الإيجار والمصاريف الدراسية للأبناء',
    '9',
    '1',
    'وين وصل طلبي',
  ];
}

/** Makes journeys in a fixed mix: 50 % FAQ, 30 % support request, 20 % status look-up. */
export class JourneyMaker {
  private readonly random: () => number;
  private count = 0;

  constructor(
    seed: number,
    /** Makes every national ID of this run distinct from other runs' (the bot refuses a second open request per ID). */
    private readonly idBase: number,
  ) {
    this.random = seededRandom(seed);
  }

  next(): Journey {
    this.count += 1;
    const r = this.random();
    if (r < 0.5) return this.faq(3 + Math.floor(this.random() * 4));
    if (r < 0.8) return { kind: 'request', texts: requestTexts(this.nationalId(), this.count) };
    const lang = this.lang();
    const reference = `BSR-2026-${String(90_000 + Math.floor(this.random() * 9_999)).padStart(5, '0')}`;
    return { kind: 'status', texts: [STATUS[lang], reference, String(1000 + Math.floor(this.random() * 8999))] };
  }

  /** FAQ questions only, `count` of them, in one language (light load, flood victim). */
  faq(count: number): Journey {
    const phrases = FAQ[this.lang()];
    const texts = Array.from({ length: count }, () => phrases[Math.floor(this.random() * phrases.length)] ?? 'hello');
    return { kind: 'faq', texts };
  }

  private lang(): (typeof LANGS)[number] {
    return LANGS[Math.floor(this.random() * LANGS.length)] ?? 'ar';
  }

  private nationalId(): string {
    const serial = (this.idBase + this.count) % 100_000_000;
    return withCheckDigit(`1${String(serial).padStart(8, '0')}`);
  }
}
