import { CloudSender } from '../../src/channels/whatsapp-cloud/cloud.sender';
import { encodeTemplate, type CloudLabels } from '../../src/channels/whatsapp-cloud/cloud.codec';
import { loadConfig } from '../../src/config/config';
import { followUpJobId, followUpIds, parseDuration, parseReminderHours } from '../../src/domain/followup';
import { parseRiyadhDay, summariseSatisfaction, type SurveyFacts } from '../../src/domain/satisfaction';
import { maskCase } from '../../src/cli/admin-followups';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';

describe('follow-up ids and settings', () => {
  it('job ids carry the record version and never a colon (BullMQ refuses them)', () => {
    const id = followUpIds.reminder('3f1c2a9e-77aa-4e2b-9c1d-0a1b2c3d4e5f', 2);
    expect(id).toBe('reminder2-3f1c2a9e-77aa-4e2b-9c1d-0a1b2c3d4e5f');
    expect(followUpJobId({ _id: id, version: 3 })).toBe(`${id}-v3`);
    for (const make of [followUpIds.status('c1'), followUpIds.promise('BSR-2026-00017', 'c1'), followUpIds.survey('request-BSR-2026-00017'), followUpIds.surveyReminder('handoff-x')]) {
      expect(followUpJobId({ _id: make, version: 1 })).not.toContain(':');
    }
  });

  it.each([
    ['24,72', [24, 72]],
    [' 12 , 48 ', [12, 48]],
    ['6', [6]],
  ])('REMINDER_HOURS %s', (text, hours) => expect(parseReminderHours(text)).toEqual(hours));

  it.each(['', '72,24', '24,24', '0', '1,2,3', 'abc', '24;72', '-5'])('REMINDER_HOURS %j is refused with the variable named', (text) => {
    expect(() => parseReminderHours(text)).toThrow(/REMINDER_HOURS/);
  });

  it.each([
    ['48h', 48 * 3_600_000],
    ['30m', 30 * 60_000],
    ['7d', 7 * 86_400_000],
    ['2 H', 2 * 3_600_000],
  ])('duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['48', 'h', '1w', '-1h', '1.5h'])('duration %j is not one', (text) => expect(parseDuration(text)).toBeNull());

  it('reads the follow-up settings from the environment, and names a bad one', () => {
    const config = loadConfig({ QUIET_HOURS: 'off', REMINDER_HOURS: '12,36', SURVEY_DELAY_MINUTES: '0', RETENTION_DAYS: '90' });
    expect(config.followUps).toMatchObject({ quietHours: null, reminderHours: [12, 36], surveyDelayMinutes: 0, promiseDays: 14 });
    expect(config.retentionDays).toBe(90);
    expect(loadConfig({}).followUps.quietHours).toEqual({ startMinute: 22 * 60, endMinute: 8 * 60 });
    expect(() => loadConfig({ QUIET_HOURS: '25:00-08:00' })).toThrow(/QUIET_HOURS/);
    expect(() => loadConfig({ REMINDER_HOURS: '72,24' })).toThrow(/REMINDER_HOURS/);
    expect(() => loadConfig({ RETENTION_DAYS: '1' })).toThrow(/RETENTION_DAYS/);
  });

  it('masks case ids in operator listings', () => {
    expect(maskCase('request-BSR-2026-00017')).toBe('reques…017');
    expect(maskCase('abc')).toBe('ab…');
  });
});

describe('satisfaction report', () => {
  const at = (iso: string): Date => new Date(iso);
  const survey = (over: Partial<SurveyFacts>): SurveyFacts => ({ channel: 'telegram', supportType: 'financial', subjectType: 'request', invitedAt: at('2026-11-10T10:00:00Z'), rating: null, ...over });

  it('counts only sent surveys, and groups by channel, support type and Riyadh month', () => {
    const report = summariseSatisfaction(
      [
        survey({ rating: 5 }),
        survey({ rating: 4, channel: 'whatsapp' }),
        survey({ rating: 1, subjectType: 'handoff', supportType: null }),
        survey({ rating: null }),
        survey({ rating: 3, invitedAt: null }), // scheduled, never sent: not counted
        survey({ rating: 2, invitedAt: at('2026-11-30T22:30:00Z') }), // 01:30 on 1 December in Riyadh
      ],
      { from: null, to: null },
    );
    expect(report.overall).toEqual({ invited: 5, rated: 4, responseRate: 0.8, average: 3, distribution: { '1': 1, '2': 1, '3': 0, '4': 1, '5': 1 } });
    expect(Object.keys(report.byChannel)).toEqual(['telegram', 'whatsapp']);
    expect(report.byChannel.whatsapp?.average).toBe(4);
    expect(report.bySupportType.handoff?.rated).toBe(1);
    expect(report.bySupportType.financial?.invited).toBe(4);
    expect(report.byMonth['2026-12']?.distribution['2']).toBe(1);
    expect(report.byMonth['2026-11']?.invited).toBe(4);
  });

  it('says "no data" as null, not as zero', () => {
    const report = summariseSatisfaction([], { from: null, to: null });
    expect(report.overall.average).toBeNull();
    expect(report.overall.responseRate).toBeNull();
  });

  it('reads report dates as Riyadh days', () => {
    expect(parseRiyadhDay('2026-12-01')?.toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(parseRiyadhDay('2026-02-30')).toBeNull();
    expect(parseRiyadhDay('1/12/2026')).toBeNull();
  });
});

describe('WhatsApp Cloud follow-ups outside the 24-hour window', () => {
  const translator = I18nTranslator.load(LOCALES_DIR);
  const now = new Date('2026-11-25T12:00:00Z');
  const old = new Date(now.getTime() - 30 * 3_600_000);
  const recent = new Date(now.getTime() - 3_600_000);
  const client = { sendMessage: async () => ({ type: 'ok' as const, messageId: 'wamid.x' }) };

  it('can reach anyone inside the window, and outside it only with a configured template', () => {
    const none = new CloudSender({ client: client as never, translator, templates: {}, now: () => now });
    expect(none.reach({ lastInboundAt: recent, purpose: 'survey' }, now)).toEqual({ ok: true });
    expect(none.reach({ lastInboundAt: old, purpose: 'survey' }, now)).toEqual({ ok: false, reason: 'outside_24h_window_no_survey_template' });
    const surveyOnly = new CloudSender({ client: client as never, translator, templates: { survey: 'basirah_survey' }, now: () => now });
    expect(surveyOnly.reach({ lastInboundAt: old, purpose: 'survey' }, now)).toEqual({ ok: true });
    expect(surveyOnly.reach({ lastInboundAt: null, purpose: 'followup' }, now).ok).toBe(false);
  });

  it('sends the reference as the template parameter when the follow-up names it', () => {
    const labels: CloudLabels = { listButton: 'x', chooseNumber: 'y', optionLine: (n, l) => `${n}. ${l}` };
    const m = encodeTemplate('966501234567', { text: 'نرجو تقييم الخدمة', options: [{ value: 'rate:1', label: '1' }], template: { purpose: 'survey', parameters: ['BSR-2026-00017'] } }, { name: 'basirah_survey', language: 'ar' }, labels);
    expect(m.type === 'template' && m.template.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'BSR-2026-00017' }] }]);
  });
});
