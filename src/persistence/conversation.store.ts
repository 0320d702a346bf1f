import type { ConversationRef, ConversationStore, StoredConversation } from '../engine/ports';
import { ConcurrencyError } from '../engine/ports';
import type { ConversationState } from '../engine/state';
import type { FieldCipher } from '../security/field-cipher';
import { rawCollection, type ConversationDoc, type Models } from './models';
import { isDuplicateKeyError } from './mongo-errors';

/**
 * What stays readable for operations: where the conversation is, never what the person wrote.
 * Everything else — answers in progress, a typed answer awaiting confirmation, the last replies
 * (which may quote them), the offered choices (which may show a masked phone) and whatever a later
 * state version adds — is sealed as one blob. A whitelist, so a new field is sealed by default.
 */
const PLAIN_KEYS = ['v', 'language', 'languageSource', 'mode', 'misunderstandings', 'lastInboundAt'] as const;
type PlainPart = Pick<ConversationState, (typeof PLAIN_KEYS)[number]>;
type SealedPart = Omit<ConversationState, (typeof PLAIN_KEYS)[number]>;

/** Conversation id: an HMAC of channel, account and sender, so phone numbers never appear as keys. */
export function conversationId(cipher: FieldCipher, ref: ConversationRef): string {
  return cipher.digest('conversation', `${ref.channel}\u0000${ref.account}\u0000${ref.sender}`);
}

/** The engine's state from a stored conversation document. */
export function stateFromDoc(cipher: FieldCipher, doc: Pick<ConversationDoc, 'state' | 'formsSealed' | 'rev'>): StoredConversation {
  const forms = doc.formsSealed ? (JSON.parse(cipher.open(doc.formsSealed)) as Partial<SealedPart>) : {};
  // Documents written before everything but PLAIN_KEYS was sealed keep some fields in `state`: both merge.
  const state = {
    ...doc.state,
    ...forms,
    draft: forms.draft ?? null,
    volunteerDraft: forms.volunteerDraft ?? null,
    lastResult: forms.lastResult ?? null,
    lastMessageKey: forms.lastMessageKey ?? null,
  } as unknown as ConversationState;
  return { rev: doc.rev, state };
}

/** The fields of a conversation document that hold the engine's state (sealed where personal). */
export function stateFields(cipher: FieldCipher, state: ConversationState, now: Date): Pick<ConversationDoc, 'language' | 'modeType' | 'state' | 'formsSealed' | 'updatedAt'> {
  const plain: Partial<PlainPart> = {};
  const sealedPart: Record<string, unknown> = { ...state };
  for (const key of PLAIN_KEYS) {
    Object.assign(plain, { [key]: state[key] });
    delete sealedPart[key];
  }
  return {
    language: state.language,
    modeType: state.mode.type,
    state: plain as Record<string, unknown>,
    formsSealed: cipher.seal(JSON.stringify(sealedPart)),
    updatedAt: now,
  };
}

/** A new conversation document's fixed fields. */
export function newConversationFields(cipher: FieldCipher, ref: ConversationRef, now: Date): Pick<ConversationDoc, '_id' | 'channel' | 'account' | 'senderSealed' | 'createdAt'> {
  return { _id: conversationId(cipher, ref), channel: ref.channel, account: ref.account, senderSealed: cipher.seal(ref.sender), createdAt: now };
}

/**
 * Conversations in MongoDB with optimistic concurrency (`rev`), for callers outside the message
 * pipeline (the terminal chat, tests). Form answers in progress (the request draft with national
 * ID and phone) and the last replies are sealed as one blob; the rest stays readable for operations.
 */
export class MongoConversationStore implements ConversationStore {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  async load(ref: ConversationRef): Promise<StoredConversation | null> {
    const doc = await rawCollection(this.models.Conversation).findOne({ _id: conversationId(this.cipher, ref) });
    return doc ? stateFromDoc(this.cipher, doc) : null;
  }

  async save(ref: ConversationRef, state: ConversationState, expectedRev: number | null): Promise<number> {
    const now = new Date();
    const fields = stateFields(this.cipher, state, now);
    const id = conversationId(this.cipher, ref);
    if (expectedRev === null) {
      try {
        await rawCollection(this.models.Conversation).insertOne({ ...newConversationFields(this.cipher, ref, now), rev: 1, ...fields });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new ConcurrencyError(`conversation ${id} was created concurrently`);
        throw error;
      }
      return 1;
    }
    const result = await rawCollection(this.models.Conversation).updateOne({ _id: id, rev: expectedRev }, { $set: { ...fields, rev: expectedRev + 1 } });
    if (result.matchedCount === 0) throw new ConcurrencyError(`conversation ${id} changed since revision ${expectedRev}`);
    return expectedRev + 1;
  }
}
