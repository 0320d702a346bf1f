import { Schema, Types, type Connection, type Model } from 'mongoose';

/** A prepared answer staff insert into a reply, per language; written by admins. Not personal data. */
export interface CannedReplyDoc {
  _id: Types.ObjectId;
  language: string;
  title: string;
  text: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface CannedReply {
  id: string;
  language: string;
  title: string;
  text: string;
  updatedAt: Date;
  updatedBy: string;
}

const CannedReplySchema = new Schema<CannedReplyDoc>(
  {
    language: { type: String, required: true, index: true },
    title: { type: String, required: true },
    text: { type: String, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'canned_replies', versionKey: false },
);

const byConnection = new WeakMap<Connection, Promise<Model<CannedReplyDoc>>>();

function modelOf(connection: Connection): Promise<Model<CannedReplyDoc>> {
  let model = byConnection.get(connection);
  if (!model) {
    model = (async () => {
      const compiled = connection.model('CannedReply', CannedReplySchema);
      await compiled.syncIndexes();
      return compiled;
    })();
    byConnection.set(connection, model);
  }
  return model;
}

export class CannedReplyRepository {
  private constructor(private readonly model: Model<CannedReplyDoc>) {}

  static async create(connection: Connection): Promise<CannedReplyRepository> {
    return new CannedReplyRepository(await modelOf(connection));
  }

  async list(language?: string): Promise<CannedReply[]> {
    const docs = await this.model.find(language ? { language } : {}).sort({ language: 1, title: 1 }).lean<CannedReplyDoc[]>();
    return docs.map(toReply);
  }

  async add(input: { language: string; title: string; text: string }, by: string, now: Date): Promise<CannedReply> {
    const doc = await this.model.create({ ...input, updatedAt: now, updatedBy: by });
    return toReply(doc.toObject());
  }

  async update(id: string, input: { language: string; title: string; text: string }, by: string, now: Date): Promise<CannedReply | null> {
    const doc = await this.model.findOneAndUpdate({ _id: id }, { $set: { ...input, updatedAt: now, updatedBy: by } }, { new: true }).lean<CannedReplyDoc>();
    return doc ? toReply(doc) : null;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: id })).deletedCount === 1;
  }
}

function toReply(doc: CannedReplyDoc): CannedReply {
  return { id: String(doc._id), language: doc.language, title: doc.title, text: doc.text, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy };
}
