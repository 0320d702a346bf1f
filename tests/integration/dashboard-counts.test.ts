import { DashboardCountsRepository } from '../../src/persistence/dashboard-counts.repository';
import { createModels } from '../../src/persistence/models';
import { connectTestServices } from '../support/services';

/** The dashboard's counts on the real MongoDB-compatible server: countDocuments per status, type and open handoff. */
it('counts requests by status and support type, and open handoffs', async () => {
  const services = await connectTestServices('dashcounts');
  try {
    const models = await createModels(services.mongo);
    // Only the counted fields matter here; the driver's collection skips the schema's other required fields.
    await models.SupportRequest.collection.insertMany([
      { _id: 'r1', status: 'submitted', supportType: 'financial' },
      { _id: 'r2', status: 'submitted', supportType: 'educational' },
      { _id: 'r3', status: 'accepted', supportType: 'financial' },
    ] as never[]);
    await models.Handoff.collection.insertMany([{ _id: 'h1', status: 'open' }, { _id: 'h2', status: 'closed' }, { _id: 'h3', status: 'open' }] as never[]);
    const counts = new DashboardCountsRepository(models);
    expect(await counts.requestsByStatus()).toMatchObject({ submitted: 2, accepted: 1, committee: 0, service_delivered: 0 });
    expect(await counts.requestsBySupportType()).toMatchObject({ financial: 2, educational: 1, other: 0 });
    expect(await counts.handoffsWaiting()).toBe(2);
  } finally {
    await services.drop();
    await services.close();
  }
});
