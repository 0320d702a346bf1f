import { maskPhone, parseSaudiMobile } from '../../domain/phone';
import { VOLUNTEER_STEPS, type VolunteerStep } from '../state';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';
import { nameErrorKey, namesWayOut, readName, readPlace } from '../plausible';
import { numberAnswer } from './text-answers';

/** Areas a volunteer can choose; to be confirmed by the association. */
export const VOLUNTEER_INTERESTS = ['guidance', 'teaching', 'family_support', 'translation', 'administration', 'other'] as const;

/** Volunteering (the policy's channel 6): name, phone, city, area of interest. */
export function startVolunteer(turn: Turn): void {
  turn.state.volunteerDraft = {};
  turn.say('volunteer.intro');
  goTo(turn, 'name');
}

function goTo(turn: Turn, step: VolunteerStep): void {
  turn.setMode({ type: 'volunteer', step });
  promptVolunteer(turn);
}

export function promptVolunteer(turn: Turn): void {
  const mode = turn.state.mode;
  if (mode.type !== 'volunteer') return;
  if (mode.step === 'phone' && turn.msg.verifiedPhone) {
    return turn.ask('volunteer.ask.phone_offer', [
      turn.choice('phone:use_verified', 'request.phone_use', { phone: maskPhone(turn.msg.verifiedPhone) }),
      turn.choice('phone:other', 'request.phone_other'),
    ]);
  }
  if (mode.step === 'interest') {
    return turn.ask('volunteer.ask.interest', VOLUNTEER_INTERESTS.map((i) => turn.choice(`interest:${i}`, `volunteer.interest.${i}`)));
  }
  turn.say(`volunteer.ask.${mode.step}`);
}

export async function onVolunteerInput(turn: Turn, choice: string | null): Promise<void> {
  const mode = turn.state.mode;
  const draft = turn.state.volunteerDraft;
  if (mode.type !== 'volunteer' || !draft) return showMainMenu(turn);
  const step = mode.step;
  switch (step) {
    case 'name': {
      const reading = readName(turn.text, turn.ports.translator);
      if (!reading.ok) return retry(turn, nameErrorKey(reading.reason));
      draft.name = reading.name;
      return goTo(turn, 'phone');
    }
    case 'phone': {
      if (choice === 'phone:other') return void turn.say('request.ask.phone');
      const phone = choice === 'phone:use_verified' && turn.msg.verifiedPhone ? turn.msg.verifiedPhone : parsePhone(turn);
      if (!phone) return;
      draft.phone = phone;
      return goTo(turn, 'city');
    }
    case 'city': {
      const city = readPlace(turn.text, turn.ports.translator, 2, 60);
      if (!city) return retry(turn, 'volunteer.errors.city');
      draft.city = city;
      return goTo(turn, 'interest');
    }
    case 'interest':
      return finish(turn, choice);
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}

function parsePhone(turn: Turn): string | null {
  const result = parseSaudiMobile(numberAnswer(turn.text));
  if (result.ok) return result.e164;
  retry(turn, `request.errors.phone_${result.reason}`);
  return null;
}

function retry(turn: Turn, errorKey: string): void {
  turn.say(errorKey);
  turn.missed(namesWayOut(errorKey));
  promptVolunteer(turn);
}

async function finish(turn: Turn, choice: string | null): Promise<void> {
  const draft = turn.state.volunteerDraft;
  const interest = choice?.startsWith('interest:') ? choice.slice('interest:'.length) : null;
  if (!interest || !(VOLUNTEER_INTERESTS as readonly string[]).includes(interest)) return retry(turn, 'request.errors.pick_option');
  if (!draft?.name || !draft.phone || !draft.city) return goTo(turn, 'name');
  await turn.ports.volunteers.create({
    conversation: turn.ref,
    name: draft.name,
    phone: draft.phone,
    city: draft.city,
    interest,
    language: turn.lang,
    now: turn.now,
  });
  turn.state.volunteerDraft = null;
  showMainMenu(turn, 'volunteer.thanks');
}

export function volunteerBack(turn: Turn): void {
  const mode = turn.state.mode;
  if (mode.type !== 'volunteer') return;
  const index = VOLUNTEER_STEPS.indexOf(mode.step);
  const previous = VOLUNTEER_STEPS[index - 1];
  if (!previous) return cancelVolunteer(turn);
  goTo(turn, previous);
}

export function cancelVolunteer(turn: Turn): void {
  turn.state.volunteerDraft = null;
  showMainMenu(turn, 'volunteer.cancelled');
}
