import mongoose from 'mongoose';

/** The MongoDB driver mongoose ships (the raw driver, with no mongoose models in between). */
export const { MongoClient, ObjectId, BSON } = mongoose.mongo;
export type Db = mongoose.mongo.Db;
export type Document = mongoose.mongo.Document;

export async function withDatabase<T>(uri: string, name: string, use: (db: Db) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await use(client.db(name));
  } finally {
    await client.close();
  }
}
