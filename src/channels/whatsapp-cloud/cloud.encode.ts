import type { Reply, ReplyOption } from '../../domain/messages';

/**
 * Our {@link Reply} as a Graph API message. Options become what WhatsApp can show: up to 3 reply
 * buttons, up to 10 list rows, otherwise a numbered list the engine understands ("1", "١", label).
 * Limits are WhatsApp's (Cloud API "Interactive messages" reference); a payload breaking them is
 * refused with error 131009, so anything that would not fit falls back to the numbered text.
 */

export const LIMITS = {
  textBody: 4096,
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  listButton: 20,
  templateParameter: 1000,
} as const;

interface Envelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
}

export interface GraphButtons {
  type: 'button';
  body: { text: string };
  action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> };
}

export interface GraphList {
  type: 'list';
  body: { text: string };
  action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string; description?: string }> }> };
}

export interface GraphTemplate {
  name: string;
  language: { code: string };
  components: Array<{ type: 'body'; parameters: Array<{ type: 'text'; text: string }> }>;
}

/** The body of POST /{phone-number-id}/messages. */
export type GraphMessage = Envelope &
  (
    | { type: 'text'; text: { body: string; preview_url: false } }
    | { type: 'interactive'; interactive: GraphButtons | GraphList }
    | { type: 'template'; template: GraphTemplate }
  );

/** Words the encoder adds around the engine's text, already in the conversation's language. */
export interface CloudLabels {
  /** The button that opens a list ("الخيارات"). */
  listButton: string;
  /** The line after a numbered list ("send the number of your choice"). */
  chooseNumber: string;
  optionLine(number: number, label: string): string;
}

/** Cuts to `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

const length = (text: string): number => Array.from(text).length;

function envelope(to: string): Envelope {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to };
}

/** A reply inside the 24-hour window: free-form text, buttons or a list. */
export function encodeReply(to: string, reply: Reply, labels: CloudLabels): GraphMessage {
  const options = reply.options ?? [];
  if (options.length === 0) return textMessage(to, reply.text);
  const interactive = buttons(reply.text, options) ?? list(reply.text, options, labels);
  if (interactive) return { ...envelope(to), type: 'interactive', interactive };
  return textMessage(to, numbered(reply.text, options, labels));
}

/**
 * A message outside the 24-hour window: the approved template, with the follow-up's own
 * parameters (the reference) or else the reply (options numbered, on one line) as its single body parameter. WhatsApp refuses parameters with line breaks or
 * more than four spaces in a row (error 132018), hence the flattening.
 */
export function encodeTemplate(to: string, reply: Reply, template: { name: string; language: string }, labels: CloudLabels): GraphMessage {
  const options = (reply.options ?? []).map((o, i) => labels.optionLine(i + 1, o.label));
  // A follow-up names its template's parameters (the reference); other messages travel as one flattened parameter.
  const parameters = reply.template?.parameters ?? [[reply.text, ...options].join(' ')];
  return {
    ...envelope(to),
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [{ type: 'body', parameters: parameters.map((p) => ({ type: 'text' as const, text: truncate(p.replace(/\s+/g, ' ').trim(), LIMITS.templateParameter) })) }],
    },
  };
}

function textMessage(to: string, body: string): GraphMessage {
  // Engine replies stay far below 4096 characters; cutting is a guard, splitting could send twice.
  return { ...envelope(to), type: 'text', text: { body: truncate(body, LIMITS.textBody), preview_url: false } };
}

function fitsInteractiveBody(text: string): boolean {
  return text.trim() !== '' && length(text) <= LIMITS.interactiveBody;
}

function distinct(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

function buttons(text: string, options: readonly ReplyOption[]): GraphButtons | null {
  if (options.length > LIMITS.buttons || !fitsInteractiveBody(text)) return null;
  const items = options.map((o) => ({ id: o.value, title: truncate(o.label, LIMITS.buttonTitle) }));
  // WhatsApp wants distinct button titles and ids; labels cut to the same prefix would clash.
  if (!items.every((b) => b.id !== '' && length(b.id) <= LIMITS.buttonId)) return null;
  if (!distinct(items.map((b) => b.id)) || !distinct(items.map((b) => b.title))) return null;
  return { type: 'button', body: { text }, action: { buttons: items.map((reply) => ({ type: 'reply', reply })) } };
}

function list(text: string, options: readonly ReplyOption[], labels: CloudLabels): GraphList | null {
  if (options.length > LIMITS.rows || !fitsInteractiveBody(text)) return null;
  if (!options.every((o) => o.value !== '' && length(o.value) <= LIMITS.rowId) || !distinct(options.map((o) => o.value))) return null;
  const rows = options.map((o) => {
    const title = truncate(o.label, LIMITS.rowTitle);
    // A cut title keeps its full wording in the row's description line.
    return title === o.label ? { id: o.value, title } : { id: o.value, title, description: truncate(o.label, LIMITS.rowDescription) };
  });
  return { type: 'list', body: { text }, action: { button: truncate(labels.listButton, LIMITS.listButton), sections: [{ rows }] } };
}

function numbered(text: string, options: readonly ReplyOption[], labels: CloudLabels): string {
  const lines = options.map((o, i) => labels.optionLine(i + 1, o.label));
  return [text, lines.join('\n'), labels.chooseNumber].filter((part) => part.trim() !== '').join('\n\n');
}
