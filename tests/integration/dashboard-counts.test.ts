import { DashboardCountsRepository } from '../../src/persistence/dashboard-counts.repository';
import { createModels } from '../../src/persistence/models';
import { connectTestServices } from '../support/services';

/** The dashboard's counts on the real MongoDB-compatible server: countDocuments per status, type and open handoff; first-response times. */
it('counts requests by status and support type, open handoffs waiting and held, and first-response times', async () => {
  const services = await connectTestServices('dashcounts');
  try {
    const models = await createModels(services.mongo);
    // Only the counted fields matter here; the driver's collection skips the schema's other required fields.
    await models.SupportRequest.collection.insertMany([
      { _id: 'r1', status: 'submitted', supportType: 'financial' },
      { _id: 'r2', status: 'submitted', supportType: 'educational' },
      { _id: 'r3', status: 'accepted', supportType: 'financial' },
    ] as never[]);
    const at = (iso: string): Date => new Date(iso);
    await models.Handoff.collection.insertMany([
      // Waiting: opened, nobody has claimed it (h1 was written before the inbox existed: no claim fields at all).
      { _id: 'h1', status: 'open', openedAt: at('2026-11-20T08:00:00Z') },
      // Closed, answered 4 minutes after opening (the second reply does not count).
      {
        _id: 'h2', status: 'closed', claimedBy: 'staff-1', openedAt: at('2026-11-25T08:00:00Z'), lastStaffReplyAt: at('2026-11-25T08:30:00Z'),
        staffReplies: [{ at: at('2026-11-25T08:30:00Z'), by: 'staff-1', outboundId: 'o2' }, { at: at('2026-11-25T08:04:00Z'), by: 'staff-1', outboundId: 'o1' }],
      },
      // Held, answered after 10 minutes.
      { _id: 'h3', status: 'open', claimedBy: 'staff-2', openedAt: at('2026-11-28T09:00:00Z'), lastStaffReplyAt: at('2026-11-28T09:10:00Z'), staffReplies: [{ at: at('2026-11-28T09:10:00Z'), by: 'staff-2', outboundId: 'o3' }] },
      // Waiting too (released back to the queue), never answered: not in the first-response times.
      { _id: 'h4', status: 'open', claimedBy: null, openedAt: at('2026-11-29T09:00:00Z'), lastStaffReplyAt: null },
      // Answered, but opened before the window.
      { _id: 'h5', status: 'closed', openedAt: at('2026-10-01T09:00:00Z'), lastStaffReplyAt: at('2026-10-01T12:00:00Z'), staffReplies: [{ at: at('2026-10-01T12:00:00Z'), by: 'staff-1', outboundId: 'o4' }] },
    ] as never[]);
    const counts = new DashboardCountsRepository(models);
    expect(await counts.requestsByStatus()).toMatchObject({ submitted: 2, accepted: 1, committee: 0, service_delivered: 0 });
    expect(await counts.requestsBySupportType()).toMatchObject({ financial: 2, educational: 1, other: 0 });
    expect(await counts.openHandoffs()).toEqual({ waiting: 2, held: 1 });
    // h2 (240 s) and h3 (600 s); h5 is older than `since`, h4 has no reply.
    expect(await counts.firstResponses(at('2026-11-01T00:00:00Z'))).toEqual({ answered: 2, averageSeconds: 420, medianSeconds: 420 });
    expect(await counts.firstResponses(at('2026-12-01T00:00:00Z'))).toEqual({ answered: 0, averageSeconds: null, medianSeconds: null });
  } finally {
    await services.drop();
    await services.close();
  }
});
