import { isUnreadableData } from '../domain/faults';
import type { ConversationRef, ConversationStore, FaultReporter, StoredConversation } from '../engine/ports';
import type { ConversationState } from '../engine/state';
import type { FieldCipher } from '../security/field-cipher';
import { conversationId } from './conversation.store';
import type { ConversationDoc, Models } from './models';


/** What can still be read of a conversation whose sealed part cannot: the plain state, with a notice for the engine. */
export function readablePart(doc: Pick<ConversationDoc, 'state' | 'rev'>): StoredConversation {
  const state = { ...doc.state, choices: [], misses: null, pendingAnswer: null, draft: null, volunteerDraft: null, lastResult: null, lastMessageKey: null, notice: 'record_unreadable' };
  return { rev: doc.rev, state: state as unknown as ConversationState };
}

/**
 * Wraps the conversation store: when the sealed part of a conversation (the answers in progress)
 * cannot be read, staff get an error and the conversation goes on from its readable part with a
 * `record_unreadable` notice, which the engine turns into a polite apology. Without this the
 * message would fail on every retry and the person would hear nothing.
 */
export class RecoveringConversationStore implements ConversationStore {
  constructor(
    private readonly inner: ConversationStore,
    private readonly models: Models,
    private readonly cipher: FieldCipher,
    private readonly faults: FaultReporter,
  ) {}

  async load(ref: ConversationRef): Promise<StoredConversation | null> {
    try {
      return await this.inner.load(ref);
    } catch (error) {
      if (!isUnreadableData(error)) throw error;
      const id = conversationId(this.cipher, ref);
      const doc = await this.models.Conversation.findById(id).lean();
      if (!doc) throw error;
      this.faults.unreadableRecord(`conversation ${id}: ${error instanceof Error ? error.message : String(error)}`);
      return readablePart(doc);
    }
  }

  save(ref: ConversationRef, state: ConversationState, expectedRev: number | null): Promise<number> {
    return this.inner.save(ref, state, expectedRev);
  }
}
