import type { ConversationRef, ConversationStore, StoredConversation } from '../engine/ports';
import { ConcurrencyError } from '../engine/ports';
import type { ConversationState } from '../engine/state';
import type { FieldCipher } from '../security/field-cipher';
import type { Models } from './models';
import { isDuplicateKeyError } from './mongo-errors';

/** What is sealed: answers in progress and the last replies (which may quote them). */
type SealedPart = Pick<ConversationState, 'draft' | 'volunteerDraft' | 'lastResult' | 'lastMessageKey'>;

/** Conversation id: an HMAC of channel, account and sender, so phone numbers never appear as keys. */
export function conversationId(cipher: FieldCipher, ref: ConversationRef): string {
  return cipher.digest('conversation', `${ref.channel}\u0000${ref.account}\u0000${ref.sender}`);
}

/**
 * Conversations in MongoDB with optimistic concurrency (`rev`). Form answers in progress (the
 * request draft with national ID and phone) and the last replies are sealed as one blob; the rest
 * stays readable for operations.
 */
export class MongoConversationStore implements ConversationStore {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  async load(ref: ConversationRef): Promise<StoredConversation | null> {
    const doc = await this.models.Conversation.findById(conversationId(this.cipher, ref)).lean();
    if (!doc) return null;
    const forms = doc.formsSealed ? (JSON.parse(this.cipher.open(doc.formsSealed)) as Partial<SealedPart>) : {};
    const state = {
      ...doc.state,
      draft: forms.draft ?? null,
      volunteerDraft: forms.volunteerDraft ?? null,
      lastResult: forms.lastResult ?? null,
      lastMessageKey: forms.lastMessageKey ?? null,
    } as unknown as ConversationState;
    return { rev: doc.rev, state };
  }

  async save(ref: ConversationRef, state: ConversationState, expectedRev: number | null): Promise<number> {
    // The last message key holds the platform message id, which can embed a phone number.
    const { draft, volunteerDraft, lastResult, lastMessageKey, ...plain } = state;
    const sealedPart: SealedPart = { draft, volunteerDraft, lastResult, lastMessageKey };
    const hasForms = draft !== null || volunteerDraft !== null || lastResult !== null || lastMessageKey !== null;
    const now = new Date();
    const fields = {
      language: state.language,
      modeType: state.mode.type,
      state: plain as unknown as Record<string, unknown>,
      formsSealed: hasForms ? this.cipher.seal(JSON.stringify(sealedPart)) : null,
      updatedAt: now,
    };
    const id = conversationId(this.cipher, ref);
    if (expectedRev === null) {
      try {
        await this.models.Conversation.create({
          _id: id,
          channel: ref.channel,
          account: ref.account,
          senderSealed: this.cipher.seal(ref.sender),
          rev: 1,
          createdAt: now,
          ...fields,
        });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new ConcurrencyError(`conversation ${id} was created concurrently`);
        throw error;
      }
      return 1;
    }
    const result = await this.models.Conversation.updateOne({ _id: id, rev: expectedRev }, { $set: { ...fields, rev: expectedRev + 1 } });
    if (result.matchedCount === 0) throw new ConcurrencyError(`conversation ${id} changed since revision ${expectedRev}`);
    return expectedRev + 1;
  }
}
