import { randomBytes } from 'node:crypto';
import { initialState } from '../../src/engine/state';
import { stateFields, stateFromDoc } from '../../src/persistence/conversation.store';
import { FieldCipher } from '../../src/security/field-cipher';

const cipher = new FieldCipher([{ id: 'k1', key: randomBytes(32) }], randomBytes(32));

describe('conversation state at rest', () => {
  it('keeps only where the conversation is readable; anything the person wrote is sealed, including fields added later', () => {
    const state = {
      ...initialState('ar', 'detected'),
      mode: { type: 'request' as const, step: 'applicantName' as const, returnToSummary: false },
      choices: [{ value: 'phone:use_verified', label: 'استخدم +9665****56' }],
      pendingAnswer: { step: 'request.applicantName', text: 'سارة عبدالله الخدمات', intent: 'services' },
      draft: { id: 'd1', applicantName: 'نورة محمد', nationalId: '1127169884' },
    };
    const fields = stateFields(cipher, state as never, new Date());
    const readable = JSON.stringify({ state: fields.state, language: fields.language, modeType: fields.modeType });
    expect(readable).toContain('applicantName'); // the step, for operations
    for (const secret of ['سارة', 'نورة', '1127169884', '+9665']) expect(readable).not.toContain(secret);
    const back = stateFromDoc(cipher, { ...fields, rev: 3 });
    expect(back.state).toMatchObject({ pendingAnswer: state.pendingAnswer, choices: state.choices, draft: state.draft, mode: state.mode });
  });

  it('still reads documents written when only the form answers were sealed', () => {
    const old = { state: { v: 2, language: 'ur', mode: { type: 'idle' }, choices: [], misses: null }, formsSealed: cipher.seal(JSON.stringify({ draft: null, lastMessageKey: 'web:1' })), rev: 1 };
    expect(stateFromDoc(cipher, old).state).toMatchObject({ language: 'ur', mode: { type: 'idle' }, lastMessageKey: 'web:1', draft: null });
  });
});
