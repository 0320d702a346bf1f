import { REQUEST_STATUSES, SUPPORT_TYPES, type RequestStatus, type SupportType } from '../domain/support-request';
import { firstResponseStats, type FirstResponseStats } from '../domain/first-response';
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

  /** Open handoffs: waiting for someone to claim them, and held by a member of staff. */
  async openHandoffs(): Promise<{ waiting: number; held: number }> {
    // `claimedBy: null` also matches documents written before the inbox existed (no field).
    const [waiting, held] = await Promise.all([
      this.models.Handoff.countDocuments({ status: 'open', claimedBy: null }),
      this.models.Handoff.countDocuments({ status: 'open', claimedBy: { $ne: null } }),
    ]);
    return { waiting, held };
  }

  /**
   * First-response times of the handoffs opened since `since` that staff answered. Reads only
   * their opening time and the times of their staff replies (no text, no sender); a handoff
   * gets a few replies, so the earliest is found here rather than with an aggregation.
   */
  async firstResponses(since: Date): Promise<FirstResponseStats> {
    const docs = await this.models.Handoff.find({ openedAt: { $gte: since }, lastStaffReplyAt: { $ne: null } }, { openedAt: 1, staffReplies: 1 }).lean();
    const answered = docs.flatMap((doc) => {
      const times = (doc.staffReplies ?? []).map((r) => r.at.getTime());
      return times.length === 0 ? [] : [{ openedAt: doc.openedAt, firstReplyAt: new Date(Math.min(...times)) }];
    });
    return firstResponseStats(answered);
  }
}
