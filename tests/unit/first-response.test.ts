import { durationParts, firstResponseStats } from '../../src/domain/first-response';
import { pageText } from '../../src/staff/pages/console.i18n';
import { t } from '../support/engine-setup';

/** Durations use Intl's unit words, not the locale files; the translator is only there for the type. */
const translator = { t, list: (): string[] => [] };

const opened = new Date('2026-11-30T08:00:00Z');
const after = (seconds: number): { openedAt: Date; firstReplyAt: Date } => ({ openedAt: opened, firstReplyAt: new Date(opened.getTime() + seconds * 1000) });

describe('first-response times', () => {
  it('averages and takes the median of the time to the first staff reply', () => {
    expect(firstResponseStats([after(60), after(120), after(3_600)])).toEqual({ answered: 3, averageSeconds: 1_260, medianSeconds: 120 });
    expect(firstResponseStats([after(600), after(60), after(120), after(300)])).toEqual({ answered: 4, averageSeconds: 270, medianSeconds: 210 });
  });

  it('has no figures without answered chats, and counts a reply dated before the opening as immediate', () => {
    expect(firstResponseStats([])).toEqual({ answered: 0, averageSeconds: null, medianSeconds: null });
    expect(firstResponseStats([after(-30), after(90)])).toEqual({ answered: 2, averageSeconds: 45, medianSeconds: 45 });
  });

  it('rounds a wait to whole minutes, at least one when there was any wait', () => {
    expect(durationParts(0)).toEqual({ hours: 0, minutes: 0 });
    expect(durationParts(5)).toEqual({ hours: 0, minutes: 1 });
    expect(durationParts(89)).toEqual({ hours: 0, minutes: 1 });
    expect(durationParts(90)).toEqual({ hours: 0, minutes: 2 });
    expect(durationParts(3_600)).toEqual({ hours: 1, minutes: 0 });
    expect(durationParts(3_930)).toEqual({ hours: 1, minutes: 6 });
  });

  it('writes a wait with each language’s unit words and plurals', () => {
    const ar = pageText(translator, 'ar');
    expect([60, 120, 180, 660, 3_600, 7_200, 3_930].map((s) => ar.duration(s))).toEqual(['دقيقة', 'دقيقتان', '3 دقائق', '11 دقيقة', 'ساعة', 'ساعتان', 'ساعة و6 دقائق']);
    expect([60, 180, 3_930].map((s) => pageText(translator, 'en').duration(s))).toEqual(['1 minute', '3 minutes', '1 hour, 6 minutes']);
    expect([180, 7_200].map((s) => pageText(translator, 'ur').duration(s))).toEqual(['3 منٹ', '2 گھنٹے']);
    // The same list joining serves other short lists (the audit page's roles).
    expect(pageText(translator, 'ar').list(['موظف محادثات', 'باحث اجتماعي'])).toBe('موظف محادثات وباحث اجتماعي');
    expect(pageText(translator, 'en').list(['agent', 'researcher'])).toBe('agent, researcher');
  });
});
