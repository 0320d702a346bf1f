import { createModels, nextSequence } from '../../src/persistence/models';
import { connectTestServices } from '../support/services';

describe('yearly reference sequences (real MongoDB-compatible server)', () => {
  it('hands out distinct numbers to concurrent callers, where a bare $inc on FerretDB could repeat one', async () => {
    const services = await connectTestServices('sequence');
    try {
      const models = await createModels(services.mongo);
      const numbers = await Promise.all(Array.from({ length: 40 }, () => nextSequence(models, 'BSR-2026')));
      expect(new Set(numbers).size).toBe(40);
      expect(Math.min(...numbers)).toBe(1);
      // The counter catches up, so the next caller does not walk through taken numbers.
      expect(await nextSequence(models, 'BSR-2026')).toBeGreaterThan(Math.max(...numbers));
    } finally {
      await services.drop();
      await services.close();
    }
  });
});
