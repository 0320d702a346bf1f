import { migrateState } from '../../src/engine/migrate';
import { STATE_VERSION } from '../../src/engine/state';

describe('stored conversation state migrations', () => {
  it('brings a version-1 state with an open draft to the current version, keeping the draft and the step', () => {
    const v1 = {
      v: 1,
      language: 'ur',
      languageSource: 'detected',
      mode: { type: 'request', step: 'relation', returnToSummary: false },
      choices: [{ value: 'relation:self', label: 'x' }],
      misunderstandings: 0,
      lastInboundAt: '2026-11-22T09:00:00.000Z',
      draft: { id: 'd1', startedAt: '2026-11-22T08:50:00.000Z', applicantName: 'Muhammad Aslam', nationalId: '2000000008', phone: '+966501234567' },
      volunteerDraft: null,
    };
    const state = migrateState(v1);
    expect(state.v).toBe(STATE_VERSION);
    expect(state.draft).toEqual(v1.draft);
    expect(state.mode).toEqual(v1.mode);
    expect(state.language).toBe('ur');
    expect(state.misses).toBeNull();
    expect(state.pendingAnswer).toBeNull();
    expect(state.notice).toBeNull();
    expect(state.lastMessageKey).toBeNull();
  });

  it('starts afresh from an unknown shape, keeping the language', () => {
    expect(migrateState({ v: 99, language: 'en' }).mode).toEqual({ type: 'idle' });
    expect(migrateState({ v: 99, language: 'en' }).language).toBe('en');
    expect(migrateState(null).language).toBe('ar');
  });
});
