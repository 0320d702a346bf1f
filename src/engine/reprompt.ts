import type { Turn } from './turn';
import { promptComplaint } from './flows/complaint.flow';
import { askLanguage } from './flows/language.flow';
import { showMainMenu } from './flows/menu';
import { promptRequest } from './flows/request.flow';
import { promptStatus } from './flows/status.flow';
import { promptVolunteer } from './flows/volunteer.flow';
import { offerResume } from './router';

/** Asks the open step's question again (after a digression, a language switch, a photo …). */
export function reprompt(turn: Turn): void {
  const mode = turn.state.mode;
  switch (mode.type) {
    case 'request':
      return promptRequest(turn);
    case 'status':
      return promptStatus(turn);
    case 'volunteer':
      return promptVolunteer(turn);
    case 'complaint':
      return promptComplaint(turn);
    case 'resume_offer':
      return offerResume(turn);
    case 'choose_language':
      return askLanguage(turn);
    case 'idle':
    case 'handoff':
    case 'disambiguate':
      return showMainMenu(turn);
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}
