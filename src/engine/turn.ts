import type { Language } from '../domain/language';
import type { InboundMessage, Reply } from '../domain/messages';
import type { Command } from './input';
import type { ConversationRef, EnginePorts } from './ports';
import { stepKey, type ConversationState, type Mode, type PendingChoice } from './state';

type Params = Record<string, string | number>;

/**
 * One inbound message being handled: the state being changed, the replies being built and the
 * ports to reach the world. Flows receive a Turn and never touch SDKs or databases directly.
 */
export class Turn {
  readonly replies: Reply[] = [];
  /** Intent reported to callers; stays null when the text was consumed as a form answer. */
  intent: string | null = null;
  /** A command word the message consists of ("yes", "cancel" …), if any. */
  command: Command | null = null;
  /** Choices offered by the previous reply; `state.choices` collects the ones this turn offers. */
  readonly previousChoices: PendingChoice[];
  /** True once a step rejected this message (see {@link missed}). */
  missedThisTurn = false;
  /** An earlier message the person confirmed as the step's answer; read instead of this one. */
  private answer: string | null = null;

  constructor(
    readonly msg: InboundMessage,
    public state: ConversationState,
    readonly ports: EnginePorts,
    readonly now: Date,
  ) {
    this.previousChoices = state.choices;
    this.state.choices = [];
  }

  get lang(): Language {
    return this.state.language;
  }

  get ref(): ConversationRef {
    return { channel: this.msg.channel, account: this.msg.account, sender: this.msg.sender };
  }

  get text(): string {
    return (this.answer ?? this.msg.text).trim();
  }

  /** Answers the open step with an earlier message the person has just confirmed. */
  useAnswer(text: string): void {
    this.answer = text;
  }

  /**
   * The open step did not get its answer. From the second miss in a row at the same step, the
   * re-ask also names the way out (menu, cancel, staff): a step never traps a person. Not
   * twice: `wayOutNamed` when the error just said has named it already.
   */
  missed(wayOutNamed = false): void {
    const step = stepKey(this.state.mode);
    const count = this.state.misses?.step === step ? this.state.misses.count + 1 : 1;
    this.state.misses = { step, count };
    this.missedThisTurn = true;
    if (count >= 2 && !wayOutNamed) this.say('understanding.way_out');
  }

  t(key: string, params?: Params): string {
    return this.ports.translator.t(this.lang, key, params);
  }

  /** Adds a reply without options. */
  say(key: string, params?: Params): void {
    this.replies.push({ text: this.t(key, params) });
  }

  /** Adds a reply with numbered choices; a later "1", "١" or the label itself selects them. */
  ask(key: string, choices: PendingChoice[], params?: Params): void {
    this.state.choices = choices;
    this.replies.push({ text: this.t(key, params), options: choices.map((c) => ({ value: c.value, label: c.label })) });
  }

  /** A choice whose label is a translation key. */
  choice(value: string, labelKey: string, params?: Params): PendingChoice {
    return { value, label: this.t(labelKey, params) };
  }

  setMode(mode: Mode): void {
    this.state.mode = mode;
  }
}
