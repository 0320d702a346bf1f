import { isWithinWorkingHours } from '../../domain/working-hours';
import type { HandoffReason } from '../ports';
import type { Turn } from '../turn';
import { containsKeyword } from '../option-words';
import { showMainMenu } from './menu';

/**
 * Hands the conversation to staff (the policy's referral to the social research officer when
 * procedures are unclear). While open, the bot runs no flows; it only keeps the messages for
 * staff and reminds the beneficiary, at most once every few minutes, that staff have them.
 */
export async function startHandoff(turn: Turn, reason: HandoffReason): Promise<void> {
  const id = await turn.ports.handoffs.open({
    conversation: turn.ref,
    reason,
    language: turn.lang,
    firstMessage: turn.msg.text,
    now: turn.now,
  });
  const before = turn.state.mode;
  const resume = before.type === 'handoff' ? before.resume : before;
  turn.setMode({ type: 'handoff', handoffId: id, lastNoticeAt: turn.now.toISOString(), ...(resume ? { resume } : {}) });
  turn.say('handoff.opened');
  if (!isWithinWorkingHours(turn.now)) turn.say('handoff.off_hours');
  turn.say('handoff.cancel_hint');
}

/**
 * Why a person who asks for staff does: «ما فهمت الإجراءات», "my case is complicated" — the
 * policy's unclear cases, for the social research officer — or simply asking for someone.
 */
export function askedReason(turn: Turn): HandoffReason {
  return containsKeyword(turn.text, turn.ports.translator, 'unclear_procedures') ? 'unclear_procedures' : 'requested';
}

/**
 * A message during a handoff. Returns false when staff have closed it meanwhile, so the caller
 * handles the message normally. Never silence: every message gets at least a short
 * acknowledgement, the longer "passed to staff" notice at most every few minutes. «القائمة» /
 * "menu" offers to go back to the bot; the handoff stays open until the person chooses.
 */
export async function onHandoffMessage(turn: Turn, isCancel: boolean, choice: string | null): Promise<boolean> {
  const mode = turn.state.mode;
  if (mode.type !== 'handoff') return false;
  const { handoffs } = turn.ports;
  if (!(await handoffs.isOpen(mode.handoffId))) {
    // Closed by staff meanwhile: the message is handled where the person was before the handoff.
    turn.setMode(mode.resume ?? { type: 'idle' });
    return false;
  }
  if (isCancel || choice === 'handoff:leave') {
    await handoffs.close(mode.handoffId, 'beneficiary', turn.now);
    showMainMenu(turn, 'handoff.cancelled');
    return true;
  }
  if (choice === 'handoff:stay') {
    turn.setMode({ ...mode, leaveOffered: false });
    turn.say('handoff.staying');
    return true;
  }
  // «ارجع للبوت», "go back to the bot please", "wapas bot pe jana hai": offer to leave, as «القائمة» does.
  if (turn.command === 'menu' || containsKeyword(turn.text, turn.ports.translator, 'back_to_bot')) {
    turn.setMode({ ...mode, leaveOffered: true });
    turn.ask('handoff.menu_offer', [turn.choice('handoff:leave', 'handoff.leave'), turn.choice('handoff:stay', 'handoff.stay')]);
    return true;
  }
  const { text, attachment, attachmentRef } = turn.msg;
  await handoffs.appendMessage(mode.handoffId, { text, ...(attachment ? { attachment } : {}), ...(attachmentRef ? { attachmentRef } : {}) }, turn.now);
  const last = mode.lastNoticeAt ? Date.parse(mode.lastNoticeAt) : 0;
  if (turn.now.getTime() - last >= turn.ports.settings.handoffNoticeMinutes * 60_000) {
    turn.setMode({ ...mode, lastNoticeAt: turn.now.toISOString() });
    turn.say('handoff.waiting');
  } else {
    turn.say('handoff.ack');
  }
  return true;
}

/**
 * Staff handed the chat back to the bot (or closed it): the person is told, in their language,
 * and asked again the question they were at when the handoff opened (the same request step, with
 * its draft). Returns false when the conversation is not in that handoff any more.
 */
export function returnFromHandoff(turn: Turn, handoffId: string, noticeKey: 'handoff.returned' | 'handoff.closed_by_staff'): boolean {
  const mode = turn.state.mode;
  if (mode.type !== 'handoff' || mode.handoffId !== handoffId) return false;
  turn.setMode(mode.resume ?? { type: 'idle' });
  turn.say(noticeKey);
  turn.state.repromptedAt = turn.now.toISOString();
  return true;
}
