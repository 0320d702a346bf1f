import { REQUEST_STATUSES, SUPPORT_TYPES, type RequestStatus, type SupportType } from '../domain/support-request';
import type { Models } from './models';

/**
 * Counts for the staff dashboard: one countDocuments per status and per support type, since
 * FerretDB's aggregation support is narrow ($group beyond a plain count is not relied on). A few
 * indexed counts per page view; no personal data leaves the database.
 */
export class DashboardCountsRepository {
  constructor(private readonly models: Pick<Models, 'SupportRequest' | 'Handoff'>) {}

  async requestsByStatus(): Promise<Record<RequestStatus, number>> {
    const counts = await Promise.all(REQUEST_STATUSES.map((status) => this.models.SupportRequest.countDocuments({ status })));
    return Object.fromEntries(REQUEST_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<RequestStatus, number>;
  }

  async requestsBySupportType(): Promise<Record<SupportType, number>> {
    const counts = await Promise.all(SUPPORT_TYPES.map((supportType) => this.models.SupportRequest.countDocuments({ supportType })));
    return Object.fromEntries(SUPPORT_TYPES.map((s, i) => [s, counts[i] ?? 0])) as Record<SupportType, number>;
  }

  handoffsWaiting(): Promise<number> {
    return this.models.Handoff.countDocuments({ status: 'open' });
  }
}
