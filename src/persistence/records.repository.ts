import type { ConversationRef, FeedbackKind, FeedbackRepository, VolunteerRepository } from '../engine/ports';
import type { Language } from '../domain/language';
import type { FieldCipher } from '../security/field-cipher';
import { conversationId } from './conversation.store';
import { nextSequence, type Models } from './models';

/** Volunteer sign-ups (name and phone sealed). */
export class MongoVolunteerRepository implements VolunteerRepository {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  async create(input: { conversation: ConversationRef; name: string; phone: string; city: string; interest: string; language: Language; now: Date }): Promise<void> {
    await this.models.Volunteer.create({
      conversationId: conversationId(this.cipher, input.conversation),
      nameSealed: this.cipher.seal(input.name),
      phoneSealed: this.cipher.seal(input.phone),
      phoneDigest: this.cipher.digest('phone', input.phone),
      city: input.city,
      interest: input.interest,
      language: input.language,
      createdAt: input.now,
    });
  }
}

/** Complaints and suggestions, flagged for staff, referenced `BSF-<year>-<sequence>`. */
export class MongoFeedbackRepository implements FeedbackRepository {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  async create(input: { conversation: ConversationRef; kind: FeedbackKind; text: string; language: Language; now: Date }): Promise<string> {
    const year = input.now.getUTCFullYear();
    const reference = `BSF-${year}-${String(await nextSequence(this.models, `BSF-${year}`)).padStart(5, '0')}`;
    await this.models.Feedback.create({
      reference,
      conversationId: conversationId(this.cipher, input.conversation),
      kind: input.kind,
      textSealed: this.cipher.seal(input.text),
      language: input.language,
      flagged: true,
      status: 'new',
      createdAt: input.now,
    });
    return reference;
  }
}
